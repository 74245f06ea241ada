import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { streamPair } from '@libp2p/utils'
import { createSigner } from '@smesh/bus'
import { Executor } from '../src/executor.js'
import { TaskServer, callTask } from '../src/protocol.js'
import type { TaskServerInit } from '../src/protocol.js'
import type { ChatOptions, ChatRequest, ChatResult, ModelInfo, Provider, ToolCall } from '@smesh/inference'
import type { Connection } from '@libp2p/interface'

/** A backend that makes one tool call after a pause. */
class Slow implements Provider {
  readonly kind = 'ollama'
  readonly tier = 'local'
  readonly name = 'ollama'
  constructor (private readonly call: ToolCall, private readonly waitMs: number) {}
  async models (): Promise<ModelInfo[]> { return [{ name: 'm:1', loaded: true, capabilities: ['completion', 'tools'] }] }
  async chat (req: ChatRequest, o: ChatOptions = {}): Promise<ChatResult> {
    await new Promise(resolve => setTimeout(resolve, this.waitMs))
    o.onToolCall?.(this.call)
    return { text: '', toolCalls: [this.call], model: req.model, finishReason: 'tool_calls', usage: { inputTokens: 1, outputTokens: 1 }, firstTokenMs: 1, totalMs: this.waitMs }
  }
}

async function serve (provider: Provider, heartbeatMs?: number, authorize?: TaskServerInit['authorize']): Promise<{ open: () => Promise<any>, served: Promise<void> }> {
  const executor = new Executor({ peerId: 'server', providers: [provider], signer: createSigner(new Uint8Array(32).fill(2)) })
  await executor.refresh()
  const server = new TaskServer({ executor, peerId: 'server', refuse: () => undefined, ...(heartbeatMs != null ? { heartbeatMs } : {}), ...(authorize != null ? { authorize } : {}) })
  const [out, inbound] = await streamPair()
  const served = server.serve(inbound, { remotePeer: { toString: () => 'client' } } as unknown as Connection, new AbortController().signal)
  return { open: async () => out, served }
}

const ask = { kind: 'chat' as const, id: '0123456789abcdef0123456789abcdef', provider: 'ollama', model: 'm:1', residency: 'mesh' as const, messages: [{ role: 'user' as const, content: 'write it' }], tools: [{ name: 'write_file', parameters: { type: 'object' } }] }

describe('task streams: tool calls of any size, long silences', () => {
  it('a tool call far over one frame arrives whole, once, from a serving peer', async () => {
    const big = { id: 'call_1', name: 'write_file', arguments: JSON.stringify({ path: 'a.txt', text: 'x'.repeat(300_000) + '😀' }) }
    const { open, served } = await serve(new Slow(big, 0))
    const seen: ToolCall[] = []
    const r = await callTask(open, ask, { onToolCall: c => seen.push(c) })
    await served
    assert.equal(seen.length, 1)
    assert.equal(seen[0]?.arguments, big.arguments, 'every piece joined, nothing lost or split in a character')
    assert.equal(r.toolCalls[0]?.arguments.length, big.arguments.length)
  })

  it('a model silent longer than the submitter\'s idle limit (writing a long tool call) is kept alive by heartbeats', async () => {
    const { open, served } = await serve(new Slow({ id: 'c', name: 'write_file', arguments: '{}' }, 1_500), 200)
    const r = await callTask(open, ask, { idleMs: 600 })
    await served
    assert.equal(r.finishReason, 'tool_calls')
  })

  it('without heartbeats the same silence is a timeout', async () => {
    const { open, served } = await serve(new Slow({ id: 'c', name: 'write_file', arguments: '{}' }, 1_500), 60_000)
    await assert.rejects(callTask(open, ask, { idleMs: 600 }), (e: any) => e.code === 'timeout')
    await served.catch(() => {})
  })

  it('the serving node judges the task itself: a refusal of its policy hook reaches the submitter as not-allowed, and the backend is never asked', async () => {
    let asked = 0
    const provider = new Slow({ id: 'c', name: 'write_file', arguments: '{}' }, 0)
    const chat = provider.chat.bind(provider)
    provider.chat = async (req, o) => { asked++; return await chat(req, o) }
    const seen: Array<{ peer: string, model: string, provider: string, approvals: string[] }> = []
    const { open, served } = await serve(provider, undefined, async (peer, task) => {
      seen.push({ peer, ...task })
      return task.approvals.includes('00112233445566778899aabbccddeeff') ? undefined : 'task.model of "m:1" needs an admin\'s approval'
    })
    await assert.rejects(callTask(open, ask), (e: any) => e.code === 'not-allowed' && /needs an admin's approval/.test(e.message))
    await served
    assert.equal(asked, 0)
    assert.deepEqual(seen, [{ peer: 'client', model: 'm:1', provider: 'ollama', approvals: [] }])
    const again = await serve(provider, undefined, async (_peer, task) => task.approvals.length === 1 ? undefined : 'no')
    const r = await callTask(again.open, { ...ask, approvals: ['00112233445566778899aabbccddeeff'] })
    await again.served
    assert.equal(r.finishReason, 'tool_calls')
    assert.equal(asked, 1, 'the approval the task cites travels with it')
  })
  it('a task routed for another member names it on the wire: the serving node judges that device too, and a malformed id is refused', async () => {
    const phone = 'ab'.repeat(32)
    const seen: Array<string | undefined> = []
    const provider = new Slow({ id: 'c', name: 'write_file', arguments: '{}' }, 0)
    const { open, served } = await serve(provider, undefined, async (_peer, task) => {
      seen.push(task.onBehalfOf)
      return task.onBehalfOf === phone ? 'task.model of "m:1" is blocked by rule 1 of the mesh policy for that device' : undefined
    })
    await assert.rejects(callTask(open, { ...ask, onBehalfOf: phone }), (e: any) => e.code === 'not-allowed' && /for that device/.test(e.message))
    await served
    assert.deepEqual(seen, [phone])
    const bad = await serve(provider)
    await assert.rejects(callTask(bad.open, { ...ask, onBehalfOf: 'not-a-device' }), (e: any) => /on_behalf_of/.test(e.message))
    await bad.served.catch(() => {})
  })
})
