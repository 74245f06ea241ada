import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { netnsUnavailable } from './harness/exec.js'
import { FixtureProcess } from './harness/fixture-process.js'
import { runClient, startClient } from './harness/clients.js'
import { Lan, listOwnNamespaces } from './harness/lan.js'
import { startMesh } from './harness/mesh.js'
import { cleanEnv, waitFor } from './harness/smesh-process.js'
import { tempDir } from './harness/tmp.js'
import { nodeHaystacks, secretForms } from './harness/secrets.js'
import type { SmeshProcess } from './harness/smesh-process.js'
import type { FixtureScript } from '../fixtures/providers.js'
import type { ModelsView } from '@smesh/node'
import type { TaskView } from '@smesh/tasks'

const skip = netnsUnavailable()
const ANSWER = ['Mesh ', 'routing ', 'keeps ', 'your ', 'context ', 'on ', 'your ', 'own ', 'devices, ', 'and ', 'moves ', 'work ', 'when ', 'a ', 'peer ', 'fails.']
const FULL = ANSWER.join('')
/** The cloud key on the cloud box: a canary, looked for everywhere it must not be. */
const CLAUDE_KEY = 'sk-ant-canary-7f3e9b1c5a2d4e6f8091a2b3c4d5e6f7'

/**
 * The gateway as the mesh's front door: keys, Host and CORS checks, limits,
 * residency, failover and compatibility with older nodes. A laptop of the
 * LAN (no node) runs the real clients against the desk (no model): the
 * server has a tool model and one without tools, the backup runs task
 * protocol 1.0.0 only (as an older smesh), the cloud box holds a Claude key.
 */
