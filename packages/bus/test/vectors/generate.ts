/**
 * Golden test vectors of the memory bus entry format, for other
 * implementations to check themselves against:
 * protocols/bus/vectors/entries.json.
 *
 * Everything is derived from fixed seeds, fixed times and deterministic
 * signatures (FIPS 204 deterministic ML-DSA, Ed25519), so running this again
 * gives the same bytes; test/vectors.test.ts checks that it does.
 *
 * Regenerate: `npx tsc -b && npm run vectors -w @smesh/bus` (from the repo root).
 */
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { generateKeyPairFromSeed, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ml_dsa65 as mlDsa65 } from '@noble/post-quantum/ml-dsa.js'
import { BINDING_CONTEXT, bindingSignable, encodeBinding } from '@smesh/identity'
import {
  BINDING_VERSION, BUS_ALG_ML_DSA_65, BUS_ENTRY_CONTEXT, BUS_ENTRY_VERSION, Entry, MAX_ENTRY_BYTES, ML_DSA_65_PUBLIC_KEY_BYTES,
  ML_DSA_65_SIGNATURE_BYTES, PQ_ALG_ML_DSA_65
} from '@smesh/protocols'
import { ENTRY_CONTEXT, entrySignable, signEntry } from '../../src/entry.js'
import { equalBytes, sha256, toHex } from '../../src/hex.js'
import { encodeVarint } from '../fixtures.js'
import type { IdentityBindingSignable } from '@smesh/protocols'
import type { Signer } from '../../src/crypto.js'
import type { BusEntry, NewEntry } from '../../src/entry.js'
import type { InvalidReason } from '../../src/errors.js'

/** Where the vectors live, from packages/bus/dist/test/vectors/generate.js. */
export const VECTORS_URL = new URL('../../../../../protocols/bus/vectors/entries.json', import.meta.url)

export type KeyName = 'A' | 'B'

export interface KeyVector {
  mlDsaSeed: string
  publicKey: string
  author: string
  ed25519Seed: string
  peerPublicKey: string
  peerId: string
  bindingCreatedAt: string
  bindingSignable: string
  binding: string
}

export interface EntryFields {
  version: number
  algorithm: number
  author: string
  seq: string
  prev: string
  hlcMs: string
  hlcCounter: number
  kind: string
  body: string
  bodyUtf8: string | null
  publicKey: string
  binding: string
}

export interface ValidVector {
  name: string
  key: KeyName
  fields: EntryFields
  signable: string
  signature: string
  entry: string
  hash: string
}

export interface ChainVector {
  key: KeyName
  author: string
  head: string
  entries: Array<{ name: string, seq: string, hash: string, prev: string | null }>
}

export type InvalidCheck = 'decode' | 'signature' | 'link'

export interface InvalidVector {
  name: string
  description: string
  check: InvalidCheck
  reason: InvalidReason
  verifyWith: KeyName
  follows: string | null
  entry: string
}

export interface Vectors {
  description: Record<string, unknown>
  context: string
  bindingContext: string
  signing: string
  limits: { maxEntryBytes: number, mlDsa65PublicKeyBytes: number, mlDsa65SignatureBytes: number }
  keys: Record<KeyName, KeyVector>
  valid: ValidVector[]
  chains: ChainVector[]
  invalid: InvalidVector[]
}

