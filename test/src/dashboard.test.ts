import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { chromiumUnavailable, launchIn } from './harness/browser.js'
import { ip, netnsUnavailable } from './harness/exec.js'
import { Lan, listOwnNamespaces } from './harness/lan.js'
import { FixtureProcess } from './harness/fixture-process.js'
import { SmeshProcess, cleanEnv, waitFor } from './harness/smesh-process.js'
import { DESKTOP, dashboardLink, graphNames, openDashboard, screenshot, showTab } from './harness/dashboard.js'
import { PHONE } from './harness/phone.js'
import type { Browser, Page } from 'playwright-core'
import type { ModelsView } from '@smesh/node'

const skip = netnsUnavailable() ?? chromiumUnavailable()

const ANSWER = ['The ', 'dashboard ', 'shows ', 'where ', 'each ', 'piece ', 'of ', 'the ', 'answer ', 'came ', 'from.']
/** Slow enough to kill the serving device between two pieces; a continuing model, so the other device goes on from where it stopped. */
const MODEL = { models: [{ name: 'llama3.2:3b', loaded: true, capabilities: ['completion'] }], reply: ANSWER, tokenDelayMs: 250, continuation: true }
const ADMIN = 'read,write,task.submit,task.serve,admin'

/**
 * The dashboard in a real Chromium, against real nodes on a namespace LAN:
 * a desk (the root admin, no model), a laptop and a nas with the same model
 * (fixture Ollamas), and later a den, whose own dashboard is a second window.
 * Each browser runs in its node's namespace: the dashboard is on the node's
 * loopback control API.
 */
