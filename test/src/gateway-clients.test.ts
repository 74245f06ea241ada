import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { embeddingOf } from '../fixtures/plan.js'
import { netnsUnavailable } from './harness/exec.js'
import { FixtureProcess } from './harness/fixture-process.js'
import { runClient } from './harness/clients.js'
import { Lan, listOwnNamespaces } from './harness/lan.js'
import { startMesh } from './harness/mesh.js'
import { cleanEnv, waitFor } from './harness/smesh-process.js'
import { tempDir } from './harness/tmp.js'
import type { SmeshProcess } from './harness/smesh-process.js'
import type { FixtureScript } from '../fixtures/providers.js'
import type { ModelsView } from '@smesh/node'

const skip = netnsUnavailable()

const ANSWER = ['Mesh ', 'routing ', 'keeps ', 'your ', 'context ', 'on ', 'your ', 'own ', 'devices.']
const FULL = ANSWER.join('')
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex').toString('base64')
const DIMS = 12

/** Vectors equal to float32 precision (they travel as float32). */
function closeTo (actual: number[], expected: number[]): void {
  assert.equal(actual.length, expected.length)
  actual.forEach((v, i) => { assert.ok(Math.abs(v - (expected[i] as number)) < 1e-6, `component ${i}: ${v} vs ${expected[i] as number}`) })
}

/**
 * The gateway as the clients people use see it: the `openai`,
 * `@anthropic-ai/sdk` and `ollama` packages and LangChain, run as processes
 * on a laptop of the LAN (a namespace with no node), pointed at the desk's
 * gateway. The desk has no model of its own: every answer is routed to the
 * server (Ollama fixture: a tool model, a vision model, an embedding model).
 */
