import { FixtureProcess } from './fixture-process.js'
import { launchIn } from './browser.js'
import { Lan } from './lan.js'
import { SmeshProcess, cleanEnv, waitFor } from './smesh-process.js'
import type { Browser, Page } from 'playwright-core'
import type { FixtureScript } from '../../fixtures/providers.js'
import type { ModelsView } from '@smesh/node'

/** A phone's screen and browser, as Chromium's device emulation gives them. */
export const PHONE = {
  viewport: { width: 393, height: 851 },
  deviceScaleFactor: 2.75,
  isMobile: true,
  hasTouch: true,
  userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36'
}

export const PHONE_ANSWER = ['The ', 'mesh ', 'answers ', 'your ', 'phone.']
export const PHONE_MODEL = { models: [{ name: 'llama3.2:3b', loaded: true, capabilities: ['completion'] }], reply: PHONE_ANSWER }

export interface PhoneMesh {
  lan: Lan
  /** The root admin, whose page the phone opens. */
  desk: SmeshProcess
  /** An admin too, with the model (a fixture Ollama): the router's first choice, being a peer with a measured RTT. */
  laptop: SmeshProcess
  ollama: FixtureProcess
  /** With `deskModel`: the same model on the desk too (the router's first choice there, being its own). */
  deskOllama?: FixtureProcess
  /** Chromium on the third host, the phone's. */
  browser: Browser
  stop: () => Promise<void>
}

/** A desk, a laptop holding the model (and the desk too, with `deskModel`), and a Chromium on a third host of a namespace LAN. */
export async function startPhoneMesh (options: { deskModel?: FixtureScript, laptopModel?: FixtureScript } = {}): Promise<PhoneMesh> {
  const lan = await Lan.create(3)
  const [h0, h1, h2] = lan.hosts as [typeof lan.hosts[0], typeof lan.hosts[0], typeof lan.hosts[0]]
  const deskOllama = options.deskModel != null ? await FixtureProcess.start({ kind: 'ollama', ns: h0.ns, script: options.deskModel }) : undefined
  const desk = await SmeshProcess.start({ ns: h0.ns, name: 'desk', env: cleanEnv({ SMESH_OLLAMA_URL: deskOllama?.url ?? 'off' }) })
  const ollama = await FixtureProcess.start({ kind: 'ollama', ns: h1.ns, script: options.laptopModel ?? PHONE_MODEL })
  const laptop = await SmeshProcess.start({ ns: h1.ns, name: 'laptop', join: await desk.invite({ scopes: 'read,write,task.submit,task.serve,admin' }), env: cleanEnv({ SMESH_OLLAMA_URL: ollama.url }) })
  await waitFor(async () => (await desk.api<ModelsView>('/v1/models')).models.some(m => m.device === 'laptop'), { timeoutMs: 30_000, what: 'the desk to see the laptop\'s model' })
  const browser = await launchIn(h2.ns)
  return {
    lan,
    desk,
    laptop,
    ollama,
    ...(deskOllama != null ? { deskOllama } : {}),
    browser,
    stop: async () => {
      await browser.close().catch(() => {})
      await laptop.stop()
      await desk.stop()
      await ollama.stop()
      await deskOllama?.stop()
      await lan.destroy()
    }
  }
}

/** The link of `smesh invite --phone` on `node`, from its output. */
export async function phoneLink (node: SmeshProcess): Promise<string> {
  const r = await node.cli(['invite', '--phone'])
  if (r.code !== 0) throw new Error(`smesh invite --phone failed (${String(r.code)}): ${r.stderr}`)
  const link = /https?:\/\/\S+#\S+/.exec(r.stdout)?.[0]
  if (link == null) throw new Error(`no link in the output of smesh invite --phone:\n${r.stdout}`)
  return link
}

/** Opens the link, names the device and taps Join; resolves once the page says it joined. */
export async function joinFromPage (page: Page, link: string, name: string): Promise<void> {
  await page.goto(link)
  await page.getByLabel('Device name').fill(name, { timeout: 15_000 })
  await page.getByRole('button', { name: 'Join' }).click()
  await page.getByTestId('joined').waitFor({ timeout: 30_000 })
}

/** Sends a question from the chat box; resolves with the time to the first piece and to the whole answer (ms). */
export async function askFromPage (page: Page, prompt: string): Promise<{ firstMs: number, totalMs: number }> {
  const before = await page.getByTestId('answer').count()
  const errors = await page.getByTestId('ask-error').count()
  const started = performance.now()
  await page.getByTestId('prompt').fill(prompt, { timeout: 15_000 })
  await page.getByRole('button', { name: 'Send' }).click({ timeout: 30_000 })
  await waitFor(async () => (await page.getByTestId('ask-error').count()) > errors || ((await page.getByTestId('answer').count()) > before && (await page.getByTestId('answer').last().textContent() ?? '') !== ''), { timeoutMs: 30_000, intervalMs: 5, what: 'the first piece of the answer' })
  if ((await page.getByTestId('ask-error').count()) > errors) throw new Error(`the page says: ${String(await page.getByTestId('ask-error').last().textContent())}`)
  const firstMs = performance.now() - started
  await waitFor(async () => (await page.getByTestId('served').last().textContent() ?? '').startsWith('answered by') || (await page.getByTestId('ask-error').count()) > 0, { timeoutMs: 30_000, intervalMs: 5, what: 'the whole answer' })
  return { firstMs, totalMs: performance.now() - started }
}

/** What the page keeps in its IndexedDB: whether it holds keys and a membership, and the node addresses it knows. */
export async function stored (page: Page): Promise<{ keys: boolean, membership: boolean, addrs: string[] }> {
  return await page.evaluate(async () => await new Promise((resolve, reject) => {
    const open = (globalThis as any).indexedDB.open('smesh')
    open.onerror = () => { reject(open.error) }
    open.onsuccess = () => {
      const store = open.result.transaction('device').objectStore('device')
      const keys = store.get('keys')
      const membership = store.get('membership')
      membership.onsuccess = () => { resolve({ keys: keys.result != null, membership: membership.result != null, addrs: membership.result?.addrs ?? [] }) }
    }
  }))
}
