import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { Entry, MAX_ENTRY_BYTES } from '@smesh/protocols'
import { decodeEntry } from '../src/entry.js'
import { concat, encodeVarint, makeAuthor, seedOf, signNext } from './fixtures.js'
import type { BusEntry } from '../src/entry.js'
import type { Author } from './fixtures.js'

/** One protobuf field as written on the wire: tag, then a varint or a length-delimited value. */
function field (no: number, value: bigint | number | Uint8Array | string): Uint8Array {
  if (typeof value === 'string') value = new TextEncoder().encode(value)
  if (value instanceof Uint8Array) return concat([encodeVarint((no << 3) | 2), encodeVarint(value.byteLength), value])
  return concat([encodeVarint(no << 3), encodeVarint(value)])
}

/** The fields of an entry in canonical order, defaults left out. */
function fields (e: Entry): Array<[number, Uint8Array]> {
  const all: Array<[number, bigint | number | Uint8Array | string]> = [
    [1, e.version], [2, e.algorithm], [3, e.author], [4, e.seq], [5, e.prev], [6, e.hlcMs], [7, e.hlcCounter],
    [8, e.kind], [9, e.body], [10, e.publicKey], [11, e.binding], [15, e.signature]
  ]
  return all
    .filter(([, v]) => !(v === 0 || v === 0n || v === '' || (v instanceof Uint8Array && v.byteLength === 0)))
    .map(([no, v]) => [no, field(no, v)])
}

const build = (parts: Array<[number, Uint8Array]>): Uint8Array => concat(parts.map(([, b]) => b))

function reasonOf (bytes: Uint8Array): string {
  try {
    decodeEntry(bytes)
  } catch (err: any) {
    assert.equal(err.name, 'InvalidEntryError')
    return err.reason
  }
  return 'accepted'
}

const reencode = (e: BusEntry, change: Partial<Entry>): Uint8Array => Entry.encode({ ...e.entry, ...change })

