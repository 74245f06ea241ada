import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { Bus } from '../src/bus.js'
import { decodeEntry } from '../src/entry.js'
import { compareTimestamps } from '../src/hlc.js'
import { memoryGet, memoryList, memorySet } from '../src/queries.js'
import { LevelStorage } from '../src/store/level-storage.js'
import { verifyStore } from '../src/verify-store.js'
import { Scope, hex, json, makeAuthor, seedOf } from './fixtures.js'
import type { BusEntry } from '../src/entry.js'
import type { Author } from './fixtures.js'

const scope = new Scope()
after(async () => { await scope.cleanup() })

/** Checks that the stored chain of `bus`'s own author is 1..n, each entry linking to the one before. */
async function assertChain (bus: Bus, n: number): Promise<BusEntry[]> {
  const raws = await bus.range(bus.authorHex, 1n, n + 10)
  assert.equal(raws.length, n)
  const chain = raws.map(decodeEntry)
  chain.forEach((e, i) => {
    assert.equal(e.seq, BigInt(i + 1))
    assert.equal(e.authorHex, bus.authorHex)
    assert.equal(hex(e.entry.prev), i === 0 ? '' : hex(chain[i - 1]?.hash))
    if (i > 0) assert.ok(compareTimestamps(e.hlc, (chain[i - 1] as BusEntry).hlc) > 0, 'HLC increases along the chain')
  })
  assert.deepEqual(bus.head(bus.authorHex), { authorHex: bus.authorHex, seq: BigInt(n), hashHex: chain[n - 1]?.hashHex })
  return chain
}

