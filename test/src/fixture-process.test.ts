import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { AnthropicProvider, OllamaProvider, ProviderError } from '@smesh/inference'
import { ProviderFixture } from '../fixtures/providers.js'
import { FixtureProcess } from './harness/fixture-process.js'
import { waitFor } from './harness/smesh-process.js'
import type { FixtureScript } from '../fixtures/providers.js'

const LIMITS = { maxInputChars: 1000, maxTokens: 256 }
const script = (over: Partial<FixtureScript> = {}): FixtureScript => ({
  models: [{ name: 'llama3.2:3b', loaded: true }, { name: 'qwen2.5:7b' }],
  reply: ['The ', 'sky ', 'is ', 'blue.'],
  ...over
})
const ask = { model: 'llama3.2:3b', messages: [{ role: 'user' as const, content: 'What colour is the sky?' }] }
const cutOff = {
  model: 'llama3.2:3b',
  messages: [{ role: 'user' as const, content: 'q' }, { role: 'assistant' as const, content: 'The qu' }, { role: 'user' as const, content: 'continue' }]
}
const FOX = ['The ', 'quick ', 'brown ', 'fox.']

describe('provider fixture as a process, scripted through a file', () => {
  let f: FixtureProcess
  let p: OllamaProvider
  before(async () => {
    f = await FixtureProcess.start({ kind: 'ollama', script: script(), host: '127.0.0.1' })
    p = new OllamaProvider({ url: f.url, limits: LIMITS })
  })
  after(async () => { await f?.stop() })

  it('prints its URL and port; serves the model list and a chat', async () => {
    assert.equal(f.url, `http://127.0.0.1:${f.port}`)
    assert.ok(f.pid > 0)
    assert.deepEqual((await p.models()).map(m => [m.name, m.loaded]), [['llama3.2:3b', true], ['qwen2.5:7b', false]])
    const pieces: string[] = []
    const r = await p.chat(ask, { onText: t => pieces.push(t) })
    assert.equal(r.text, 'The sky is blue.')
    assert.deepEqual(pieces, ['The ', 'sky ', 'is ', 'blue.'])
  })

  it('a rewritten script applies from the next request: a 429 with Retry-After', async () => {
    await f.setScript(script({ fail: { status: 429, retryAfterS: 7 } }))
    const err = await p.chat(ask).then(() => undefined, (e: unknown) => e)
    assert.ok(err instanceof ProviderError, String(err))
    assert.equal(err.kind, 'rate-limit')
    // the ollama client library does not expose response headers, so OllamaProvider cannot give retryAfterMs: read the header itself
    assert.equal(err.retryAfterMs, undefined)
    const res = await fetch(`${f.url}/api/chat`, { method: 'POST', body: JSON.stringify(ask) })
    assert.equal(res.status, 429)
    assert.equal(res.headers.get('retry-after'), '7')
    assert.deepEqual(await res.json(), { error: 'rate limit exceeded' })
  })

  it('continuation: only the rest of a cut-off answer is streamed', async () => {
    await f.setScript(script({ reply: FOX, continuation: true }))
    const pieces: string[] = []
    const r = await p.chat(cutOff, { onText: t => pieces.push(t) })
    assert.equal(r.text, 'ick brown fox.')
    assert.deepEqual(pieces, ['ick ', 'brown ', 'fox.'])
    assert.equal(r.usage.outputTokens, 3, 'the pieces sent in this response')
    assert.equal((await p.chat(ask)).text, 'The quick brown fox.', 'no assistant message: the whole reply')
  })

  it('logs every request once it has ended; chats() keeps the chats; an abort is logged as such', async () => {
    // a request is logged when the server sees it end, a moment after the client has its reply
    const log = await waitFor(async () => { const l = await f.log(); return l.length >= 9 && l }, { timeoutMs: 3_000, intervalMs: 20, what: 'nine requests in the log' })
    const lines = log.map(r => `${r.method} ${r.path}`)
    assert.deepEqual(lines.slice(0, 4).sort(), ['GET /api/ps', 'GET /api/tags', 'POST /api/show', 'POST /api/show'], 'models() asks list and ps at once, then shows each model')
    assert.deepEqual(lines.slice(4), Array(5).fill('POST /api/chat'), 'chat, 429, 429 by fetch, continuation, whole reply')
    const chats = await f.chats()
    assert.deepEqual(chats, log.slice(4))
    assert.match(chats[0]?.body ?? '', /What colour is the sky\?/)
    assert.match(chats[3]?.body ?? '', /"The qu"/)
    assert.ok(log.every(r => !r.aborted))

    await f.setScript(script({ reply: FOX, tokenDelayMs: 300 }))
    const ac = new AbortController()
    const pieces: string[] = []
    const err = await p.chat(ask, { signal: ac.signal, onText: t => { pieces.push(t); ac.abort() } }).then(() => undefined, (e: unknown) => e)
    assert.equal((err as ProviderError).kind, 'aborted')
    assert.deepEqual(pieces, ['The '])
    const last = await waitFor(async () => (await f.chats())[5], { timeoutMs: 3_000, intervalMs: 50, what: 'the aborted chat in the log' })
    assert.equal(last.aborted, true)
  })
})

describe('provider fixture in process: continuation through the Anthropic client', () => {
  let f: ProviderFixture
  before(async () => { f = await ProviderFixture.start('anthropic', script({ reply: FOX, continuation: true, tokensPerSecond: 200 })) })
  after(async () => { await f?.close() })

  it('streams only the rest after the last assistant message', async () => {
    const p = new AnthropicProvider({ baseURL: f.url, apiKey: 'sk-test', limits: LIMITS })
    const r = await p.chat(cutOff)
    assert.equal(r.text, 'ick brown fox.')
    f.script = script({ reply: FOX, continuation: true, dropAfter: 1, tokenDelayMs: 5 })
    const pieces: string[] = []
    const err = await p.chat({ ...cutOff, messages: [...cutOff.messages.slice(0, 1), { role: 'assistant', content: 'The quick ' }, ...cutOff.messages.slice(2)] }, { onText: t => pieces.push(t) }).then(() => undefined, (e: unknown) => e)
    assert.equal((err as ProviderError).kind, 'connection')
    assert.deepEqual(pieces, ['brown '], 'dropAfter counts the pieces of this response')
  })
})
