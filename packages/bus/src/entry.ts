import {
  BUS_ALG_ML_DSA_65, BUS_ENTRY_CONTEXT, BUS_ENTRY_VERSION, Entry, HASH_BYTES, KIND_PATTERN, MAX_ENTRY_BYTES, MAX_HLC_MS,
  MAX_KIND_LENGTH, ML_DSA_65_PUBLIC_KEY_BYTES, ML_DSA_65_SIGNATURE_BYTES
} from '@smesh/protocols'
import { decodeBinding, verifyBinding } from '@smesh/identity/binding'
import { InvalidEntryError } from './errors.js'
import { equalBytes, sha256, toHex } from './hex.js'
import type { Signer, Verifier } from './crypto.js'
import type { Timestamp } from './hlc.js'

export const ENTRY_CONTEXT = new TextEncoder().encode(BUS_ENTRY_CONTEXT)
const EMPTY = new Uint8Array(0)

/** A decoded entry with the exact bytes it came in and their hash. */
export interface BusEntry {
  entry: Entry
  /** The canonical encoding: what is stored, sent and hashed. */
  bytes: Uint8Array
  /** SHA-256 of `bytes`. */
  hash: Uint8Array
  hashHex: string
  authorHex: string
  seq: bigint
  hlc: Timestamp
}

/**
 * The exact bytes an entry's signature covers: the entry encoded without its
 * signature. Fields are encoded in field-number order and the signature is
 * field 15, the last, so this is also the entry's encoding minus its
 * trailing signature field. Built here and nowhere else.
 */
export function entrySignable (entry: Entry): Uint8Array {
  return Entry.encode({ ...entry, signature: EMPTY })
}

function fail (reason: ConstructorParameters<typeof InvalidEntryError>[0], message: string, cause?: unknown, hint?: string): never {
  throw new InvalidEntryError(reason, message, { ...(cause != null ? { cause } : {}), ...(hint != null ? { hint } : {}) })
}

/**
 * Decodes an entry and checks everything that needs no key and no other
 * entry: size, canonical encoding, version, algorithm, field sizes, kind,
 * and, in a first entry, that the author is the hash of the public key
 * carried. Throws InvalidEntryError naming the first problem.
 */
export function decodeEntry (bytes: Uint8Array): BusEntry {
  if (bytes.byteLength > MAX_ENTRY_BYTES) fail('oversize', `entry of ${bytes.byteLength} bytes exceeds the ${MAX_ENTRY_BYTES} byte limit`)
  let entry: Entry
  try {
    entry = Entry.decode(bytes)
  } catch (err) {
    fail('malformed', 'entry is not a valid protobuf record', err)
  }
  if (entry.version !== BUS_ENTRY_VERSION) fail('version', `unknown entry version ${entry.version} (this node understands ${BUS_ENTRY_VERSION})`)
  if (entry.algorithm !== BUS_ALG_ML_DSA_65) fail('algorithm', `unknown signature algorithm ${entry.algorithm} (${BUS_ALG_ML_DSA_65} = ML-DSA-65)`)
  if (!equalBytes(Entry.encode(entry), bytes)) fail('non-canonical', 'entry is not in canonical encoding (unknown fields, default values written out, or fields out of order)')
  checkFields(entry)
  return wrap(entry, bytes)
}

/**
 * An entry read back from the store under its hash. Bytes that still hash to it are the bytes that
 * passed every check of decodeEntry when they came in, so only the hash is checked again here (not
 * the canonical encoding, the sizes, the kind). Undefined when they do not hash to it (damage).
 */
export function decodeStored (bytes: Uint8Array, hashHex: string): BusEntry | undefined {
  if (bytes.byteLength > MAX_ENTRY_BYTES) return undefined
  const hash = sha256(bytes)
  if (toHex(hash) !== hashHex) return undefined
  let entry: Entry
  try {
    entry = Entry.decode(bytes)
  } catch {
    return undefined
  }
  return { entry, bytes, hash, hashHex, authorHex: toHex(entry.author), seq: entry.seq, hlc: { ms: entry.hlcMs, counter: entry.hlcCounter } }
}

function wrap (entry: Entry, bytes: Uint8Array): BusEntry {
  const hash = sha256(bytes)
  return {
    entry,
    bytes,
    hash,
    hashHex: toHex(hash),
    authorHex: toHex(entry.author),
    seq: entry.seq,
    hlc: { ms: entry.hlcMs, counter: entry.hlcCounter }
  }
}

