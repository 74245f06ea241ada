import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { chromiumUnavailable, launchIn, servePage } from './harness/browser.js'
import { netnsUnavailable } from './harness/exec.js'
import { FixtureProcess } from './harness/fixture-process.js'
import { Lan, listOwnNamespaces } from './harness/lan.js'
import { SmeshProcess, cleanEnv, waitFor } from './harness/smesh-process.js'
import { tempDir } from './harness/tmp.js'
import type { Browser } from 'playwright-core'
import type { ModelsView } from '@smesh/node'

const skip = netnsUnavailable() ?? chromiumUnavailable()
const ANSWER = ['Hello ', 'from ', 'the ', 'mesh, ', 'in ', 'a ', 'browser.']

/** A page that calls the gateway the way a browser client does: fetch with the SDKs' headers, streaming. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>client</title><script>
window.ask = async (gateway, key, model) => {
  try {
    const res = await fetch(gateway + '/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + key, 'x-stainless-lang': 'js', 'x-stainless-os': 'Unknown' },
      body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hello' }] })
    })
    const reader = res.body.getReader()
    const decoder = new TextDecoder()
    let raw = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      raw += decoder.decode(value, { stream: true })
    }
    const text = raw.split('\\n').filter(l => l.startsWith('data: {')).map(l => JSON.parse(l.slice(6))).map(c => c.choices?.[0]?.delta?.content ?? '').join('')
    return { status: res.status, device: res.headers.get('x-smesh-device'), task: res.headers.get('x-smesh-task'), text }
  } catch (err) {
    return { error: String(err) }
  }
}
</script>`

/**
 * CORS as a browser does it: Chromium on a device of the LAN opens a page
 * from an origin the gateway allows and one it does not, and each calls the
 * gateway with the headers the SDKs send (so the browser sends a preflight).
 */
describe('gateway: a real browser gets in from an allowed origin only', { skip, timeout: 180_000 }, () => {
  let lan: Lan
  let desk: SmeshProcess
  let ollama: FixtureProcess
  let browser: Browser
  let page: { stop: () => void }
  let key: string
  let gateway: string

  before(async () => {
    lan = await Lan.create(2)
    const [h0, h1] = lan.hosts as [typeof lan.hosts[0], typeof lan.hosts[0]]
    ollama = await FixtureProcess.start({ kind: 'ollama', ns: h0.ns, script: { models: [{ name: 'llama3.2:3b', loaded: true, capabilities: ['completion'] }], reply: ANSWER } })
    const dir = tempDir('smesh-desk')
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ gatewayCorsOrigins: [`http://${h1.ip}:3000`] }))
    desk = await SmeshProcess.start({ ns: h0.ns, name: 'desk', dataDir: dir, env: cleanEnv({ SMESH_OLLAMA_URL: ollama.url }), args: ['--gateway-listen', '0.0.0.0:11435'] })
    await waitFor(async () => (await desk.api<ModelsView>('/v1/models')).models.length > 0, { timeoutMs: 20_000, what: 'the desk\'s model' })
    key = await desk.gatewayKey('browser')
    gateway = `http://${h0.ip}:11435`
    page = await servePage(h1.ns, h1.ip, [3000, 3001], PAGE)
    browser = await launchIn(h1.ns)
  })
  after(async () => {
    await browser?.close()
    page?.stop()
    await desk?.stop()
    await ollama?.stop()
    await lan?.destroy()
    assert.deepEqual(await listOwnNamespaces(), [], 'the harness left namespaces behind')
  })

  const ask = async (port: number): Promise<Record<string, any>> => {
    const tab = await browser.newPage()
    try {
      await tab.goto(`http://${lan.hosts[1]?.ip as string}:${port}/`)
      return await tab.evaluate(async ([g, k]) => await (globalThis as any).ask(g, k, 'llama3.2:3b'), [gateway, key])
    } finally {
      await tab.close()
    }
  }

  it('from the allowed origin: the preflight passes, the stream arrives, and the X-Smesh headers are readable', async () => {
    const r = await ask(3000)
    assert.equal(r.error, undefined, r.error)
    assert.equal(r.status, 200)
    assert.equal(r.text, ANSWER.join(''))
    assert.equal(r.device, 'desk', 'the exposed headers reach the page')
    assert.match(r.task, /^[0-9a-f]{32}$/)
  })

  it('from any other origin: the browser refuses the answer, and no backend was asked', async () => {
    const before = (await ollama.chats()).length
    const r = await ask(3001)
    assert.match(r.error ?? '', /Failed to fetch/)
    assert.equal((await ollama.chats()).length, before)
  })
})
