import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { BundleManifest } from '@smesh/protocols'
import { verifyBundleFile } from '../src/bundle-verify.js'
import { Scope, bundleWorld, concat, joinBundle, makeAuthor, seedOf, splitBundle, utf8, writeBundle } from './fixtures.js'
import type { BundleReport } from '../src/bundle-verify.js'
import type { BusEntry } from '../src/entry.js'
import type { Author } from './fixtures.js'

const scope = new Scope()
after(async () => { await scope.cleanup() })

describe('bundles: export and verify', () => {
  let a: Author
  let b: Author
  let dir: string
  let file: Uint8Array
  let twin: BusEntry
  let peerChain: BusEntry[]
  before(async () => {
    ;[a, b] = await Promise.all([makeAuthor(seedOf(90)), makeAuthor(seedOf(91))])
    dir = await scope.dir()
    const world = await bundleWorld(scope, a, b, 4, 5)
    peerChain = world.peerChain
    twin = world.twin as BusEntry
    const out = await writeBundle(world.bus, join(dir, 'ok.smb'), { mesh: 'home', now: () => 1_700_000_000_000 })
    assert.equal(out.plan.entries, 9)
    assert.equal(out.plan.evidence, 1)
    file = out.file
  })

  let n = 0
  async function verify (bytes: Uint8Array, fast = false): Promise<BundleReport> {
    const path = join(dir, `edit-${n++}.smb`)
    await writeFile(path, bytes)
    return await verifyBundleFile(path, { fast })
  }

  it('an exported bundle verifies offline: entries, exporter, mesh, chains and fork evidence', async () => {
    const progress: number[] = []
    const r = await verifyBundleFile(join(dir, 'ok.smb'), { onProgress: done => progress.push(done) })
    assert.equal(r.firstFailure, null)
    assert.equal(r.ok, true)
    assert.equal(r.all, true)
    assert.equal(r.entries, 9)
    assert.equal(progress[progress.length - 1], 9)
    assert.equal(r.mesh, 'home')
    assert.equal(r.createdAt, new Date(1_700_000_000_000).toISOString())
    assert.deepEqual(r.exporter, { peerId: a.peerId, pqFingerprint: a.authorHex })
    assert.deepEqual(r.authors.map(x => [x.author, x.peerId, x.entries, x.signaturesChecked]).sort(), [[a.authorHex, a.peerId, 4, 4], [b.authorHex, b.peerId, 5, 5]].sort())
    assert.deepEqual(r.forks, [{ author: b.authorHex, seq: '3', hashes: [peerChain[2]?.hashHex, twin.hashHex] }])
    const fast = await verifyBundleFile(join(dir, 'ok.smb'), { fast: true })
    assert.equal(fast.ok, true)
    assert.equal(fast.all, false)
    assert.deepEqual(fast.authors.map(x => x.signaturesChecked), [2, 2])
  })

  it('(sanity) the file is the magic, the manifest, 9 entries and 1 fork proof; re-joining gives the same bytes', async () => {
    const { magic, records } = splitBundle(file)
    assert.equal(Buffer.from(magic).toString(), 'SMESHBN1')
    assert.equal(records.length, 11)
    assert.deepEqual(joinBundle(magic, records), file)
    const m = BundleManifest.decode(records[0] as Uint8Array)
    assert.equal(m.entryCount, 9n)
    assert.equal(m.evidenceCount, 1n)
    assert.equal((await verify(joinBundle(magic, records))).ok, true)
  })

  it('removing an entry record from the middle of a chain fails', async () => {
    const { magic, records } = splitBundle(file)
    for (const i of [2, 3, 7]) {
      const r = await verify(joinBundle(magic, records.filter((_, j) => j !== i)))
      assert.equal(r.ok, false)
      assert.equal(r.firstFailure?.reason, 'seq', `record ${i}`)
      assert.equal(r.firstFailure?.index, i)
    }
  })

  it('swapping two entry records fails, within a chain and across chains', async () => {
    const { magic, records } = splitBundle(file)
    const swap = (i: number, j: number): Uint8Array[] => records.map((r, k) => k === i ? records[j] : k === j ? records[i] : r) as Uint8Array[]
    const expected: Array<[number, number, string]> = [[2, 3, 'seq'], [1, 4, 'seq'], [6, 9, 'seq'], [4, 5, 'author']]
    for (const [i, j, reason] of expected) {
      const r = await verify(joinBundle(magic, swap(i, j)))
      assert.equal(r.ok, false)
      assert.equal(r.firstFailure?.reason, reason, `swap ${i} and ${j}`)
    }
    // the fork proof in place of the last entry
    const r = await verify(joinBundle(magic, swap(9, 10)))
    assert.equal(r.ok, false)
  })

  it('truncating fails, at a record boundary or inside a record', async () => {
    const { magic, records } = splitBundle(file)
    for (const keep of [0, 1, 5, 10]) {
      const r = await verify(joinBundle(magic, records.slice(0, keep)))
      assert.equal(r.ok, false)
      assert.equal(r.firstFailure?.reason, 'truncated', `${keep} records`)
    }
    for (const cut of [1, 7, 8, 9, 100, Math.floor(file.byteLength / 2), file.byteLength - 1]) {
      const r = await verify(file.subarray(0, cut))
      assert.equal(r.ok, false, `cut at ${cut}`)
      assert.notEqual(r.firstFailure, null)
    }
  })

  it('anything after the last record fails: one byte, a zero-length record, a repeated record', async () => {
    for (const extra of [new Uint8Array([0]), new Uint8Array([5]), new Uint8Array([0xff]), utf8('x')]) {
      const r = await verify(concat([file, extra]))
      assert.equal(r.ok, false, `appended ${extra[0]}`)
    }
    const { magic, records } = splitBundle(file)
    const r = await verify(joinBundle(magic, [...records, records[10] as Uint8Array]))
    assert.equal(r.firstFailure?.reason, 'trailing')
  })

  it('a manifest that does not match its signature or its entries fails', async () => {
    const { magic, records } = splitBundle(file)
    const m = BundleManifest.decode(records[0] as Uint8Array)
    for (const change of [{ mesh: 'work' }, { entryCount: 8n }, { createdAt: 1n }, { heads: m.heads.slice(0, 1), entryCount: m.heads[0]?.seq ?? 0n }]) {
      const r = await verify(joinBundle(magic, [BundleManifest.encode({ ...m, ...change }), ...records.slice(1)]))
      assert.equal(r.ok, false)
      assert.equal(r.firstFailure?.reason, 'manifest', JSON.stringify(Object.keys(change)))
    }
    const r = await verify(joinBundle(magic, records.slice(1)))
    assert.equal(r.ok, false, 'no manifest')
  })

  it('a file that is not a bundle is refused by its magic', async () => {
    for (const bytes of [new Uint8Array(0), utf8('SMESH'), utf8('SMESHBN2'), concat([utf8('SMESHBN0'), file.subarray(8)])]) {
      const r = await verify(bytes)
      assert.equal(r.ok, false)
      assert.equal(r.firstFailure?.reason, 'magic')
    }
  })
})
