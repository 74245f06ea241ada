import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { memoryGet, memoryList, memoryRemove, memorySet } from '../src/queries.js'
import { Scope, T0, json, makeAuthor, seedOf, signNext } from './fixtures.js'
import type { BusEntry } from '../src/entry.js'
import type { Author } from './fixtures.js'

const scope = new Scope()
after(async () => { await scope.cleanup() })

const put = (key: string, value: unknown): { kind: string, body: Uint8Array } => ({ kind: 'memory.put', body: json({ key, value }) })
const hlc = (ms: number, counter = 0): { ms: bigint, counter: number } => ({ ms: BigInt(T0 + ms), counter })

describe('memory view', () => {
  let a: Author
  let b: Author
  before(async () => { [a, b] = await Promise.all([makeAuthor(seedOf(50)), makeAuthor(seedOf(51))]) })

  it('a prefix lists every key it starts, U+10FFFF in them included, across pages of 256', async () => {
    const bus = await scope.bus(a)
    const keys = ['a/\u{10FFFF}', 'a/\u{10FFFF}x', 'a/b', ...Array.from({ length: 300 }, (_, i) => `a/n${String(i).padStart(3, '0')}`), 'b/x']
    for (const k of keys) await memorySet(bus, k, 1)
    const listed = (await memoryList(bus, 'a/')).map(m => m.key)
    assert.equal(listed.length, keys.length - 1)
    assert.ok(listed.includes('a/\u{10FFFF}') && listed.includes('a/\u{10FFFF}x'), 'keys holding U+10FFFF')
    assert.ok(!listed.includes('b/x'))
    assert.deepEqual((await memoryList(bus, 'a/\u{10FFFF}')).map(m => m.key), ['a/\u{10FFFF}', 'a/\u{10FFFF}x'])
    assert.equal((await memoryList(bus, 'a/', 257)).length, 257)
  })

  it('set, get, list by prefix, remove; a removed key is not found', async () => {
    const bus = await scope.bus(a)
    await memorySet(bus, 'notes/todo', ['milk'])
    await memorySet(bus, 'notes/done', { n: 1 })
    await memorySet(bus, 'prefs/theme', 'dark')
    const got = await memoryGet(bus, 'notes/todo')
    assert.deepEqual(got.value, ['milk'])
    assert.equal(got.peerId, 'self')
    assert.equal(got.author, a.authorHex)
    assert.deepEqual((await memoryList(bus, 'notes/')).map(m => m.key), ['notes/done', 'notes/todo'])
    assert.deepEqual((await memoryList(bus)).map(m => m.key), ['notes/done', 'notes/todo', 'prefs/theme'])
    assert.deepEqual((await memoryList(bus, '', 1)).length, 1)

    await memorySet(bus, 'notes/todo', ['milk', 'eggs'])
    assert.deepEqual((await memoryGet(bus, 'notes/todo')).value, ['milk', 'eggs'])
    await memoryRemove(bus, 'notes/todo')
    await assert.rejects(memoryGet(bus, 'notes/todo'), { name: 'NotFoundError' })
    await assert.rejects(memoryRemove(bus, 'notes/todo'), { name: 'NotFoundError' })
    await assert.rejects(memoryGet(bus, 'never/set'), { name: 'NotFoundError' })
    assert.deepEqual((await memoryList(bus, 'notes/')).map(m => m.key), ['notes/done'])
    // a key can be set again after removal
    await memorySet(bus, 'notes/todo', [])
    assert.deepEqual((await memoryGet(bus, 'notes/todo')).value, [])
  })

  it('refuses invalid keys and a missing value, appending nothing', async () => {
    const bus = await scope.bus(a)
    for (const key of ['', '/abs', 'trailing/', 'a//b', ' lead', 'tab\there', 'x'.repeat(513)]) {
      await assert.rejects(memorySet(bus, key, 1), { name: 'InvalidBodyError' }, JSON.stringify(key))
      await assert.rejects(memoryGet(bus, key), { name: 'InvalidBodyError' }, JSON.stringify(key))
    }
    await assert.rejects(memorySet(bus, 'ok', undefined), { name: 'InvalidBodyError' })
    assert.deepEqual(bus.heads(), [])
  })

  it('the later HLC wins whatever the arrival order; on equal HLCs the larger author id wins', async () => {
    const a1 = await signNext(a, undefined, { ...put('k', 'a-late'), hlc: hlc(10) })
    const b1 = await signNext(b, undefined, { ...put('k', 'b-early'), hlc: hlc(5) })
    const a2 = await signNext(a, a1, { ...put('tie', 'from-a'), hlc: hlc(20, 3) })
    const b2 = await signNext(b, b1, { ...put('tie', 'from-b'), hlc: hlc(20, 3) })
    const tieWinner = a.authorHex > b.authorHex ? 'from-a' : 'from-b'
    const peerOf = (author: string): string => author === a.authorHex ? a.peerId : b.peerId
    for (const order of [[a1, b1, a2, b2], [b1, a1, b2, a2], [b2, b1, a2, a1]] as BusEntry[][]) {
      const bus = await scope.bus(await makeAuthor())
      for (const e of order) assert.notEqual((await bus.ingest(e.bytes)).result, 'reject')
      const k = await memoryGet(bus, 'k')
      assert.equal(k.value, 'a-late')
      assert.equal(k.peerId, a.peerId, 'items name the PeerId of their author')
      const t = await memoryGet(bus, 'tie')
      assert.equal(t.value, tieWinner)
      assert.equal(t.peerId, peerOf(t.author))
    }
  })

  it('a delete with an older HLC than the value does not remove it; a newer one does', async () => {
    const bus = await scope.bus(await makeAuthor())
    // a's clock only goes forward; b, whose clock is behind, deletes after a wrote
    const e1 = await signNext(a, undefined, { ...put('k', 1), hlc: hlc(10) })
    const e2 = await signNext(b, undefined, { kind: 'memory.del', body: json({ key: 'k' }), hlc: hlc(9) })
    const e3 = await signNext(b, e2, { kind: 'memory.del', body: json({ key: 'k' }), hlc: hlc(11) })
    await bus.ingest(e1.bytes)
    await bus.ingest(e2.bytes)
    assert.equal((await memoryGet(bus, 'k')).value, 1)
    await bus.ingest(e3.bytes)
    await assert.rejects(memoryGet(bus, 'k'), { name: 'NotFoundError' })
  })

  it('entries whose body is invalid for their kind are kept on the chain but leave the view alone', async () => {
    const bus = await scope.bus(b)
    const e1 = await signNext(a, undefined, { kind: 'memory.put', body: json({ key: '/bad', value: 1 }) })
    const e2 = await signNext(a, e1, { kind: 'memory.put', body: new Uint8Array([0xff, 0xfe]) })
    assert.equal((await bus.ingest(e1.bytes)).result, 'accept')
    assert.equal((await bus.ingest(e2.bytes)).result, 'accept')
    assert.deepEqual(await memoryList(bus), [])
    assert.equal(bus.head(a.authorHex)?.seq, 2n)
  })

  it('the view is the same after a restart, on another node given the same chain, and after rebuildViews', async () => {
    const dir = `${await scope.dir()}/bus`
    const bus = await scope.bus(a, { dir })
    for (let i = 0; i < 30; i++) {
      if (i % 7 === 6) await memoryRemove(bus, `k/${i % 5}`)
      else await memorySet(bus, `k/${i % 5}`, i)
    }
    const list = await memoryList(bus)
    const chain = await bus.range(a.authorHex, 1n, 100)
    await bus.close()
    const again = await scope.bus(a, { dir })
    assert.deepEqual(await memoryList(again), list)
    const other = await scope.bus(b)
    assert.deepEqual(await other.ingestRun(chain), { added: chain.length, forks: 0 })
    assert.deepEqual((await memoryList(other)).map(m => ({ ...m, peerId: '' })), list.map(m => ({ ...m, peerId: '' })))
    // rebuildViews drops the views and derives them again from the chains
    assert.equal(await again.rebuildViews(), 30)
    assert.deepEqual(await memoryList(again), list)
  })
})
