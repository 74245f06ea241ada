import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import fc from 'fast-check'
import { createVerifier } from '../src/crypto.js'
import { decodeEntry, decodeStored, verifyEntrySignature, verifyFirstEntry } from '../src/entry.js'
import { json, makeAuthor, seedOf, signNext } from './fixtures.js'
import type { Verifier } from '../src/crypto.js'
import type { BusEntry } from '../src/entry.js'

/**
 * Whether `bytes` would be taken as a valid entry of the author whose
 * verifier is given: decodes, and its signature verifies (for a first
 * entry, its binding too).
 */
async function accepted (bytes: Uint8Array, verifier: Verifier): Promise<boolean> {
  let e: BusEntry
  try {
    e = decodeEntry(bytes)
  } catch (err: any) {
    assert.equal(err.name, 'InvalidEntryError')
    return false
  }
  if (!verifyEntrySignature(e, verifier)) return false
  if (e.seq === 1n) {
    try {
      await verifyFirstEntry(e)
    } catch {
      return false
    }
  }
  return true
}

function flip (bytes: Uint8Array, bit: number): Uint8Array {
  const out = new Uint8Array(bytes)
  out[bit >> 3] = (out[bit >> 3] as number) ^ (1 << (bit & 7))
  return out
}

describe('a single flipped bit', () => {
  let verifier: Verifier
  let first: BusEntry
  let later: BusEntry
  before(async () => {
    const a = await makeAuthor(seedOf(3))
    verifier = createVerifier(a.publicKey)
    first = await signNext(a, undefined, { kind: 'memory.put', body: json({ key: 'notes/a', value: 'hello' }) })
    later = await signNext(a, first, { kind: 'memory.put', body: json({ key: 'notes/b', value: [1, 2, 3] }), hlc: { ms: 1_700_000_000_123n, counter: 7 } })
  })

  it('(sanity) the unflipped entries are accepted', async () => {
    assert.ok(await accepted(first.bytes, verifier))
    assert.ok(await accepted(later.bytes, verifier))
  })

  it('anywhere in a later entry makes it fail decoding or signature verification', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: later.bytes.byteLength * 8 - 1 }), async bit => {
      assert.equal(await accepted(flip(later.bytes, bit), verifier), false, `bit ${bit}`)
    }), { numRuns: 400 })
  })

  it('anywhere in a first entry (key and binding included) makes it fail', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: first.bytes.byteLength * 8 - 1 }), async bit => {
      assert.equal(await accepted(flip(first.bytes, bit), verifier), false, `bit ${bit}`)
    }), { numRuns: 300 })
  })

  it('every bit of the fields before the body, of the first and last signature bytes, and of the last byte', async () => {
    // the header (version .. kind) is where a decoder's leniency would show; check it exhaustively
    const headerBits = (later.bytes.byteLength - later.entry.signature.byteLength - later.entry.body.byteLength) * 8
    const sigStart = later.bytes.byteLength - later.entry.signature.byteLength
    const bits = [...Array(headerBits).keys(), ...[...Array(64).keys()].map(i => sigStart * 8 + i), ...[...Array(8).keys()].map(i => later.bytes.byteLength * 8 - 8 + i)]
    for (const bit of bits) assert.equal(await accepted(flip(later.bytes, bit), verifier), false, `bit ${bit}`)
  })
})

describe('an entry read back from the store (decodeStored)', () => {
  it('is the entry decodeEntry gives, and any flipped bit makes it undefined', async () => {
    const a = await makeAuthor(seedOf(4))
    const e = await signNext(a, undefined, { kind: 'memory.put', body: json({ key: 'notes/s', value: 'stored' }) })
    const back = decodeStored(e.bytes, e.hashHex)
    assert.deepEqual(back, decodeEntry(e.bytes))
    assert.equal(decodeStored(e.bytes, 'ab'.repeat(32)), undefined, 'bytes under another key')
    await fc.assert(fc.property(fc.integer({ min: 0, max: e.bytes.byteLength * 8 - 1 }), bit => {
      assert.equal(decodeStored(flip(e.bytes, bit), e.hashHex), undefined, `bit ${bit}`)
    }), { numRuns: 300 })
  })
})