describe('gateway: through the mesh, never around it', { skip, timeout: 300_000 }, () => {
  let lan: Lan
  let desk: SmeshProcess
  let server: SmeshProcess
  let backup: SmeshProcess
  let cloudbox: SmeshProcess
  let serverOllama: FixtureProcess
  let backupOllama: FixtureProcess
  let claude: FixtureProcess
  let key: string
  let url: string
  const laptop = (): string => lan.hosts[4]?.ns as string
  const client = async (scenario: string, args: Record<string, unknown> = {}, ns = laptop()): Promise<Record<string, any>> => await runClient(scenario, { url, key, ...args }, { ns })
  const script = (models: FixtureScript['models'], over: Partial<FixtureScript> = {}): FixtureScript => ({ models, reply: ANSWER, continuation: true, toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }], ...over })
  const serverModels: FixtureScript['models'] = [{ name: 'llama3.2:3b', family: 'llama', loaded: true, capabilities: ['completion', 'tools'] }, { name: 'mistral:7b', family: 'llama', capabilities: ['completion'] }]
  const backupModels: FixtureScript['models'] = [{ name: 'llama3.2:3b', family: 'llama', loaded: false, capabilities: ['completion', 'tools'] }, { name: 'qwen3:8b', family: 'qwen3', capabilities: ['completion', 'tools'] }]

  before(async () => {
    lan = await Lan.create(5)
    ;[serverOllama, backupOllama, claude] = await Promise.all([
      FixtureProcess.start({ kind: 'ollama', ns: lan.hosts[1]?.ns, script: script(serverModels) }),
      FixtureProcess.start({ kind: 'ollama', ns: lan.hosts[2]?.ns, script: script(backupModels) }),
      FixtureProcess.start({ kind: 'anthropic', ns: lan.hosts[3]?.ns, script: script([{ name: 'claude-sonnet-4-5' }]) })
    ])
    const deskDir = tempDir('smesh-desk')
    writeFileSync(join(deskDir, 'config.json'), JSON.stringify({
      gatewayOpenLoopback: true,
      gatewayHosts: ['desk.lan'],
      gatewayCorsOrigins: ['http://app.example:3000'],
      gatewayMaxBodyBytes: 65536,
      gatewayMaxStreamsPerKey: 2
    }))
    const env = (extra: Record<string, string>): NodeJS.ProcessEnv => cleanEnv({ SMESH_OLLAMA_URL: 'off', ...extra })
    ;[desk, server, backup, cloudbox] = await startMesh([
      { ns: lan.hosts[0]?.ns, name: 'desk', dataDir: deskDir, env: env({}), args: ['--gateway-listen', '0.0.0.0:11435'] },
      { ns: lan.hosts[1]?.ns, name: 'server', env: env({ SMESH_OLLAMA_URL: serverOllama.url }) },
      { ns: lan.hosts[2]?.ns, name: 'backup', env: env({ SMESH_OLLAMA_URL: backupOllama.url, SMESH_TASK_PROTOCOLS: '1.0.0' }) },
      { ns: lan.hosts[3]?.ns, name: 'cloudbox', env: env({ SMESH_ANTHROPIC_API_KEY: CLAUDE_KEY, SMESH_ANTHROPIC_URL: claude.url }) }
    ]) as [SmeshProcess, SmeshProcess, SmeshProcess, SmeshProcess]
    await waitFor(async () => (await desk.api<ModelsView>('/v1/models')).models.length >= 5, { timeoutMs: 30_000, what: 'the desk to see every model' })
    url = `http://${lan.hosts[0]?.ip as string}:11435`
    key = await desk.gatewayKey('tests')
  })
  after(async () => {
    await Promise.all([desk, server, backup, cloudbox].filter(p => p != null).map(async p => { await p.stop() }))
    await Promise.all([serverOllama, backupOllama, claude].filter(f => f != null).map(async f => { await f.stop() }))
    await lan?.destroy()
    assert.deepEqual(await listOwnNamespaces(), [], 'the harness left namespaces behind')
  })

  it('a missing, wrong or revoked key is refused, in each API\'s shape; a revoked key at its next request', async () => {
    const wrong = await client('openai-chat', { model: 'llama3.2:3b', key: 'sk-smesh-not-a-key' })
    assert.equal(wrong.status, 401)
    assert.equal(wrong.error.code, 'invalid_api_key')
    const anthropic = await client('anthropic-stream', { model: 'llama3.2:3b', key: 'wrong' })
    assert.equal(anthropic.status, 401)
    assert.equal(anthropic.error.error.type, 'authentication_error')
    const ollama = await client('ollama', { model: 'llama3.2:3b', key: 'wrong' })
    assert.equal(ollama.status, 401)
    const missing = await client('http', { path: '/api/tags', key: undefined })
    assert.equal(missing.status, 401)
    assert.match(JSON.parse(missing.body).error, /needs an API key: create one with `smesh keys create NAME`/)
    const made = await desk.cli(['keys', 'create', 'soon-revoked', '--json'])
    assert.equal(made.code, 0, made.stderr)
    const revocable = JSON.parse(made.stdout).key as string
    assert.equal((await client('openai-chat', { model: 'llama3.2:3b', key: revocable })).type, 'result')
    const revoked = await desk.cli(['keys', 'revoke', 'soon-revoked'])
    assert.equal(revoked.code, 0, revoked.stderr)
    const after = await client('openai-chat', { model: 'llama3.2:3b', key: revocable })
    assert.equal(after.status, 401, 'refused at once')
  })

  it('keyless requests from this machine only, and only because the owner opted in', async () => {
    const local = await client('http', { url: 'http://127.0.0.1:11435', path: '/api/tags' }, lan.hosts[0]?.ns)
    assert.equal(local.status, 200)
    const remote = await client('http', { path: '/api/tags' })
    assert.equal(remote.status, 401, 'the opt-in never applies to other addresses')
  })

  it('a foreign Host is refused (DNS rebinding); the gateway\'s own address and its configured names are not', async () => {
    const auth = { authorization: `Bearer ${key}` }
    const evil = await client('http', { path: '/api/tags', headers: { ...auth, host: 'rebind.example:11435' } })
    assert.equal(evil.status, 403)
    assert.match(JSON.parse(evil.body).error, /Host header "rebind\.example:11435" is not this gateway's address/)
    assert.equal((await client('http', { path: '/api/tags', headers: { ...auth, host: 'desk.lan:11435' } })).status, 200)
    assert.equal((await client('http', { path: '/api/tags', headers: auth })).status, 200)
    // query strings play no part in routing (Claude Code adds ?beta=true)
    const counted = await client('http', { method: 'POST', path: '/v1/messages/count_tokens?beta=true', headers: { ...auth, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: { model: 'claude-sonnet-4-6', messages: [{ role: 'user', content: 'hello there' }] } })
    assert.equal(counted.status, 200, counted.body)
    assert.ok(JSON.parse(counted.body).input_tokens > 0)
  })

  it('CORS: a preflight from an allowed origin is answered with what the SDKs send; any other origin is refused', async () => {
    const preflight = (origin: string): Promise<Record<string, any>> => client('http', { method: 'OPTIONS', path: '/v1/chat/completions', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-stainless-os, x-stainless-lang, anthropic-version' } })
    const ok = await preflight('http://app.example:3000')
    assert.equal(ok.status, 204)
    assert.equal(ok.headers['access-control-allow-origin'], 'http://app.example:3000')
    assert.match(ok.headers['access-control-allow-headers'], /authorization.*x-stainless-os.*anthropic-version/)
    assert.match(ok.headers['access-control-allow-methods'], /POST/)
    const refused = await preflight('http://evil.example')
    assert.equal(refused.status, 403)
    assert.equal(refused.headers['access-control-allow-origin'], undefined)
    const post = await client('http', { method: 'POST', path: '/v1/chat/completions', headers: { origin: 'http://evil.example', authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: { model: 'llama3.2:3b', messages: [{ role: 'user', content: 'hi' }] } })
    assert.equal(post.status, 403)
    assert.equal((await serverOllama.chats()).filter(c => c.body.includes('"hi"')).length, 0, 'a refused origin reached no backend')
  })

  it('limits answer in each API\'s shape: the body size, the streams of a key, the key\'s rate', async () => {
    const big = await client('openai-chat', { model: 'llama3.2:3b', prompt: 'x'.repeat(70_000) })
    assert.equal(big.status, 413)
    assert.match(big.message, /over 65536 bytes/)
    await serverOllama.setScript(script(serverModels, { tokenDelayMs: 300 }))
    const slow = [startClient('openai-stream', { url, key, model: 'mistral:7b' }, { ns: laptop() }), startClient('openai-stream', { url, key, model: 'mistral:7b' }, { ns: laptop() })]
    await waitFor(() => slow.every(s => s.chunks().length > 0), { timeoutMs: 15_000, what: 'two streams running' })
    const third = await client('openai-chat', { model: 'llama3.2:3b' })
    assert.equal(third.status, 429)
    assert.match(third.message, /already has 2 responses running/)
    assert.equal(third.headers['retry-after'], '1')
    for (const s of slow) {
      s.done.catch(() => {})
      s.kill()
    }
    await serverOllama.setScript(script(serverModels))
    const limited = await desk.gatewayKey('slow-client', { ratePerS: 0.5 })
    const results = [await client('openai-chat', { model: 'llama3.2:3b', key: limited }), await client('openai-chat', { model: 'llama3.2:3b', key: limited }), await client('openai-chat', { model: 'llama3.2:3b', key: limited })]
    assert.equal(results[0]?.type, 'result')
    const over = results.find(r => r.status === 429)
    assert.ok(over != null, 'a request past the key\'s rate is refused')
    assert.match(over.message, /over its rate/)
    assert.ok(Number(over.headers['retry-after']) >= 1)
  })

  it('a tool request never reaches a model that does not advertise tools; best with tools picks one that does', async () => {
    const refused = await client('openai-chat', { model: 'mistral:7b', tools: true })
    assert.equal(refused.status, 400)
    assert.match(refused.message, /no model of the mesh that is mistral:7b can call tools/)
    assert.equal((await serverOllama.chats()).filter(c => c.body.includes('mistral:7b') && c.body.includes('get_weather')).length, 0, 'nothing was sent to the backend')
    const best = await client('openai-chat', { model: 'best', tools: true })
    assert.equal(best.type, 'result', JSON.stringify(best))
    assert.equal(best.finish, 'tool_calls')
    assert.equal(best.headers['x-smesh-model'], 'llama3.2:3b')
  })

  it('residency fails closed: nothing is sent to the cloud, the error names the residency, the denial is on the bus', async () => {
    const meshOnly = await desk.gatewayKey('mesh-only', { residency: 'mesh' })
    const r = await client('openai-chat', { model: 'claude-sonnet-4-5', key: meshOnly })
    assert.equal(r.status, 403)
    assert.equal(r.error.type, 'permission_error')
    assert.match(r.message, /residency mesh forbids every place that could run claude-sonnet-4-5 \(cloud provider claude on cloudbox\)/)
    assert.equal((await claude.chats()).length, 0, 'the cloud received nothing')
    const denied = await waitFor(async () => (await desk.api<TaskView[]>('/v1/tasks?limit=50')).find(t => t.status === 'denied'), { timeoutMs: 10_000, what: 'the task.deny record' })
    assert.equal(denied.residency, 'mesh')
    const wider = await client('openai-chat', { model: 'claude-sonnet-4-5', key: meshOnly, headers: { 'x-smesh-residency': 'cloud' } })
    assert.equal(wider.status, 403)
    assert.match(wider.message, /allows residency mesh at most/)
  })

  it('a 429 from one provider moves the request to the next, and the answer says so', async () => {
    await claude.setScript(script([{ name: 'claude-sonnet-4-5' }], { fail: { status: 429, retryAfterS: 60 } }))
    const plain = await client('openai-chat', { model: 'claude-sonnet-4-5,llama3.2:3b', headers: { 'x-smesh-residency': 'cloud' } })
    assert.equal(plain.status, 403, 'a key without --residency stays within the node\'s residency (mesh)')
    assert.match(plain.message, /allows residency mesh at most for keys made without --residency/)
    const cloudKey = await desk.gatewayKey('cloud-ok', { residency: 'cloud' })
    const r = await client('openai-chat', { model: 'claude-sonnet-4-5,llama3.2:3b', key: cloudKey, headers: { 'x-smesh-residency': 'cloud' } })
    assert.equal(r.type, 'result', JSON.stringify(r))
    assert.equal(r.text, FULL)
    assert.equal(r.headers['x-smesh-tier'], 'local')
    assert.equal(r.headers['x-smesh-handoffs'], '1')
    assert.equal(r.smesh.handoffs, 1)
    assert.equal((await claude.chats()).length, 1)
    // now every candidate of the model cools down: a 429 with Retry-After, in each API's shape
    const cooling = await client('openai-chat', { model: 'claude-sonnet-4-5', key: cloudKey })
    assert.equal(cooling.status, 429)
    assert.match(cooling.message, /cooling down/)
    assert.ok(Number(cooling.headers['retry-after']) > 30, `Retry-After ${String(cooling.headers['retry-after'])}`)
    const anthropic = await client('anthropic-stream', { model: 'claude-sonnet-4-5', key: cloudKey })
    assert.equal(anthropic.status, 429)
    assert.equal(anthropic.error.error.type, 'rate_limit_error')
  })

  it('a long first token: the headers go out at once, then keep-alives (SSE comments, Anthropic pings) until the text', async () => {
    await serverOllama.setScript(script(serverModels, { firstTokenDelayMs: 6_000 }))
    const body = { model: 'mistral:7b', stream: true, max_tokens: 64, messages: [{ role: 'user', content: 'slow' }] }
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' }
    const [openai, anthropic] = await Promise.all([
      client('http', { method: 'POST', path: '/v1/chat/completions', headers: auth, body }),
      client('http', { method: 'POST', path: '/v1/messages', headers: { ...auth, 'anthropic-version': '2023-06-01' }, body })
    ])
    await serverOllama.setScript(script(serverModels))
    for (const r of [openai, anthropic]) {
      assert.equal(r.status, 200)
      assert.ok(r.headersMs < 2_000, `headers after ${Math.round(r.headersMs as number)} ms`)
      assert.ok(r.totalMs > 5_500)
    }
    assert.match(openai.body, /^: keep-alive\n\n/m, 'a comment before the first chunk')
    assert.ok(openai.body.indexOf(': keep-alive') < openai.body.indexOf('"content":"Mesh '))
    assert.ok((anthropic.body.match(/event: ping/g) ?? []).length >= 2, 'pings while the first token is awaited')
    assert.match(anthropic.body, /^event: message_start/, 'message_start comes first')
  })

  it('a failure after the stream began arrives in the stream, in each API\'s form', async () => {
    await serverOllama.setScript(script(serverModels, { dropAfter: 3, tokenDelayMs: 20 }))
    const [openai, anthropic] = await Promise.all([
      client('openai-stream', { model: 'mistral:7b' }),
      client('anthropic-stream', { model: 'mistral:7b' })
    ])
    await serverOllama.setScript(script(serverModels))
    assert.equal(openai.type, 'error', JSON.stringify(openai))
    assert.match(openai.message, /every candidate for mistral:7b failed|went away/)
    assert.equal(anthropic.type, 'error', JSON.stringify(anthropic))
    assert.match(anthropic.message, /api_error|every candidate|went away/)
  })

  it('a node of task protocol 1.0.0 serves plain chat, and is never sent a tool request', async () => {
    const plain = await client('openai-chat', { model: 'qwen3:8b' })
    assert.equal(plain.type, 'result', JSON.stringify(plain))
    assert.equal(plain.headers['x-smesh-device'], 'backup')
    assert.equal(plain.text, FULL)
    const tools = await client('openai-chat', { model: 'qwen3:8b', tools: true })
    assert.equal(tools.status, 400)
    assert.match(tools.message, /\(backup\) run an older smesh \(task protocol 1\.0\.0\)/)
    assert.equal((await backupOllama.chats()).filter(c => c.body.includes('get_weather')).length, 0, 'no tool request reached the 1.0.0 node')
  })

  it('a client that disconnects cancels generation on the serving peer', async () => {
    await serverOllama.setScript(script(serverModels, { tokenDelayMs: 300 }))
    const r = await client('openai-stream', { model: 'mistral:7b', abortAfter: 2 })
    assert.equal(r.type, 'result')
    const chat = await waitFor(async () => (await serverOllama.chats()).filter(c => c.body.includes('mistral:7b')).at(-1)?.aborted === true, { timeoutMs: 10_000, what: 'the server\'s backend to see the request end early' })
    assert.equal(chat, true)
    await serverOllama.setScript(script(serverModels))
  })

  it('keys are shown once, kept hashed, counted per key, and never written anywhere', async () => {
    const made = await desk.cli(['keys', 'create', 'audited', '--rate', '50/s', '--expires', '30d', '--json'])
    assert.equal(made.code, 0, made.stderr)
    const audited = JSON.parse(made.stdout) as { key: string, name: string, status: string }
    assert.equal(audited.status, 'active')
    assert.equal((await client('openai-chat', { model: 'llama3.2:3b', key: audited.key })).type, 'result')
    const list = JSON.parse((await desk.cli(['keys', '--json'])).stdout) as Array<{ name: string, requests: number, inputTokens: number, outputTokens: number, ratePerS?: number }>
    const row = list.find(k => k.name === 'audited')
    assert.equal(row?.requests, 1)
    assert.equal(row?.outputTokens, ANSWER.length)
    assert.equal(row?.ratePerS, 50)
    const text = (await desk.cli(['keys'])).stdout
    assert.match(text, /audited\s+sk-smesh-\S+…\s+active/)
    // matrix row 18 at the gateway: neither a gateway key nor the cloud key behind it is anywhere but where it belongs,
    // in any node's files, logs or API answers, plain, base64 or hex
    const secrets = [...secretForms(audited.key), ...secretForms(key), ...secretForms(CLAUDE_KEY)]
    const haystacks = await nodeHaystacks([desk, server, backup, cloudbox])
    for (const p of [desk, server, backup, cloudbox]) {
      for (const path of ['/v1/status', '/v1/models', '/v1/tasks', '/v1/bus/log?limit=500']) haystacks.push([`${p.name} ${path}`, Buffer.from(JSON.stringify(await p.api(path)))])
    }
    haystacks.push(['smesh keys', Buffer.from(text + JSON.stringify(list))])
    for (const [where, bytes] of haystacks) {
      for (const form of secrets) assert.ok(!bytes.includes(form), `${where} holds a key (${form.slice(0, 12)}…)`)
    }
    assert.ok((await claude.log()).some(e => JSON.stringify(e.headers).includes(CLAUDE_KEY)), 'control: the cloud key did reach its provider')
  })

  it('the serving peer killed mid-stream: the client\'s stream continues on the next candidate, with nothing repeated', async () => {
    await serverOllama.setScript(script(serverModels, { tokenDelayMs: 200 }))
    const s = startClient('openai-stream', { url, key, model: 'llama3.2:3b' }, { ns: laptop() })
    await waitFor(() => s.chunks().length >= 3, { timeoutMs: 15_000, what: 'part of the answer from the server' })
    server.kill('SIGKILL')
    const r = await s.done
    assert.equal(r.type, 'result', JSON.stringify(r))
    assert.equal(r.text, FULL, 'one continuous answer')
    assert.equal(r.finish, 'stop')
    assert.equal(r.smesh.device, 'backup')
    assert.equal(r.smesh.handoffs, 1)
    const continued = JSON.parse((await backupOllama.chats()).at(-1)?.body ?? '{}') as { messages: Array<{ role: string }> }
    assert.ok(continued.messages.some(m => m.role === 'assistant'), 'the backup got the partial answer as context')
  })
})
