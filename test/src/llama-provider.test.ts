import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { LlamaProvider, ModelFileError, ModelStore } from '@smesh/llama'
import { tinyModel } from '../fixtures/tiny-gguf.js'
import { tempDir } from './harness/tmp.js'

/**
 * The embedded provider with the real node-llama-cpp (llama.cpp, CPU) and a
 * tiny model made by test/fixtures/tiny-gguf.ts: random weights, so only
 * mechanics are asserted (tokens, counts, stops, timing, vector lengths).
 */
describe('embedded models (node-llama-cpp): a tiny GGUF model added, validated, advertised and run', { timeout: 120_000 }, () => {
  const dir = tempDir('smesh-llama')
  const models = join(dir, 'models')
  const bytes = tinyModel({ contextLength: 512 })
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  const file = join(dir, 'tiny.gguf')
  let provider: LlamaProvider

  before(async () => {
    writeFileSync(file, bytes)
    provider = new LlamaProvider({ dir: models, settings: { gpu: 'none', threads: 1, contextSize: 4096, parallel: 2, maxQueue: 1 } })
  })
  after(async () => { await provider?.close() })

  it('a truncated file, a file that is not GGUF and a wrong checksum are refused and never listed', async () => {
    const store = new ModelStore(models)
    const cut = join(dir, 'cut.gguf')
    writeFileSync(cut, bytes.subarray(0, bytes.length - 4096))
    await assert.rejects(store.add(cut), (e: any) => e instanceof ModelFileError && e.code === 'truncated' && /truncated/.test(e.message))
    const text = join(dir, 'notes.gguf')
    writeFileSync(text, 'not a model at all, just some text that is long enough to read a header from')
    await assert.rejects(store.add(text), (e: any) => e instanceof ModelFileError && e.code === 'not-gguf')
    await assert.rejects(store.add(file, { sha256: '0'.repeat(64) }), (e: any) => e instanceof ModelFileError && e.code === 'checksum' && e.message.includes(sha256))
    assert.deepEqual(await provider.models(), [], 'nothing is offered')
    assert.deepEqual(readdirSync(models), [], 'nothing is left in the models directory')
  })

  it('a valid file is added with what its header says, and offered with its SHA-256 as digest', async () => {
    const m = await new ModelStore(models).add(file)
    assert.equal(m.name, 'tiny')
    assert.equal(m.sha256, sha256)
    const [info, ...rest] = await provider.models()
    assert.equal(rest.length, 0)
    assert.deepEqual({ ...info }, {
      name: 'tiny', digest: `sha256:${sha256}`, family: 'llama', sizeBytes: bytes.length, quantization: 'F32', contextLength: 512,
      capabilities: ['completion', 'json', 'embedding'], loaded: false, parameters: m.card.parameters, embeddingLength: 64, chatTemplate: true
    })
    assert.ok(m.card.parameters > 100_000 && m.card.parameters < 200_000, `parameter count ${m.card.parameters}`)
    await assert.rejects(new ModelStore(models).add(file), (e: any) => e.code === 'exists')
  })

  it('streams tokens, honours max tokens, and is loaded from then on', async () => {
    const pieces: string[] = []
    const r = await provider.chat({ model: 'tiny', messages: [{ role: 'user', content: 'hello mesh' }], maxTokens: 24, seed: 1 }, { onText: (t) => { pieces.push(t) } })
    assert.equal(r.usage.outputTokens, 24)
    assert.equal(r.finishReason, 'length')
    assert.ok(pieces.length >= 2, `text came in ${pieces.length} pieces`)
    assert.equal(pieces.join(''), r.text)
    assert.ok(r.firstTokenMs != null && r.firstTokenMs <= r.totalMs)
    assert.ok(r.usage.inputTokens > 0)
    assert.equal((await provider.models())[0]?.loaded, true)
    assert.ok((provider.loadMs('tiny') ?? 0) > 0)
  })

  it('stops at a stop string, without it in the text', async () => {
    // random weights: find a piece the model does write, then ask it to stop there
    const free = await provider.chat({ model: 'tiny', messages: [{ role: 'user', content: 'stop test' }], maxTokens: 40, temperature: 0 })
    const stop = free.text.slice(6, 8)
    assert.ok(stop.length === 2, 'the free run wrote enough text')
    const r = await provider.chat({ model: 'tiny', messages: [{ role: 'user', content: 'stop test' }], maxTokens: 40, temperature: 0, stop: [stop] })
    assert.equal(r.finishReason, 'stop')
    assert.equal(r.stopSequence, stop)
    assert.ok(!r.text.includes(stop), `the text ${JSON.stringify(r.text)} ends before ${JSON.stringify(stop)}`)
    assert.ok(r.usage.outputTokens < free.usage.outputTokens)
  })

  it('holds its output to a JSON schema', async () => {
    const schema = { type: 'object', properties: { ok: { type: 'boolean' }, n: { type: 'integer' } }, required: ['ok', 'n'] }
    const r = await provider.chat({ model: 'tiny', messages: [{ role: 'user', content: 'json please' }], maxTokens: 200, format: { type: 'json_schema', schema } })
    const v = JSON.parse(r.text) as { ok: unknown, n: unknown }
    assert.equal(typeof v.ok, 'boolean')
    assert.ok(Number.isInteger(v.n))
  })

  it('an abort stops generation within 100 ms', async () => {
    const controller = new AbortController()
    let tokens = 0
    let abortedAt = 0
    const run = provider.chat({ model: 'tiny', messages: [{ role: 'user', content: 'a long answer' }], maxTokens: 4000 }, {
      signal: controller.signal,
      onText: () => { tokens++; if (tokens === 5) { abortedAt = performance.now(); controller.abort() } }
    })
    await assert.rejects(run, (e: any) => e.kind === 'aborted')
    const took = performance.now() - abortedAt
    assert.ok(took < 100, `the abort took ${took.toFixed(1)} ms`)
    // the slot is free again
    const r = await provider.chat({ model: 'tiny', messages: [{ role: 'user', content: 'again' }], maxTokens: 4 })
    assert.equal(r.usage.outputTokens, 4)
  })

  it('a prompt longer than the context is refused with the reason', async () => {
    await assert.rejects(provider.chat({ model: 'tiny', messages: [{ role: 'user', content: 'mesh node '.repeat(400) }] }),
      (e: any) => e.kind === 'too-large' && /longer than the context of tiny \(512 tokens\)/.test(e.message))
  })

  it('embeddings have the advertised length, one per input', async () => {
    const r = await provider.embed({ model: 'tiny', inputs: ['hello world', 'the mesh', 'a third text'] })
    assert.equal(r.vectors.length, 3)
    for (const v of r.vectors) assert.equal(v.length, 64)
    assert.ok(r.inputTokens >= 3)
    assert.notDeepEqual([...(r.vectors[0] as Float32Array)], [...(r.vectors[1] as Float32Array)])
  })

  it('runs `parallel` requests at once, queues maxQueue more, and refuses the rest as busy', async () => {
    const ask = async (): Promise<unknown> => await provider.chat({ model: 'tiny', messages: [{ role: 'user', content: 'q' }], maxTokens: 300 })
    const results = await Promise.allSettled([ask(), ask(), ask(), ask()])
    const busy = results.filter(r => r.status === 'rejected' && (r.reason as { kind?: string }).kind === 'busy')
    assert.equal(results.filter(r => r.status === 'fulfilled').length, 3, 'two run and one waits')
    assert.equal(busy.length, 1, 'the fourth is refused as busy')
  })

  it('a file dropped into the directory is checked before it is offered; a broken one never is', async () => {
    const invalid: string[] = []
    const p = new LlamaProvider({ dir: models, settings: { gpu: 'none', threads: 1 }, onInvalid: (m) => { invalid.push(m) } })
    const old = new Date(Date.now() - 10_000)
    writeFileSync(join(models, 'dropped.gguf'), bytes)
    writeFileSync(join(models, 'broken.gguf'), bytes.subarray(0, 100_000))
    const { utimesSync } = await import('node:fs')
    utimesSync(join(models, 'dropped.gguf'), old, old)
    utimesSync(join(models, 'broken.gguf'), old, old)
    assert.deepEqual((await p.models()).map(m => m.name), ['tiny'], 'not offered before they are checked')
    // both are checked in the background, one after the other
    for (let i = 0; i < 200 && !(invalid.includes('broken') && (await p.models()).some(m => m.name === 'dropped')); i++) await new Promise(resolve => setTimeout(resolve, 50))
    assert.deepEqual((await p.models()).map(m => m.name).sort(), ['dropped', 'tiny'])
    assert.deepEqual(invalid, ['broken'])
    assert.ok(!existsSync(join(models, 'broken.gguf.json')))
    await p.close()
  })

  it('at most maxLoaded models are in memory: the idle one leaves for the next', async () => {
    const p = new LlamaProvider({ dir: models, settings: { gpu: 'none', threads: 1, maxLoaded: 1 } })
    const loaded = async (): Promise<string[]> => (await p.models()).filter(m => m.loaded).map(m => m.name)
    await p.chat({ model: 'tiny', messages: [{ role: 'user', content: 'hi' }], maxTokens: 2 })
    assert.deepEqual(await loaded(), ['tiny'])
    await p.chat({ model: 'dropped', messages: [{ role: 'user', content: 'hi' }], maxTokens: 2 })
    assert.deepEqual(await loaded(), ['dropped'])
    await p.close()
  })

  it('a model removed while it generates finishes the answer, then is gone', async () => {
    const p = new LlamaProvider({ dir: models, settings: { gpu: 'none', threads: 1 } })
    await p.models()
    let removed: Promise<unknown> | undefined
    const answer = p.chat({ model: 'dropped', messages: [{ role: 'user', content: 'a long one' }], maxTokens: 300 }, {
      onText: () => { removed ??= new ModelStore(models).remove('dropped').then(async () => await p.models()) }
    })
    const r = await answer
    await removed
    assert.equal(r.usage.outputTokens, 300, 'the whole answer, though the model left in the middle')
    assert.deepEqual((await p.models()).map(m => m.name), ['tiny'])
    await assert.rejects(p.chat({ model: 'dropped', messages: [{ role: 'user', content: 'again' }] }), (e: any) => e.kind === 'not-found')
    await p.close()
  })

  it('an idle model is unloaded after its keep-alive', async () => {
    const p = new LlamaProvider({ dir: models, settings: { gpu: 'none', threads: 1, keepAliveMs: 200 } })
    await p.models()
    await p.chat({ model: 'tiny', messages: [{ role: 'user', content: 'hi' }], maxTokens: 2 })
    assert.equal((await p.models()).find(m => m.name === 'tiny')?.loaded, true)
    await new Promise(resolve => setTimeout(resolve, 700))
    assert.equal((await p.models()).find(m => m.name === 'tiny')?.loaded, false)
    await p.close()
  })
})
