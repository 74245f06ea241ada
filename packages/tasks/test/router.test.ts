import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createSigner } from '@smesh/bus'
import { ProviderError } from '@smesh/inference'
import { Catalog } from '../src/catalog.js'
import { Executor } from '../src/executor.js'
import { Router } from '../src/router.js'
import type { ChatOptions, ChatRequest, ChatResult, ModelInfo, Provider } from '@smesh/inference'

/** A provider that plays a script: pieces of text, tool calls, then an end or a failure. */
class Played implements Provider {
  readonly kind = 'ollama'
  readonly tier = 'local'
  calls: ChatRequest[] = []
  constructor (readonly name: string, private readonly play: { text?: string[], toolCalls?: Array<{ id: string, name: string, arguments: string }>, fail?: ProviderError }, private readonly caps: ModelInfo['capabilities'] = ['completion', 'tools']) {}
  async models (): Promise<ModelInfo[]> { return [{ name: 'm:1', loaded: this.name === 'first', capabilities: this.caps }] }
  async chat (req: ChatRequest, o: ChatOptions = {}): Promise<ChatResult> {
    this.calls.push(req)
    let text = ''
    for (const t of this.play.text ?? []) {
      text += t
      o.onText?.(t)
    }
    for (const c of this.play.toolCalls ?? []) o.onToolCall?.(c)
    if (this.play.fail != null) throw this.play.fail
    return { text, toolCalls: this.play.toolCalls ?? [], model: req.model, finishReason: (this.play.toolCalls?.length ?? 0) > 0 ? 'tool_calls' : 'stop', usage: { inputTokens: 3, outputTokens: 4 }, firstTokenMs: 1, totalMs: 2 }
  }
}

async function routerOf (providers: Provider[]): Promise<{ router: Router, records: Array<{ kind: string, body: any }> }> {
  const executor = new Executor({ peerId: 'self', providers, signer: createSigner(new Uint8Array(32).fill(1)) })
  await executor.refresh()
  const catalog = new Catalog({ self: { peerId: 'self', name: 'desk' }, executor, peers: { peers: () => [], capability: () => undefined } })
  const records: Array<{ kind: string, body: any }> = []
  const router = new Router({ self: { peerId: 'self', name: 'desk' }, catalog, executor, open: async () => { throw new Error('no peers here') }, record: (kind, body) => { records.push({ kind, body }) }, residency: 'local' })
  return { router, records }
}

const weather = { name: 'get_weather', parameters: { type: 'object' } }