function checkFields (e: Entry): void {
  if (e.author.byteLength !== HASH_BYTES) fail('author', `author is ${e.author.byteLength} bytes, expected ${HASH_BYTES}`)
  if (e.seq < 1n) fail('seq', 'seq must be 1 or more')
  if (e.hlcMs === 0n) fail('malformed', 'entry has no timestamp')
  if (e.hlcMs > MAX_HLC_MS) fail('malformed', `entry timestamp ${e.hlcMs} ms is beyond the largest allowed (${MAX_HLC_MS})`)
  if (e.kind.length > MAX_KIND_LENGTH || !KIND_PATTERN.test(e.kind)) fail('kind', `invalid kind ${JSON.stringify(e.kind.slice(0, MAX_KIND_LENGTH + 1))}`)
  if (e.signature.byteLength !== ML_DSA_65_SIGNATURE_BYTES) fail('signature', `signature is ${e.signature.byteLength} bytes, expected ${ML_DSA_65_SIGNATURE_BYTES}`)
  if (e.seq === 1n) {
    if (e.prev.byteLength !== 0) fail('link', 'the first entry of a chain must not link to a previous one')
    if (e.publicKey.byteLength !== ML_DSA_65_PUBLIC_KEY_BYTES) fail('key', `the first entry must carry the ${ML_DSA_65_PUBLIC_KEY_BYTES}-byte ML-DSA-65 public key`)
    if (e.binding.byteLength === 0) fail('binding', 'the first entry must carry the author\'s identity binding')
    if (!equalBytes(sha256(e.publicKey), e.author)) fail('author', 'author is not the SHA-256 of the public key carried')
  } else {
    if (e.prev.byteLength !== HASH_BYTES) fail('link', `prev is ${e.prev.byteLength} bytes, expected ${HASH_BYTES}`)
    if (e.publicKey.byteLength !== 0 || e.binding.byteLength !== 0) fail('key', 'only the first entry of a chain carries a public key and binding')
  }
}

export interface NewEntry {
  kind: string
  body: Uint8Array
  hlc: Timestamp
  seq: bigint
  /** Hash of the author's previous entry; none for seq 1. */
  prev?: Uint8Array
  /** Encoded identity binding; required for seq 1. */
  binding?: Uint8Array
}

/** Builds, signs and encodes an entry. */
export async function signEntry (signer: Signer, author: Uint8Array, fields: NewEntry): Promise<BusEntry> {
  const first = fields.seq === 1n
  const entry = {
    version: BUS_ENTRY_VERSION,
    algorithm: BUS_ALG_ML_DSA_65,
    author,
    seq: fields.seq,
    prev: first ? EMPTY : (fields.prev ?? EMPTY),
    hlcMs: fields.hlc.ms,
    hlcCounter: fields.hlc.counter,
    kind: fields.kind,
    body: fields.body,
    publicKey: first ? signer.publicKey : EMPTY,
    binding: first ? (fields.binding ?? EMPTY) : EMPTY,
    signature: EMPTY
  } as Entry
  checkKind(fields.kind)
  entry.signature = await signer.sign(entrySignable(entry), ENTRY_CONTEXT) as Uint8Array<ArrayBuffer>
  const bytes = Entry.encode(entry)
  if (bytes.byteLength > MAX_ENTRY_BYTES) fail('oversize', `entry of ${bytes.byteLength} bytes exceeds the ${MAX_ENTRY_BYTES} byte limit`, undefined, 'make the value smaller: an entry holds at most 64 KiB, signature included (about 60 KiB of body); nothing was written')
  return wrap(entry, bytes)
}

export function checkKind (kind: string): void {
  if (kind.length > MAX_KIND_LENGTH || !KIND_PATTERN.test(kind)) fail('kind', `invalid kind ${JSON.stringify(kind.slice(0, MAX_KIND_LENGTH + 1))}`, undefined, 'use dotted lower-case words such as "memory.put" (at most 64 characters); nothing was written')
}

/** Checks an entry's signature with its author's verifier. */
export function verifyEntrySignature (e: BusEntry, verifier: Verifier): boolean {
  return verifier.verify(entrySignable(e.entry), e.entry.signature, ENTRY_CONTEXT)
}

/** verifyEntrySignature off the event loop (several at once, on the native backend). */
export async function verifyEntrySignatureAsync (e: BusEntry, verifier: Verifier): Promise<boolean> {
  return await verifier.verifyAsync(entrySignable(e.entry), e.entry.signature, ENTRY_CONTEXT)
}

/**
 * Checks what only a first entry carries: its identity binding is valid and
 * binds the entry's public key. Returns the author's PeerId (string).
 */
export async function verifyFirstEntry (e: BusEntry): Promise<string> {
  try {
    const binding = decodeBinding(e.entry.binding)
    const peerId = await verifyBinding(binding)
    if (!equalBytes(binding.pqPublicKey, e.entry.publicKey)) fail('binding', 'the identity binding names another ML-DSA-65 key than the entry carries')
    return peerId.toString()
  } catch (err: any) {
    if (err instanceof InvalidEntryError) throw err
    fail('binding', `the identity binding does not verify: ${err.message}`, err)
  }
}
