import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { streamPair } from '@libp2p/utils'
import { createSigner } from '@smesh/bus'
import { Executor } from '../src/executor.js'
import { TaskServer, callTask } from '../src/protocol.js'
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

async function serve (provider: Provider, heartbeatMs?: number): Promise<{ open: () => Promise<any>, served: Promise<void> }> {
  const executor = new Executor({ peerId: 'server', providers: [provider], signer: createSigner(new Uint8Array(32).fill(2)) })
  await executor.refresh()
  const server = new TaskServer({ executor, peerId: 'server', refuse: () => undefined, ...(heartbeatMs != null ? { heartbeatMs } : {}) })
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
})