describe('decodeEntry refuses', () => {
  let a: Author
  let first: BusEntry
  let second: BusEntry
  before(async () => {
    a = await makeAuthor(seedOf(2))
    first = await signNext(a, undefined)
    second = await signNext(a, first)
  })

  it('(sanity) the hand-written encoder reproduces the canonical bytes', () => {
    assert.deepEqual(build(fields(first.entry)), first.bytes)
    assert.deepEqual(build(fields(second.entry)), second.bytes)
    assert.equal(reasonOf(second.bytes), 'accepted')
  })

  it('an entry over MAX_ENTRY_BYTES as oversize, before anything else', () => {
    const big = reencode(second, { body: new Uint8Array(MAX_ENTRY_BYTES) as Uint8Array<ArrayBuffer> })
    assert.ok(big.byteLength > MAX_ENTRY_BYTES)
    assert.equal(reasonOf(big), 'oversize')
    assert.equal(reasonOf(concat([second.bytes, new Uint8Array(MAX_ENTRY_BYTES)])), 'oversize')
  })

  it('an unknown version or algorithm (and a missing one)', () => {
    assert.equal(reasonOf(reencode(second, { version: 2 })), 'version')
    assert.equal(reasonOf(reencode(second, { version: 0 })), 'version')
    assert.equal(reasonOf(reencode(second, { algorithm: 2 })), 'algorithm')
    assert.equal(reasonOf(reencode(second, { algorithm: 0 })), 'algorithm')
  })

  it('non-canonical encodings of a validly signed entry: unknown field, explicit default, duplicate, reordered, overlong varint', () => {
    const parts = fields(second.entry)
    const variants: Record<string, Uint8Array> = {
      'unknown field appended': concat([second.bytes, field(20, 1)]),
      'unknown field before the signature': build([...parts.slice(0, -1), [12, field(12, new Uint8Array([1]))], parts[parts.length - 1] as [number, Uint8Array]]),
      'default counter written out': build([...parts.slice(0, 6), [7, field(7, 0)], ...parts.slice(6)]),
      'empty binding written out': build([...parts.slice(0, -1), [11, field(11, new Uint8Array(0))], parts[parts.length - 1] as [number, Uint8Array]]),
      'kind written twice': build([...parts.slice(0, 7), parts[6] as [number, Uint8Array], ...parts.slice(7)]),
      'fields out of order': build([parts[1], parts[0], ...parts.slice(2)] as Array<[number, Uint8Array]>),
      'overlong seq varint': build(parts.map(([no, b]) => [no, no === 4 ? concat([new Uint8Array([4 << 3, 0x82, 0x00])]) : b]))
    }
    // the decoded record is the same entry in every case: only the canonical check stands in the way
    for (const [what, bytes] of Object.entries(variants)) {
      assert.notDeepEqual(bytes, second.bytes, what)
      assert.equal(reasonOf(bytes), 'non-canonical', what)
    }
  })

  it('malformed protobuf: truncated, bad wire type, invalid UTF-8 in the kind', () => {
    assert.equal(reasonOf(second.bytes.subarray(0, second.bytes.byteLength - 1)), 'malformed')
    assert.equal(reasonOf(second.bytes.subarray(0, 3)), 'malformed')
    assert.ok(['malformed', 'non-canonical'].includes(reasonOf(concat([second.bytes, new Uint8Array([(21 << 3) | 7])]))))
    const parts = fields(second.entry).map(([no, b]): [number, Uint8Array] => [no, no === 8 ? field(8, new Uint8Array([0x74, 0xff, 0x74])) : b])
    assert.ok(['malformed', 'non-canonical'].includes(reasonOf(build(parts))))
  })

  it('a missing timestamp, seq 0, bad field sizes', () => {
    assert.equal(reasonOf(reencode(second, { hlcMs: 0n })), 'malformed')
    assert.equal(reasonOf(reencode(second, { seq: 0n })), 'seq')
    assert.equal(reasonOf(reencode(first, { seq: 0n })), 'seq')
    assert.equal(reasonOf(reencode(second, { author: new Uint8Array(31) as Uint8Array<ArrayBuffer> })), 'author')
    assert.equal(reasonOf(reencode(second, { prev: new Uint8Array(31) as Uint8Array<ArrayBuffer> })), 'link')
    assert.equal(reasonOf(reencode(second, { prev: new Uint8Array(0) as Uint8Array<ArrayBuffer> })), 'link')
    assert.equal(reasonOf(reencode(second, { signature: second.entry.signature.subarray(1) })), 'signature')
    assert.equal(reasonOf(reencode(second, { signature: new Uint8Array(0) as Uint8Array<ArrayBuffer> })), 'signature')
  })

  it('a first entry without its key or binding, with a prev, or whose author is not the hash of its key', () => {
    assert.equal(reasonOf(reencode(first, { publicKey: new Uint8Array(0) as Uint8Array<ArrayBuffer> })), 'key')
    assert.equal(reasonOf(reencode(first, { publicKey: first.entry.publicKey.subarray(1) })), 'key')
    assert.equal(reasonOf(reencode(first, { binding: new Uint8Array(0) as Uint8Array<ArrayBuffer> })), 'binding')
    assert.equal(reasonOf(reencode(first, { prev: second.hash as Uint8Array<ArrayBuffer> })), 'link')
    assert.equal(reasonOf(reencode(first, { author: second.hash as Uint8Array<ArrayBuffer> })), 'author')
  })

  it('a later entry carrying a key or a binding', () => {
    assert.equal(reasonOf(reencode(second, { publicKey: first.entry.publicKey })), 'key')
    assert.equal(reasonOf(reencode(second, { binding: first.entry.binding })), 'key')
  })

  it('a bad kind', () => {
    for (const kind of ['', 'Memory.put', 'memory.', '.memory', 'memory/put', 'mémoire', 'a'.repeat(65)]) {
      assert.equal(reasonOf(reencode(second, { kind })), 'kind', kind)
    }
  })
})
