import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createSigner } from '@smesh/bus'
import { ProviderError } from '@smesh/inference'
import { AdvertError, openAdvert } from '../src/advert.js'
import { Continuation, overlap } from '../src/continuation.js'
import { Executor, fitAdvert } from '../src/executor.js'
import { RECEIPT_BYTES, receiptBytes, verifyReceipt } from '../src/receipt.js'
import { Reliability } from '../src/reliability.js'
import { rank } from '../src/score.js'
import { parseModelSpec, parseResidency, residencyAllows } from '../src/spec.js'
import type { TaskFailedError } from '../src/errors.js'
import type { Candidate } from '../src/catalog.js'
import type { RankInput } from '../src/score.js'
import type { ChatOptions, ChatRequest, ModelInfo, Provider } from '@smesh/inference'

const cand = (over: Partial<Candidate>): Candidate => ({
  peer: 'p1', device: 'd1', self: false, provider: 'ollama', kind: 'ollama', tier: 'local', model: 'llama3.2:3b', digest: '', family: 'llama', sizeBytes: 0, quantization: '', contextLength: 0, parameters: 0, embeddingLength: 0, loaded: false, capabilities: ['completion'], protocols: ['1.1.0', '1.0.0'],
  queue: 0, concurrency: 4, cooldownUntil: 0, tokensPerS: 0, rttMs: 1, connected: true, ...over
})
const input = (over: Partial<RankInput> = {}): RankInput => ({
  spec: { kind: 'best' }, residency: 'cloud', policy: 'local-first', inFlight: () => 0, reliability: () => 0.5, broken: () => false, cooldown: () => 0, now: 1_000, ...over
})
const order = (cs: Candidate[], over: Partial<RankInput> = {}): string[] => rank(cs, input(over)).ranked.map(r => `${r.candidate.peer}/${r.candidate.model}`)

describe('model specs and residency', () => {
  it('parses names, preference lists, families and best; refuses junk with a hint', () => {
    assert.deepEqual(parseModelSpec('llama3.2:3b'), { kind: 'exact', name: 'llama3.2:3b' })
    assert.deepEqual(parseModelSpec('a:1, b:2'), { kind: 'prefer', names: ['a:1', 'b:2'] })
    assert.deepEqual(parseModelSpec('family:qwen'), { kind: 'family', family: 'qwen' })
    assert.deepEqual(parseModelSpec(undefined), { kind: 'best' })
    assert.throws(() => parseModelSpec('a b'), (e: TaskFailedError) => e.code === 'malformed' && /preference list/.test(e.hint))
    assert.throws(() => parseResidency('anywhere'), /unknown residency/)
  })

  it('local is this device only, mesh never a cloud, cloud anything', () => {
    assert.equal(residencyAllows('local', 'local', true), true)
    assert.equal(residencyAllows('local', 'local', false), false)
    assert.equal(residencyAllows('mesh', 'cloud', true), false)
    assert.equal(residencyAllows('mesh', 'local', false), true)
    assert.equal(residencyAllows('cloud', 'cloud', false), true)
  })
})

describe('ranking candidates', () => {
  it('prefers the warm model, then the less loaded node, and breaks ties by name', () => {
    assert.deepEqual(order([cand({ peer: 'a' }), cand({ peer: 'b', loaded: true })]), ['b/llama3.2:3b', 'a/llama3.2:3b'])
    assert.deepEqual(order([cand({ peer: 'a', queue: 4 }), cand({ peer: 'b' })]), ['b/llama3.2:3b', 'a/llama3.2:3b'])
    assert.deepEqual(order([cand({ peer: 'b' }), cand({ peer: 'a' })]), ['a/llama3.2:3b', 'b/llama3.2:3b'])
    // this router's own tasks in flight count as queue
    assert.deepEqual(order([cand({ peer: 'a' }), cand({ peer: 'b' })], { inFlight: p => p === 'a' ? 4 : 0 }), ['b/llama3.2:3b', 'a/llama3.2:3b'])
  })

  it('keeps a preference list\'s order over warmth, and matches families', () => {
    const cs = [cand({ peer: 'a', model: 'qwen3:8b', family: 'qwen3' }), cand({ peer: 'b', model: 'llama3.2:3b', loaded: true })]
    assert.deepEqual(order(cs, { spec: parseModelSpec('qwen3:8b,llama3.2:3b') }), ['a/qwen3:8b', 'b/llama3.2:3b'])
    assert.deepEqual(order(cs, { spec: parseModelSpec('family:qwen3') }), ['a/qwen3:8b'])
    assert.deepEqual(order(cs, { spec: parseModelSpec('mistral') }), [])
  })

  it('leaves out what the residency forbids, what cools down and what is broken, and says why', () => {
    const cloud = cand({ peer: 'c', provider: 'claude', kind: 'anthropic', tier: 'cloud', loaded: true })
    const cooling = cand({ peer: 'd', cooldownUntil: 5_000 })
    const broken = cand({ peer: 'e' })
    const r = rank([cloud, cooling, broken], input({ residency: 'mesh', broken: k => k === 'e/ollama' }))
    assert.deepEqual(r.ranked, [])
    assert.deepEqual(r.excluded.residency.map(c => c.peer), ['c'])
    assert.deepEqual(r.excluded.cooling.map(c => c.peer), ['d'])
    assert.equal(r.excluded.coolingUntil, 5_000)
    assert.deepEqual(r.excluded.broken.map(c => c.peer), ['e'])
    // local-first puts a local model before a warm cloud one; quality-first the other way round
    const local = cand({ peer: 'l' })
    assert.deepEqual(order([cloud, local]), ['l/llama3.2:3b', 'c/llama3.2:3b'])
    assert.deepEqual(order([cloud, local], { policy: 'quality-first' }), ['c/llama3.2:3b', 'l/llama3.2:3b'])
  })
})

