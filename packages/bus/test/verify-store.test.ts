import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ChainVerifier } from '../src/verify.js'
import { verifyStore } from '../src/verify-store.js'
import { Scope, json, makeAuthor, seedOf, signChain, signNext } from './fixtures.js'
import type { Bus } from '../src/bus.js'
import type { BusEntry } from '../src/entry.js'
import type { Author } from './fixtures.js'

const scope = new Scope()
after(async () => { await scope.cleanup() })

describe('verifyStore and ChainVerifier', () => {
  let a: Author
  let b: Author
  let peerChain: BusEntry[]
  before(async () => {
    ;[a, b] = await Promise.all([makeAuthor(seedOf(80)), makeAuthor(seedOf(81))])
    peerChain = await signChain(b, 12)
  })

  async function healthy (): Promise<Bus> {
    const bus = await scope.bus(a)
    for (let i = 0; i < 7; i++) await bus.append('test.note', json({ i }))
    await bus.ingestRun(peerChain.map(e => e.bytes))
    return bus
  }

  it('a healthy store is ok; with all every signature is counted, without it the first and last of each chain', async () => {
    const bus = await healthy()
    const progress: number[] = []
    const all = await verifyStore(bus, { all: true, onProgress: done => progress.push(done) })
    assert.equal(all.ok, true)
    assert.equal(all.all, true)
    assert.equal(all.entries, 19)
    assert.equal(progress[progress.length - 1], 19)
    const mine = all.authors.find(r => r.author === a.authorHex)
    const theirs = all.authors.find(r => r.author === b.authorHex)
    assert.deepEqual([mine?.entries, mine?.signaturesChecked, mine?.verified, mine?.peerId, mine?.firstFailure], [7, 7, 7, 'self', null])
    assert.deepEqual([theirs?.entries, theirs?.signaturesChecked, theirs?.verified, theirs?.peerId], [12, 12, 12, b.peerId])
    assert.equal(theirs?.head, peerChain[11]?.hashHex)
    const fast = await verifyStore(bus)
    assert.equal(fast.ok, true)
    assert.deepEqual(fast.authors.map(r => [r.entries, r.signaturesChecked, r.verified]).sort(), [[12, 2, 12], [7, 2, 7]].sort())
  })

  it('a damaged stored entry is found: the chain fails at it or at the next link', async () => {
    const bus = await healthy()
    const target = peerChain[4] as BusEntry
    const damaged = new Uint8Array(target.bytes)
    damaged[damaged.byteLength - 100] = (damaged[damaged.byteLength - 100] as number) ^ 0x01 // inside the signature
    await bus.store.write([{ type: 'put', section: 'entry', key: target.hashHex, value: damaged }], true)
    for (const all of [true, false]) {
      const r = await verifyStore(bus, { all })
      assert.equal(r.ok, false)
      const theirs = r.authors.find(x => x.author === b.authorHex)
      assert.equal(theirs?.firstFailure?.reason, all ? 'signature' : 'link')
      assert.equal(theirs?.firstFailure?.seq, all ? '5' : '6')
      if (all) assert.equal(theirs?.verified, 4, 'entries 1-4 have valid signatures')
      assert.equal(r.authors.find(x => x.author === a.authorHex)?.firstFailure, null, 'the other chain is fine')
    }
  })

  it('without all, a failed chain counts as verified only the entries a checked signature covers', async () => {
    const bus = await healthy()
    const target = peerChain[4] as BusEntry
    const damaged = new Uint8Array(target.bytes)
    damaged[damaged.byteLength - 100] = (damaged[damaged.byteLength - 100] as number) ^ 0x01 // inside the signature
    await bus.store.write([{ type: 'put', section: 'entry', key: target.hashHex, value: damaged }], true)
    const theirs = (await verifyStore(bus)).authors.find(x => x.author === b.authorHex)
    assert.equal(theirs?.firstFailure?.reason, 'link')
    // entry 5 is damaged, and no checked signature vouches for entries 2-4: only entry 1 is verified
    assert.ok((theirs?.verified ?? 0) <= 1, `verified ${theirs?.verified} entries, including the damaged entry 5`)
  })

  it('a missing stored entry is reported', async () => {
    const bus = await healthy()
    await bus.store.write([{ type: 'del', section: 'chain', key: `${b.authorHex}/${(12n).toString(16).padStart(16, '0')}` }], true)
    const r = await verifyStore(bus, { all: true })
    assert.equal(r.ok, false)
    assert.equal(r.authors.find(x => x.author === b.authorHex)?.firstFailure?.reason, 'missing')
  })

  it('ChainVerifier: out-of-order, foreign and relinked entries fail with their reason', async () => {
    const run = async (entries: BusEntry[], all = true): Promise<string | undefined> => {
      const v = new ChainVerifier(all)
      v.begin(b.authorHex)
      for (const e of entries) if (!await v.push(e.bytes)) break
      return (await v.end())?.firstFailure?.reason
    }
    const [e1, e2, e3] = peerChain as [BusEntry, BusEntry, BusEntry]
    assert.equal(await run([e1, e2, e3]), undefined)
    assert.equal(await run([e1, e3]), 'seq')
    assert.equal(await run([e2]), 'seq')
    assert.equal(await run([e1, e2, e2]), 'seq')
    const otherOne = await signNext(a, undefined)
    assert.equal(await run([otherOne]), 'author')
    const relinked = await signNext(b, { ...e2, hash: new Uint8Array(32) })
    assert.equal(await run([e1, e2, relinked]), 'link')
    // a chain whose last entry is signed by another key fails on its last signature, even when only that one is checked
    const forgedLast = await signNext({ ...a, author: b.author }, e2)
    assert.equal(await run([e1, e2, forgedLast], false), 'signature')
  })

  it('ChainVerifier with every signature, checked many at once: a bad signature deep in a long chain is reported as if checked in order', async () => {
    const chain = await signChain(b, 80)
    // entry 40 with a signature byte flipped: its hash changes, so entry 41 no longer links to it,
    // but the signature of 40 comes first in order, though it is still being checked when 41 arrives
    const bad = chain[39]!.bytes.slice()
    bad[bad.byteLength - 10] = (bad[bad.byteLength - 10] as number) ^ 1
    const v = new ChainVerifier(true)
    v.begin(b.authorHex)
    let fed = 0
    for (const [i, e] of chain.entries()) {
      fed++
      if (!await v.push(i === 39 ? bad : e.bytes)) break
    }
    const r = await v.end()
    assert.deepEqual([r?.firstFailure?.reason, r?.firstFailure?.seq, r?.entries, r?.signaturesChecked, r?.verified, r?.head], ['signature', '40', 40, 39, 39, chain[38]!.hashHex])
    assert.ok(fed <= 41, `the feed stopped at the failure (fed ${fed})`)
    // and every good signature of a whole chain is counted once
    const w = new ChainVerifier(true)
    w.begin(b.authorHex)
    for (const e of chain) assert.equal(await w.push(e.bytes), true)
    const ok = await w.end()
    assert.deepEqual([ok?.firstFailure, ok?.entries, ok?.signaturesChecked, ok?.head], [null, 80, 80, chain[79]!.hashHex])
  })
})
