import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { globMatch } from '@smesh/bus'
import { TaskFailedError } from '@smesh/tasks'
import { Access, isLoopback } from '../src/access.js'
import { image } from '../src/body.js'
import { KeyStore } from '../src/keys.js'
import { resolveModel, resolveResidency } from '../src/models.js'
import { startGateway } from '../src/server.js'
import type { Gateway } from '../src/server.js'
import type { GatewayMesh } from '../src/call.js'
import type { Candidate, RunOptions, TaskInput, TaskOutcome } from '@smesh/tasks'

const dirs: string[] = []
after(async () => { await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) })) })
const tmp = async (): Promise<string> => { const d = await mkdtemp(join(tmpdir(), 'smesh-gw-')); dirs.push(d); return d }

const cand = (over: Partial<Candidate>): Candidate => ({
  peer: 'p1', device: 'desk', self: false, provider: 'ollama', kind: 'ollama', tier: 'local', model: 'llama3.2:3b', digest: 'd', family: 'llama', sizeBytes: 1, quantization: 'Q4', contextLength: 8192, parameters: 0, embeddingLength: 0, loaded: true, capabilities: ['completion'], protocols: ['1.1.0'],
  queue: 0, concurrency: 4, cooldownUntil: 0, tokensPerS: 0, rttMs: 1, connected: true, ...over
})

describe('globs: linear, whatever the pattern', () => {
  it('matches like a shell glob of * only', () => {
    assert.ok(globMatch('claude-*', 'claude-sonnet-4-6'))
    assert.ok(globMatch('*', ''))
    assert.ok(globMatch('a*b*c', 'aXbYc'))
    assert.ok(!globMatch('a*b*c', 'aXcYb'))
    assert.ok(globMatch('*.write', 'memory.write'))
    assert.ok(!globMatch('secrets/*', 'public/secrets/x'))
    assert.ok(globMatch('x**y', 'xy'))
  })

  it('a pattern made to backtrack takes no time', () => {
    const t0 = performance.now()
    for (let i = 0; i < 20; i++) globMatch('*-*-*-*-*-*x', '-'.repeat(2000))
    assert.ok(performance.now() - t0 < 100, `${performance.now() - t0} ms`)
  })
})

describe('residency and models of a request', () => {
  it('the header narrows; it never widens past the key, or past the node for a key without one', () => {
    assert.equal(resolveResidency(undefined, undefined, 'mesh'), 'mesh')
    assert.equal(resolveResidency('local', undefined, 'mesh'), 'local')
    assert.throws(() => resolveResidency('cloud', undefined, 'mesh'), /this node allows residency mesh at most/)
    assert.equal(resolveResidency('cloud', 'cloud', 'mesh'), 'cloud')
    assert.throws(() => resolveResidency('cloud', 'mesh', 'cloud'), /this key allows residency mesh at most/)
    assert.throws(() => resolveResidency('moon', undefined, 'mesh'), /must be local, mesh or cloud/)
  })

  it('aliases map vendor names (with or without :latest); a key limited to a spec is refused other names', () => {
    const cs = [cand({}), cand({ model: 'claude-sonnet-4-5', tier: 'cloud', provider: 'claude', family: 'claude' })]
    assert.equal(resolveModel('claude-sonnet-4-6', { 'claude-*': 'llama3.2:3b' }, undefined, cs).spec, 'llama3.2:3b')
    assert.equal(resolveModel('claude-x:latest', { 'claude-*': 'best' }, undefined, cs).spec, 'best')
    assert.equal(resolveModel('qwen3:32b,best', {}, 'llama3.2:3b', cs).spec, 'qwen3:32b,best', 'a list ending in best falls back within the key')
    assert.throws(() => resolveModel('claude-sonnet-4-5', {}, 'family:llama', cs), /this key may use only the models of family:llama/)
    assert.throws(() => resolveModel('', {}, undefined, cs), /names no model/)
  })
})

describe('images', () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64')
  it('inline images are decoded and their type checked; URLs are never fetched', () => {
    assert.equal(image(`data:image/png;base64,${png}`, 'x').mimeType, 'image/png')
    assert.equal(image(png, 'x').mimeType, 'image/png')
    assert.throws(() => image(`data:image/jpeg;base64,${png}`, 'x'), /says image\/jpeg but holds image\/png/)
    assert.throws(() => image('https://example.com/cat.png', 'x'), /does not fetch image URLs/)
    assert.throws(() => image(Buffer.from('<svg/>').toString('base64'), 'x'), /not a PNG, JPEG, GIF or WebP/)
  })
})

