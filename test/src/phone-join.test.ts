import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { decodePhoneFragment } from '@smesh/membership'
import { chromiumUnavailable } from './harness/browser.js'
import { startCapture } from './harness/capture.js'
import { netnsUnavailable } from './harness/exec.js'
import { listOwnNamespaces } from './harness/lan.js'
import { PHONE, PHONE_ANSWER as ANSWER, PHONE_MODEL as MODEL, joinFromPage, phoneLink, startPhoneMesh, stored } from './harness/phone.js'
import { waitFor } from './harness/smesh-process.js'
import type { FixtureProcess } from './harness/fixture-process.js'
import type { Lan } from './harness/lan.js'
import type { PhoneMesh } from './harness/phone.js'
import type { SmeshProcess } from './harness/smesh-process.js'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { MemberRow } from '@smesh/node'

const skip = netnsUnavailable() ?? chromiumUnavailable()

/**
 * The phone joins as a person would: `smesh invite --phone` on the desk
 * prints a link; a headless Chromium on another host of the LAN, with a
 * phone's screen, opens it, taps Join, and becomes a member device with keys
 * of its own, which every node then lists.
 */
describe('a phone joins the mesh from the link of smesh invite --phone', { skip, timeout: 240_000 }, () => {
  let mesh: PhoneMesh
  let lan: Lan
  let desk: SmeshProcess
  let laptop: SmeshProcess
  let ollama: FixtureProcess
  let browser: Browser
  let phone: BrowserContext
  let page: Page
  let link: string
  /** Everything the phone's host sends and receives over libp2p (the join listener's and the desk's WebSockets ports) after the page loads. */
  let capture: Awaited<ReturnType<typeof startCapture>> | undefined
  const pageLog: string[] = []

  before(async () => {
    mesh = await startPhoneMesh();
    ({ lan, desk, laptop, ollama, browser } = mesh)
    phone = await browser.newContext(PHONE)
    page = await phone.newPage()
    // what the page itself reports goes into the test's output
    page.on('pageerror', (err) => { pageLog.push(`page error: ${err.message}`) })
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') pageLog.push(`console ${m.type()}: ${m.text()}`) })
  })
  after(async () => {
    await capture?.stop().catch(() => {})
    if (pageLog.length > 0) process.stderr.write(`the phone's page said:\n${pageLog.slice(0, 40).join('\n')}\n`)
    await mesh?.stop()
    assert.deepEqual(await listOwnNamespaces(), [], 'the harness left namespaces behind')
  })

  /** Sets the rules on the desk and waits until they are in force (a policy takes effect a few seconds after it is signed) on both nodes. */
  const setPolicy = async (rules: object[]): Promise<void> => {
    const set = await desk.post<{ inForceAt: number, hash?: string }>('/v1/policy', { rules })
    await waitFor(async () => (await laptop.api<{ rules: unknown[] }>('/v1/policy')).rules.length === rules.length, { timeoutMs: 10_000, what: 'the policy on the laptop' })
    await new Promise(resolve => setTimeout(resolve, Math.max(0, set.inForceAt - Date.now() + 200)))
  }

  it('prints a short link to the desk\'s page, its invite in the fragment', async () => {
    const r = await desk.cli(['invite', '--phone'])
    assert.equal(r.code, 0, r.stderr)
    link = /http:\/\/\S+#\S+/.exec(r.stdout)?.[0] ?? ''
    assert.match(link, new RegExp(`^http://${lan.hosts[0]?.ip as string}:7380/#[A-Za-z0-9_-]+$`))
    assert.ok(link.length <= 230, `the link is short enough for a QR code read at arm's length (${link.length} characters)`)
    assert.match(r.stdout, /█|▀|▄/, 'a QR code is printed')
    assert.match(r.stdout, /read, write, task\.submit/, 'a phone gets no task.serve or admin unless asked')
  })

  it('opens the link, joins, and says which mesh and device it is', async () => {
    capture = await startCapture(lan.hosts[2]?.ns as string, 'eth0', [decodePhoneFragment(new URL(link).hash).wsPort, 7372], 120, 1024 * 1024)
    await page.goto(link)
    await page.getByRole('button', { name: 'Join' }).waitFor({ timeout: 15_000 })
    await page.getByLabel('Device name').fill('pixel')
    await page.getByRole('button', { name: 'Join' }).click()
    await page.getByTestId('joined').waitFor({ timeout: 30_000 })
    assert.equal(await page.getByTestId('mesh').textContent(), 'test mesh')
    assert.equal(await page.getByTestId('device-name').textContent(), 'pixel')
    assert.equal(new URL(page.url()).hash, '', 'the invite is gone from the address bar (and from a bookmark)')
    await waitFor(async () => /^Connected to /.test(await page.getByTestId('link').textContent() ?? ''), { timeoutMs: 15_000, what: 'the phone to connect to the mesh' })
  })

  it('is listed by every node as a browser device with the phone\'s scopes', async () => {
    const peerId = await page.getByTestId('peer-id').textContent() ?? ''
    for (const node of [desk, laptop]) {
      const row = await waitFor(async () => (await node.api<MemberRow[]>('/v1/members')).find(m => m.peerId === peerId), { timeoutMs: 15_000, what: `${node.name} to list the phone` })
      assert.equal(row.name, 'pixel')
      assert.equal(row.kind, 'browser')
      assert.equal(row.agent, 'Chrome 156 on Android')
      assert.equal(row.status, 'active')
      assert.deepEqual(row.scopes, ['read', 'write', 'task.submit'])
    }
    const row = (await desk.api<MemberRow[]>('/v1/members')).find(m => m.peerId === peerId)
    assert.equal(row?.connected, true, 'the desk holds the phone\'s connection')
    const table = await desk.cli(['members'])
    assert.match(table.stdout, /pixel\s+Chrome 156 on Android\s+active/)
  })

  it('reloaded, it is the same device and connects again', async () => {
    const before = { peerId: await page.getByTestId('peer-id').textContent(), fingerprint: await page.getByTestId('fingerprint').textContent() }
    await page.reload()
    await page.getByTestId('joined').waitFor({ timeout: 15_000 })
    assert.equal(await page.getByTestId('peer-id').textContent(), before.peerId)
    assert.equal(await page.getByTestId('fingerprint').textContent(), before.fingerprint)
    await waitFor(async () => /^Connected to /.test(await page.getByTestId('link').textContent() ?? ''), { timeoutMs: 15_000, what: 'the phone to connect again' })
  })

  it('the link works once: another browser that opens it is refused, and nothing changes', async () => {
    const members = (await desk.api<MemberRow[]>('/v1/members')).length
    const other = await browser.newContext(PHONE)
    try {
      const tab = await other.newPage()
      await tab.goto(link)
      await tab.getByRole('button', { name: 'Join' }).click({ timeout: 15_000 })
      const error = await tab.getByTestId('error').textContent({ timeout: 30_000 })
      assert.match(error ?? '', /used/i)
    } finally {
      await other.close()
    }
    assert.equal((await desk.api<MemberRow[]>('/v1/members')).length, members)
  })

  it('lists the mesh\'s devices, itself among them, and the models', async () => {
    await waitFor(async () => (await page.getByTestId('devices').locator('li').count()) >= 3, { timeoutMs: 10_000, what: 'the devices list' })
    const text = await page.getByTestId('devices').textContent() ?? ''
    for (const name of ['desk', 'laptop', 'pixel']) assert.ok(text.includes(name), `${name} in ${text}`)
    assert.match(text, /pixel Chrome 156 on Android · active · connected · this device/)
    assert.match(await page.getByTestId('models').textContent() ?? '', /llama3\.2:3b on laptop · local · warm/)
    // the dashboard's views, read over the read protocol: the graph of the mesh's nodes, the models table
    const mesh = page.getByTestId('mesh-views')
    await waitFor(async () => (await mesh.getByTestId('device').evaluateAll(els => els.map(e => e.getAttribute('data-name')).sort().join())) === 'desk,laptop', { timeoutMs: 15_000, what: 'the mesh graph on the phone' })
    assert.match(await mesh.getByTestId('models-table').textContent() ?? '', /llama3\.2:3b.*laptop/)
  })

  it('asks the mesh: the answer streams, served by the device that holds the model, and names it', async () => {
    await page.getByTestId('prompt').fill('what answers me?')
    await page.getByRole('button', { name: 'Send' }).click()
    await waitFor(async () => (await page.getByTestId('served').last().textContent() ?? '').startsWith('answered by'), { timeoutMs: 20_000, what: 'the answer' })
    assert.equal(await page.getByTestId('answer').last().textContent(), ANSWER.join(''))
    assert.equal(await page.getByTestId('served').last().textContent(), 'answered by laptop · llama3.2:3b · local')
    const chat = (await ollama.chats()).at(-1)
    assert.match(chat?.body ?? '', /what answers me\?/)
    // the task's records name the phone as the device it was run for
    const device = (await desk.api<MemberRow[]>('/v1/members')).find(m => m.name === 'pixel')?.device
    const log = await desk.api<Array<{ body: any }>>('/v1/bus/log?kind=task.done&limit=5')
    assert.ok(log.some(e => e.body?.request?.onBehalfOf === device), 'the task\'s record names the phone')
  })

  it('continues a session started on the desk, and the desk sees the phone\'s turn', async () => {
    const opened = await desk.cli(['session', 'open', 'trip', '--json'])
    assert.equal(opened.code, 0, opened.stderr)
    const id = JSON.parse(opened.stdout).id as string
    const first = await desk.cli(['run', '--session', id, 'first question from the desk'])
    assert.equal(first.code, 0, first.stderr)
    // the page, opened again later, lists the session
    await page.reload()
    await waitFor(async () => (await page.getByTestId('session').locator('option').allTextContents()).includes('trip'), { timeoutMs: 15_000, what: 'the session in the phone\'s list' })
    await page.getByTestId('session').selectOption({ label: 'trip' })
    await waitFor(async () => (await page.getByTestId('earlier').textContent() ?? '').includes('first question from the desk'), { timeoutMs: 10_000, what: 'the desk\'s turn on the phone' })
    await page.getByTestId('prompt').fill('second question from the phone')
    await page.getByRole('button', { name: 'Send' }).click()
    await waitFor(async () => (await page.getByTestId('served').last().textContent() ?? '').startsWith('answered by'), { timeoutMs: 20_000, what: 'the answer' })
    const shown = JSON.parse((await desk.cli(['session', 'show', id, '--json'])).stdout) as { messages: Array<{ role: string, content: string }> }
    assert.deepEqual(shown.messages.map(m => m.role), ['user', 'assistant', 'user', 'assistant'])
    assert.equal(shown.messages[2]?.content, 'second question from the phone')
    // the model saw the whole session as the context
    assert.match((await ollama.chats()).at(-1)?.body ?? '', /first question from the desk[\s\S]*second question from the phone/)
  })

  it('Stop cancels the answer on the serving device', async () => {
    await ollama.setScript({ ...MODEL, reply: Array.from({ length: 60 }, (_, i) => `w${i} `), tokenDelayMs: 200 })
    await page.getByTestId('session').selectOption({ label: 'a new chat (kept on this page)' })
    await page.getByTestId('prompt').fill('a long one, please')
    await page.getByRole('button', { name: 'Send' }).click()
    await waitFor(async () => (await page.getByTestId('answer').last().textContent() ?? '').length > 0, { timeoutMs: 15_000, what: 'the first words' })
    await page.getByRole('button', { name: 'Stop' }).click()
    assert.equal(await page.getByTestId('ask-error').last().textContent({ timeout: 5_000 }), 'stopped')
    await waitFor(async () => (await ollama.chats()).at(-1)?.aborted === true, { timeoutMs: 5_000, what: 'the serving device to stop its backend' })
    await ollama.setScript(MODEL)
  })

  it('writes memory signed by its own key: every node takes it, and the chain is the phone\'s', async () => {
    const device = (await desk.api<MemberRow[]>('/v1/members')).find(m => m.name === 'pixel')?.device as string
    await page.getByTestId('memory-key').fill('notes/from-phone')
    await page.getByTestId('memory-value').fill('"written on the phone"')
    await page.getByRole('button', { name: 'Save' }).click()
    await waitFor(async () => (await page.getByTestId('memory-status').textContent()) === 'saved notes/from-phone', { timeoutMs: 15_000, what: 'the write' })
    for (const node of [desk, laptop]) {
      const item = await waitFor(async () => (await node.memory('notes/from-phone'))[0], { timeoutMs: 10_000, what: `the write on ${node.name}` })
      assert.equal(item.value, 'written on the phone')
      const head = (await node.heads()).find(h => h.author === device)
      assert.ok(head != null && BigInt(head.seq) >= 1n, `${node.name} holds the phone's own chain`)
    }
    assert.match(await page.getByTestId('memory').textContent() ?? '', /notes\/from-phone written on the phone/)
  })

  it('the mesh policy holds for the phone: a blocked key is refused before anything is signed, an asked one waits for an admin', async () => {
    await setPolicy([{ action: 'memory.write', subject: 'secrets/*', effect: 'block' }, { action: 'memory.write', subject: 'family/*', effect: 'ask' }])
    const device = (await desk.api<MemberRow[]>('/v1/members')).find(m => m.name === 'pixel')?.device as string
    const before = (await desk.heads()).find(h => h.author === device)?.seq
    await page.getByTestId('memory-key').fill('secrets/pin')
    await page.getByTestId('memory-value').fill('1234')
    await page.getByRole('button', { name: 'Save' }).click()
    await waitFor(async () => /^not saved: .*blocked by rule 1/.test(await page.getByTestId('memory-status').textContent() ?? ''), { timeoutMs: 10_000, what: 'the refusal' }).catch(async (err) => {
      throw new Error(`${String(err.message)}; the page says ${String(await page.getByTestId('memory-status').textContent())}`)
    })
    assert.equal((await desk.memory('secrets/')).length, 0)
    assert.equal((await desk.heads()).find(h => h.author === device)?.seq, before, 'nothing was signed')

    await page.getByTestId('memory-key').fill('family/plan')
    await page.getByTestId('memory-value').fill('"sunday lunch"')
    await page.getByRole('button', { name: 'Save' }).click()
    await waitFor(async () => /^waiting for an admin's approval/.test(await page.getByTestId('memory-status').textContent() ?? ''), { timeoutMs: 10_000, what: 'the ask to show as waiting' })
    const pending = await waitFor(async () => (await desk.api<Array<{ id: string, device: string, subject: string }>>('/v1/approvals')).find(a => a.device === device), { timeoutMs: 10_000, what: 'the phone\'s ask on the desk' })
    assert.equal(pending.subject, 'family/plan')
    assert.equal((await desk.memory('family/')).length, 0, 'not written before the approval')
    const approved = await desk.cli(['approve', pending.id])
    assert.equal(approved.code, 0, approved.stderr)
    await waitFor(async () => (await page.getByTestId('memory-status').textContent()) === 'saved family/plan', { timeoutMs: 15_000, what: 'the write once approved' })
    assert.equal((await waitFor(async () => (await laptop.memory('family/plan'))[0], { timeoutMs: 10_000, what: 'the approved write on the laptop' })).value, 'sunday lunch')
  })

  it('the mesh policy holds for the phone\'s tasks too: a model blocked for it is refused, for it only', async () => {
    await setPolicy([{ action: 'task.model', subject: 'llama3.2:*', device: 'pixel', effect: 'block' }])
    const chats = (await ollama.chats()).length
    await page.getByTestId('session').selectOption({ label: 'a new chat (kept on this page)' })
    await page.getByTestId('prompt').fill('may I?')
    await page.getByRole('button', { name: 'Send' }).click()
    await waitFor(async () => /the mesh policy blocks every place this device could run/.test(await page.getByTestId('ask-error').last().textContent() ?? ''), { timeoutMs: 15_000, what: 'the refusal' }).catch(async (err) => {
      throw new Error(`${String(err.message)}; the page says ${String(await page.getByTestId('turns').textContent())}`)
    })
    assert.equal((await ollama.chats()).length, chats, 'no backend was asked')
    const desks = await desk.cli(['run', 'and the desk?'])
    assert.equal(desks.code, 0, `the desk itself may still use the model: ${desks.stderr}`)
    await setPolicy([])
  })

  it('an eavesdropper on the phone\'s link reads nothing after the page load: no prompt, answer, memory, name or key', async () => {
    const flows = await (capture as NonNullable<typeof capture>).stop()
    const seen = flows.map(f => f.data).join('')
    const bytes = flows.reduce((n, f) => n + f.bytes, 0)
    process.stderr.write(`phone: ${flows.length} flows, ${bytes} bytes of libp2p traffic captured\n`)
    assert.ok(bytes > 20_000, `the capture saw the phone's traffic (${bytes} bytes)`)
    const hex = (text: string): string => Buffer.from(text).toString('hex')
    // the scanner finds plaintext where there is some: the WebSocket upgrade before the network key's stream starts
    assert.ok(seen.includes(hex('Upgrade: websocket')) || seen.includes(hex('upgrade: websocket')), 'the capture holds the WebSocket handshake')
    const invite = decodePhoneFragment(new URL(link).hash)
    const secrets = ['what answers me?', ANSWER.join(''), 'second question from the phone', 'written on the phone', 'sunday lunch', 'pixel', 'test mesh', 'Chrome 156', '/smesh/', 'memory.put']
    for (const s of secrets) assert.ok(!seen.includes(hex(s)), `${JSON.stringify(s)} crossed the link in plaintext`)
    for (const key of [invite.networkKey, Buffer.from(invite.secret).toString('hex')]) assert.ok(!seen.includes(key), 'a key crossed the link')
  })

  it('when the node it is connected to dies, it goes on through another', async () => {
    const laptopId = (await laptop.id()).peerId
    // the phone learned the laptop's WebSockets address from the desk (the read protocol's peers view)
    await waitFor(async () => (await stored(page)).addrs.some(a => a.includes(laptopId)), { timeoutMs: 10_000, what: 'the phone to learn other nodes\' addresses' })
    const started = Date.now()
    desk.kill('SIGKILL')
    await waitFor(async () => (await page.getByTestId('link').textContent() ?? '').includes(laptopId.slice(-6)), { timeoutMs: 20_000, what: 'the phone to connect to the laptop' })
    process.stderr.write(`phone: reconnected through the laptop ${Date.now() - started} ms after the desk was killed\n`)
    const row = await waitFor(async () => (await laptop.api<MemberRow[]>('/v1/members')).find(m => m.name === 'pixel' && m.connected), { timeoutMs: 5_000, what: 'the laptop to hold the phone\'s connection' })
    assert.equal(row.kind, 'browser')
  })

  it('revoked, it is cut off and says so within a second', async () => {
    const started = Date.now()
    await laptop.post('/v1/revoke', { device: 'pixel' })
    await page.getByTestId('removed').waitFor({ timeout: 5_000 })
    const ms = Date.now() - started
    process.stderr.write(`phone: told it was removed ${ms} ms after the revocation\n`)
    assert.ok(ms < 1_000, `the phone said it was removed after ${ms} ms`)
    assert.match(await page.getByTestId('removed').textContent() ?? '', /an admin of the mesh removed this device/)
    await waitFor(async () => (await laptop.api<MemberRow[]>('/v1/members')).find(m => m.name === 'pixel')?.connected === false, { timeoutMs: 3_000, what: 'the laptop to close the phone\'s connection' })
    // it does not come back: its keys and membership are gone from the browser
    assert.deepEqual(await stored(page), { keys: false, membership: false, addrs: [] })
  })
  it('another phone joins from the laptop\'s link, and "Leave this mesh" deletes its keys once confirmed', async () => {
    const second = await browser.newContext(PHONE)
    try {
      const tab = await second.newPage()
      await joinFromPage(tab, await phoneLink(laptop), 'tablet')
      await waitFor(async () => /^Connected to /.test(await tab.getByTestId('link').textContent() ?? ''), { timeoutMs: 15_000, what: 'the second phone to connect' })
      assert.equal((await stored(tab)).keys, true)
      // the first answer is "no": nothing happens
      tab.once('dialog', (d) => { void d.dismiss() })
      await tab.getByRole('button', { name: 'Leave this mesh' }).click()
      assert.equal((await stored(tab)).keys, true, 'dismissed: the keys stay')
      tab.once('dialog', (d) => { void d.accept() })
      await tab.getByRole('button', { name: 'Leave this mesh' }).click()
      await tab.getByText('not a member of a mesh yet').waitFor({ timeout: 10_000 })
      assert.deepEqual(await stored(tab), { keys: false, membership: false, addrs: [] })
    } finally {
      await second.close()
    }
  })
})
