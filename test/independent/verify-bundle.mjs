// Offline bundle verifier (protocols/bus/SPEC.md 6 / 6.1; membership SPEC "Admission", "Governance gate").
import { sha256 } from '@noble/hashes/sha2.js';
import {
  ProtoError, readVarint, decodeMessage, encodeMessage, bytesEqual, hex, utf8, MANIFEST, FORK_PROOF,
} from './proto.mjs';
import {
  EntryError, decodeEntry, checkFirst, checkNext, verifyBinding, mlDsaVerify, entrySignatureOk, SIG_BYTES,
} from './entry.mjs';
import { gate, isPlainObject } from './policy.mjs';

const MAGIC = utf8('SMESHBN1');
const MAX_RECORD = 344064;
const BUNDLE_CTX = utf8('smesh/bus/bundle/v1');

class Fail extends Error {
  constructor(reason, info = {}) { super(info.detail ?? reason); this.reason = reason; this.info = info; }
}

class Reader {
  constructor(buf, pos) { this.buf = buf; this.pos = pos; }
  get done() { return this.pos >= this.buf.length; }
  /** Next record, or throws Fail('truncated'). overReason: reason for a record over the size limit. */
  next(record, overReason) {
    if (this.done) throw new Fail('truncated', { record, detail: 'file ends before record ' + record });
    let len, p;
    try { [len, p] = readVarint(this.buf, this.pos); } catch (e) {
      if (e instanceof ProtoError && e.reason === 'eof') throw new Fail('truncated', { record, detail: 'length prefix cut off' });
      throw new Fail(overReason, { record, detail: 'bad length prefix: ' + e.message });
    }
    if (len > BigInt(MAX_RECORD)) throw new Fail(overReason, { record, detail: `record of ${len} bytes over ${MAX_RECORD}` });
    if (len > BigInt(this.buf.length - p)) throw new Fail('truncated', { record, detail: 'record cut off' });
    const n = Number(len);
    this.pos = p + n;
    return this.buf.subarray(p, p + n);
  }
}

const utf8fatal = new TextDecoder('utf-8', { fatal: true });
function parseBody(bytes) {
  try {
    const v = JSON.parse(utf8fatal.decode(bytes));
    return v;
  } catch { return undefined; }
}

function toNum(v) {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
}
const HEX64 = /^[0-9a-f]{64}$/;

// ---- membership state ----
function scopeNeeded(kind) {
  if (kind === 'member.admit' || kind === 'member.revoke' || kind === 'policy.set' || kind === 'policy.approve') return 'admin';
  if (kind === 'policy.ask' || kind === 'policy.deny') return null; // any member
  if (kind.startsWith('member.') || kind.startsWith('policy.')) return 'admin'; // unlisted rule kinds: guess
  if (kind === 'task.result' || kind === 'task.serve') return 'task.serve';
  if (kind.startsWith('task.')) return 'task.submit';
  return 'write';
}
const isRuleKind = (k) => k.startsWith('member.') || k.startsWith('policy.');

class Rules {
  constructor(root) {
    this.root = root;
    this.leases = new Map();   // device -> [{issuedAt, expiresAt, name, scopes, peerId}]
    this.revokes = new Map();  // device -> [{cutoff: bigint, writtenMs}]
    this.policies = []; this.asks = []; this.approvals = [];
  }
  leaseInForce(dev) {
    const ls = this.leases.get(dev);
    if (!ls || ls.length === 0) return null;
    return ls.reduce((a, b) => (b.expiresAt > a.expiresAt ? b : a));
  }
  /** Admission of one decoded entry: null (taken) or a reason. */
  admission(d) {
    const a = d.authorHex;
    if (a === this.root) return null;
    const lease = this.leaseInForce(a);
    if (!lease) return 'not-member';
    const rv = this.revokes.get(a);
    if (rv && rv.length) {
      const c = rv.reduce((m, r) => (r.cutoff < m ? r.cutoff : m), rv[0].cutoff);
      if (d.seq > c) return 'revoked';
    }
    if (Number(d.e.hlc_ms) > lease.expiresAt) return 'expired';
    const need = scopeNeeded(d.e.kind);
    if (need && !(Array.isArray(lease.scopes) && lease.scopes.includes(need))) return 'scope';
    return null;
  }
  apply(d) {
    const body = parseBody(d.e.body);
    if (!isPlainObject(body)) return; // taken, no effect (spec silent)
    const ms = Number(d.e.hlc_ms);
    switch (d.e.kind) {
      case 'member.admit': {
        if (typeof body.device !== 'string' || !HEX64.test(body.device)) return;
        const issuedAt = toNum(body.issuedAt), expiresAt = toNum(body.expiresAt);
        if (issuedAt === undefined || expiresAt === undefined) return;
        const l = { issuedAt, expiresAt, name: body.name, scopes: body.scopes, peerId: body.peerId, writtenMs: ms };
        if (!this.leases.has(body.device)) this.leases.set(body.device, []);
        this.leases.get(body.device).push(l);
        return;
      }
      case 'member.revoke': {
        if (typeof body.device !== 'string' || !HEX64.test(body.device) || body.device === this.root) return;
        let cutoff;
        if (typeof body.cutoffSeq === 'string' && /^\d+$/.test(body.cutoffSeq)) cutoff = BigInt(body.cutoffSeq);
        else if (Number.isSafeInteger(body.cutoffSeq) && body.cutoffSeq >= 0) cutoff = BigInt(body.cutoffSeq);
        else return;
        if (!this.revokes.has(body.device)) this.revokes.set(body.device, []);
        this.revokes.get(body.device).push({ cutoff, writtenMs: ms });
        return;
      }
      case 'policy.set':
        if (!Array.isArray(body.rules)) return;
        this.policies.push({ ms, counter: Number(d.e.hlc_counter), author: d.authorHex, seq: Number(d.seq), rules: body.rules });
        return;
      case 'policy.approve':
        this.approvals.push({ id: body.id, approved: body.approved });
        return;
      case 'policy.ask':
        this.asks.push({ id: body.id, author: d.authorHex, device: body.device, action: body.action,
          subject: body.subject, expiresAt: toNum(body.expiresAt) ?? -Infinity });
        return;
      default:
        return;
    }
  }
}