describe('reliability', () => {
  it('grows with successes, drops with failures, and opens the breaker after three in a row', () => {
    let now = 0
    const r = new Reliability(() => now)
    assert.equal(r.score('x'), 0.5)
    for (let i = 0; i < 5; i++) r.success('x')
    const good = r.score('x')
    assert.ok(good > 0.5)
    now += 60_000
    assert.ok(r.score('x') > good, 'time in service adds trust')
    r.failure('x')
    assert.ok(r.score('x') < good)
    r.failure('x')
    assert.equal(r.open('x'), false)
    r.failure('x')
    assert.equal(r.open('x'), true)
    now += 31_000
    assert.equal(r.open('x'), false, 'half-open after the pause')
    r.failure('x')
    assert.equal(r.open('x'), true, 'one more failure reopens it, for longer')
    now += 31_000
    assert.equal(r.open('x'), true)
  })
})

describe('continuing a cut-off answer', () => {
  it('drops text the continuation repeats from the end of the partial answer', () => {
    assert.equal(overlap('The quick brown fox jumps', 'brown fox jumps over the dog'), 'brown fox jumps'.length)
    assert.equal(overlap('The quick brown', ' fox'), 0)
    assert.equal(overlap('ends with the ', 'the next'), 0, 'a short match is taken for new text')
    let got = ''
    const c = new Continuation('Once upon a time there was a little fox', t => { got += t })
    for (const piece of ['there was a little ', 'fox', ' who lived in a hole.']) c.push(piece)
    c.end()
    assert.equal(got, ' who lived in a hole.')
    got = ''
    const d = new Continuation('abc', t => { got += t })
    d.push(' and more')
    d.end()
    assert.equal(got, ' and more')
  })
})

describe('signed adverts', () => {
  it('verify with the sender\'s key and refuse another sender, a changed byte or an expired advert', async () => {
    const signer = createSigner(new Uint8Array(32).fill(7))
    const provider: Provider = { name: 'ollama', kind: 'ollama', tier: 'local', models: async () => [{ name: 'm:1', loaded: true, capabilities: ['completion'] }], chat: async () => { throw new Error('unused') } }
    const ex = new Executor({ peerId: 'peer-a', providers: [provider], signer, now: () => 1_000_000 })
    await ex.refresh()
    const bytes = ex.advert()
    const advert = openAdvert(bytes, signer.publicKey, 'peer-a', 1_000_000)
    assert.equal(advert.providers[0]?.models[0]?.name, 'm:1')
    assert.throws(() => openAdvert(bytes, signer.publicKey, 'peer-b', 1_000_000), AdvertError)
    const tampered = bytes.slice()
    tampered[20] = (tampered[20] as number) ^ 1
    assert.throws(() => openAdvert(tampered, signer.publicKey, 'peer-a', 1_000_000), /signature|malformed|another peer/)
    assert.throws(() => openAdvert(bytes, signer.publicKey, 'peer-a', 1_000_000 + 31_000), /expired/)
    assert.throws(() => openAdvert(new Uint8Array(30_000), signer.publicKey, 'peer-a'), /malformed/)
  })
})