describe('gateway: every AI client works with the mesh through any node', { skip, timeout: 300_000 }, () => {
  let lan: Lan
  let desk: SmeshProcess
  let server: SmeshProcess
  let ollama: FixtureProcess
  let key: string
  let url: string
  const laptop = (): string => lan.hosts[2]?.ns as string
  const client = async (scenario: string, args: Record<string, unknown> = {}): Promise<Record<string, any>> => await runClient(scenario, { url, key, ...args }, { ns: laptop() })
  const lastChat = async (): Promise<Record<string, any>> => JSON.parse((await ollama.chats()).at(-1)?.body ?? '{}') as Record<string, any>

  before(async () => {
    lan = await Lan.create(3)
    const script: FixtureScript = {
      models: [
        { name: 'llama3.2:3b', family: 'llama', loaded: true, capabilities: ['completion', 'tools'], contextLength: 131072 },
        { name: 'llava:7b', family: 'llama', capabilities: ['completion', 'vision'] },
        { name: 'nomic-embed-text', family: 'nomic-bert', capabilities: ['embedding'] }
      ],
      reply: ANSWER,
      toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }],
      json: '{"colour":"blue"}',
      embeddingDims: DIMS
    }
    ollama = await FixtureProcess.start({ kind: 'ollama', ns: lan.hosts[1]?.ns, script })
    const deskDir = tempDir('smesh-desk')
    // Claude Code asks for fixed vendor names: the owner maps them to a model of the mesh
    writeFileSync(join(deskDir, 'config.json'), JSON.stringify({ modelAliases: { 'claude-*': 'llama3.2:3b' } }))
    ;[desk, server] = await startMesh([
      { ns: lan.hosts[0]?.ns, name: 'desk', dataDir: deskDir, env: cleanEnv({ SMESH_OLLAMA_URL: 'off' }), args: ['--gateway-listen', '0.0.0.0:11435'] },
      { ns: lan.hosts[1]?.ns, name: 'server', env: cleanEnv({ SMESH_OLLAMA_URL: ollama.url }) }
    ]) as [SmeshProcess, SmeshProcess]
    await waitFor(async () => (await desk.api<ModelsView>('/v1/models')).models.length >= 3, { timeoutMs: 30_000, what: 'the desk to see the server\'s models' })
    url = `http://${lan.hosts[0]?.ip as string}:11435`
    key = await desk.gatewayKey('tests')
  })
  after(async () => {
    await Promise.all([desk, server].filter(p => p != null).map(async p => { await p.stop() }))
    await ollama?.stop()
    await lan?.destroy()
    assert.deepEqual(await listOwnNamespaces(), [], 'the harness left namespaces behind')
  })

  it('smesh status --json names the gateway\'s URL', async () => {
    const r = await desk.cli(['status', '--json'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(JSON.parse(r.stdout).gateway, 'http://0.0.0.0:11435')
  })

  it('openai: a streamed chat arrives whole, usage only on a last chunk with no choices, and the answer says where it ran', async () => {
    const r = await client('openai-stream', { model: 'llama3.2:3b' })
    assert.equal(r.type, 'result', JSON.stringify(r))
    assert.equal(r.text, FULL)
    assert.equal(r.finish, 'stop')
    assert.deepEqual(r.usageChunks, [r.chunks], 'usage on the last chunk only')
    assert.equal(r.usage.choices, 0, 'the usage chunk has no choices')
    assert.equal(r.usage.completion_tokens, ANSWER.length)
    assert.equal(r.headers['x-smesh-device'], 'server')
    assert.equal(r.headers['x-smesh-model'], 'llama3.2:3b')
    assert.equal(r.headers['x-smesh-tier'], 'local')
    assert.equal(r.headers['x-smesh-peer'], (await server.id()).peerId)
    assert.match(r.headers['x-smesh-task'], /^[0-9a-f]{32}$/)
    assert.equal(r.smesh.device, 'server', 'the final chunk names the device too')
  })

  it('openai: a tool call comes back whole, and its result goes back for the answer', async () => {
    const r = await client('openai-tools', { model: 'llama3.2:3b' })
    assert.equal(r.type, 'result', JSON.stringify(r))
    assert.equal(r.first.finish, 'tool_calls')
    assert.equal(r.first.toolCalls.length, 1)
    assert.equal(r.first.toolCalls[0].function.name, 'get_weather')
    assert.deepEqual(JSON.parse(r.first.toolCalls[0].function.arguments), { city: 'Oslo' })
    assert.equal(r.second.finish, 'stop')
    assert.equal(r.second.text, FULL)
    const sent = await lastChat()
    assert.equal(sent.tools?.[0]?.function?.name, 'get_weather', 'the tool definition reached the backend')
    assert.deepEqual(sent.messages.at(-1), { role: 'tool', content: '{"temp": -3, "sky": "clear"}', tool_name: 'get_weather' })
    assert.deepEqual(sent.messages.at(-2).tool_calls, [{ function: { name: 'get_weather', arguments: { city: 'Oslo' } } }])
  })

  it('openai: a JSON-schema answer is held to the schema by the backend', async () => {
    const r = await client('openai-json', { model: 'llama3.2:3b' })
    assert.deepEqual(r.parsed, { colour: 'blue' })
    assert.deepEqual((await lastChat()).format, { type: 'object', properties: { colour: { type: 'string' } }, required: ['colour'] })
  })

  it('openai: embeddings as the SDK asks for them (base64) and as floats, in input order, from the model asked', async () => {
    const input = ['first text', 'second text', 'first text']
    const r = await client('openai-embeddings', { model: 'nomic-embed-text', input })
    assert.equal(r.type, 'result', JSON.stringify(r))
    for (const form of ['base64', 'float'] as const) {
      assert.deepEqual(r[form].map((x: [number, number[]]) => x[0]), [0, 1, 2])
      r[form].forEach((x: [number, number[]], i: number) => { closeTo(x[1], embeddingOf('nomic-embed-text', input[i] as string, DIMS)) })
    }
  })

  it('openai: the model list has each model once with where it runs, and the specs best and best-local', async () => {
    const r = await client('openai-models')
    const ids = r.models.map((m: { id: string }) => m.id)
    assert.deepEqual(ids, ['llama3.2:3b', 'llava:7b', 'nomic-embed-text', 'best', 'best-local'])
    const llama = r.models[0]
    assert.deepEqual(llama.smesh.where.map((w: { device: string }) => w.device), ['server'])
    assert.deepEqual(llama.smesh.capabilities.sort(), ['completion', 'json', 'tools'])
    assert.equal(llama.context_length, 131072)
  })

  it('openai: an image goes to a model that takes images; to one that does not, it is refused with a clear error and sent nowhere', async () => {
    const before = (await ollama.chats()).length
    const ok = await client('openai-image', { model: 'best', png: PNG })
    assert.equal(ok.type, 'result', JSON.stringify(ok))
    const sent = await lastChat()
    assert.equal(sent.model, 'llava:7b')
    assert.deepEqual(sent.messages[0].images, [PNG], 'the image reached the backend as it was sent')
    const refused = await client('openai-image', { model: 'llama3.2:3b', png: PNG })
    assert.equal(refused.type, 'error')
    assert.equal(refused.status, 400)
    assert.match(refused.message, /llama3\.2:3b .*take images/)
    assert.equal((await ollama.chats()).length, before + 1, 'the refused request reached no backend')
  })

  it('ollama: chat, tools, generate with JSON, embed, embeddings, tags, ps, show and version, as the ollama package reads them', async () => {
    const r = await client('ollama', { model: 'llama3.2:3b', embedModel: 'nomic-embed-text' })
    assert.equal(r.type, 'result', JSON.stringify(r))
    assert.equal(r.streamed, FULL)
    assert.deepEqual(r.toolCalls.map((c: { function: unknown }) => c.function), [{ name: 'get_weather', arguments: { city: 'Oslo' } }])
    assert.equal(r.generated, '{"colour":"blue"}')
    assert.equal(r.doneReason, 'stop')
    closeTo(r.embed[0], embeddingOf('nomic-embed-text', 'alpha', DIMS))
    closeTo(r.embed[1], embeddingOf('nomic-embed-text', 'beta', DIMS))
    closeTo(r.legacy, embeddingOf('nomic-embed-text', 'alpha', DIMS))
    assert.deepEqual(r.tags, ['llama3.2:3b', 'llava:7b', 'nomic-embed-text:latest', 'best:latest', 'best-local:latest'], 'every name tagged, as Open WebUI looks them up')
    assert.deepEqual(r.ps, ['llama3.2:3b'], 'the model in memory on the server')
    assert.ok(r.show.capabilities.includes('tools'))
    assert.equal(r.show.modelInfo['llama.context_length'], 131072)
    assert.match(r.show.parameters, /num_ctx\s+131072/)
    assert.match(r.version, /^\d+\.\d+\.\d+$/)
    const chats = (await ollama.chats()).map(c => JSON.parse(c.body) as Record<string, any>)
    const streamed = chats.find(c => c.keep_alive === '10m')
    assert.equal(streamed?.options?.top_k, 20, 'sampling options are passed on')
    assert.equal(streamed?.options?.num_gpu, undefined, 'options that set the serving device\'s hardware are not')
  })

  it('ollama: /api/show takes the legacy name field (Continue sends it)', async () => {
    const r = await client('http', { method: 'POST', path: '/api/show', headers: { authorization: `Bearer ${key}` }, body: { name: 'llava:7b' } })
    assert.equal(r.status, 200, r.body)
    assert.deepEqual(JSON.parse(r.body).capabilities, ['completion', 'vision'])
  })

  it('ollama: model management is refused with 403 and never forwarded', async () => {
    const r = await client('ollama-manage')
    for (const call of ['pull', 'push', 'create', 'copy', 'delete']) {
      assert.equal(r[call].status, 403, `${call}: ${JSON.stringify(r[call])}`)
      assert.match(r[call].message, /does not manage models/)
    }
    const paths = (await ollama.log()).map(e => e.path)
    assert.ok(!paths.some(p => /\/api\/(pull|push|create|copy|delete|blobs)/.test(p)), `the fixture saw ${paths.join(', ')}`)
  })

  it('anthropic: a streamed message in the event sequence the SDK expects, through an alias of a vendor name', async () => {
    const r = await client('anthropic-stream', { model: 'claude-sonnet-4-6' })
    assert.equal(r.type, 'result', JSON.stringify(r))
    assert.equal(r.events[0], 'message_start')
    assert.deepEqual([...new Set(r.events)], ['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop'])
    assert.equal(r.content.length, 1)
    assert.equal(r.content[0].type, 'text')
    assert.equal(r.content[0].text, FULL)
    assert.equal(r.stop, 'end_turn')
    assert.equal(r.usage.output_tokens, ANSWER.length)
    assert.equal(r.model, 'llama3.2:3b')
    const sent = await lastChat()
    assert.equal(sent.messages[0].content, 'Be brief.', 'the system prompt arrives, Claude Code\'s billing header left out')
  })

  it('anthropic: a tool_use round trip, and count_tokens', async () => {
    const r = await client('anthropic-tools', { model: 'claude-haiku-4-5-20251001' })
    assert.equal(r.type, 'result', JSON.stringify(r))
    assert.equal(r.first.stop, 'tool_use')
    const use = r.first.content.find((b: { type: string }) => b.type === 'tool_use')
    assert.equal(use.name, 'get_weather')
    assert.deepEqual(use.input, { city: 'Oslo' })
    assert.equal(r.second.stop, 'end_turn')
    assert.equal(r.second.content[0].text, FULL)
    assert.ok(r.count.input_tokens > 10 && r.count.input_tokens < 200, `an honest estimate: ${r.count.input_tokens as number}`)
    const sent = await lastChat()
    assert.equal(sent.messages.at(-1).role, 'tool', 'the tool result went to the backend as a tool message')
  })

  it('LangChain: ChatOpenAI invokes, streams and calls tools', async () => {
    const r = await client('langchain', { model: 'llama3.2:3b' })
    assert.equal(r.type, 'result', JSON.stringify(r))
    assert.equal(r.text, FULL)
    assert.equal(r.streamed, FULL)
    assert.equal(r.usage.output_tokens, ANSWER.length)
    assert.equal(r.toolCalls[0].name, 'get_weather')
    assert.deepEqual(r.toolCalls[0].args, { city: 'Oslo' })
  })
})