const DESCRIPTION: Record<string, unknown> = {
  about: 'Golden test vectors of the smesh memory bus entry format. The format is specified in protocols/bus/SPEC.md; the wire message is Entry of protocols/src/bus/entry.proto (protobuf, proto3) in canonical form: fields in field-number order, default values (0, empty) left out, no unknown or repeated fields, shortest varints. An entry has exactly one encoding, and its hash is the SHA-256 of that encoding. A receiver re-encodes what it decoded and refuses the entry unless the bytes are identical.',
  regenerate: 'npx tsc -b && npm run vectors -w @smesh/bus (generator: packages/bus/test/vectors/generate.ts; checked by packages/bus/test/vectors.test.ts, which also re-runs the generator and requires this file byte for byte).',
  conventions: 'Byte strings are lower-case hex ("" for empty). uint64 values are decimal strings, uint32 values JSON numbers. Field names are the proto3 JSON names (lowerCamelCase) of entry.proto.',
  context: 'The ML-DSA context string of entry signatures (FIPS 204 ctx, UTF-8).',
  bindingContext: 'The ML-DSA context string of the ML-DSA signature of an identity binding; its signed bytes are "smesh/identity/binding/v1\\n" followed by the IdentityBindingSignable encoding (protocols/src/identity/binding.proto). The Ed25519 key signs the same bytes, without a context.',
  signing: 'How the signatures here were made. Verification does not depend on it: a hedged (randomized) signer makes other, equally valid signatures.',
  limits: 'Size limits that the vectors exercise (protocols/src/bus/limits.ts).',
  keys: {
    about: 'Two authors, A and B.',
    mlDsaSeed: 'The 32-byte seed xi of FIPS 204 ML-DSA-65 KeyGen (Algorithm 1); the key pair is ML-DSA.KeyGen_internal(seed).',
    publicKey: 'The ML-DSA-65 public key (1,952 bytes).',
    author: 'SHA-256(publicKey): the author field of every entry of this author.',
    ed25519Seed: 'The 32-byte Ed25519 private key (seed, RFC 8032) of the author\'s libp2p identity.',
    peerPublicKey: 'The libp2p public key, protobuf-encoded (libp2p PublicKey message: KeyType Ed25519 = 1, 32-byte key): peer_public_key of the binding.',
    peerId: 'The libp2p PeerId of that key (base58btc, identity multihash).',
    bindingCreatedAt: 'created_at of the identity binding (milliseconds since the epoch).',
    bindingSignable: 'The bytes both keys of the binding sign: "smesh/identity/binding/v1\\n" + IdentityBindingSignable.',
    binding: 'The encoded IdentityBinding carried by the author\'s first entry (field binding).'
  },
  valid: {
    about: 'Valid entries, in chain order. Each decodes, re-encodes to the same bytes, and its signature verifies with its author\'s key; first entries (seq 1) carry the public key and a binding that verifies to keys[key].peerId.',
    name: 'A name for the entry: key name and seq.',
    key: 'The author (a name in keys).',
    fields: 'The decoded fields (the signature is given separately). bodyUtf8 is the body as text when it is valid UTF-8, else null (the opaque kind carries bytes that are not).',
    signable: 'The bytes the signature covers: the entry encoded without its signature field (field 15). Since field 15 is the last, this is also a prefix of entry.',
    signature: 'ML-DSA-65 signature (3,309 bytes) of signable with the context string.',
    entry: 'The canonical encoding of the whole entry.',
    hash: 'SHA-256(entry): the entry\'s id, and what the next entry of the chain carries as prev.'
  },
  chains: 'Which valid entries form each author\'s chain, in seq order: prev is the name of the entry whose hash the entry carries as prev (null for seq 1); head is the hash of the last entry.',
  invalid: {
    about: 'Entries to refuse. Each has exactly one fault, and the rest is as a valid entry would be: in particular the signature is a correct signature by the author of whatever was signed, unless the fault is the signature.',
    name: 'A short name.',
    description: 'What is wrong.',
    check: '"decode": refused when decoded on its own, before any key or other entry is needed (the order of those checks: size, protobuf, version, algorithm, canonical form, then field checks). "signature": decodes, but its signature does not verify with the key of verifyWith. "link": decodes and its signature verifies, but offered as the entry after the valid entry named by follows, its prev is not that entry\'s hash.',
    reason: 'The rejection reason smesh gives (InvalidEntryError.reason in packages/bus/src/errors.ts).',
    verifyWith: 'Whose public key (a name in keys) to verify the signature with. For check "signature" it fails; for every other vector it verifies (over the signable bytes of the decoded fields, re-encoded canonically), so the stated fault is the only one.',
    follows: 'For check "signature" and "link": the valid entry (a name in valid) this entry is offered after in its chain; else null.',
    entry: 'The encoded entry.'
  }
}

const ENC = new TextEncoder()

function range (from: number, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => from + i)
}

