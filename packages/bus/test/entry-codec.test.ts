import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { before, describe, it } from 'node:test'
import fc from 'fast-check'
import { BUS_ALG_ML_DSA_65, BUS_ENTRY_VERSION, KIND_PATTERN, MAX_ENTRY_BYTES, MAX_HLC_MS, MAX_KIND_LENGTH } from '@smesh/protocols'
import { createVerifier } from '../src/crypto.js'
import { decodeEntry, signEntry, verifyEntrySignature, verifyFirstEntry } from '../src/entry.js'
import { toHex } from '../src/hex.js'
import { hex, makeAuthor, seedOf } from './fixtures.js'
import type { Author } from './fixtures.js'

const kindArb = fc.stringMatching(KIND_PATTERN).filter(k => k.length <= MAX_KIND_LENGTH)
/** Timestamps up to the format's bound (MAX_HLC_MS, 2^48 - 1); larger ones are refused as malformed. */
const hlcArb = fc.record({ ms: fc.bigInt({ min: 1n, max: MAX_HLC_MS }), counter: fc.integer({ min: 0, max: 2 ** 32 - 1 }) })
/** Bodies from empty to `max` bytes, with lengths spread over the whole range. */
const bodyArb = (max: number): fc.Arbitrary<Uint8Array> => fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.integer({ min: 0, max }).chain(n => fc.integer({ min: 0, max: 255 }).map(fill => new Uint8Array(n).map((_, i) => (fill + i * 31) & 0xff)))
)

const sha256 = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest())

describe('entry codec', () => {
  let a: Author
  before(async () => { a = await makeAuthor(seedOf(1)) })

  it('signEntry -> decodeEntry round-trips every field of later entries (seq > 1, bodies up to 60 KiB)', async () => {
    const verifier = createVerifier(a.publicKey)
    await fc.assert(fc.asyncProperty(kindArb, bodyArb(60 * 1024), fc.bigInt({ min: 2n, max: 2n ** 64n - 1n }), hlcArb, fc.uint8Array({ minLength: 32, maxLength: 32 }),
      async (kind, body, seq, hlc, prev) => {
        const signed = await signEntry(a.signer, a.author, { kind, body, hlc, seq, prev })
        assert.ok(signed.bytes.byteLength <= MAX_ENTRY_BYTES)
        const d = decodeEntry(signed.bytes)
        assert.equal(d.entry.version, BUS_ENTRY_VERSION)
        assert.equal(d.entry.algorithm, BUS_ALG_ML_DSA_65)
        assert.equal(hex(d.entry.author), hex(a.author))
        assert.equal(d.seq, seq)
        assert.equal(d.entry.seq, seq)
        assert.equal(hex(d.entry.prev), hex(prev))
        assert.deepEqual({ ...d.hlc }, { ...hlc })
        assert.equal(d.entry.kind, kind)
        assert.equal(hex(d.entry.body), hex(body))
        assert.equal(d.entry.publicKey.byteLength, 0)
        assert.equal(d.entry.binding.byteLength, 0)
        assert.equal(hex(d.hash), hex(sha256(signed.bytes)))
        assert.equal(d.hashHex, toHex(sha256(signed.bytes)))
        assert.equal(d.hashHex, signed.hashHex)
        assert.equal(d.authorHex, a.authorHex)
        assert.ok(verifyEntrySignature(d, verifier))
      }), { numRuns: 60 })
  })

  it('round-trips first entries (seq 1) with their key and binding, which bind the author to its PeerId', async () => {
    const verifier = createVerifier(a.publicKey)
    await fc.assert(fc.asyncProperty(kindArb, bodyArb(50 * 1024), hlcArb, async (kind, body, hlc) => {
      const signed = await signEntry(a.signer, a.author, { kind, body, hlc, seq: 1n, binding: a.binding })
      const d = decodeEntry(signed.bytes)
      assert.equal(d.seq, 1n)
      assert.equal(d.entry.prev.byteLength, 0)
      assert.equal(hex(d.entry.publicKey), hex(a.publicKey))
      assert.equal(hex(d.entry.binding), hex(a.binding))
      assert.deepEqual({ ...d.hlc }, { ...hlc })
      assert.equal(d.entry.kind, kind)
      assert.equal(hex(d.entry.body), hex(body))
      assert.equal(hex(d.hash), hex(sha256(signed.bytes)))
      assert.ok(verifyEntrySignature(d, verifier))
      assert.equal(await verifyFirstEntry(d), a.peerId)
    }), { numRuns: 25 })
  })

  it('a first entry ignores a prev given to signEntry, a later one ignores the key and binding', async () => {
    const first = await signEntry(a.signer, a.author, { kind: 'x', body: new Uint8Array(0), hlc: { ms: 1n, counter: 0 }, seq: 1n, prev: new Uint8Array(32).fill(9), binding: a.binding })
    assert.equal(decodeEntry(first.bytes).entry.prev.byteLength, 0)
    const later = await signEntry(a.signer, a.author, { kind: 'x', body: new Uint8Array(0), hlc: { ms: 1n, counter: 0 }, seq: 2n, prev: first.hash, binding: a.binding })
    const d = decodeEntry(later.bytes)
    assert.equal(d.entry.publicKey.byteLength, 0)
    assert.equal(d.entry.binding.byteLength, 0)
  })

  it('signEntry refuses an entry that would exceed MAX_ENTRY_BYTES, and a bad kind, with the matching reason', async () => {
    await assert.rejects(signEntry(a.signer, a.author, { kind: 'big', body: new Uint8Array(MAX_ENTRY_BYTES), hlc: { ms: 1n, counter: 0 }, seq: 2n, prev: new Uint8Array(32) }),
      { name: 'InvalidEntryError', reason: 'oversize' })
    // the first entry carries about 10 KiB of key and binding: 56 KiB of body no longer fits
    await assert.rejects(signEntry(a.signer, a.author, { kind: 'big', body: new Uint8Array(56 * 1024), hlc: { ms: 1n, counter: 0 }, seq: 1n, binding: a.binding }),
      { name: 'InvalidEntryError', reason: 'oversize' })
    for (const kind of ['', 'Memory.put', 'memory..put', '9lives', 'a'.repeat(MAX_KIND_LENGTH + 1), 'memory put', 'a.b.c.d.e.f.g.h.i']) {
      await assert.rejects(signEntry(a.signer, a.author, { kind, body: new Uint8Array(0), hlc: { ms: 1n, counter: 0 }, seq: 2n, prev: new Uint8Array(32) }),
        { name: 'InvalidEntryError', reason: 'kind' }, kind)
    }
  })

  it('the largest body that fits is accepted by decodeEntry, one more byte is not signed', async () => {
    const at = async (n: number): Promise<Uint8Array> => (await signEntry(a.signer, a.author, { kind: 'big', body: new Uint8Array(n), hlc: { ms: 1n, counter: 0 }, seq: 2n, prev: new Uint8Array(32) })).bytes
    const probe = await at(0)
    // body field: tag (1 byte) + length varint (3 bytes for >= 16 KiB) + body
    const fits = MAX_ENTRY_BYTES - probe.byteLength - 4
    const max = await at(fits)
    assert.equal(max.byteLength, MAX_ENTRY_BYTES)
    assert.equal(decodeEntry(max).entry.body.byteLength, fits)
    await assert.rejects(at(fits + 1), { reason: 'oversize' })
  })
})
