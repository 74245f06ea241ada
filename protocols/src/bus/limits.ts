import { BundleManifest } from './bundle.js'
import { ForkProof, SyncBatch, SyncHeads, SyncHello, SyncWant } from './sync.js'
import type { Uint8ArrayList } from 'uint8arraylist'

/** The only entry format version this code understands. */
export const BUS_ENTRY_VERSION = 1
/** Signature algorithm number of ML-DSA-65 on the wire (as in identity bindings). */
export const BUS_ALG_ML_DSA_65 = 1
/** ML-DSA context string of entry signatures. */
export const BUS_ENTRY_CONTEXT = 'smesh/bus/entry/v1'
/** ML-DSA context string of bundle manifest signatures. */
export const BUS_BUNDLE_CONTEXT = 'smesh/bus/bundle/v1'

/** Largest hlc_ms (2^48 - 1, about the year 10889): timestamps sort as 12 hex digits and fit a JavaScript Date. */
export const MAX_HLC_MS = (1n << 48n) - 1n

/** An encoded entry (body, key, binding and signature included) is at most this big. */
export const MAX_ENTRY_BYTES = 64 * 1024
/** Longest kind string. */
export const MAX_KIND_LENGTH = 64
/** Kinds are dotted lower-case words: `memory.put`, `session.message`. */
export const KIND_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*){0,7}$/
export const HASH_BYTES = 32
export const ML_DSA_65_PUBLIC_KEY_BYTES = 1952
export const ML_DSA_65_SIGNATURE_BYTES = 3309

/** The sync protocol id. */
export const BUS_SYNC_PROTOCOL = '/smesh/bus-sync/1.0.0'
export const BUS_SYNC_VERSION = 1
/** Most heads (authors) in one SyncHello or SyncHeads page. */
export const MAX_SYNC_HEADS = 4096
/** Most SyncHeads pages a client reads in one session. */
export const MAX_SYNC_HEAD_PAGES = 64
/** Most entries asked for, or sent, in one SyncWant/SyncBatch. */
export const MAX_SYNC_BATCH_ENTRIES = 512
/** Largest sync message on the wire. */
export const MAX_SYNC_MESSAGE_BYTES = MAX_SYNC_BATCH_ENTRIES * 4 * 1024 + 2 * 1024 * 1024

/** Bundles start with these 8 bytes. */
export const BUNDLE_MAGIC = new TextEncoder().encode('SMESHBN1')
export const BUNDLE_VERSION = 1
export const MAX_BUNDLE_MANIFEST_BYTES = 16 * 1024 + MAX_SYNC_HEADS * 80

/** The gossipsub topic carrying new entries of one mesh; message data is the encoded entry. */
export function busTopic (mesh: string): string {
  return `/smesh/${mesh}/bus/2`
}

/** The gossipsub topic carrying fork proofs of one mesh. */
export function busEvidenceTopic (mesh: string): string {
  return `/smesh/${mesh}/bus-evidence/2`
}

/** A message as a stream reader hands it over: one array, or a list of chunks. */
type Bytes = Uint8Array | Uint8ArrayList

export function checkSize (buf: Bytes, max: number, what: string): void {
  if (buf.byteLength > max) {
    throw new RangeError(`${what} of ${buf.byteLength} bytes exceeds the ${max} byte limit`)
  }
}

export function decodeSyncHello (buf: Bytes): SyncHello {
  checkSize(buf, MAX_SYNC_MESSAGE_BYTES, 'sync hello')
  return SyncHello.decode(buf, { limits: { heads: MAX_SYNC_HEADS } })
}

export function decodeSyncHeads (buf: Bytes): SyncHeads {
  checkSize(buf, MAX_SYNC_MESSAGE_BYTES, 'sync heads')
  return SyncHeads.decode(buf, { limits: { heads: MAX_SYNC_HEADS } })
}

export function decodeSyncWant (buf: Bytes): SyncWant {
  checkSize(buf, 1024, 'sync want')
  return SyncWant.decode(buf)
}

export function decodeSyncBatch (buf: Bytes): SyncBatch {
  checkSize(buf, MAX_SYNC_MESSAGE_BYTES, 'sync batch')
  return SyncBatch.decode(buf, { limits: { entries: MAX_SYNC_BATCH_ENTRIES } })
}

export function decodeForkProof (buf: Uint8Array): ForkProof {
  checkSize(buf, 2 * MAX_ENTRY_BYTES + 64, 'fork proof')
  return ForkProof.decode(buf)
}

export function decodeBundleManifest (buf: Uint8Array): BundleManifest {
  checkSize(buf, MAX_BUNDLE_MANIFEST_BYTES, 'bundle manifest')
  return BundleManifest.decode(buf, { limits: { heads: MAX_SYNC_HEADS, evidence: MAX_SYNC_HEADS } })
}