/**
 * An ML-DSA-65 signer (the bus's Signer interface) that signs
 * deterministically: FIPS 204 ML-DSA.Sign with rnd = 32 zero bytes.
 */
export function deterministicSigner (seed: Uint8Array): Signer & { secretKey: Uint8Array } {
  const { publicKey, secretKey } = mlDsa65.keygen(seed)
  const signSync = (message: Uint8Array, context: Uint8Array): Uint8Array => mlDsa65.sign(message, secretKey, { context, extraEntropy: false })
  return { backend: 'noble', publicKey, secretKey, sign: async (m, c) => signSync(m, c), signSync }
}

interface Author {
  name: KeyName
  signer: Signer & { secretKey: Uint8Array }
  author: Uint8Array
  vector: KeyVector
}

async function makeAuthor (name: KeyName, mlDsaSeed: Uint8Array, edSeed: Uint8Array, createdAt: number): Promise<Author> {
  const signer = deterministicSigner(mlDsaSeed)
  const author = sha256(signer.publicKey)
  const peerKey = await generateKeyPairFromSeed('Ed25519', edSeed)
  // createBinding (@smesh/identity) signs with hedged ML-DSA, so its output
  // differs on every call: build the same binding here with the same
  // signable bytes and a deterministic ML-DSA signature.
  const fields: IdentityBindingSignable = {
    version: BINDING_VERSION,
    peerPublicKey: new Uint8Array(publicKeyToProtobuf(peerKey.publicKey)),
    pqAlgorithm: PQ_ALG_ML_DSA_65,
    pqPublicKey: new Uint8Array(signer.publicKey),
    createdAt: BigInt(createdAt)
  }
  const signable = bindingSignable(fields)
  const peerSignature = await peerKey.sign(signable)
  const pqSignature = mlDsa65.sign(signable, signer.secretKey, { context: ENC.encode(BINDING_CONTEXT), extraEntropy: false })
  const binding = encodeBinding({ ...fields, peerSignature: new Uint8Array(peerSignature), pqSignature: new Uint8Array(pqSignature) })
  return {
    name,
    signer,
    author,
    vector: {
      mlDsaSeed: toHex(mlDsaSeed),
      publicKey: toHex(signer.publicKey),
      author: toHex(author),
      ed25519Seed: toHex(edSeed),
      peerPublicKey: toHex(fields.peerPublicKey),
      peerId: peerIdFromPrivateKey(peerKey).toString(),
      bindingCreatedAt: String(createdAt),
      bindingSignable: toHex(signable),
      binding: toHex(binding)
    }
  }
}

function utf8OrNull (bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return null
  }
}

/** The fields of an entry as the vectors write them. */
export function fieldsOf (e: Entry): EntryFields {
  return {
    version: e.version,
    algorithm: e.algorithm,
    author: toHex(e.author),
    seq: e.seq.toString(),
    prev: toHex(e.prev),
    hlcMs: e.hlcMs.toString(),
    hlcCounter: e.hlcCounter,
    kind: e.kind,
    body: toHex(e.body),
    bodyUtf8: utf8OrNull(e.body),
    publicKey: toHex(e.publicKey),
    binding: toHex(e.binding)
  }
}

/** A complete entry record with the given fields, signed by `signer` (deterministically), bypassing signEntry's checks. */
function signRaw (signer: Signer, fields: Omit<Entry, 'signature'>): Entry {
  const entry = { ...fields, signature: new Uint8Array(0) } as Entry
  entry.signature = signer.signSync(entrySignable(entry), ENTRY_CONTEXT) as Uint8Array<ArrayBuffer>
  return entry
}

// --- a minimal protobuf writer, to build the non-canonical encodings ---

function varint (n: bigint | number): number[] {
  return [...encodeVarint(n)]
}

type Part = [field: number, bytes: number[]]

function varintField (field: number, v: bigint | number): Part {
  return [field, [...varint(field << 3), ...varint(v)]]
}

function bytesField (field: number, b: Uint8Array): Part {
  return [field, [...varint((field << 3) | 2), ...varint(b.byteLength), ...b]]
}

