import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { decodeEntry, signEntry } from '../src/entry.js'
import { Scope, T0, hex, ingestAll, json, makeAuthor, seedOf, signChain, signNext } from './fixtures.js'
import type { Bus } from '../src/bus.js'
import type { IngestResult } from '../src/bus-types.js'
import type { BusEntry } from '../src/entry.js'
import type { Author } from './fixtures.js'

const scope = new Scope()
after(async () => { await scope.cleanup() })

function reasonOf (r: IngestResult): string {
  return r.result === 'reject' ? r.error.reason : r.result === 'ignore' ? r.reason : 'accept'
}

/** Asserts that `bus` holds nothing of `e`: not by hash, and its author's head is below it. */
async function assertNotStored (bus: Bus, e: BusEntry, headSeq: bigint | undefined): Promise<void> {
  assert.equal(await bus.store.entry(e.hashHex), undefined)
  assert.equal(bus.head(e.authorHex)?.seq, headSeq)
  assert.equal((await bus.store.heads()).find(h => h.authorHex === e.authorHex)?.seq, headSeq)
}

describe('Bus.ingest of another author\'s entries', () => {
  let a: Author
  let b: Author
  let other: Author
  let chain: BusEntry[]
  before(async () => {
    ;[a, b, other] = await Promise.all([makeAuthor(seedOf(20)), makeAuthor(seedOf(21)), makeAuthor(seedOf(22))])
    const source = await scope.bus(a)
    for (let i = 0; i < 5; i++) await source.append('test.note', json({ i }))
    chain = (await source.range(a.authorHex, 1n, 10)).map(raw => decodeEntry(raw))
  })

  it('accepts a chain in order, with the author\'s PeerId from its binding, and ignores duplicates', async () => {
    const bus = await scope.bus(b)
    const events: Array<{ seq: bigint, local: boolean }> = []
    bus.addEventListener('bus:entry', ev => { events.push({ seq: ev.detail.entry.seq, local: ev.detail.local }) })
    assert.deepEqual(await ingestAll(bus, chain), ['accept', 'accept', 'accept', 'accept', 'accept'])
    assert.deepEqual(bus.head(a.authorHex), { authorHex: a.authorHex, seq: 5n, hashHex: chain[4]?.hashHex })
    assert.equal(bus.peerIdOf(a.authorHex), a.peerId)
    assert.equal(hex((await bus.authorKey(a.authorHex))?.publicKey), hex(a.publicKey))
    assert.deepEqual(events, chain.map(e => ({ seq: e.seq, local: false })))
    for (const e of chain) assert.equal(hex(await bus.store.rawEntry(e.hashHex)), hex(e.bytes))
    assert.deepEqual((await bus.range(a.authorHex, 1n, 100)).map(hex), chain.map(e => hex(e.bytes)))
    for (const e of [chain[0], chain[3]] as BusEntry[]) assert.equal(reasonOf(await bus.ingest(e.bytes)), 'duplicate')
    assert.equal(bus.head(a.authorHex)?.seq, 5n)
    assert.equal(events.length, 5)
  })

  it('holds an entry beyond a gap (asking for a sync) and applies it once the gap is filled', async () => {
    const bus = await scope.bus(b)
    const needs: string[] = []
    bus.addEventListener('bus:need', ev => { needs.push(ev.detail.authorHex) })
    const [e1, e2, e3, e4] = chain as [BusEntry, BusEntry, BusEntry, BusEntry]
    assert.equal(reasonOf(await bus.ingest(e3.bytes)), 'unknown-author')
    assert.equal(bus.head(a.authorHex), undefined)
    assert.equal(reasonOf(await bus.ingest(e1.bytes)), 'accept')
    assert.equal(reasonOf(await bus.ingest(e4.bytes)), 'gap')
    assert.ok(needs.length >= 2 && needs.every(n => n === a.authorHex))
    assert.equal(bus.head(a.authorHex)?.seq, 1n)
    await assertNotStored(bus, e4, 1n)
    // e2 fills the gap: e3 and e4, held, follow
    assert.equal(reasonOf(await bus.ingest(e2.bytes)), 'accept')
    assert.equal(bus.head(a.authorHex)?.seq, 4n)
    assert.equal(bus.head(a.authorHex)?.hashHex, e4.hashHex)
    assert.equal(hex(await bus.store.rawEntry(e4.hashHex)), hex(e4.bytes))
    assert.equal(reasonOf(await bus.ingest(e4.bytes)), 'duplicate')
  })

  it('a forged entry beyond a gap is rejected, not held, and does not keep out the genuine one', async () => {
    const bus = await scope.bus(b)
    const [e1, e2, e3] = chain as [BusEntry, BusEntry, BusEntry]
    await bus.ingest(e1.bytes)
    const forged = await signEntry(other.signer, a.author, { kind: 'test.note', body: json({ forged: true }), hlc: { ms: 5n, counter: 0 }, seq: 3n, prev: e2.hash })
    assert.equal(reasonOf(await bus.ingest(forged.bytes)), 'signature')
    assert.equal(reasonOf(await bus.ingest(e3.bytes)), 'gap')
    assert.equal(reasonOf(await bus.ingest(e2.bytes)), 'accept')
    assert.equal(bus.head(a.authorHex)?.seq, 3n)
  })

  it('rejects an entry signed by another key but claiming the author, storing nothing', async () => {
    const bus = await scope.bus(b)
    await ingestAll(bus, chain.slice(0, 3))
    const prev = chain[2] as BusEntry
    const forged = await signEntry(other.signer, a.author, { kind: 'test.note', body: json({ forged: true }), hlc: { ms: prev.hlc.ms + 1n, counter: 0 }, seq: 4n, prev: prev.hash })
    const r = await bus.ingest(forged.bytes)
    assert.equal(reasonOf(r), 'signature')
    assert.equal(r.result === 'reject' && r.error.name, 'InvalidEntryError')
    await assertNotStored(bus, forged, 3n)
    // the genuine entry is still accepted afterwards
    assert.equal(reasonOf(await bus.ingest((chain[3] as BusEntry).bytes)), 'accept')
  })

  it('rejects an entry that does not link to the previous one, storing nothing', async () => {
    const bus = await scope.bus(b)
    await ingestAll(bus, chain.slice(0, 2))
    const bad = await signEntry(a.signer, a.author, { kind: 'test.note', body: json({}), hlc: { ms: BigInt(T0) + 1_000n, counter: 0 }, seq: 3n, prev: new Uint8Array(32).fill(7) })
    assert.equal(reasonOf(await bus.ingest(bad.bytes)), 'link')
    await assertNotStored(bus, bad, 2n)
  })

  it('rejects a first entry whose binding does not bind its key, and undecodable bytes', async () => {
    const bus = await scope.bus(b)
    const e = await signEntry(other.signer, other.author, { kind: 'test.note', body: json({}), hlc: { ms: 5n, counter: 0 }, seq: 1n, binding: a.binding })
    assert.equal(reasonOf(await bus.ingest(e.bytes)), 'binding')
    await assertNotStored(bus, e, undefined)
    assert.equal(bus.peerIdOf(other.authorHex), undefined)
    assert.equal(reasonOf(await bus.ingest(new Uint8Array([1, 2, 3]))), 'malformed')
    assert.deepEqual(bus.heads(), [])
  })

  it('ingestRun stores a run of 300 consecutive entries, skips what it holds, and reports a diverging branch', async () => {
    const long = await signChain(other, 300, i => ({ kind: 'test.bulk', body: json({ i }) }))
    const bus = await scope.bus(b)
    assert.deepEqual(await bus.ingestRun(long.slice(0, 1).map(e => e.bytes)), { added: 1, forks: 0 })
    assert.deepEqual(await bus.ingestRun(long.map(e => e.bytes)), { added: 299, forks: 0 })
    assert.deepEqual(bus.head(other.authorHex), { authorHex: other.authorHex, seq: 300n, hashHex: long[299]?.hashHex })
    const stored = await bus.range(other.authorHex, 1n, 1000)
    assert.equal(stored.length, 300)
    assert.deepEqual(stored.map(hex), long.map(e => hex(e.bytes)))
    assert.deepEqual(await bus.ingestRun(long.slice(100, 200).map(e => e.bytes)), { added: 0, forks: 0 })
    // a run that starts right after the head but on another branch
    const branch = await signNext(other, { ...(long[299] as BusEntry), hash: new Uint8Array(32) })
    assert.deepEqual(await bus.ingestRun([branch.bytes]), { added: 0, diverged: 300n, forks: 0 })
    await assertNotStored(bus, branch, 300n)
  })

  it('ingestRun refuses a run with a gap, mixed authors, or a bad link, storing nothing', async () => {
    const bus = await scope.bus(b)
    const run = chain.map(e => e.bytes)
    await assert.rejects(bus.ingestRun([run[0], run[1], run[3]] as Uint8Array[]), { name: 'InvalidEntryError', reason: 'seq' })
    const mine = await signNext(b, undefined)
    await assert.rejects(bus.ingestRun([run[0] as Uint8Array, mine.bytes]), { name: 'InvalidEntryError', reason: 'author' })
    const bad = await signEntry(a.signer, a.author, { kind: 'test.note', body: json({}), hlc: { ms: 9n, counter: 0 }, seq: 3n, prev: new Uint8Array(32) })
    await assert.rejects(bus.ingestRun([run[0], run[1], bad.bytes] as Uint8Array[]), { name: 'InvalidEntryError', reason: 'link' })
    assert.deepEqual(bus.heads(), [])
    assert.equal(await bus.store.entry((chain[0] as BusEntry).hashHex), undefined)
  })
})
