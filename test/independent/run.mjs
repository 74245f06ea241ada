// Runs the independent verifier over the golden vectors and compares verdicts.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyBundle } from './verify-bundle.mjs';
import { policyCaseVerdict } from './policy.mjs';
import { decodeEntry, checkFirst, checkNext, EntryError } from './entry.mjs';
import { fromHex } from './proto.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const load = (p) => JSON.parse(fs.readFileSync(path.join(root, p), 'utf8'));

const summary = {};

// bundles
{
  const file = load('protocols/membership/vectors/bundles.json');
  const s = { total: 0, agree: 0, disagree: [] };
  for (const v of file.vectors) {
    s.total++;
    const res = await verifyBundle(new Uint8Array(Buffer.from(v.bundle, 'base64')), v.anchor);
    const got = res.ok ? 'ok' : res.reason;
    const absentOk = !res.ok || v.absent === undefined || v.absent === res.absent;
    if (got === v.verdict && absentOk) s.agree++;
    else s.disagree.push({ name: v.name, expected: v.verdict + (v.absent !== undefined ? ` (absent ${v.absent})` : ''),
      got: got + (res.absent !== undefined ? ` (absent ${res.absent})` : ''), detail: res });
  }
  summary.bundles = s;
}

// policy
{
  const file = load('protocols/membership/vectors/policy.json');
  const s = { total: 0, agree: 0, disagree: [] };
  for (const c of file.cases) {
    s.total++;
    const got = policyCaseVerdict(c, file.devices, file.graceMs);
    if (got === c.verdict) s.agree++;
    else s.disagree.push({ name: c.name, expected: c.verdict, got, detail: null });
  }
  summary.policy = s;
}

// entries (extra: the bus entry vectors, checked with the same entry code)
{
  const file = load('protocols/bus/vectors/entries.json');
  const s = { total: 0, agree: 0, disagree: [] };
  const valid = new Map();
  const check = (name, fn, expected) => {
    s.total++;
    let got = 'ok', detail = null;
    try { fn(); } catch (e) { if (!(e instanceof EntryError)) throw e; got = e.reason; detail = e.message; }
    if (got === expected) s.agree++; else s.disagree.push({ name, expected, got, detail });
  };
  for (const v of file.valid) {
    check(v.name, () => {
      const d = decodeEntry(fromHex(v.entry));
      if (Buffer.from(d.hash).toString('hex') !== v.hash) throw new EntryError('hash');
      if (Buffer.from(d.signable).toString('hex') !== v.signable) throw new EntryError('signable');
      if (d.seq === 1n) {
        const { peerId } = checkFirst(d);
        if (peerId !== file.keys[v.key].peerId) throw new EntryError('peerId', peerId);
      } else {
        checkNext(d, valid.get(`${v.key}${d.seq - 1n}`), fromHex(file.keys[v.key].publicKey));
      }
      valid.set(v.name, d);
    }, 'ok');
  }
  for (const v of file.invalid) {
    check(v.name, () => {
      const d = decodeEntry(fromHex(v.entry));
      const pk = fromHex(file.keys[v.verifyWith].publicKey);
      if (v.follows) checkNext(d, valid.get(v.follows), pk);
      else if (d.seq === 1n) checkFirst(d);
    }, v.reason);
  }
  summary.entries = s;
}

console.log(JSON.stringify(summary, (k, v) => (typeof v === 'bigint' ? String(v) : v), 2));
const bad = Object.values(summary).some((s) => s.disagree.length > 0);
process.exit(bad ? 1 : 0);