describe('a large model list', () => {
  it('is trimmed to the advert budget from the provider with the most models, models in memory kept, and the same list is not encoded again', async () => {
    const signer = createSigner(new Uint8Array(32).fill(9))
    let listed = 0
    const providers: Provider[] = Array.from({ length: 16 }, (_, p) => ({
      name: `p${p}`, kind: 'openai', tier: 'local',
      models: async () => { listed++; return Array.from({ length: p === 0 ? 128 : 128 - p }, (_, i) => ({ name: `vendor/model-${p}-${i}-with-a-long-name:q4_K_M`, loaded: i === 127 - p, capabilities: ['completion'], digest: 'sha256:' + 'ab'.repeat(32), family: 'llama', sizeBytes: 4e9, contextLength: 8192 })) },
      chat: async () => { throw new Error('unused') }
    }))
    const ex = new Executor({ peerId: 'peer-a', providers, signer, now: () => 1_000_000 })
    await ex.refresh()
    assert.equal(listed, 16)
    const bytes = ex.advert()
    const advert = openAdvert(bytes, signer.publicKey, 'peer-a', 1_000_000)
    const counts = advert.providers.map(p => p.models.length)
    const total = counts.reduce((a, b) => a + b, 0)
    assert.ok(total > 0 && total < 16 * 120, `trimmed: ${total} models kept`)
    // evened out from the top: no provider keeps more than one model over another
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `counts ${counts.join(',')}`)
    // each provider's model in memory is the one it keeps first
    for (const [i, p] of advert.providers.entries()) assert.equal(p.models[0]?.loaded, true, `provider ${i}`)
    // one model more would not have fitted: the trim stops as soon as the advert fits
    const again = advert.providers.map(p => ({ ...p, models: [...p.models] }))
    again[0]!.models.push({ ...again[0]!.models[0]!, name: 'x'.repeat(again[0]!.models[0]!.name.length) })
    fitAdvert(again)
    assert.equal(again.reduce((a, p) => a + p.models.length, 0), total, 'the trimmed advert has no room to spare for one more model')
    // the same list and load: the signed bytes are served again, unchanged
    assert.deepEqual(ex.advert(), bytes)
  })
})

describe('the executor', () => {
  class Scripted implements Provider {
    readonly kind = 'openai'
    calls = 0
    constructor (readonly name: string, readonly tier: 'local' | 'cloud', private readonly fail?: ProviderError) {}
    async models (): Promise<ModelInfo[]> { return [{ name: 'm:1', loaded: true, capabilities: ['completion'] }] }
    async chat (req: ChatRequest, o: ChatOptions = {}): Promise<any> {
      this.calls++
      if (this.fail != null) throw this.fail
      o.onText?.('hi')
      return { text: 'hi', model: req.model, finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1 }, firstTokenMs: 1, totalMs: 2 }
    }
  }

  it('refuses what the residency forbids without calling the provider, and cools a provider down after a 429', async () => {
    let now = 0
    const cloud = new Scripted('cloud', 'cloud', new ProviderError('rate-limit', 'cloud', 'rate limited (HTTP 429)', 7_000, 429))
    const ex = new Executor({ peerId: 'me', providers: [cloud], signer: createSigner(new Uint8Array(32)), now: () => now })
    await ex.refresh()
    const req = { provider: 'cloud', model: 'm:1', messages: [{ role: 'user' as const, content: 'q' }], self: true }
    await assert.rejects(ex.run({ ...req, residency: 'mesh' }), (e: TaskFailedError) => e.code === 'residency')
    assert.equal(cloud.calls, 0)
    await assert.rejects(ex.run({ ...req, residency: 'cloud' }), (e: TaskFailedError) => e.code === 'rate-limit' && e.retryAfterMs === 7_000)
    assert.equal(ex.providers()[0]?.cooldownUntil, 7_000)
    await assert.rejects(ex.run({ ...req, residency: 'cloud' }), (e: TaskFailedError) => e.code === 'rate-limit')
    assert.equal(cloud.calls, 1, 'no request during the cooldown')
    now = 7_001
    assert.equal(ex.providers()[0]?.cooldownUntil, 0)
    ex.stop()
  })
})