describe('keys', () => {
  it('are shown once, stored as SHA-256 in a 0600 file, found in constant time, revoked at once; ended keys leave after 30 days', async () => {
    const path = join(await tmp(), 'gateway-keys.json')
    let now = 1_000_000
    const keys = new KeyStore(path, () => now)
    await keys.open()
    const { key } = await keys.create('openwebui', { ratePerS: 2 })
    assert.match(key, /^sk-smesh-[A-Za-z0-9_-]{43}$/)
    const text = await readFile(path, 'utf8')
    assert.ok(!text.includes(key), 'the key itself is not in the file')
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.equal(keys.verify(key)?.name, 'openwebui')
    assert.equal(keys.verify(key + 'x'), undefined)
    await assert.rejects(keys.create('openwebui'), /a key named openwebui exists/)
    await assert.rejects(keys.create('Bad Name'), /1-32 lower-case/)
    const reopened = new KeyStore(path, () => now)
    await reopened.open()
    assert.equal(reopened.verify(key)?.name, 'openwebui')
    await reopened.revoke('openwebui')
    assert.equal(reopened.verify(key), undefined)
    now += 31 * 86_400_000
    await reopened.create('next')
    assert.deepEqual(reopened.list().map(k => k.name), ['next'], 'the revoked key left the file after 30 days')
  })
})

