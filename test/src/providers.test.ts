import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { inspect } from 'node:util'
import { AnthropicProvider, GeminiProvider, OllamaProvider, OpenAIProvider, ProviderError } from '@smesh/inference'
import { ProviderFixture } from '../fixtures/providers.js'
import { secretForms } from './harness/secrets.js'
import type { FixtureKind, FixtureScript } from '../fixtures/providers.js'
import type { Provider } from '@smesh/inference'

const KEY = 'sk-canary-7f3a9c2e41d84b6b'
const REPLY = ['The ', 'sky ', 'is ', 'blue', '.']
const script = (over: Partial<FixtureScript> = {}): FixtureScript => ({
  models: [{ name: 'llama3.2:3b', family: 'llama', loaded: true, digest: 'sha256:' + 'a'.repeat(64) }, { name: 'qwen2.5:7b', family: 'qwen2', loaded: false }],
  reply: REPLY,
  inputTokens: 12,
  ...over
})

function providerFor (f: ProviderFixture): Provider {
  switch (f.kind) {
    case 'ollama': return new OllamaProvider({ url: f.url, limits: { maxInputChars: 1000, maxTokens: 256 } })
    case 'openai': return new OpenAIProvider({ baseURL: f.url, apiKey: KEY, limits: { maxInputChars: 1000, maxTokens: 256 } })
    case 'anthropic': return new AnthropicProvider({ baseURL: f.url, apiKey: KEY, limits: { maxInputChars: 1000, maxTokens: 256 } })
    case 'gemini': return new GeminiProvider({ baseURL: f.url, apiKey: KEY, limits: { maxInputChars: 1000, maxTokens: 256 } })
  }
}

/** The key in none of its forms anywhere in an error: message, hint, stack, its causes and every field, as a logger would print it. */
function assertKeyFree (err: unknown): void {
  const text = inspect(err, { depth: 8, showHidden: true }) + JSON.stringify(err) + String((err as Error).stack)
  for (const form of secretForms(KEY)) {
    assert.ok(!text.includes(form), `the error holds the key (${form.slice(0, 10)}…)`)
  }
}

const ask = { model: 'llama3.2:3b', messages: [{ role: 'system' as const, content: 'Be brief.' }, { role: 'user' as const, content: 'What colour is the sky?' }] }

