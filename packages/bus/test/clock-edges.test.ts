import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { decodeEntry } from '../src/entry.js'
import { memoryGet, memoryList, queryLog } from '../src/queries.js'
import { Scope, T0, json, makeAuthor, seedOf, signNext } from './fixtures.js'
import type { Author } from './fixtures.js'

const scope = new Scope()
after(async () => { await scope.cleanup() })

/** Entries from a peer with extreme (but validly signed) clocks. */
describe('peer entries with extreme clocks', () => {
  let peer: Author
  let me: Author
  before(async () => { [peer, me] = await Promise.all([makeAuthor(seedOf(100)), makeAuthor(seedOf(101))]) })

  it('a peer entry dated an hour ahead is not taken until the clock reaches it, and never drags the clock', async () => {
    let now = T0 + 5_000
    const bus = await scope.bus(me, { now: () => now })
    const future = await signNext(peer, undefined, { kind: 'memory.put', body: json({ key: 'pinned', value: 'from the future' }), hlc: { ms: BigInt(now + 3_600_000), counter: 0 } })
    const r = await bus.ingest(future.bytes)
    assert.deepEqual(r, { result: 'ignore', reason: 'future' })
    assert.equal(await bus.store.rawEntry(future.hashHex), undefined, 'not stored')
    const mine = await bus.append('test.note', json({}))
    assert.equal(mine.hlc.ms, BigInt(now), 'the clock was not moved')
    // five minutes ahead is the most that is taken
    now += 3_600_000 - 5 * 60_000
    assert.equal((await bus.ingest(future.bytes)).result, 'accept')
    assert.equal((await memoryGet(bus, 'pinned')).value, 'from the future')
  })

  it('after a peer entry with the largest counter, this node\'s next entry is still a valid entry', async () => {
    const now = T0 + 7_000
    const bus = await scope.bus(me, { now: () => now })
    const maxed = await signNext(peer, undefined, { kind: 'test.note', hlc: { ms: BigInt(now), counter: 2 ** 32 - 1 } })
    assert.equal((await bus.ingest(maxed.bytes)).result, 'accept')
    const mine = await bus.append('memory.put', json({ key: 'k', value: 'mine' }))
    // what peers will do with it: decode it from its bytes
    const decoded = decodeEntry(mine.bytes)
    assert.deepEqual({ ...decoded.hlc }, { ...mine.hlc })
    assert.ok(decoded.hlc.ms > maxed.hlc.ms || decoded.hlc.counter > maxed.hlc.counter)
    assert.equal((await memoryGet(bus, 'k')).value, 'mine')
    const other = await scope.bus(await makeAuthor())
    await other.ingest(maxed.bytes)
    assert.equal((await other.ingest(mine.bytes)).result, 'accept')
  })

  it('a peer entry dated beyond 2^48 ms is refused, and the log and memory listings keep working', async () => {
    const bus = await scope.bus(me)
    await bus.append('memory.put', json({ key: 'mine', value: 1 }))
    const e = await signNext(peer, undefined, { kind: 'memory.put', body: json({ key: 'theirs', value: 2 }), hlc: { ms: 2n ** 62n, counter: 0 } })
    const r = await bus.ingest(e.bytes)
    assert.equal(r.result, 'reject')
    assert.equal(r.result === 'reject' && r.error.reason, 'malformed')
    assert.deepEqual((await memoryList(bus)).map(m => m.key), ['mine'])
    assert.equal((await queryLog(bus, {})).length, 1)
  })
})