describe('Bus.append on LevelDB', () => {
  let a: Author
  before(async () => { a = await makeAuthor(seedOf(10)) })

  it('assigns seq 1, 2, 3 with prev links; the first entry carries key and binding', async () => {
    const bus = await scope.bus(a)
    assert.deepEqual(bus.heads(), [])
    const e1 = await bus.append('test.note', json({ n: 1 }))
    const e2 = await bus.append('test.note', json({ n: 2 }))
    const e3 = await bus.append('test.note', json({ n: 3 }))
    assert.deepEqual([e1.seq, e2.seq, e3.seq], [1n, 2n, 3n])
    assert.equal(hex(e2.entry.prev), hex(e1.hash))
    assert.equal(hex(e3.entry.prev), hex(e2.hash))
    assert.equal(hex(e1.entry.publicKey), hex(a.publicKey))
    assert.equal(hex(e1.entry.binding), hex(a.binding))
    assert.equal(e2.entry.publicKey.byteLength, 0)
    assert.equal(bus.authorHex, a.authorHex)
    await assertChain(bus, 3)
    // what was returned is what was stored
    assert.equal(hex((await bus.store.entry(e2.hashHex))?.bytes), hex(e2.bytes))
  })

  it('50 concurrent appends make one unbroken chain, each caller getting its own entry', async () => {
    const bus = await scope.bus(a)
    const seen: bigint[] = []
    bus.addEventListener('bus:entry', ev => { if (ev.detail.local) seen.push(ev.detail.entry.seq) })
    const results = await Promise.all(Array.from({ length: 50 }, async (_, i) => await bus.append('test.note', json({ i }))))
    const chain = await assertChain(bus, 50)
    assert.deepEqual(new Set(results.map(r => r.hashHex)), new Set(chain.map(e => e.hashHex)))
    // each promise resolved with the entry holding its own body
    results.forEach((r, i) => assert.deepEqual(JSON.parse(new TextDecoder().decode(r.entry.body)), { i }))
    assert.deepEqual(seen, chain.map(e => e.seq))
    const report = await verifyStore(bus, { all: true })
    assert.equal(report.ok, true)
    assert.equal(report.authors[0]?.signaturesChecked, 50)
  })

  it('refuses a body that is invalid for a well-known kind, and a bad kind, storing nothing', async () => {
    const bus = await scope.bus(a)
    await assert.rejects(bus.append('memory.put', json({ key: 'k' })), { name: 'InvalidBodyError' })
    await assert.rejects(bus.append('memory.put', json({ key: '/abs', value: 1 })), { name: 'InvalidBodyError' })
    await assert.rejects(bus.append('session.message', json({ session: 'nope', role: 'user', content: 'x' })), { name: 'InvalidBodyError' })
    await assert.rejects(bus.append('Bad Kind', json({})), { name: 'InvalidEntryError', reason: 'kind' })
    assert.deepEqual(bus.heads(), [])
    await bus.append('test.note', json({}))
    await assertChain(bus, 1)
  })

  it('one bad append among concurrent ones fails alone: bad kind, oversize body', async () => {
    const bus = await scope.bus(a)
    const results = await Promise.allSettled([
      bus.append('test.note', json({ i: 0 })),
      bus.append('Bad Kind', json({})),
      bus.append('test.note', json({ i: 1 })),
      bus.append('test.note', new Uint8Array(64 * 1024)),
      bus.append('test.note', json({ i: 2 }))
    ])
    assert.deepEqual(results.map(r => r.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled'])
    assert.equal(results[1]?.status === 'rejected' && results[1].reason.reason, 'kind')
    assert.equal(results[3]?.status === 'rejected' && results[3].reason.reason, 'oversize')
    await assertChain(bus, 3)
  })

  it('reopening keeps heads and the memory view; the chain and its clock continue even if the wall clock went back', async () => {
    const dir = join(await scope.dir(), 'bus')
    const bus = new Bus({ storage: new LevelStorage(dir), signer: a.signer, binding: a.binding, identityCreated: true, now: () => 2_000_000_000_000 })
    await bus.open()
    await memorySet(bus, 'notes/a', { x: 1 })
    await memorySet(bus, 'notes/b', 'two')
    const last = await bus.append('test.note', json({}))
    const heads = bus.heads()
    const list = await memoryList(bus)
    await bus.close()
    await assert.rejects(bus.append('test.note', json({})), { name: 'BusStoppedError' })

    const again = await scope.bus(a, { dir, now: () => 1_000 })
    assert.deepEqual(again.heads(), heads)
    assert.deepEqual(await memoryList(again), list)
    assert.deepEqual((await memoryGet(again, 'notes/a')).value, { x: 1 })
    const next = await again.append('test.note', json({}))
    assert.equal(next.seq, 4n)
    assert.equal(hex(next.entry.prev), hex(last.hash))
    assert.ok(compareTimestamps(next.hlc, last.hlc) > 0, 'the clock resumes after the last stored entry')
    await assertChain(again, 4)
    // what a user sees: a value set after the restart replaces the one set before it
    await memorySet(again, 'notes/a', { x: 2 })
    assert.deepEqual((await memoryGet(again, 'notes/a')).value, { x: 2 })
  })

  it('a new store with an old identity does not sign until its own chain is confirmed (which survives a restart)', async () => {
    const dir = join(await scope.dir(), 'bus')
    const open = async (confirmTimeoutMs: number): Promise<Bus> => {
      const bus = new Bus({ storage: new LevelStorage(dir), signer: a.signer, binding: a.binding, identityCreated: false, confirmTimeoutMs })
      await bus.open()
      return bus
    }
    const bus = await open(50)
    assert.equal(bus.chainConfirmed, false)
    await assert.rejects(bus.append('test.note', json({})), { name: 'ChainUnconfirmedError' })
    await bus.close()
    const again = await open(30_000)
    try {
      assert.equal(again.chainConfirmed, false, 'still unconfirmed after a restart')
      const pending = again.append('test.note', json({}))
      await again.confirmOwnChain()
      assert.equal((await pending).seq, 1n)
      assert.equal(again.chainConfirmed, true)
      assert.deepEqual(again.heads().map(h => h.seq), [1n])
    } finally {
      await again.close()
    }
  })
})