/** The real client libraries (ollama, openai, @anthropic-ai/sdk, @google/genai) against protocol-faithful fixture servers. */
for (const kind of ['ollama', 'openai', 'anthropic', 'gemini'] as FixtureKind[]) {
  describe(`provider ${kind} through its official client library`, () => {
    const fixtures: ProviderFixture[] = []
    const start = async (over: Partial<FixtureScript> = {}): Promise<{ f: ProviderFixture, p: Provider }> => {
      const f = await ProviderFixture.start(kind, script(over))
      fixtures.push(f)
      return { f, p: providerFor(f) }
    }
    after(async () => { await Promise.all(fixtures.map(async f => { await f.close() })) })

    it('lists models; streams a reply piece by piece with usage and timings; caps max tokens', async () => {
      const { f, p } = await start({ tokenDelayMs: 5 })
      const models = await p.models()
      assert.deepEqual(models.map(m => m.name), ['llama3.2:3b', 'qwen2.5:7b'])
      if (kind === 'ollama') {
        assert.deepEqual(models.map(m => m.loaded), [true, false], 'ps says which model is loaded')
        assert.equal(models[0]?.family, 'llama')
        assert.equal(models[0]?.digest, 'sha256:' + 'a'.repeat(64))
      }
      const pieces: string[] = []
      const r = await p.chat({ ...ask, maxTokens: 10_000 }, { onText: (t) => pieces.push(t) })
      assert.deepEqual(pieces, REPLY)
      assert.equal(r.text, 'The sky is blue.')
      assert.equal(r.usage.inputTokens, 12)
      assert.equal(r.usage.outputTokens, REPLY.length)
      assert.ok(r.firstTokenMs != null && r.firstTokenMs <= r.totalMs)
      const chat = f.log.find(x => x.method === 'POST' && x.path !== '/api/show') as { body: string, headers: Record<string, unknown> }
      assert.match(chat.body, /256/, 'max tokens capped at the configured 256')
      assert.match(chat.body, /What colour is the sky\?/)
      assert.match(chat.body, /Be brief\./, 'the system prompt is passed the provider\'s way')
    })

    it('a 429 with Retry-After is a rate-limit error with the delay; a 500 a server error; neither names the key', async () => {
      const { f, p } = await start({ fail: { status: 429, retryAfterS: 7 } })
      const err = await p.chat(ask).then(() => undefined, (e: unknown) => e)
      assert.ok(err instanceof ProviderError, String(err))
      assert.equal(err.kind, 'rate-limit')
      assert.equal(err.retryable, true)
      if (kind !== 'ollama') assert.equal(err.retryAfterMs, 7000)
      assertKeyFree(err)
      f.script = script({ fail: { status: 500 } })
      const e5 = await p.chat(ask).then(() => undefined, (e: unknown) => e) as ProviderError
      assert.equal(e5.kind, 'server')
      assertKeyFree(e5)
      assert.equal(f.log.filter(x => x.method === 'POST').length, 2, 'no silent retries: the router decides')
    })

    it('a connection dropped mid-stream is a connection error after the pieces that arrived', async () => {
      const { p } = await start({ dropAfter: 2, tokenDelayMs: 5 })
      const pieces: string[] = []
      const err = await p.chat(ask, { onText: (t) => pieces.push(t) }).then(() => undefined, (e: unknown) => e) as ProviderError
      assert.ok(err instanceof ProviderError, String(err))
      assert.equal(err.kind, 'connection', err.message)
      assert.deepEqual(pieces, REPLY.slice(0, 2))
      assertKeyFree(err)
    })

    it('aborting the signal stops the request; the server sees the client go', async () => {
      const { f, p } = await start({ tokenDelayMs: 200 })
      const ac = new AbortController()
      const pieces: string[] = []
      const done = p.chat(ask, { signal: ac.signal, onText: (t) => { pieces.push(t); if (pieces.length === 1) ac.abort() } })
      const err = await done.then(() => undefined, (e: unknown) => e) as ProviderError
      assert.equal(err.kind, 'aborted')
      await new Promise(resolve => setTimeout(resolve, 300))
      assert.equal(f.log.find(x => x.method === 'POST')?.aborted, true)
    })

    it('tools: a tool call comes back whole with its arguments; the result goes back the provider\'s way and the answer follows', async () => {
      const weather = { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }
      const { f, p } = await start({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] })
      const streamed: unknown[] = []
      const first = await p.chat({ ...ask, tools: [weather] }, { onToolCall: c => streamed.push(c) })
      assert.equal(first.finishReason, 'tool_calls')
      assert.equal(first.toolCalls.length, 1)
      const call = first.toolCalls[0] as { id: string, name: string, arguments: string }
      assert.equal(call.name, 'get_weather')
      assert.deepEqual(JSON.parse(call.arguments), { city: 'Oslo' })
      assert.ok(call.id.length > 4)
      assert.deepEqual(streamed, [call], 'passed on once, complete')
      const sent = f.log.filter(x => x.method === 'POST').at(-1)?.body ?? ''
      assert.match(sent, /get_weather/)
      assert.match(sent, /Weather for a city/)
      const second = await p.chat({ ...ask, tools: [weather], messages: [...ask.messages, { role: 'assistant', content: '', toolCalls: [call] }, { role: 'tool', content: '{"temp": -3}', toolCallId: call.id }] })
      assert.equal(second.finishReason, 'stop')
      assert.equal(second.text, 'The sky is blue.')
      const back = f.log.filter(x => x.method === 'POST').at(-1)?.body ?? ''
      assert.match(back, /-3/, 'the tool result reached the backend')
      if (kind === 'openai' || kind === 'anthropic') assert.ok(back.includes(call.id), 'the result names its call')
      if (kind === 'ollama' || kind === 'gemini') assert.match(back, /get_weather/, 'the result names its tool')
    })

    if (kind === 'openai' || kind === 'anthropic') {
      it('a connection cut in the middle of a tool call gives no part of it: a connection error', async () => {
        const { p } = await start({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo', when: 'tomorrow morning' } }], dropMidToolCall: true })
        const seen: unknown[] = []
        const err = await p.chat({ ...ask, tools: [{ name: 'get_weather', parameters: { type: 'object' } }] }, { onToolCall: c => seen.push(c) }).then(() => undefined, (e: unknown) => e) as ProviderError
        assert.ok(err instanceof ProviderError, String(err))
        assert.equal(err.kind, 'connection')
        assert.deepEqual(seen, [], 'no half tool call was passed on')
      })
    }

    it('JSON output, stop sequences, top_p and images reach the backend in its own terms', async () => {
      const { f, p } = await start({ json: '{"colour":"blue"}' })
      const schema = { type: 'object', properties: { colour: { type: 'string' } }, required: ['colour'] }
      const r = await p.chat({ ...ask, format: { type: 'json_schema', schema, name: 'answer' } })
      assert.deepEqual(JSON.parse(r.text), { colour: 'blue' })
      assert.equal(r.finishReason, 'stop')
      const body = f.log.filter(x => x.method === 'POST').at(-1)?.body ?? ''
      assert.match(body, /"colour"/, 'the schema was sent')
      f.script = script()
      const s = await p.chat({ ...ask, stop: ['blue'], topP: 0.5 })
      assert.equal(s.text, 'The sky is ')
      const sb = f.log.filter(x => x.method === 'POST').at(-1)?.body ?? ''
      assert.match(sb, /"blue"/)
      assert.match(sb, /0\.5/)
      if (kind === 'anthropic') assert.equal(s.stopSequence, 'blue')
      const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5, 6])
      await p.chat({ ...ask, messages: [{ role: 'user', content: 'what is this?', images: [{ mimeType: 'image/png', data: png }] }] })
      const ib = f.log.filter(x => x.method === 'POST').at(-1)?.body ?? ''
      assert.ok(ib.includes(Buffer.from(png).toString('base64')), 'the image went as base64')
    })

    it('a reply cut by the token limit finishes with length', async () => {
      const { p } = await start()
      const r = await p.chat({ ...ask, maxTokens: 2 })
      assert.equal(r.text, 'The sky ')
      assert.equal(r.finishReason, 'length')
    })

    if (kind !== 'anthropic') {
      it('embeddings: one vector per input, in order, the same for the same input', async () => {
        const { f, p } = await start({ embeddingDims: 16, models: [{ name: 'nomic-embed-text', family: 'nomic-bert', capabilities: ['embedding'] }] })
        assert.ok(p.embed != null)
        const r = await p.embed({ model: 'nomic-embed-text', inputs: ['alpha', 'beta', 'alpha'] })
        assert.equal(r.vectors.length, 3)
        assert.equal(r.vectors[0]?.length, 16)
        assert.deepEqual([...(r.vectors[0] ?? [])], [...(r.vectors[2] ?? [])])
        assert.notDeepEqual([...(r.vectors[0] ?? [])], [...(r.vectors[1] ?? [])])
        assert.equal(f.log.filter(x => x.method === 'POST').length, 1, 'one request for the batch')
        const models = await p.models()
        assert.deepEqual(models[0]?.capabilities, ['embedding'])
      })
    }

    if (kind === 'ollama') {
      it('capabilities and context length come from /api/show, asked once per model', async () => {
        const { f, p } = await start({ models: [{ name: 'llava:7b', family: 'llama', capabilities: ['completion', 'vision'], contextLength: 32768 }, { name: 'qwen3:8b', family: 'qwen3', capabilities: ['completion', 'tools'] }] })
        const m = await p.models()
        assert.deepEqual(m.map(x => [x.name, x.capabilities, x.contextLength]), [['llava:7b', ['completion', 'json', 'vision'], 32768], ['qwen3:8b', ['completion', 'json', 'tools'], 8192]])
        await p.models()
        assert.equal(f.log.filter(x => x.path === '/api/show').length, 2, 'cached by name and digest')
      })
    }

    it('an oversize prompt is refused before anything is sent', async () => {
      const { f, p } = await start()
      await assert.rejects(p.chat({ model: 'x', messages: [{ role: 'user', content: 'x'.repeat(1001) }] }), (e: any) => e.kind === 'too-large')
      assert.equal(f.log.filter(x => x.method === 'POST').length, 0)
    })
  })
}