describe('the router: tool calls are whole and belong to the answer that finished', () => {
  it('tool calls of an attempt that fails never reach the client; the next candidate answers, and the handoff counts what was dropped', async () => {
    const first = new Played('first', { text: ['Let me check. '], toolCalls: [{ id: 'call_a', name: 'get_weather', arguments: '{"city":"Oslo"}' }], fail: new ProviderError('connection', 'first', 'the connection was cut') })
    const second = new Played('second', { text: ['It is cold.'] })
    const { router, records } = await routerOf([first, second])
    const seen: unknown[] = []
    let text = ''
    const outcome = await router.run({ messages: [{ role: 'user', content: 'weather?' }], tools: [weather] }, { onToolCall: c => seen.push(c), onText: t => { text += t } })
    assert.deepEqual(seen, [], 'the failed attempt\'s tool call was never given to the client')
    assert.deepEqual(outcome.toolCalls, [])
    assert.equal(outcome.provider, 'second')
    assert.equal(text, 'Let me check. It is cold.')
    assert.equal(second.calls[0]?.messages.at(-2)?.content, 'Let me check. ', 'the next candidate continues the text')
    // one record for the whole task: the request, both assignments and the handoff are in it
    assert.deepEqual(records.map(r => r.kind), ['task.done'])
    const done = records[0]?.body
    assert.equal(done.finishReason, 'stop')
    assert.equal(done.handedOff?.[0]?.droppedToolCalls, 1)
    assert.deepEqual(done.assigned.map((a: any) => [a.attempt, a.provider]), [[1, 'first'], [2, 'second']])
    assert.equal(done.request.tools, 1)
    assert.equal(typeof done.assigned[0].at, 'number')
  })

  it('the tool calls of a finished answer come after its text, once, and make the finish reason tool_calls', async () => {
    const p = new Played('first', { text: ['Checking.'], toolCalls: [{ id: 'c1', name: 'get_weather', arguments: '{}' }, { id: 'c2', name: 'get_weather', arguments: '{"city":"Bergen"}' }] })
    const { router } = await routerOf([p])
    const order: string[] = []
    const outcome = await router.run({ messages: [{ role: 'user', content: 'weather?' }], tools: [weather] }, { onText: t => order.push(`text:${t}`), onToolCall: c => order.push(`call:${c.id}`) })
    assert.deepEqual(order, ['text:Checking.', 'call:c1', 'call:c2'])
    assert.equal(outcome.finishReason, 'tool_calls')
  })

  it('a stop sequence ends the answer whatever the backend does with it', async () => {
    const p = new Played('first', { text: ['Roses are red,', '\nUser: more', ' text'] })
    const { router, records } = await routerOf([p])
    let text = ''
    const outcome = await router.run({ messages: [{ role: 'user', content: 'a poem' }], stop: ['\nUser:'] }, { onText: t => { text += t } })
    assert.equal(text, 'Roses are red,')
    assert.equal(outcome.text, 'Roses are red,')
    assert.equal(outcome.stopSequence, '\nUser:')
    assert.equal(outcome.finishReason, 'stop')
    assert.deepEqual(p.calls[0]?.stop, ['\nUser:'], 'the backend was asked to stop too')
    assert.equal(records.find(r => r.kind === 'task.done')?.body.stopSequence, '\nUser:')
  })

  it('a model without tools is never asked a tool request; with nothing that can, the error says so and nothing runs', async () => {
    const plain = new Played('first', { text: ['x'] }, ['completion'])
    const { router } = await routerOf([plain])
    await assert.rejects(router.run({ messages: [{ role: 'user', content: 'weather?' }], tools: [weather] }), (e: any) => e.code === 'unsupported' && /can call tools/.test(e.message))
    assert.equal(plain.calls.length, 0)
  })
})

describe('a task\'s one record', () => {
  it('lists each candidate once however often it was asked, with every approval cited, and is written once', async () => {
    const { TaskLedger } = await import('../src/records.js')
    const written: Array<{ kind: string, body: any }> = []
    const ledger = new TaskLedger((kind, body) => { written.push({ kind, body }) }, 'ab'.repeat(16), { kind: 'chat', promptSha256: '00', promptChars: 1, messages: 1, model: 'best', residency: 'mesh', policy: 'quality-first' })
    const a = { at: 1, peer: 'P1', device: 'd1', provider: 'ollama', model: 'm', tier: 'local', score: 1 }
    for (let i = 0; i < 120; i++) ledger.assign({ ...a, attempt: 1, ...(i === 7 ? { approvals: ['ask1'] } : {}) })
    ledger.assign({ ...a, attempt: 2, peer: 'P2', provider: 'claude', tier: 'cloud', approvals: ['ask2'] })
    ledger.end('task.done', { peer: 'P2' })
    ledger.end('task.fail', { code: 'x' })
    assert.equal(written.length, 1)
    const b = written[0]?.body
    assert.deepEqual(b.assigned.map((x: any) => [x.peer, x.repeats ?? 0, x.approvals ?? []]), [['P1', 119, ['ask1']], ['P2', 0, ['ask2']]])
    assert.deepEqual(b.approvals, ['ask1', 'ask2'])
    assert.ok(JSON.stringify(b).length < 2_000, 'a long wait does not grow the record')
  })

  it('a task is listed as running here until its record is written, whether it succeeds or fails', async () => {
    const ok = new Played('first', { text: ['hi'] })
    const { router, records } = await routerOf([ok])
    let seen = -1
    const done = router.run({ prompt: 'hello' }, { onText: () => { seen = router.running.size } })
    await done
    assert.equal(seen, 1, 'running while it streamed')
    assert.equal(router.running.size, 0)
    assert.equal(records.length, 1)
    const bad = await routerOf([new Played('first', { fail: new ProviderError('auth', 'first', 'the key was refused') })])
    await assert.rejects(bad.router.run({ prompt: 'hello' }))
    assert.equal(bad.router.running.size, 0)
    assert.deepEqual(bad.records.map(r => r.kind), ['task.fail'])
  })
})