/** The fields of an entry as the canonical encoding writes them, one part per field present. */
function canonicalParts (e: Entry): Part[] {
  const parts: Part[] = []
  if (e.version !== 0) parts.push(varintField(1, e.version))
  if (e.algorithm !== 0) parts.push(varintField(2, e.algorithm))
  if (e.author.byteLength > 0) parts.push(bytesField(3, e.author))
  if (e.seq !== 0n) parts.push(varintField(4, e.seq))
  if (e.prev.byteLength > 0) parts.push(bytesField(5, e.prev))
  if (e.hlcMs !== 0n) parts.push(varintField(6, e.hlcMs))
  if (e.hlcCounter !== 0) parts.push(varintField(7, e.hlcCounter))
  if (e.kind !== '') parts.push(bytesField(8, ENC.encode(e.kind)))
  if (e.body.byteLength > 0) parts.push(bytesField(9, e.body))
  if (e.publicKey.byteLength > 0) parts.push(bytesField(10, e.publicKey))
  if (e.binding.byteLength > 0) parts.push(bytesField(11, e.binding))
  if (e.signature.byteLength > 0) parts.push(bytesField(15, e.signature))
  // the hand-written encoder must agree with the generated one on canonical input
  if (!equalBytes(join(parts), Entry.encode(e))) throw new Error('canonicalParts disagrees with Entry.encode')
  return parts
}

function join (parts: Part[], extra: number[] = []): Uint8Array {
  return Uint8Array.from([...parts.flatMap(([, b]) => b), ...extra])
}

function indexOfField (parts: Part[], field: number): number {
  const i = parts.findIndex(([f]) => f === field)
  if (i < 0) throw new Error(`field ${field} not present`)
  return i
}

const T0 = 1_750_000_000_000n