describe('the dashboard', { skip, timeout: 300_000 }, () => {
  let lan: Lan
  let desk: SmeshProcess
  let den: SmeshProcess | undefined
  const nodes = new Map<string, SmeshProcess>()
  const ollamas: FixtureProcess[] = []
  let deskBrowser: Browser
  let denBrowser: Browser | undefined
  let page: Page
  let denPage: Page
  let killed: string
  let killedAt = 0

  before(async () => {
    lan = await Lan.create(4)
    const [h0, h1, h2] = lan.hosts as [typeof lan.hosts[0], typeof lan.hosts[0], typeof lan.hosts[0]]
    desk = await SmeshProcess.start({ ns: h0.ns, name: 'desk', env: cleanEnv({ SMESH_OLLAMA_URL: 'off' }) })
    for (const [h, name] of [[h1, 'laptop'], [h2, 'nas']] as const) {
      const ollama = await FixtureProcess.start({ kind: 'ollama', ns: h.ns, script: MODEL })
      ollamas.push(ollama)
      nodes.set(name, await SmeshProcess.start({ ns: h.ns, name, join: await desk.invite({ scopes: ADMIN }), env: cleanEnv({ SMESH_OLLAMA_URL: ollama.url }) }))
    }
    await waitFor(async () => new Set((await desk.api<ModelsView>('/v1/models')).models.map(m => m.device)).size === 2, { timeoutMs: 30_000, what: 'the desk to see both models' })
    deskBrowser = await launchIn(h0.ns)
  })
  after(async () => {
    await deskBrowser?.close().catch(() => {})
    await denBrowser?.close().catch(() => {})
    await den?.stop()
    for (const n of nodes.values()) await n.stop()
    await desk?.stop()
    for (const o of ollamas) await o.stop()
    await lan?.destroy()
    assert.deepEqual(await listOwnNamespaces(), [], 'the harness left namespaces behind')
  })

  it('logs in once through the link of smesh dashboard; the link then fails, and no cookie means no data', async () => {
    const link = await dashboardLink(desk)
    assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/dashboard\/#login=[\w-]{40,}$/, 'the secret rides in the fragment, which the browser never sends')
    const context = await deskBrowser.newContext(DESKTOP)
    page = await context.newPage()
    await page.goto(link)
    await page.getByTestId('connection').filter({ hasText: 'live' }).waitFor({ timeout: 15_000 })
    assert.equal(new URL(page.url()).hash, '', 'the secret is dropped from the address bar')
    const cookies = await context.cookies()
    assert.equal(cookies.length, 1)
    assert.equal(cookies[0]?.httpOnly, true)
    assert.equal(cookies[0]?.sameSite, 'Strict')
    assert.equal(await page.evaluate(() => (globalThis as any).document.cookie), '', 'the page\'s own script cannot read the session')

    const second = await (await deskBrowser.newContext(DESKTOP)).newPage()
    await second.goto(link)
    await second.getByTestId('login-error').waitFor({ timeout: 15_000 })
    assert.match(await second.getByTestId('login-error').textContent() ?? '', /already used or has expired.*smesh dashboard/s)
    const noCookie = await second.evaluate(async () => {
      const r = await fetch('/v1/peers')
      const es = await new Promise<number>(resolve => { const s = new EventSource('/v1/dashboard/events'); s.onerror = () => { s.close(); resolve(s.readyState) } })
      return { peers: r.status, events: es }
    })
    assert.equal(noCookie.peers, 401)
    assert.equal(noCookie.events, 2, 'the live feed is closed to a page without a session')
    await second.context().close()
  })

  it('the topology shows the three devices, this node marked, links with their RTT', async () => {
    await waitFor(async () => (await graphNames(page)).join() === 'desk,laptop,nas', { timeoutMs: 20_000, what: 'three devices on the graph' })
    assert.equal(await page.locator('[data-testid=device].self').getAttribute('data-name'), 'desk')
    await waitFor(async () => (await page.getByTestId('graph-link').count()) === 3, { timeoutMs: 20_000, what: 'the three links' })
    await waitFor(async () => (await page.getByTestId('graph-link').allTextContents()).every(t => / ms$/.test(t)), { timeoutMs: 20_000, what: 'RTTs on every link' })
    await page.locator('[data-testid=device][data-name=laptop]').click()
    const details = await page.getByTestId('device-details').textContent() ?? ''
    const laptopId = (await nodes.get('laptop')?.id())?.peerId as string
    assert.ok(details.includes(laptopId), 'the details name the PeerId')
    assert.match(details, /llama3\.2:3b/)
    assert.match(details, /active, read, write/)
  })

  it('a fourth device that joins appears on the graph without a reload', async () => {
    const h3 = lan.hosts[3] as typeof lan.hosts[0]
    den = await SmeshProcess.start({ ns: h3.ns, name: 'den', join: await desk.invite({ scopes: 'read,write,task.submit' }), env: cleanEnv({ SMESH_OLLAMA_URL: 'off' }) })
    const joined = Date.now()
    await waitFor(async () => (await graphNames(page)).includes('den'), { timeoutMs: 15_000, intervalMs: 20, what: 'the den on the desk\'s graph' })
    process.stdout.write(`# dashboard: den on the desk's graph ${Date.now() - joined} ms after its node started\n`)
    await screenshot(page, 'topology')
    denBrowser = await launchIn(h3.ns)
    denPage = await openDashboard(denBrowser, den, { colorScheme: 'dark' })
    await waitFor(async () => (await graphNames(denPage)).join() === 'den,desk,laptop,nas', { timeoutMs: 20_000, what: 'the whole mesh on the den\'s own dashboard' })
    await screenshot(denPage, 'topology-dark')
  })

  it('a memory key set on the desk\'s dashboard shows on the den\'s', async () => {
    await showTab(page, 'memory')
    await page.getByLabel('Memory key').fill('notes/dashboard')
    await page.getByLabel('Memory value').fill('set from the desk\'s browser')
    await page.getByRole('button', { name: 'Set' }).click()
    await page.getByTestId('memory-note').filter({ hasText: 'notes/dashboard set' }).waitFor({ timeout: 15_000 })
    await showTab(denPage, 'memory')
    await denPage.locator('[data-testid=memory] tr[data-key="notes/dashboard"]').waitFor({ timeout: 15_000 })
    assert.equal(await denPage.locator('tr[data-key="notes/dashboard"] td.value').textContent(), 'set from the desk\'s browser')
    assert.equal((await den?.api<{ value: unknown }>('/v1/memory/get?key=notes/dashboard'))?.value, 'set from the desk\'s browser')
    await screenshot(denPage, 'memory-dark')
  })

  it('a write the policy holds for an admin shows as waiting on the den\'s dashboard, until the desk approves it on its own', async () => {
    const set = await desk.post<{ inForceAt: number }>('/v1/policy', { rules: [{ action: 'memory.write', subject: 'ask/*', effect: 'ask' }] })
    await waitFor(async () => (await den?.api<{ inForceAt?: number }>('/v1/policy'))?.inForceAt === set.inForceAt, { timeoutMs: 10_000, what: 'the den to take the policy' })
    await new Promise(resolve => setTimeout(resolve, Math.max(0, set.inForceAt - Date.now() + 200)))
    await denPage.getByLabel('Memory key').fill('ask/door')
    await denPage.getByLabel('Memory value').fill('open')
    await denPage.getByRole('button', { name: 'Set' }).click()
    await denPage.getByTestId('memory-waiting').waitFor({ timeout: 15_000 })
    assert.match(await denPage.getByTestId('memory-waiting').textContent() ?? '', /ask\/door waits for an admin's approval/)
    await showTab(page, 'members')
    await page.getByTestId('approvals').filter({ hasText: 'memory.write of ask/door by den' }).waitFor({ timeout: 10_000 })
    await page.getByTestId('approvals').getByRole('button', { name: 'approve', exact: true }).click()
    await denPage.getByTestId('memory-note').filter({ hasText: 'ask/door set' }).waitFor({ timeout: 15_000 })
    assert.equal((await desk.api<{ value: unknown }>('/v1/memory/get?key=ask/door')).value, 'open')
  })

  it('a chat streams the answer from a device with the model and names it; killed mid-answer, the answer completes with the handoff marked', async () => {
    await showTab(page, 'chat')
    await page.getByLabel('Model spec').fill('llama3.2:3b')
    await page.getByLabel('Prompt').fill('where does each piece come from?')
    await page.getByRole('button', { name: 'Send' }).click()
    const turn = page.getByTestId('turn').last()
    await waitFor(async () => ((await turn.locator('.a').allTextContents()).join('')).length > 0, { timeoutMs: 20_000, intervalMs: 10, what: 'the first piece of the answer' })
    const first = await turn.getByTestId('served-by').first().textContent() ?? ''
    killed = first.split(' · ')[0] as string
    assert.ok(killed === 'laptop' || killed === 'nas', `served by a device with the model, not ${JSON.stringify(first)}`)
    assert.equal(await turn.getAttribute('data-status'), 'streaming', 'the answer streams: the page shows pieces before the end')
    nodes.get(killed)?.kill('SIGKILL')
    killedAt = Date.now()
    await waitFor(async () => await turn.getAttribute('data-status') === 'done' || await turn.getAttribute('data-status') === 'failed', { timeoutMs: 40_000, what: 'the answer to end' })
    assert.equal(await turn.getAttribute('data-status'), 'done', await turn.textContent() ?? '')
    assert.equal((await turn.locator('.a').allTextContents()).join(''), ANSWER.join(''), 'nothing lost, nothing twice')
    const other = killed === 'laptop' ? 'nas' : 'laptop'
    assert.match(await turn.getByTestId('handoff').textContent() ?? '', new RegExp(`handed off from ${killed}.*${other} goes on`))
    assert.deepEqual(await turn.getByTestId('served-by').allTextContents(), [`${killed} · llama3.2:3b`, `${other} · llama3.2:3b`])
    await screenshot(page, 'chat')
    await showTab(page, 'tasks')
    const row = page.getByTestId('tasks').locator('tbody tr').first()
    await waitFor(async () => new RegExp(`${killed}: moved on.*${other}: served`).test(await row.textContent() ?? ''), { timeoutMs: 15_000, what: 'the task\'s attempts in the tasks table' })
    await row.click()
    await page.getByTestId('task-records').locator('details').first().waitFor({ timeout: 10_000 })
    // the task's one record, the handoff inside it
    const kinds = await page.getByTestId('task-records').locator('summary b').allTextContents()
    assert.deepEqual(kinds, ['task.done'])
    assert.match(await page.getByTestId('task-records').textContent() ?? '', /handedOff/)
    await screenshot(page, 'tasks')
  })

  it('the killed device is pruned from the graph once silent for 20 s', async () => {
    await showTab(page, 'topology')
    await waitFor(async () => (await graphNames(page)).length >= 3, { timeoutMs: 5_000, what: 'the graph drawn' })
    await waitFor(async () => { const names = await graphNames(page); return names.length === 3 && !names.includes(killed) }, { timeoutMs: 40_000, intervalMs: 100, what: `${killed} to leave the graph` })
    const ms = Date.now() - killedAt
    process.stdout.write(`# dashboard: ${killed} left the graph ${ms} ms after it was killed\n`)
    assert.ok(ms >= 15_000, `pruned after its silence, not before (${ms} ms)`)
    assert.deepEqual(await graphNames(page), ['den', 'desk', killed === 'laptop' ? 'nas' : 'laptop'])
  })

  it('a device revoked from the members view (after a confirmation) goes from every dashboard', async () => {
    const other = killed === 'laptop' ? 'nas' : 'laptop'
    await showTab(page, 'members')
    await page.locator(`[data-testid=members] tr[data-name=${other}]`).getByRole('button', { name: 'revoke' }).click()
    await screenshot(page, 'members')
    await page.getByRole('button', { name: `Revoke ${other}` }).click()
    await page.locator(`[data-testid=members] tr[data-name=${other}][data-status=revoked]`).waitFor({ timeout: 10_000 })
    await showTab(page, 'topology')
    await showTab(denPage, 'topology')
    // both graphs drawn again (the tab was just opened), without the revoked device
    await waitFor(async () => (await graphNames(page)).join() === 'den,desk' && (await graphNames(denPage)).join() === 'den,desk', { timeoutMs: 15_000, what: `${other} to leave both graphs` })
  })

  it('an invite made on the members view comes with its QR code and token; a gateway key made on the node view is shown once, then revoked', async () => {
    await showTab(page, 'members')
    await page.getByRole('button', { name: 'Create invite' }).click()
    const invite = page.getByTestId('invite')
    await invite.locator('img.qr').waitFor({ timeout: 10_000 })
    assert.match(await invite.getByLabel('Invite token').inputValue(), /^smesh1[A-Za-z0-9_-]{100,}$/)
    assert.ok(((await invite.locator('img.qr').evaluate(img => (img as any).naturalWidth)) as number) > 0, 'the QR code is drawn')
    assert.equal((await desk.api<Array<{ usedAt: number | null }>>('/v1/invites')).filter(i => i.usedAt == null).length, 1)
    await showTab(page, 'node')
    await page.getByTestId('node-status').waitFor({ timeout: 5_000 })
    // before the key is made: a screenshot never shows one
    await screenshot(page, 'node')
    await page.getByLabel('Key name').fill('from-the-dashboard')
    await page.getByRole('button', { name: 'Create key' }).click()
    const shown = await page.getByTestId('new-key').locator('code').textContent({ timeout: 10_000 }) ?? ''
    const keys = page.getByTestId('keys')
    await keys.locator('tr', { hasText: 'from-the-dashboard' }).waitFor({ timeout: 5_000 })
    assert.ok(!(await keys.textContent() ?? '').includes(shown), 'the list shows a prefix, never the key')
    await keys.locator('tr', { hasText: 'from-the-dashboard' }).getByRole('button', { name: 'revoke' }).click()
    await keys.locator('tr', { hasText: 'from-the-dashboard' }).filter({ hasText: 'revoked' }).waitFor({ timeout: 5_000 })
    await waitFor(async () => / info {2}/.test(await page.getByTestId('logs').textContent() ?? ''), { timeoutMs: 10_000, what: 'the log\'s tail on the node view' })
  })

  it('a request with the cookie but without the session\'s token, from another origin or with a foreign Host is refused', async () => {
    const fromPage = await page.evaluate(async () => {
      const noToken = await fetch('/v1/memory/set', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'notes/csrf', value: 'x' }) })
      return { status: noToken.status, body: await noToken.json() as { error: string } }
    })
    assert.equal(fromPage.status, 403)
    assert.match(fromPage.body.error, /needs its session's token in x-smesh-csrf/)
    const port = new URL(page.url()).port
    const cookie = (await page.context().cookies())[0]
    const token = await page.evaluate(() => (globalThis as any).localStorage.getItem('smesh-dashboard-token') as string)
    const probe = `
      const http = require('node:http')
      const ask = (headers) => new Promise(r => http.request({ host: '127.0.0.1', port: ${port}, path: '/v1/peers', headers: { cookie: '${cookie?.name}=${cookie?.value}', ...headers }, setHost: false, agent: false }, res => { res.resume(); r(res.statusCode) }).end())
      const t = { 'x-smesh-csrf': '${token}' }
      Promise.all([ask({ host: '127.0.0.1:${port}', ...t }), ask({ host: 'evil.example:${port}', ...t }), ask({ host: '127.0.0.1:${port}', origin: 'http://evil.example', ...t }), ask({ host: '127.0.0.1:${port}' })]).then(s => console.log(JSON.stringify(s)))`
    const statuses = JSON.parse(await ip('netns', 'exec', lan.hosts[0]?.ns as string, process.execPath, '-e', probe)) as number[]
    assert.deepEqual(statuses, [200, 403, 403, 403], 'the session works from the node\'s own address only, and the cookie alone (which a browser sends to every port of 127.0.0.1) not at all')
    assert.equal((await desk.api<Array<{ key: string }>>('/v1/memory/list?prefix=notes/csrf')).length, 0, 'nothing was written')
  })

  it('fits a phone\'s screen: no view is wider than it', async () => {
    const small = await openDashboard(deskBrowser, desk, { screen: PHONE })
    for (const tab of ['topology', 'models', 'tasks', 'chat', 'bus', 'memory', 'members', 'node']) {
      await showTab(small, tab)
      const overflow = await small.evaluate(() => { const d = (globalThis as any).document.documentElement; return d.scrollWidth - d.clientWidth })
      assert.ok(overflow <= 0, `the ${tab} view is ${overflow} px wider than the screen`)
      if (tab === 'members') await screenshot(small, 'phone-members')
    }
    await small.context().close()
  })

  it('smesh dashboard --logout-all ends every session: the open page says so, and a reload asks for a new link', async () => {
    const r = await desk.cli(['dashboard', '--logout-all'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /ended 2 dashboard sessions/, 'the desktop window\'s and the phone-sized one\'s (closing a window does not end its session)')
    await page.getByTestId('session-ended').waitFor({ timeout: 15_000 })
    await page.reload()
    await page.getByTestId('login-error').waitFor({ timeout: 15_000 })
    assert.match(await page.getByTestId('login-error').textContent() ?? '', /session has ended.*smesh dashboard/s)
  })
})