describe('the door: Host, CORS, keys', () => {
  let keys: KeyStore
  let key: string
  before(async () => {
    keys = new KeyStore(join(await tmp(), 'k.json'))
    await keys.open()
    key = (await keys.create('k', { ratePerS: 0.5 })).key
  })
  const access = (over: Partial<ConstructorParameters<typeof Access>[0]> = {}): Access => new Access({ host: '127.0.0.1', port: () => 11435, hosts: ['desk.lan'], corsOrigins: ['http://app.example:3000'], openLoopback: false, keys, maxStreams: 2, maxStreamsPerKey: 1, ...over })

  it('the Host must be the gateway\'s address or a configured name', () => {
    const a = access()
    a.checkHost('127.0.0.1:11435')
    a.checkHost('localhost:11435')
    a.checkHost('desk.lan')
    assert.throws(() => { a.checkHost('127.0.0.1:80') }, /not this gateway's address/)
    assert.throws(() => { a.checkHost('evil.example:11435') }, /not this gateway's address/)
    assert.throws(() => { a.checkHost(undefined) }, /not this gateway's address/)
  })

  it('CORS: only listed origins, and only the headers the SDKs send', () => {
    const a = access()
    assert.deepEqual(a.cors('POST', {}).headers, {})
    const pre = a.cors('OPTIONS', { origin: 'http://app.example:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'Authorization, X-Stainless-OS, anthropic-version' })
    assert.equal(pre.preflight, true)
    assert.equal(pre.headers['access-control-allow-headers'], 'authorization, x-stainless-os, anthropic-version')
    assert.throws(() => a.cors('POST', { origin: 'http://evil.example' }), /origin "http:\/\/evil.example" are refused/)
    assert.throws(() => a.cors('OPTIONS', { origin: 'http://app.example:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-evil' }), /x-evil/)
  })

  it('a key by Bearer or x-api-key; keyless only from loopback and only when opted in; a rate with its Retry-After', () => {
    const a = access()
    assert.equal(a.authenticate({ authorization: `Bearer ${key}` }, '10.0.0.2').name, 'k')
    assert.equal(a.authenticate({ 'x-api-key': key }, '10.0.0.2').name, 'k')
    assert.throws(() => a.authenticate({}, '127.0.0.1'), /needs an API key/)
    assert.throws(() => a.authenticate({ authorization: 'Bearer nope' }, '10.0.0.2'), /not valid/)
    const open = access({ openLoopback: true })
    assert.equal(open.authenticate({}, '::ffff:127.0.0.1').name, '<loopback>')
    assert.throws(() => open.authenticate({}, '10.0.0.2'), /needs an API key/)
    assert.ok(isLoopback('::1') && !isLoopback('10.0.0.1'))
    const caller = a.authenticate({ authorization: `Bearer ${key}` }, '10.0.0.2')
    a.rate(caller)
    assert.throws(() => { a.rate(caller) }, (e: any) => e.kind === 'rate-limit' && e.headers()['retry-after'] === '2', 'half a request a second: the next in 2 s')
  })

  it('responses at once: per key and in all', () => {
    const a = access()
    const end = a.begin({ name: 'k' })
    assert.throws(() => a.begin({ name: 'k' }), /already has 1 responses running/)
    const other = a.begin({ name: 'other' })
    assert.throws(() => a.begin({ name: 'third' }), /already serves 2 responses/)
    end()
    other()
    assert.equal(a.running, 0)
  })
})

/** A mesh whose router is scripted: for the gateway's streaming paths without a mesh behind. */
class FakeMesh implements GatewayMesh {
  script: (input: TaskInput, o: RunOptions) => Promise<TaskOutcome> = async () => { throw new Error('unset') }
  async run (input: TaskInput, o: RunOptions): Promise<TaskOutcome> { return await this.script(input, o) }
  async embed (): Promise<never> { throw new TaskFailedError('unsupported', 'no embeddings here') }
  candidates (): Candidate[] { return [cand({})] }
  residency (): 'mesh' { return 'mesh' }
}

const outcome = (text: string): TaskOutcome => ({ task: 'a'.repeat(32), text, toolCalls: [], finishReason: 'stop', peer: 'p1', device: 'desk', provider: 'ollama', model: 'llama3.2:3b', digest: 'd', tier: 'local', firstTokenMs: 1, totalMs: 2, inputTokens: 3, outputTokens: 4, attempts: 1, handoffs: [], residency: 'mesh' })
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

describe('the gateway over HTTP (loopback, a scripted mesh)', () => {
  let gw: Gateway
  let key: string
  const mesh = new FakeMesh()
  before(async () => {
    const keys = new KeyStore(join(await tmp(), 'k.json'))
    await keys.open()
    key = (await keys.create('t')).key
    gw = await startGateway({ config: { host: '127.0.0.1', port: 0, openLoopback: false, hosts: [], corsOrigins: [], maxBodyBytes: 65536, maxStreams: 16, maxStreamsPerKey: 16, aliases: { 'a*b*c*d*e*f*g*': 'best' } }, mesh, keys })
  })
  after(async () => { await gw?.close() })
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> => await fetch(gw.url + path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })

  it('a failure before any text is an HTTP status with Retry-After, even after a candidate was assigned', async () => {
    mesh.script = async (_i, o) => {
      o.onEvent?.({ type: 'assign', task: 'a'.repeat(32), attempt: 1, peer: 'p1', device: 'desk', provider: 'claude', model: 'claude', tier: 'cloud' })
      await sleep(50)
      throw new TaskFailedError('rate-limit', 'every provider of claude is cooling down', 30_000)
    }
    const r = await post('/v1/chat/completions', { model: 'llama3.2:3b', stream: true, messages: [{ role: 'user', content: 'hi' }] })
    assert.equal(r.status, 429)
    assert.equal(r.headers.get('retry-after'), '30')
    assert.equal(((await r.json()) as any).error.type, 'rate_limit_error')
  })

  it('an Anthropic stream opens with message_start even when its headers go out before any assignment', async () => {
    mesh.script = async (_i, o) => {
      await sleep(1_400)
      o.onText?.('late')
      return outcome('late')
    }
    const r = await post('/v1/messages', { model: 'llama3.2:3b', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' })
    const body = await r.text()
    assert.match(body, /^event: message_start\n/)
    assert.ok(body.indexOf('event: message_start') < body.indexOf('event: content_block_start'))
  })

  it('bad input is refused naming the field: an empty stop sequence, a model path with %, a body over the limit', async () => {
    const stop = await post('/api/chat', { model: 'llama3.2:3b', messages: [{ role: 'user', content: 'x' }], options: { stop: [''] } })
    assert.equal(stop.status, 400)
    assert.match(((await stop.json()) as any).error, /options.stop\[0\] must be a string of 1-200 characters/)
    const pct = await fetch(`${gw.url}/v1/models/%25`, { headers: { authorization: `Bearer ${key}` } })
    assert.equal(pct.status, 404)
    const big = await post('/v1/chat/completions', { model: 'x', messages: [{ role: 'user', content: 'y'.repeat(70_000) }] })
    assert.equal(big.status, 413)
  })

  it('a many-star alias costs nothing on a long model name', async () => {
    mesh.script = async () => outcome('ok')
    const t0 = performance.now()
    const r = await post('/v1/chat/completions', { model: '-'.repeat(1999), messages: [{ role: 'user', content: 'x' }] })
    assert.equal(r.status, 200)
    assert.ok(performance.now() - t0 < 1_000)
  })
})
