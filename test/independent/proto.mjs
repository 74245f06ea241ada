// Minimal protobuf (proto3) wire decoding and canonical encoding, written from
// the spec only. Values: varints as BigInt, LEN fields as Uint8Array.

export class ProtoError extends Error {
  constructor(reason, message) { super(message ?? reason); this.reason = reason; }
}

/** Read an unsigned LEB128 varint at pos. Returns [value: bigint, newPos, minimal: boolean] or throws. */
export function readVarint(buf, pos) {
  let result = 0n, shift = 0n, i = pos;
  for (let n = 0; n < 10; n++) {
    if (i >= buf.length) throw new ProtoError('eof', 'varint runs past the end');
    const b = buf[i++];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) {
      if (n === 9 && b > 1) throw new ProtoError('malformed', 'varint over 64 bits');
      const minimal = n === 0 || b !== 0;
      return [result, i, minimal];
    }
    shift += 7n;
  }
  throw new ProtoError('malformed', 'varint longer than 10 bytes');
}

export function encodeVarint(v) {
  v = BigInt(v);
  const out = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

/** Split a message into raw fields, in wire order. Throws ProtoError('malformed'). */
export function parseFields(buf) {
  const fields = [];
  let pos = 0;
  while (pos < buf.length) {
    let tag;
    try { [tag, pos] = readVarint(buf, pos); } catch (e) { throw new ProtoError('malformed', 'bad tag: ' + e.message); }
    const num = Number(tag >> 3n), wt = Number(tag & 7n);
    if (num < 1 || num > 536870911) throw new ProtoError('malformed', 'bad field number');
    if (wt === 0) {
      let v;
      try { [v, pos] = readVarint(buf, pos); } catch (e) { throw new ProtoError('malformed', e.message); }
      fields.push({ num, wt, value: v });
    } else if (wt === 2) {
      let len;
      try { [len, pos] = readVarint(buf, pos); } catch (e) { throw new ProtoError('malformed', e.message); }
      if (len > BigInt(buf.length - pos)) throw new ProtoError('malformed', 'length-delimited field runs past the end');
      const n = Number(len);
      fields.push({ num, wt, value: buf.subarray(pos, pos + n) });
      pos += n;
    } else if (wt === 1) {
      if (pos + 8 > buf.length) throw new ProtoError('malformed', 'fixed64 past end');
      fields.push({ num, wt, value: buf.subarray(pos, pos + 8) }); pos += 8;
    } else if (wt === 5) {
      if (pos + 4 > buf.length) throw new ProtoError('malformed', 'fixed32 past end');
      fields.push({ num, wt, value: buf.subarray(pos, pos + 4) }); pos += 4;
    } else {
      throw new ProtoError('malformed', 'unsupported wire type ' + wt);
    }
  }
  return fields;
}

const utf8dec = new TextDecoder('utf-8'); // non-fatal: invalid UTF-8 becomes U+FFFD, so re-encoding differs
const utf8enc = new TextEncoder();

/**
 * Schema: { fieldName: [num, type, repeated?, subSchema?] }, type one of
 * 'uint32' | 'uint64' | 'bool' | 'bytes' | 'string' | 'message'.
 * Decodes proto3-style: last value wins for singular fields; unknown fields are dropped
 * (so they show up as a canonical-encoding mismatch); wire-type mismatch is malformed.
 */
export function decodeMessage(buf, schema) {
  const byNum = new Map();
  for (const [name, spec] of Object.entries(schema)) byNum.set(spec[0], [name, ...spec.slice(1)]);
  const out = {};
  for (const [name, spec] of Object.entries(schema)) {
    const [, type, repeated] = spec;
    out[name] = repeated ? [] : defaultOf(type);
  }
  for (const f of parseFields(buf)) {
    const s = byNum.get(f.num);
    if (!s) continue;
    const [name, type, repeated, sub] = s;
    const wantWt = (type === 'uint32' || type === 'uint64' || type === 'bool') ? 0 : 2;
    if (f.wt !== wantWt) throw new ProtoError('malformed', `field ${f.num}: wire type ${f.wt}`);
    let v;
    switch (type) {
      case 'uint32': v = f.value & 0xffffffffn; break; // as a 32-bit decoder would truncate
      case 'uint64': v = f.value; break;
      case 'bool': v = f.value !== 0n; break;
      case 'bytes': v = f.value; break;
      case 'string': v = utf8dec.decode(f.value); break;
      case 'message': v = decodeMessage(f.value, sub); break;
    }
    if (repeated) out[name].push(v); else out[name] = v;
  }
  return out;
}

function defaultOf(type) {
  switch (type) {
    case 'uint32': case 'uint64': return 0n;
    case 'bool': return false;
    case 'bytes': return new Uint8Array(0);
    case 'string': return '';
    case 'message': return null;
  }
}

/** Canonical encoding: field-number order, defaults omitted, minimal varints. `omit`: field names to leave out. */
export function encodeMessage(obj, schema, omit = []) {
  const entries = Object.entries(schema).sort((a, b) => a[1][0] - b[1][0]);
  const parts = [];
  for (const [name, [num, type, repeated, sub]] of entries) {
    if (omit.includes(name)) continue;
    const vals = repeated ? obj[name] : [obj[name]];
    for (const v of vals) {
      if (type === 'uint32' || type === 'uint64') {
        if (!repeated && BigInt(v) === 0n) continue;
        parts.push(...encodeVarint((BigInt(num) << 3n) | 0n), ...encodeVarint(v));
      } else if (type === 'bool') {
        if (!repeated && !v) continue;
        parts.push(...encodeVarint((BigInt(num) << 3n) | 0n), v ? 1 : 0);
      } else {
        let bytes;
        if (type === 'bytes') bytes = v;
        else if (type === 'string') bytes = utf8enc.encode(v);
        else { if (v == null) continue; bytes = encodeMessage(v, sub); }
        if (!repeated && type !== 'message' && bytes.length === 0) continue;
        parts.push(...encodeVarint((BigInt(num) << 3n) | 2n), ...encodeVarint(bytes.length));
        for (let i = 0; i < bytes.length; i++) parts.push(bytes[i]);
      }
    }
  }
  return Uint8Array.from(parts);
}

export function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
export function fromHex(s) {
  if (typeof s !== 'string' || s.length % 2 || /[^0-9a-fA-F]/.test(s)) throw new Error('bad hex');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}
export const utf8 = (s) => utf8enc.encode(s);

// ---- Schemas (protocols/src/**.proto) ----
export const HEAD = { author: [1, 'bytes'], seq: [2, 'uint64'], hash: [3, 'bytes'] };
export const ENTRY = {
  version: [1, 'uint32'], algorithm: [2, 'uint32'], author: [3, 'bytes'], seq: [4, 'uint64'],
  prev: [5, 'bytes'], hlc_ms: [6, 'uint64'], hlc_counter: [7, 'uint32'], kind: [8, 'string'],
  body: [9, 'bytes'], public_key: [10, 'bytes'], binding: [11, 'bytes'], signature: [15, 'bytes'],
};
export const BINDING = {
  version: [1, 'uint32'], peer_public_key: [2, 'bytes'], pq_algorithm: [3, 'uint32'],
  pq_public_key: [4, 'bytes'], created_at: [5, 'uint64'], peer_signature: [6, 'bytes'], pq_signature: [7, 'bytes'],
};
export const BINDING_SIGNABLE = {
  version: [1, 'uint32'], peer_public_key: [2, 'bytes'], pq_algorithm: [3, 'uint32'],
  pq_public_key: [4, 'bytes'], created_at: [5, 'uint64'],
};
export const MANIFEST = {
  version: [1, 'uint32'], mesh: [2, 'string'], created_at: [3, 'uint64'], exporter_binding: [4, 'bytes'],
  heads: [5, 'message', true, HEAD], entry_count: [6, 'uint64'], evidence_count: [7, 'uint64'],
  evidence: [8, 'bytes', true], signature: [15, 'bytes'],
};
export const FORK_PROOF = { entry_a: [1, 'bytes'], entry_b: [2, 'bytes'] };
