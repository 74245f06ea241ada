/**
 * Shared helpers of the @smesh/bus tests: authors with real keys (ML-DSA-65
 * and an Ed25519 identity binding), signed chains, buses on real LevelDB
 * stores in temporary directories, and bundle record framing.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ml_dsa65 as mlDsa65 } from '@noble/post-quantum/ml-dsa.js'
import { createBinding, encodeBinding } from '@smesh/identity'
import { exportBundle } from '../src/bundle.js'
import { Bus } from '../src/bus.js'
import { createSigner } from '../src/crypto.js'
import { signEntry } from '../src/entry.js'
import { sha256, toHex } from '../src/hex.js'
import { LevelStorage } from '../src/store/level-storage.js'
import type { MlDsaBackend } from '@smesh/identity'
import type { ExportOptions, ExportPlan } from '../src/bundle.js'
import type { Signer } from '../src/crypto.js'
import type { BusEntry } from '../src/entry.js'
import type { Timestamp } from '../src/hlc.js'

/** An HLC wall-clock value in 2023, for signed test entries. */
export const T0 = 1_700_000_000_000

export interface Author {
  seed: Uint8Array
  signer: Signer
  publicKey: Uint8Array
  /** Encoded identity binding (ML-DSA-65 key <-> Ed25519 PeerId). */
  binding: Uint8Array
  author: Uint8Array
  authorHex: string
  peerId: string
}

export function seedOf (byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte)
}

/** An author with a real ML-DSA-65 key from `seed` (random by default) and a binding to a fresh Ed25519 key. */
export async function makeAuthor (seed: Uint8Array = new Uint8Array(randomBytes(32)), backend?: MlDsaBackend): Promise<Author> {
  const peerKey = await generateKeyPair('Ed25519')
  const pq = mlDsa65.keygen(seed)
  const binding = encodeBinding(await createBinding(peerKey, pq, T0))
  const signer = createSigner(seed, backend)
  const author = sha256(signer.publicKey)
  return { seed, signer, publicKey: signer.publicKey, binding, author, authorHex: toHex(author), peerId: peerIdFromPrivateKey(peerKey).toString() }
}

/** Lower-case hex of any byte array (Buffer or Uint8Array): for comparing bytes in assertions. */
export const hex = (u: Uint8Array | undefined): string => u == null ? 'undefined' : Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('hex')

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
export const json = (v: unknown): Uint8Array => utf8(JSON.stringify(v))

export interface EntryFields {
  kind?: string
  body?: Uint8Array
  hlc?: Timestamp
}

/** Signs the entry that follows `prev` (or the first entry when `prev` is undefined) in `a`'s chain. */
export async function signNext (a: Author, prev: BusEntry | undefined, fields: EntryFields = {}): Promise<BusEntry> {
  const seq = prev == null ? 1n : prev.seq + 1n
  return await signEntry(a.signer, a.author, {
    kind: fields.kind ?? 'test.note',
    body: fields.body ?? json({ n: Number(seq) }),
    hlc: fields.hlc ?? { ms: BigInt(T0) + seq, counter: 0 },
    seq,
    prev: prev?.hash,
    binding: a.binding
  })
}

/** Signs `n` entries continuing after `prev` (from seq 1 by default); `make(i)` gives the fields of the i-th (0-based). */
export async function signChain (a: Author, n: number, make: (i: number) => EntryFields = () => ({}), prev?: BusEntry): Promise<BusEntry[]> {
  const out: BusEntry[] = []
  let last = prev
  for (let i = 0; i < n; i++) {
    last = await signNext(a, last, make(i))
    out.push(last)
  }
  return out
}

/** Temporary directories and buses of one test file, closed and removed by `cleanup()` (call it in `after`). */
export class Scope {
  private readonly dirs: string[] = []
  private readonly buses: Bus[] = []

