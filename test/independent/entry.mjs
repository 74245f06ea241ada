// Entry and identity-binding checks (protocols/bus/SPEC.md 1.1, 2, 2.1).
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  decodeMessage, encodeMessage, bytesEqual, hex, utf8,
  ENTRY, BINDING, BINDING_SIGNABLE,
} from './proto.mjs';

export const MAX_ENTRY = 65536;
export const PK_BYTES = 1952;
export const SIG_BYTES = 3309;
const ENTRY_CTX = utf8('smesh/bus/entry/v1');
const BINDING_CTX = utf8('smesh/identity/binding/v1');
const BINDING_DOMAIN = utf8('smesh/identity/binding/v1\n');
const KIND_RE = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*){0,7}$/;

export class EntryError extends Error {
  constructor(reason, message) { super(message ?? reason); this.reason = reason; }
}

export function mlDsaVerify(sig, msg, pk, ctx) {
  try { return ml_dsa65.verify(sig, msg, pk, { context: ctx }); } catch { return false; }
}

// ---- base58btc ----
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
export function base58btc(bytes) {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let s = '';
  while (n > 0n) { s = B58[Number(n % 58n)] + s; n /= 58n; }
  for (const b of bytes) { if (b === 0) s = '1' + s; else break; }
  return s;
}

/** Verify an encoded IdentityBinding. Returns { pqPublicKey, peerId, createdAt } or throws Error(detail). */
export function verifyBinding(bytes) {
  let b;
  try { b = decodeMessage(bytes, BINDING); } catch (e) { throw new Error('binding does not decode: ' + e.message, { cause: e }); }
  if (!bytesEqual(encodeMessage(b, BINDING), bytes)) throw new Error('binding not canonical');
  if (b.version !== 1n) throw new Error('binding version ' + b.version);
  if (b.pq_algorithm !== 1n) throw new Error('binding pq_algorithm ' + b.pq_algorithm);
  const ppk = b.peer_public_key;
  if (ppk.length !== 36 || ppk[0] !== 0x08 || ppk[1] !== 0x01 || ppk[2] !== 0x12 || ppk[3] !== 0x20)
    throw new Error('binding peer key is not a 36-byte Ed25519 libp2p PublicKey');
  if (b.pq_public_key.length !== PK_BYTES) throw new Error('binding pq key length');
  if (b.peer_signature.length !== 64) throw new Error('binding peer signature length');
  if (b.pq_signature.length !== SIG_BYTES) throw new Error('binding pq signature length');
  const signable = concat(BINDING_DOMAIN, encodeMessage(b, BINDING_SIGNABLE));
  let edOk;
  try { edOk = ed25519.verify(b.peer_signature, signable, ppk.subarray(4), { zip215: false }); } catch { edOk = false; }
  if (!edOk) throw new Error('binding Ed25519 signature');
  if (!mlDsaVerify(b.pq_signature, signable, b.pq_public_key, BINDING_CTX)) throw new Error('binding ML-DSA signature');
  const peerId = base58btc(concat(Uint8Array.of(0x00, 0x24), ppk));
  return { pqPublicKey: b.pq_public_key, peerId, createdAt: b.created_at };
}

export function concat(...arrs) {
  const n = arrs.reduce((s, a) => s + a.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const a of arrs) { out.set(a, o); o += a.length; }
  return out;
}

/**
 * Well-formedness (2.1), in the order: size, protobuf, version, algorithm, canonical, field checks.
 * Returns { e, hash, signable, bytes }. Throws EntryError(reason).
 */
export function decodeEntry(bytes) {
  if (bytes.length > MAX_ENTRY) throw new EntryError('oversize');
  let e;
  try { e = decodeMessage(bytes, ENTRY); } catch (err) {
    throw new EntryError('malformed', err.message); // reason name not given by the spec (guess)
  }
  if (e.version !== 1n) throw new EntryError('version');
  if (e.algorithm !== 1n) throw new EntryError('algorithm');
  const re = encodeMessage(e, ENTRY);
  if (!bytesEqual(re, bytes)) throw new EntryError('non-canonical');
  if (e.author.length !== 32) throw new EntryError('author', 'author not 32 bytes');
  if (e.seq < 1n) throw new EntryError('seq', 'seq 0');
  if (!(e.hlc_ms > 0n && e.hlc_ms < (1n << 48n))) throw new EntryError('hlc', 'hlc_ms out of range');
  if (e.kind.length < 1 || e.kind.length > 64 || !KIND_RE.test(e.kind)) throw new EntryError('kind');
  if (e.signature.length !== SIG_BYTES) throw new EntryError('signature', 'signature length');
  if (e.seq === 1n) {
    if (e.prev.length !== 0) throw new EntryError('prev', 'seq 1 with a prev');
    if (e.public_key.length !== PK_BYTES) throw new EntryError('key', 'seq 1 public key length');
    if (e.binding.length === 0) throw new EntryError('binding', 'seq 1 without binding');
    if (!bytesEqual(sha256(e.public_key), e.author)) throw new EntryError('author', 'author is not SHA-256(public_key)');
  } else {
    if (e.prev.length !== 32) throw new EntryError('prev', 'prev not 32 bytes');
    if (e.public_key.length !== 0) throw new EntryError('key', 'key in a later entry');
    if (e.binding.length !== 0) throw new EntryError('binding', 'binding in a later entry');
  }
  const signable = encodeMessage(e, ENTRY, ['signature']);
  return { e, bytes, hash: sha256(bytes), signable, authorHex: hex(e.author), seq: e.seq };
}

/** Signature of a decoded entry with the given ML-DSA public key. */
export function entrySignatureOk(d, pk) {
  return mlDsaVerify(d.e.signature, d.signable, pk, ENTRY_CTX);
}

/** First-entry checks of 2.1 (valid in a chain, seq 1). Throws EntryError. Returns { peerId }. */
export function checkFirst(d) {
  let b;
  try { b = verifyBinding(d.e.binding); } catch (err) { throw new EntryError('binding', err.message); }
  if (!bytesEqual(b.pqPublicKey, d.e.public_key)) throw new EntryError('binding', 'binding names another ML-DSA key');
  if (!entrySignatureOk(d, d.e.public_key)) throw new EntryError('signature');
  return { peerId: b.peerId };
}

/** Later-entry checks of 2.1 given the previous valid entry and the chain's key. Throws EntryError. */
export function checkNext(d, prev, pk) {
  if (!bytesEqual(d.e.prev, prev.hash)) throw new EntryError('link');
  const a = d.e, p = prev.e;
  if (!(a.hlc_ms > p.hlc_ms || (a.hlc_ms === p.hlc_ms && a.hlc_counter > p.hlc_counter))) throw new EntryError('hlc');
  if (!entrySignatureOk(d, pk)) throw new EntryError('signature');
}
