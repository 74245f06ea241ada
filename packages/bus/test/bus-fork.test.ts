import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { signEntry } from '../src/entry.js'
import { verifyStore } from '../src/verify-store.js'
import { Scope, hex, ingestAll, json, makeAuthor, seedOf, signChain } from './fixtures.js'
import type { ForkEvidence } from '../src/bus-types.js'
import type { BusEntry } from '../src/entry.js'
import type { Author } from './fixtures.js'

const scope = new Scope()
after(async () => { await scope.cleanup() })

describe('forks: two validly signed entries of one author with one seq', () => {
  let a: Author
  let b: Author
  let c: Author
  let chain: BusEntry[]
  let twin: BusEntry
  before(async () => {
    ;[a, b, c] = await Promise.all([makeAuthor(seedOf(30)), makeAuthor(seedOf(31)), makeAuthor(seedOf(32))])
    chain = await signChain(a, 4)
    const [e1, e2] = chain as [BusEntry, BusEntry]
    // same author, same seq 2, same prev, another body: signed with the author's own key
    twin = await signEntry(a.signer, a.author, { kind: 'test.note', body: json({ other: 'branch' }), hlc: e2.hlc, seq: 2n, prev: e1.hash })
    assert.notEqual(twin.hashHex, e2.hashHex)
  })

  it('is recorded when the second version arrives: forks(), authorViews and a bus:fork event; the chain is kept', async () => {
    const bus = await scope.bus(b)
    const events: ForkEvidence[] = []
    bus.addEventListener('bus:fork', ev => { events.push(ev.detail) })
    await ingestAll(bus, chain)
    assert.deepEqual(await bus.store.forks(), [])
    assert.deepEqual(await bus.ingest(twin.bytes), { result: 'accept', fork: true })

    assert.deepEqual(await bus.store.forks(), [{ authorHex: a.authorHex, seq: 2n, hashes: [chain[1]?.hashHex, twin.hashHex] }])
    const view = bus.authorViews().find(v => v.author === a.authorHex)
    assert.equal(view?.forked, true)
    assert.equal(view?.forkedAt, '2')
    assert.equal(view?.seq, '4', 'the chain this node follows is unchanged')
    assert.equal(bus.head(a.authorHex)?.hashHex, chain[3]?.hashHex)
    assert.equal(await bus.store.hashAt(a.authorHex, 2n), chain[1]?.hashHex)
    // the evidence is kept by hash, never on the chain
    assert.equal(hex(await bus.store.rawEntry(twin.hashHex)), hex(twin.bytes))
    assert.deepEqual((await bus.range(a.authorHex, 1n, 10)).map(hex), chain.map(e => hex(e.bytes)))

    assert.equal(events.length, 1)
    assert.equal(events[0]?.authorHex, a.authorHex)
    assert.equal(events[0]?.seq, 2n)
    assert.equal(hex(events[0]?.a), hex(chain[1]?.bytes))
    assert.equal(hex(events[0]?.b), hex(twin.bytes))

    // a second copy is nothing new
    assert.deepEqual(await bus.ingest(twin.bytes), { result: 'ignore', reason: 'known-fork' })
    assert.equal(events.length, 1)
    assert.equal((await bus.store.forks()).length, 1)

    // every chain checks out (both branches are validly signed); the fork is reported beside it
    const report = await verifyStore(bus, { all: true })
    const ra = report.authors.find(r => r.author === a.authorHex)
    assert.equal(ra?.firstFailure, null)
    assert.deepEqual(ra?.forks, [{ seq: '2', hashes: [chain[1]?.hashHex, twin.hashHex] }])
    assert.equal(report.ok, true)
  })

  it('is recorded from sync too (ingestRun over entries already held)', async () => {
    const bus = await scope.bus(b)
    await ingestAll(bus, chain.slice(0, 3))
    assert.deepEqual(await bus.ingestRun([twin.bytes]), { added: 0, forks: 1 })
    assert.equal(bus.authorViews().find(v => v.author === a.authorHex)?.forked, true)
    assert.equal(bus.head(a.authorHex)?.seq, 3n)
  })

  it('a fork proof makes a third node record it, once; a node that does not know the author ignores it', async () => {
    const bus = await scope.bus(c)
    const events: ForkEvidence[] = []
    bus.addEventListener('bus:fork', ev => { events.push(ev.detail) })
    assert.equal(await bus.ingestForkProof((chain[1] as BusEntry).bytes, twin.bytes), false, 'unknown author')
    assert.deepEqual(await bus.store.forks(), [])

    await ingestAll(bus, chain)
    assert.equal(await bus.ingestForkProof(twin.bytes, (chain[1] as BusEntry).bytes), true)
    assert.deepEqual(await bus.store.forks(), [{ authorHex: a.authorHex, seq: 2n, hashes: [chain[1]?.hashHex, twin.hashHex] }])
    assert.equal(bus.authorViews().find(v => v.author === a.authorHex)?.forked, true)
    assert.equal(events.length, 1)
    assert.equal(await bus.ingestForkProof((chain[1] as BusEntry).bytes, twin.bytes), false, 'already known')
  })

  it('a fork proof that is not one is refused: same entry twice, different seqs, a forged signature', async () => {
    const bus = await scope.bus(c)
    await ingestAll(bus, chain)
    const [e1, e2, e3] = chain as [BusEntry, BusEntry, BusEntry]
    await assert.rejects(bus.ingestForkProof(e2.bytes, e2.bytes), { name: 'InvalidEntryError', reason: 'malformed' })
    await assert.rejects(bus.ingestForkProof(e2.bytes, e3.bytes), { name: 'InvalidEntryError', reason: 'malformed' })
    const forged = await signEntry(b.signer, a.author, { kind: 'test.note', body: json({ forged: 1 }), hlc: e2.hlc, seq: 2n, prev: e1.hash })
    await assert.rejects(bus.ingestForkProof(e2.bytes, forged.bytes), { name: 'InvalidEntryError', reason: 'signature' })
    const r = await bus.ingest(forged.bytes)
    assert.equal(r.result === 'reject' && r.error.reason, 'signature')
    assert.deepEqual(await bus.store.forks(), [])
    assert.equal(await bus.store.entry(forged.hashHex), undefined)
    assert.equal(bus.authorViews().find(v => v.author === a.authorHex)?.forked, false)
  })

  it('the fork record survives a restart', async () => {
    const dir = await scope.dir()
    const first = await scope.bus(b, { dir: `${dir}/bus` })
    await ingestAll(first, chain)
    await first.ingest(twin.bytes)
    await first.close()
    const again = await scope.bus(b, { dir: `${dir}/bus` })
    const view = again.authorViews().find(v => v.author === a.authorHex)
    assert.deepEqual({ forked: view?.forked, forkedAt: view?.forkedAt, seq: view?.seq }, { forked: true, forkedAt: '2', seq: '4' })
    assert.equal((await again.store.forks()).length, 1)
  })
})