describe('models kept to their device', () => {
  it('are not advertised, serve the device\'s own tasks, and refuse a peer\'s', async () => {
    const signer = createSigner(new Uint8Array(32).fill(5))
    const provider: Provider = {
      name: 'llama',
      kind: 'llama',
      tier: 'local',
      models: async () => [{ name: 'shared', loaded: false, capabilities: ['completion'] }, { name: 'private', loaded: false, capabilities: ['completion'], localOnly: true }],
      chat: async (req) => ({ text: 'ok', toolCalls: [], model: req.model, finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1 }, firstTokenMs: 1, totalMs: 1 })
    }
    const ex = new Executor({ peerId: 'peer-a', providers: [provider], signer, now: () => 1_000_000 })
    await ex.refresh()
    const advert = openAdvert(ex.advert(), signer.publicKey, 'peer-a', 1_000_000)
    assert.deepEqual(advert.providers[0]?.models.map(m => m.name), ['shared'])
    const req = { provider: 'llama', model: 'private', messages: [{ role: 'user' as const, content: 'q' }], residency: 'mesh' as const }
    assert.equal((await ex.run({ ...req, self: true })).model, 'private')
    await assert.rejects(ex.run({ ...req, self: false }), (e: TaskFailedError) => e.code === 'unknown-model')
    ex.stop()
  })
})

describe('limits on what a node sends and believes', () => {
  it('trims an advert of many models to fit a beacon, keeping the loaded ones', async () => {
    const signer = createSigner(new Uint8Array(32).fill(3))
    const many: ModelInfo[] = Array.from({ length: 400 }, (_, i) => ({ name: `model-${i}:latest`, digest: 'f'.repeat(64), family: 'llama', sizeBytes: 4_000_000_000 + i, quantization: 'Q4_K_M', loaded: i === 399, capabilities: ['completion'] }))
    const providers: Provider[] = Array.from({ length: 20 }, (_, i) => ({ name: `p${i}`, kind: 'ollama', tier: 'local', models: async () => many, chat: async () => { throw new Error('unused') } }))
    const ex = new Executor({ peerId: 'peer-a', providers, signer, now: () => 5_000 })
    await ex.refresh()
    const bytes = ex.advert()
    assert.ok(bytes.byteLength <= 24 * 1024, `${bytes.byteLength} bytes`)
    const advert = openAdvert(bytes, signer.publicKey, 'peer-a', 5_000)
    assert.equal(advert.providers.length, 16)
    assert.equal(advert.providers[0]?.models[0]?.name, 'model-399:latest', 'the loaded model is kept')
    assert.equal(advert.providers[0]?.models[0]?.size, 4_000_000_399, 'a size over 2^31 survives the wire')
  })

  it('a Retry-After of absurd size becomes an hour, not a crash', async () => {
    const { retryAfterMs } = await import('@smesh/inference')
    assert.equal(retryAfterMs('9'.repeat(60)), 3_600_000)
    assert.equal(retryAfterMs('7'), 7_000)
    assert.equal(retryAfterMs('Wed, 21 Oct 2999 07:28:00 GMT', 0), 3_600_000)
  })
})

describe('task receipts', () => {
  it('verify with the serving node\'s PeerId for exactly the fields it signed, and nothing else', async () => {
    const { generateKeyPair } = await import('@libp2p/crypto/keys')
    const { peerIdFromPrivateKey } = await import('@libp2p/peer-id')
    const server = await generateKeyPair('Ed25519')
    const other = await generateKeyPair('Ed25519')
    const serverId = peerIdFromPrivateKey(server).toString()
    const fields = { task: 'ab'.repeat(16), submitter: peerIdFromPrivateKey(other).toString(), provider: 'ollama', model: 'llama3.2:3b', digest: 'sha256:0f1e', tier: 'local', inputTokens: 31, outputTokens: 12 }
    const sig = await server.sign(receiptBytes(fields))
    assert.equal(sig.byteLength, RECEIPT_BYTES)
    assert.equal(await verifyReceipt(serverId, fields, sig), true)
    // another model, more tokens, another submitter or task: refused
    for (const changed of [{ model: 'qwen3:8b' }, { outputTokens: 13 }, { submitter: serverId }, { task: 'cd'.repeat(16) }, { digest: '' }]) {
      assert.equal(await verifyReceipt(serverId, { ...fields, ...changed }, sig), false, JSON.stringify(changed))
    }
    // signed by another key, cut short, or a PeerId that is no key
    assert.equal(await verifyReceipt(serverId, fields, await other.sign(receiptBytes(fields))), false)
    assert.equal(await verifyReceipt(serverId, fields, sig.slice(0, 63)), false)
    assert.equal(await verifyReceipt('not-a-peer-id', fields, sig), false)
    // the signed bytes, as the task SPEC gives them
    assert.equal(new TextDecoder().decode(receiptBytes(fields)), `smesh/task-receipt/1\n["${fields.task}","${fields.submitter}","ollama","llama3.2:3b","sha256:0f1e","local",31,12]`)
  })
})
