import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { Entry } from '@smesh/protocols'
import { verifyBundleFile } from '../src/bundle-verify.js'
import { memoryList, memorySet } from '../src/queries.js'
import { Scope, T0, collect, json, makeAuthor, signChain, signNext } from './fixtures.js'
import { exportBundle } from '../src/bundle.js'
import { signEntry } from '../src/entry.js'
import { ChainVerifier } from '../src/verify.js'

const scope = new Scope()
after(async () => { await scope.cleanup() })

describe('bounds and edge cases found in review', () => {
  it('entries of unknown authors, which cannot be checked, are held within 16 MiB and dropped after a minute', async () => {
    let now = T0 + 1_000
    const bus = await scope.bus(await makeAuthor(), { now: () => now })
    const forged = (): Uint8Array => Entry.encode({
      version: 1, algorithm: 1, author: new Uint8Array(randomBytes(32)), seq: 2n, prev: new Uint8Array(randomBytes(32)),
      hlcMs: BigInt(T0), hlcCounter: 0, kind: 'test.note', body: new Uint8Array(60_000) as Uint8Array<ArrayBuffer>,
      publicKey: new Uint8Array(0), binding: new Uint8Array(0), signature: new Uint8Array(randomBytes(3309))
    } as Entry)
    for (let i = 0; i < 400; i++) assert.deepEqual(await bus.ingest(forged()), { result: 'ignore', reason: 'unknown-author' })
    const held = bus.heldStats()
    assert.ok(held.bytes <= 16 * 1024 * 1024, `held ${held.bytes} bytes`)
    assert.ok(held.entries > 100 && held.entries < 300, `held ${held.entries} entries`)
    now += 61_000
    await bus.ingest(forged())
    assert.equal(bus.heldStats().entries, 1, 'older held entries expired')
  })

  it('an author\'s clock never goes back along its chain: an entry dated before the one it follows is refused by gossip, sync and the verifier', async () => {
    const a = await makeAuthor()
    const e1 = await signNext(a, undefined, { hlc: { ms: BigInt(T0 + 100), counter: 3 } })
    const back = await signNext(a, e1, { hlc: { ms: BigInt(T0 + 100), counter: 3 } })
    const bus = await scope.bus(await makeAuthor())
    assert.equal((await bus.ingest(e1.bytes)).result, 'accept')
    const r = await bus.ingest(back.bytes)
    assert.equal(r.result === 'reject' && r.error.reason, 'hlc')
    const other = await scope.bus(await makeAuthor())
    await assert.rejects(other.ingestRun([e1.bytes, back.bytes]), (err: any) => err.reason === 'hlc')
    const v = new ChainVerifier(true)
    v.begin(a.authorHex)
    assert.equal(await v.push(e1.bytes), true)
    assert.equal(await v.push(back.bytes), false)
    assert.equal((await v.end())?.firstFailure?.reason, 'hlc')
    // a later counter in the same ms is later
    const fwd = await signNext(a, e1, { hlc: { ms: BigInt(T0 + 100), counter: 4 } })
    assert.equal((await bus.ingest(fwd.bytes)).result, 'accept')
  })

  it('memory keys with a lone surrogate are refused, and peers\' entries with such keys change no view', async () => {
    const [a, b] = await Promise.all([makeAuthor(), makeAuthor()])
    const one = await scope.bus(a)
    await assert.rejects(memorySet(one, 'k\ud800', 1), { name: 'InvalidBodyError' })
    // two keys that UTF-8 would store alike; applied one by one on one node and as one run on another
    const e1 = await signNext(b, undefined, { kind: 'memory.put', body: json({ key: 'k\ud800', value: 'first' }), hlc: { ms: BigInt(T0 + 100), counter: 0 } })
    const e2 = await signNext(b, e1, { kind: 'memory.put', body: json({ key: 'k\udc00', value: 'second' }), hlc: { ms: BigInt(T0 + 200), counter: 0 } })
    for (const e of [e1, e2]) assert.equal((await one.ingest(e.bytes)).result, 'accept')
    const two = await scope.bus(await makeAuthor())
    assert.equal((await two.ingestRun([e1.bytes, e2.bytes])).added, 2)
    assert.deepEqual(await memoryList(one), [])
    assert.deepEqual(await memoryList(two), [])
  })

  it('a fork proof that arrives before the catch-up is exported once and the bundle verifies, showing the fork', async () => {
    const a = await makeAuthor()
    const chain = await signChain(a, 3)
    const twin = await signEntry(a.signer, a.author, { kind: 'test.note', body: json({ other: 'branch' }), hlc: (chain[2] as typeof twin).hlc, seq: 3n, prev: chain[1]?.hash })
    const bus = await scope.bus(await makeAuthor())
    await bus.ingest((chain[0] as typeof twin).bytes)
    assert.equal(await bus.ingestForkProof((chain[2] as typeof twin).bytes, twin.bytes), true)
    assert.equal((await bus.ingestRun(chain.slice(1).map(e => e.bytes))).added, 2)
    const forks = await bus.store.forks()
    assert.deepEqual(forks.map(f => [f.seq, f.hashes]), [[3n, [chain[2]?.hashHex, twin.hashHex]]])
    const file = join(await scope.dir(), 'x.bundle')
    const plan = await exportBundle(bus, { mesh: 'test' })
    await writeFile(file, await collect(plan.bytes))
    const report = await verifyBundleFile(file)
    assert.equal(report.firstFailure, null, JSON.stringify(report.firstFailure))
    assert.equal(report.ok, true)
    assert.deepEqual(report.forks.map(f => [f.author, f.seq]), [[a.authorHex, '3']])
  })
})