  async dir (): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), 'smesh-bus-test-'))
    this.dirs.push(d)
    return d
  }

  /** A bus of `a` on a LevelDB store in `dir` (a new temporary directory by default), opened. */
  async bus (a: Author, options: { dir?: string, now?: () => number } = {}): Promise<Bus> {
    const bus = new Bus({ storage: new LevelStorage(options.dir ?? join(await this.dir(), 'bus')), signer: a.signer, binding: a.binding, identityCreated: true, now: options.now })
    await bus.open()
    this.buses.push(bus)
    return bus
  }

  async cleanup (): Promise<void> {
    for (const b of this.buses.splice(0)) await b.close()
    await Promise.all(this.dirs.splice(0).map(async d => { await rm(d, { recursive: true, force: true }) }))
  }
}

/** Ingests each entry and returns the results' `result` field. */
export async function ingestAll (bus: Bus, entries: BusEntry[]): Promise<string[]> {
  const out: string[] = []
  for (const e of entries) out.push((await bus.ingest(e.bytes)).result)
  return out
}

// ---- protobuf and bundle framing ----

export function encodeVarint (n: bigint | number): Uint8Array {
  let v = BigInt(n)
  const out: number[] = []
  do {
    const b = Number(v & 0x7fn)
    v >>= 7n
    out.push(v > 0n ? b | 0x80 : b)
  } while (v > 0n)
  return new Uint8Array(out)
}

/** Reads an unsigned varint at `pos`; returns the value and the position after it. */
export function decodeVarint (buf: Uint8Array, pos: number): { value: number, next: number } {
  let value = 0
  let shift = 0
  for (let i = pos; i < buf.byteLength; i++) {
    const b = buf[i] as number
    value += (b & 0x7f) * 2 ** shift
    shift += 7
    if ((b & 0x80) === 0) return { value, next: i + 1 }
  }
  throw new RangeError('truncated varint')
}

export function concat (parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts))
}

export const BUNDLE_MAGIC_BYTES = 8

/** Splits a bundle file into its magic and its length-prefixed records (manifest first). */
export function splitBundle (file: Uint8Array): { magic: Uint8Array, records: Uint8Array[] } {
  const records: Uint8Array[] = []
  let pos = BUNDLE_MAGIC_BYTES
  while (pos < file.byteLength) {
    const { value, next } = decodeVarint(file, pos)
    if (next + value > file.byteLength) throw new RangeError('truncated record')
    records.push(file.subarray(next, next + value))
    pos = next + value
  }
  return { magic: file.subarray(0, BUNDLE_MAGIC_BYTES), records }
}

export function joinBundle (magic: Uint8Array, records: Uint8Array[]): Uint8Array {
  return concat([magic, ...records.flatMap(r => [encodeVarint(r.byteLength), r])])
}

export async function collect (chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const c of chunks) parts.push(c)
  return concat(parts)
}

/** Exports `bus` as a bundle to `path`; returns the plan and the file's bytes. */
export async function writeBundle (bus: Bus, path: string, options: ExportOptions): Promise<{ plan: ExportPlan, file: Uint8Array }> {
  const plan = await exportBundle(bus, options)
  const file = await collect(plan.bytes)
  await writeFile(path, file)
  return { plan, file }
}

/**
 * A bus of its own author `a` with `own` entries, holding `peer` entries of
 * author `b` and, with `fork`, evidence that b signed a second entry 3.
 */
export async function bundleWorld (scope: Scope, a: Author, b: Author, own = 4, peer = 5, fork = true): Promise<{ bus: Bus, peerChain: BusEntry[], twin?: BusEntry }> {
  const bus = await scope.bus(a)
  for (let i = 0; i < own; i++) await bus.append('memory.put', json({ key: `k/${i}`, value: i }))
  const peerChain = await signChain(b, peer)
  await bus.ingestRun(peerChain.map(e => e.bytes))
  if (!fork) return { bus, peerChain }
  const twin = await signNext(b, peerChain[1], { body: json({ twin: true }) })
  const r = await bus.ingest(twin.bytes)
  if (r.result !== 'accept' || r.fork !== true) throw new Error('the fork was not recorded')
  return { bus, peerChain, twin }
}