/**
 * verifyBundle(bytes, anchor) -> { ok, reason?, absent?, record?, author?, seq?, detail?, forks? }
 * anchor: { mesh, root (author id hex), exporter? (author id hex) } or null.
 */
export async function verifyBundle(bytes, anchor) {
  try {
    return inner(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), anchor);
  } catch (f) {
    if (f instanceof Fail) {
      const out = { ok: false, reason: f.reason, record: f.info.record };
      if (f.info.author) out.author = f.info.author;
      if (f.info.seq !== undefined) out.seq = String(f.info.seq);
      if (f.info.detail && f.info.detail !== f.reason) out.detail = f.info.detail;
      return out;
    }
    throw f;
  }
}

function inner(buf, anchor) {
  // 1. magic, manifest
  if (buf.length < 8 || !bytesEqual(buf.subarray(0, 8), MAGIC)) throw new Fail('magic', { record: 0 });
  const rd = new Reader(buf, 8);
  const mbytes = rd.next(0, 'manifest');
  let m;
  try { m = decodeMessage(mbytes, MANIFEST); } catch (e) { throw new Fail('manifest', { record: 0, detail: 'decode: ' + e.message }); }
  if (!bytesEqual(encodeMessage(m, MANIFEST), mbytes)) throw new Fail('manifest', { record: 0, detail: 'not canonical' });
  if (m.version !== 1n) throw new Fail('version', { record: 0 });
  for (const h of m.heads) {
    if (!h || h.author.length !== 32 || h.hash.length !== 32 || h.seq < 1n)
      throw new Fail('manifest', { record: 0, detail: 'bad head' });
  }
  let exp;
  try { exp = verifyBinding(m.exporter_binding); } catch (e) { throw new Fail('manifest', { record: 0, detail: 'exporter binding: ' + e.message }); }
  const signable = encodeMessage(m, MANIFEST, ['signature']);
  if (m.signature.length !== SIG_BYTES || !mlDsaVerify(m.signature, signable, exp.pqPublicKey, BUNDLE_CTX))
    throw new Fail('manifest', { record: 0, detail: 'manifest signature' });
  const sum = m.heads.reduce((s, h) => s + h.seq, 0n);
  if (sum !== m.entry_count) throw new Fail('manifest', { record: 0, detail: 'entry_count' });
  if (BigInt(m.evidence.length) !== m.evidence_count) throw new Fail('manifest', { record: 0, detail: 'evidence_count' });
  if (m.evidence.some((h) => h.length !== 32)) throw new Fail('manifest', { record: 0, detail: 'evidence hash length' });
  const seen = new Set();
  for (const h of m.heads) {
    const a = hex(h.author);
    if (seen.has(a)) throw new Fail('manifest', { record: 0, detail: 'author listed twice' });
    seen.add(a);
  }

  // 2. mesh
  if (anchor && m.mesh !== anchor.mesh) throw new Fail('mesh', { record: 0 });

  // 3. chains
  let rec = 0;
  const chains = new Map(); // authorHex -> { entries: [decoded], pk, records: [n] }
  const order = [];
  for (const h of m.heads) {
    const ah = hex(h.author);
    const chain = { entries: [], records: [], pk: null };
    chains.set(ah, chain); order.push(ah);
    let prev = null;
    for (let s = 1n; s <= h.seq; s++) {
      rec++;
      const eb = rd.next(rec, 'oversize');
      const info = { record: rec, author: ah, seq: s };
      let d;
      try {
        d = decodeEntry(eb);
        if (d.authorHex !== ah) throw new EntryError('head', 'entry of another author than the manifest head');
        if (d.seq !== s) throw new EntryError('link', `seq ${d.seq} where ${s} expected`);
        if (s === 1n) { checkFirst(d); chain.pk = d.e.public_key; } else checkNext(d, prev, chain.pk);
      } catch (e) {
        if (e instanceof EntryError) throw new Fail(e.reason, { ...info, detail: e.message });
        throw e;
      }
      chain.entries.push(d); chain.records.push(rec);
      prev = d;
    }
    if (!bytesEqual(prev.hash, h.hash)) throw new Fail('head', { record: rec, author: ah, seq: h.seq });
  }

  // 4. evidence, trailing
  let forks = 0;
  for (let i = 0; i < m.evidence.length; i++) {
    rec++;
    const fb = rd.next(rec, 'evidence');
    const info = { record: rec };
    if (!bytesEqual(sha256(fb), m.evidence[i])) throw new Fail('evidence', { ...info, detail: 'hash differs from the manifest' });
    let fp;
    try { fp = decodeMessage(fb, FORK_PROOF); } catch { throw new Fail('evidence', { ...info, detail: 'decode' }); }
    if (!bytesEqual(encodeMessage(fp, FORK_PROOF), fb)) throw new Fail('evidence', { ...info, detail: 'not canonical' });
    let a, b;
    try { a = decodeEntry(fp.entry_a); b = decodeEntry(fp.entry_b); } catch (e) {
      throw new Fail('evidence', { ...info, detail: 'entry: ' + (e.reason ?? e.message) });
    }
    if (a.authorHex !== b.authorHex || a.seq !== b.seq || bytesEqual(a.hash, b.hash))
      throw new Fail('evidence', { ...info, detail: 'not two different entries of one author and seq' });
    const chain = chains.get(a.authorHex);
    if (!chain) throw new Fail('evidence', { ...info, detail: 'author has no chain in the bundle' });
    if (!entrySignatureOk(a, chain.pk) || !entrySignatureOk(b, chain.pk))
      throw new Fail('evidence', { ...info, author: a.authorHex, seq: a.seq, detail: 'signature' });
    forks++;
  }
  if (!rd.done) throw new Fail('trailing', { record: rec + 1 });

  if (!anchor) return forks ? { ok: true, forks } : { ok: true };

  // 5. membership and policy, anchored at the root
  const root = String(anchor.root).toLowerCase();
  if (order.length > 0 && !chains.has(root)) throw new Fail('not-member', { record: 0, detail: "no chain of the root" });
  const rules = new Rules(root);
  const pending = new Map();
  for (const a of order) {
    const c = chains.get(a);
    pending.set(a, c.entries.map((d, i) => ({ d, record: c.records[i] })).filter((x) => isRuleKind(x.d.e.kind)));
  }
  const ptr = new Map(order.map((a) => [a, 0]));
  for (let progress = true; progress;) {
    progress = false;
    for (const a of order) {
      const list = pending.get(a);
      while (ptr.get(a) < list.length) {
        const x = list[ptr.get(a)];
        if (rules.admission(x.d) !== null) break;
        rules.apply(x.d);
        ptr.set(a, ptr.get(a) + 1);
        progress = true;
      }
    }
  }
  for (const a of order) {
    const list = pending.get(a);
    if (ptr.get(a) < list.length) {
      const x = list[ptr.get(a)];
      throw new Fail(rules.admission(x.d) ?? 'not-member', { record: x.record, author: a, seq: x.d.seq, detail: 'rule-making entry never taken' });
    }
  }

  // exporter
  const exporter = hex(sha256(exp.pqPublicKey));
  const created = Number(m.created_at);
  if (exporter !== root) {
    const ls = rules.leases.get(exporter) ?? [];
    const leaseOk = ls.some((l) => l.issuedAt <= created && created <= l.expiresAt);
    const revoked = (rules.revokes.get(exporter) ?? []).some((r) => r.writtenMs <= created);
    if (!leaseOk || revoked) throw new Fail('exporter', { record: 0, author: exporter, detail: leaseOk ? 'exporter revoked' : 'exporter has no lease at created_at' });
  }
  if (anchor.exporter && String(anchor.exporter).toLowerCase() !== exporter)
    throw new Fail('exporter', { record: 0, author: exporter, detail: 'not the expected exporter' });

  // every entry: admission, then the governance gate
  const names = {};
  for (const dev of rules.leases.keys()) names[dev] = rules.leaseInForce(dev).name;
  const gstate = { policies: rules.policies, asks: rules.asks, approvals: rules.approvals, names };
  for (const a of order) {
    const c = chains.get(a);
    c.entries.forEach((d, i) => {
      const info = { record: c.records[i], author: a, seq: d.seq };
      const r = rules.admission(d);
      if (r) throw new Fail(r, info);
      const body = parseBody(d.e.body);
      const v = gate(gstate, { author: a, ms: Number(d.e.hlc_ms), counter: Number(d.e.hlc_counter), kind: d.e.kind, body });
      if (v !== 'admit') throw new Fail('policy', { ...info, detail: v === 'awaiting' ? 'cites an approval the bundle does not hold' : 'blocked' });
    });
  }

  let absent = 0;
  for (const dev of rules.leases.keys()) if (dev !== root && !chains.has(dev)) absent++;
  const out = { ok: true, absent };
  if (forks) out.forks = forks;
  return out;
}