/** Builds every vector. Deterministic: the same output on every call. */
export async function buildVectors (): Promise<Vectors> {
  const A = await makeAuthor('A', range(0x01, 32), range(0x41, 32), 1_749_999_000_000)
  const B = await makeAuthor('B', range(0x21, 32), range(0x61, 32), 1_749_999_500_000)
  const binding = (a: Author): Uint8Array => Buffer.from(a.vector.binding, 'hex')

  const valid: ValidVector[] = []
  const byName = new Map<string, BusEntry>()
  const sign = async (a: Author, fields: NewEntry): Promise<BusEntry> => {
    const e = await signEntry(a.signer, a.author, fields)
    const name = `${a.name}${fields.seq}`
    byName.set(name, e)
    valid.push({
      name,
      key: a.name,
      fields: fieldsOf(e.entry),
      signable: toHex(entrySignable(e.entry)),
      signature: toHex(e.entry.signature),
      entry: toHex(e.bytes),
      hash: e.hashHex
    })
    return e
  }

  const a1 = await sign(A, {
    seq: 1n,
    kind: 'memory.put',
    body: ENC.encode(JSON.stringify({ key: 'notes/todo', value: 'buy milk' })),
    hlc: { ms: T0, counter: 0 },
    binding: binding(A)
  })
  const a2 = await sign(A, {
    seq: 2n,
    prev: a1.hash,
    kind: 'session.open',
    body: ENC.encode(JSON.stringify({ title: 'Golden vectors', meta: { lang: 'en' } })),
    hlc: { ms: T0, counter: 1 }
  })
  // an opaque kind: the body is bytes, here not even UTF-8 (0xc3 0x28 is an invalid sequence)
  const opaqueBody = Uint8Array.from([0x00, 0x01, 0x02, 0xc3, 0x28, 0xff, 0xfe, 0x80, 0x7f, 0x0a])
  const a3 = await sign(A, {
    seq: 3n,
    prev: a2.hash,
    kind: 'vectors.opaque',
    body: opaqueBody,
    hlc: { ms: T0 + 2500n, counter: 0 }
  })
  const b1 = await sign(B, {
    seq: 1n,
    kind: 'memory.put',
    body: ENC.encode(JSON.stringify({ key: 'shared/greeting', value: { text: 'hello', n: 1 } })),
    hlc: { ms: T0 + 1000n, counter: 2 },
    binding: binding(B)
  })

  const chains: ChainVector[] = [
    { key: 'A', author: A.vector.author, head: a3.hashHex, entries: [chainLink('A1', a1, null), chainLink('A2', a2, 'A1'), chainLink('A3', a3, 'A2')] },
    { key: 'B', author: B.vector.author, head: b1.hashHex, entries: [chainLink('B1', b1, null)] }
  ]

  const invalid: InvalidVector[] = []
  const add = (name: string, description: string, check: InvalidCheck, reason: InvalidReason, bytes: Uint8Array, verifyWith: KeyName = 'A', follows: string | null = null): void => {
    invalid.push({ name, description, check, reason, verifyWith, follows, entry: toHex(bytes) })
  }
  const flipBit = (bytes: Uint8Array, at: number, bit: number): Uint8Array => {
    const out = new Uint8Array(bytes)
    out[at] = (out[at] as number) ^ (1 << bit)
    return out
  }

  // --- signature ---
  {
    // the signature is the last field: its value is the last 3,309 bytes
    const at = a2.bytes.byteLength - ML_DSA_65_SIGNATURE_BYTES + 1000
    add('signature-bit-flipped', 'A2 with bit 0 of byte 1000 of its signature flipped.', 'signature', 'signature', flipBit(a2.bytes, at, 0), 'A', 'A1')
  }
  {
    const title = ENC.encode('Golden')
    const bodyAt = a2.bytes.byteLength - ML_DSA_65_SIGNATURE_BYTES - 3 - a2.entry.body.byteLength
    const inBody = a2.entry.body.findIndex((_, i) => equalBytes(a2.entry.body.subarray(i, i + title.byteLength), title))
    // "Golden" becomes "Gomden": still valid JSON, still canonical, no longer what was signed
    const bytes = flipBit(a2.bytes, bodyAt + inBody + 2, 0)
    if (bytes[bodyAt + inBody + 2] !== 0x6d) throw new Error('body offset miscomputed')
    add('body-bit-flipped', 'A2 with bit 0 of one body byte flipped ("Golden" reads "Gomden"); the signature is A2\'s.', 'signature', 'signature', bytes, 'A', 'A1')
  }
  {
    const forged = await signEntry(B.signer, A.author, { seq: 2n, prev: a1.hash, kind: a2.entry.kind, body: a2.entry.body, hlc: a2.hlc })
    add('signed-by-another-key', 'The fields of A2 (author A) signed with B\'s key: a forgery by B. Verified with A\'s key it fails (it would pass with B\'s).', 'signature', 'signature', forged.bytes, 'A', 'A1')
  }

  // --- link ---
  {
    const e = await signEntry(A.signer, A.author, { seq: 3n, prev: a1.hash, kind: a3.entry.kind, body: a3.entry.body, hlc: a3.hlc })
    add('wrong-prev', 'A3 but with prev = hash of A1 instead of A2, correctly signed by A: a well-formed entry that does not link to A2.', 'link', 'link', e.bytes, 'A', 'A2')
  }

  // --- decode ---
  const a2Fields = { ...a2.entry }
  add('version-2', 'The fields of A2 with version 2, signed by A.', 'decode', 'version', Entry.encode(signRaw(A.signer, { ...a2Fields, version: 2 })))
  add('algorithm-2', 'The fields of A2 with algorithm 2 (an ML-DSA-65 signature nonetheless), signed by A.', 'decode', 'algorithm', Entry.encode(signRaw(A.signer, { ...a2Fields, algorithm: 2 })))
  {
    // an opaque A3 whose body makes the entry exactly one byte over the limit
    const base = { ...a3.entry, body: new Uint8Array(0) }
    let n = MAX_ENTRY_BYTES + 1 - Entry.encode(base).byteLength
    while (Entry.encode({ ...base, body: new Uint8Array(n) }).byteLength > MAX_ENTRY_BYTES + 1) n--
    const body = Uint8Array.from({ length: n }, (_, i) => i & 0xff)
    const e = Entry.encode(signRaw(A.signer, { ...base, body }))
    if (e.byteLength !== MAX_ENTRY_BYTES + 1) throw new Error(`oversize entry is ${e.byteLength} bytes`)
    add('oversize', `A3 with a ${n}-byte body: the entry is ${MAX_ENTRY_BYTES + 1} bytes, one more than the ${MAX_ENTRY_BYTES}-byte limit (otherwise valid, signed by A).`, 'decode', 'oversize', e)
  }
  {
    const parts = canonicalParts(a2.entry)
    // field 16, wire type varint, value 0: tag 0x80 0x01, then 0x00
    add('unknown-field', 'A2 with an unknown field (number 16, varint 0) appended after the signature.', 'decode', 'non-canonical', join(parts, [...varint(16 << 3), 0x00]))

    const reordered = [...parts]
    const k = indexOfField(reordered, 8)
    reordered.splice(k, 2, parts[k + 1] as Part, parts[k] as Part)
    add('fields-out-of-order', 'A2 with its body (field 9) written before its kind (field 8).', 'decode', 'non-canonical', join(reordered))

    const overlong = [...parts]
    overlong[indexOfField(overlong, 4)] = [4, [...varint(4 << 3), 0x82, 0x00]]
    add('overlong-varint', 'A2 with seq 2 written as the two-byte varint 0x82 0x00.', 'decode', 'non-canonical', join(overlong))

    const repeated = [...parts]
    repeated.splice(indexOfField(repeated, 8) + 1, 0, repeated[indexOfField(repeated, 8)] as Part)
    add('repeated-field', 'A2 with its kind (field 8) written twice, with the same value.', 'decode', 'non-canonical', join(repeated))
  }
  {
    const parts = canonicalParts(a3.entry)
    if (a3.entry.hlcCounter !== 0) throw new Error('A3 must have hlc_counter 0')
    parts.splice(indexOfField(parts, 6) + 1, 0, varintField(7, 0))
    add('default-written', 'A3 with hlc_counter 0 written out (field 7, value 0) where it must be left out.', 'decode', 'non-canonical', join(parts))
  }
  add('author-not-key-hash', 'A first entry carrying A\'s public key and binding, signed by A, whose author is B\'s author (not SHA-256 of the key carried).', 'decode', 'author',
    Entry.encode(signRaw(A.signer, { ...a1.entry, author: B.author as Uint8Array<ArrayBuffer> })))
  add('key-in-later-entry', 'The fields of A2 plus A\'s public key (field 10), signed by A: only seq 1 may carry a key.', 'decode', 'key',
    Entry.encode(signRaw(A.signer, { ...a2Fields, publicKey: new Uint8Array(A.signer.publicKey) })))

  return {
    description: DESCRIPTION,
    context: BUS_ENTRY_CONTEXT,
    bindingContext: BINDING_CONTEXT,
    signing: 'Entry and binding ML-DSA-65 signatures: FIPS 204 ML-DSA.Sign, deterministic variant (rnd = 32 zero bytes), pure (no pre-hash), with the context string. Binding Ed25519 signatures: RFC 8032 (deterministic).',
    limits: { maxEntryBytes: MAX_ENTRY_BYTES, mlDsa65PublicKeyBytes: ML_DSA_65_PUBLIC_KEY_BYTES, mlDsa65SignatureBytes: ML_DSA_65_SIGNATURE_BYTES },
    keys: { A: A.vector, B: B.vector },
    valid,
    chains,
    invalid
  }
}

function chainLink (name: string, e: BusEntry, prev: string | null): ChainVector['entries'][number] {
  return { name, seq: e.seq.toString(), hash: e.hashHex, prev }
}

/** The file's exact text. */
export function renderVectors (v: Vectors): string {
  return JSON.stringify(v, null, 2) + '\n'
}

if (BUS_ENTRY_VERSION !== 1 || BUS_ALG_ML_DSA_65 !== 1) throw new Error('the vectors describe entry version 1, algorithm 1')

async function main (): Promise<void> {
  const path = fileURLToPath(VECTORS_URL)
  const v = await buildVectors()
  mkdirSync(new URL('.', VECTORS_URL), { recursive: true })
  writeFileSync(path, renderVectors(v))
  process.stdout.write(`wrote ${path}: ${v.valid.length} valid and ${v.invalid.length} invalid entries\n`)
}

if (process.argv[1] != null && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main()
}
