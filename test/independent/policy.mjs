// Governance gate (protocols/membership/SPEC.md, "Governance gate"), from the spec only.

export const POLICY_GRACE_MS = 5000;

/** `*` = any run of characters (possibly empty), everything else literal. */
export function globMatch(pattern, s) {
  if (typeof pattern !== 'string' || typeof s !== 'string') return false;
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === s;
  const first = parts[0], last = parts[parts.length - 1];
  if (!s.startsWith(first)) return false;
  let pos = first.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const j = s.indexOf(parts[i], pos);
    if (j < 0) return false;
    pos = j + parts[i].length;
  }
  return s.length - pos >= last.length && s.endsWith(last);
}

const str = (v) => (typeof v === 'string' ? v : '');

/** The actions an entry stands for, in table order. body: a plain object, or anything else (opaque / not an object). */
export function actionsOf(kind, body) {
  if (kind.startsWith('member.') || kind.startsWith('policy.')) return [];
  const acts = [{ action: 'bus.append', subject: kind }];
  if (!isPlainObject(body)) return acts;
  if (kind === 'memory.put' || kind === 'memory.del') acts.push({ action: 'memory.write', subject: str(body.key) });
  else if (kind === 'session.open') acts.push({ action: 'session.write', subject: str(body.title) });
  else if (kind === 'session.message' || kind === 'session.state') acts.push({ action: 'session.write', subject: str(body.session) });
  else if (kind === 'task.assign') {
    acts.push({ action: 'task.model', subject: str(body.model) });
    if (body.tier !== 'local') acts.push({ action: 'task.cloud', subject: str(body.provider) });
  }
  return acts;
}

export function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function cmpVersion(a, b) {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  if (a.author !== b.author) return a.author < b.author ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

/** The policy version in force for an entry dated t (HLC ms). */
export function versionInForce(policies, t, graceMs = POLICY_GRACE_MS) {
  let best = null;
  for (const p of policies) {
    if (p.ms <= t - graceMs && (best === null || cmpVersion(p, best) > 0)) best = p;
  }
  return best;
}

function deviceMatches(ruleDevice, author, names) {
  if (ruleDevice === undefined || ruleDevice === null || ruleDevice === '*') return true;
  if (typeof ruleDevice !== 'string') return false;
  if (/^[0-9a-fA-F]{8,64}$/.test(ruleDevice)) return author.startsWith(ruleDevice.toLowerCase());
  const name = names[author];
  return typeof name === 'string' && globMatch(ruleDevice, name);
}

function decide(version, act, author, names) {
  if (!version || !Array.isArray(version.rules)) return 'allow';
  for (const r of version.rules) {
    if (!isPlainObject(r)) continue;
    const subj = r.subject === undefined ? '*' : r.subject;
    if (globMatch(r.action, act.action) && globMatch(subj, act.subject) && deviceMatches(r.device, author, names)) {
      return r.effect;
    }
  }
  return 'allow';
}

const ID_RE = /^[0-9a-f]{16,32}$/;

/**
 * state: { policies: [{ms, counter, author, seq, rules}], asks: [{id, author, device, action, subject, expiresAt}],
 *          approvals: [{id, approved}], names: {author: leaseName}, graceMs }
 * entry: { author, ms, counter, kind, body }  (body: parsed JSON, or a non-object for opaque)
 * Returns 'admit' | 'policy' | 'awaiting'.
 */
export function gate(state, entry) {
  const grace = state.graceMs ?? POLICY_GRACE_MS;
  const version = versionInForce(state.policies, entry.ms, grace);
  const cited = isPlainObject(entry.body) && Array.isArray(entry.body.approvals)
    ? entry.body.approvals.filter((x) => typeof x === 'string' && ID_RE.test(x)).slice(0, 16)
    : [];
  const acts = actionsOf(entry.kind, entry.body);
  // spec: a block among the entry's actions decides first
  if (acts.some((act) => decide(version, act, entry.author, state.names) === 'block')) return 'policy';
  for (const act of acts) {
    const effect = decide(version, act, entry.author, state.names);
    if (effect === 'allow') continue;
    if (effect !== 'ask') return 'policy'; // unknown effect: the spec does not say (guess: refuse)
    let approved = false, missing = false;
    for (const id of cited) {
      const asks = state.asks.filter((a) => a.id === id && a.author === a.device); // "written by the device it asks for"
      const apps = state.approvals.filter((a) => a.id === id);
      if (asks.length === 0 || apps.length === 0) { missing = true; continue; }
      const askOk = asks.some((a) => a.action === act.action && a.subject === act.subject &&
        a.device === entry.author && entry.ms <= a.expiresAt);
      // spec: a decline of the id by any admin wins over approvals
      const appOk = apps.some((a) => a.approved === true) && !apps.some((a) => a.approved === false);
      if (askOk && appOk) { approved = true; break; }
    }
    if (approved) continue;
    return missing ? 'awaiting' : 'policy';
  }
  return 'admit';
}

/** One case of protocols/membership/vectors/policy.json. */
export function policyCaseVerdict(c, devices, graceMs) {
  const body = c.entry.body; // a string stands for an opaque (non-JSON-object) body: bus.append only
  return gate({ policies: c.policies, asks: c.asks, approvals: c.approvals, names: devices, graceMs },
    { author: c.entry.author, ms: c.entry.ms, counter: c.entry.counter, kind: c.entry.kind, body });
}
