import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import { verifyBundleFile } from '../src/bundle-verify.js'
import { Scope, bundleWorld, decodeVarint, makeAuthor, seedOf, writeBundle } from './fixtures.js'
import type { BundleReport } from '../src/bundle-verify.js'

const scope = new Scope()
after(async () => { await scope.cleanup() })

describe('a bundle with any single byte changed fails verification', () => {
  let file: Uint8Array
  let dir: string
  /** Start offsets of each record's length prefix (the manifest's first). */
  const recordStarts: number[] = []
  before(async () => {
    const [a, b] = await Promise.all([makeAuthor(seedOf(95)), makeAuthor(seedOf(96))])
    dir = await scope.dir()
    const world = await bundleWorld(scope, a, b, 3, 4)
    file = (await writeBundle(world.bus, join(dir, 'ok.smb'), { mesh: 'home' })).file
    for (let pos = 8; pos < file.byteLength;) {
      recordStarts.push(pos)
      const { value, next } = decodeVarint(file, pos)
      pos = next + value
    }
    assert.equal(recordStarts.length, 1 + 7 + 1)
  })

  let n = 0
  async function verifyChanged (pos: number, delta: number, fast = false): Promise<BundleReport> {
    const bytes = new Uint8Array(file)
    bytes[pos] = (bytes[pos] as number) ^ delta
    const path = join(dir, `t-${n++ % 4}.smb`)
    await writeFile(path, bytes)
    return await verifyBundleFile(path, { fast })
  }

  it('(sanity) the unchanged file verifies', async () => {
    assert.equal((await verifyBundleFile(join(dir, 'ok.smb'))).ok, true)
    assert.equal((await verifyBundleFile(join(dir, 'ok.smb'), { fast: true })).ok, true)
  })

  it('at any position, with any change (sampled)', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: file.byteLength - 1 }), fc.integer({ min: 1, max: 255 }), async (pos, delta) => {
      const r = await verifyChanged(pos, delta)
      assert.equal(r.ok, false, `byte ${pos} ^ ${delta}`)
      assert.notEqual(r.firstFailure, null)
    }), { numRuns: 150 })
  })

  it('also when only the first and last signature of each chain is checked (fast)', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: file.byteLength - 1 }), fc.integer({ min: 1, max: 255 }), async (pos, delta) => {
      assert.equal((await verifyChanged(pos, delta, true)).ok, false, `byte ${pos} ^ ${delta}`)
    }), { numRuns: 100 })
  })

  it('in the magic, the framing of every record, the start of the manifest and of every entry, and the last byte', async () => {
    const positions = new Set<number>([...Array(8).keys()])
    for (const start of recordStarts) for (let i = 0; i < 12; i++) positions.add(start + i)
    for (let i = 0; i < 40; i++) positions.add(8 + 3 + i) // the manifest's first fields
    positions.add(file.byteLength - 1)
    for (const pos of positions) {
      for (const delta of [0x01, 0x80, 0xff]) {
        const r = await verifyChanged(pos, delta)
        assert.equal(r.ok, false, `byte ${pos} ^ ${delta}`)
      }
    }
  })

  it('the report says where: magic, manifest, or the record index of the changed entry', async () => {
    assert.equal((await verifyChanged(0, 1)).firstFailure?.reason, 'magic')
    const manifestBody = (recordStarts[0] as number) + 3
    assert.equal((await verifyChanged(manifestBody + 20, 1)).firstFailure?.reason, 'manifest')
    // the last byte of entry record 5 is inside its signature
    const lastOf5 = (recordStarts[6] as number) - 1
    const r = await verifyChanged(lastOf5, 1)
    assert.equal(r.firstFailure?.reason, 'signature')
    assert.equal(r.firstFailure?.index, 5)
    const fast = await verifyChanged(lastOf5, 1, true)
    assert.equal(fast.firstFailure?.reason, 'link', 'fast: the next entry no longer links to it')
    assert.equal(fast.firstFailure?.index, 6)
  })
})
