import { KINDS, tryParseBody } from '@smesh/bus'

/** A class of action the governance gate judges, and what it touches. */
export interface Action {
  action: string
  subject: string
  /**
   * When the action was taken (ms), if not when the entry was written: a
   * task's one record is written when the task ends, its assignments earlier.
   * Admission judges such an action by the policy and approvals in force
   * then, taken no earlier than ASSIGNED_SLACK_MS before the entry.
   */
  at?: number
  /** How far before the entry `at` may lie, when more than ASSIGNED_SLACK_MS (a task that ran longer: its totalMs and a minute). */
  span?: number
}

/** How far before its record an assignment may say it was made, unless the task says it ran longer. */
export const ASSIGNED_SLACK_MS = 60 * 60_000
/** The longest a task's record may say it ran, for dating its assignments. */
export const MAX_TASK_RECORD_SPAN_MS = 24 * 60 * 60_000

/**
 * The actions an entry stands for, read from the entry itself (its kind and
 * body), in one place: every writer's check and every node's admission ask
 * this, so no path to the bus is judged differently.
 *
 * - every kind but the membership and policy ones: `bus.append` (subject: the kind);
 * - `memory.put`, `memory.del`: `memory.write` (the key);
 * - `session.open`: `session.write` (the new session's title); `session.message`, `session.state`: `session.write` (the session id);
 * - `task.assign` (a task sent to a model): `task.model` (the model), and for a cloud tier `task.cloud` (the provider);
 * - `task.done`, `task.fail`, `task.deny` (a task's one record): the same for every assignment it lists.
 *
 * Membership and policy kinds (`member.*`, `policy.*`) are governed by the
 * lease scopes alone: a policy cannot lock the admins out of changing it,
 * nor stop its own ledger.
 */
export const ENTRY_ACTIONS: Record<string, (body: Record<string, unknown>) => Action[]> = {
  [KINDS.memoryPut]: b => [{ action: 'memory.write', subject: String(b.key) }],
  [KINDS.memoryDel]: b => [{ action: 'memory.write', subject: String(b.key) }],
  [KINDS.sessionOpen]: b => [{ action: 'session.write', subject: typeof b.title === 'string' ? b.title : '' }],
  [KINDS.sessionMessage]: b => [{ action: 'session.write', subject: String(b.session) }],
  [KINDS.sessionState]: b => [{ action: 'session.write', subject: String(b.session) }],
  'task.assign': b => taskActions({ model: String(b.model ?? ''), tier: String(b.tier ?? ''), provider: String(b.provider ?? '') }),
  // a task's one record: every assignment it made, each judged like a task.assign of nodes before it
  'task.done': assignedActions,
  'task.fail': assignedActions,
  'task.deny': assignedActions
}

/** The routing actions of every assignment a task's end record lists (all of them: the entry's size bounds the list). */
function assignedActions (b: Record<string, unknown>): Action[] {
  const list = Array.isArray(b.assigned) ? b.assigned as unknown[] : []
  // an assignment is no older than the task that made it: its time is bounded by the record's totalMs (plus a minute), or by the slack
  const totalMs = typeof b.totalMs === 'number' && Number.isFinite(b.totalMs) && b.totalMs > 0 ? Math.min(b.totalMs, MAX_TASK_RECORD_SPAN_MS) : 0
  return list.flatMap(a => {
    if (a == null || typeof a !== 'object') return []
    const x = a as Record<string, unknown>
    const at = typeof x.at === 'number' && Number.isSafeInteger(x.at) ? x.at : undefined
    return taskActions({ model: String(x.model ?? ''), tier: String(x.tier ?? ''), provider: String(x.provider ?? '') }).map(t => at != null ? { ...t, at, ...(totalMs > ASSIGNED_SLACK_MS ? { span: totalMs + 60_000 } : {}) } : t)
  })
}

/** The routing actions of sending a task to a model: `task.model`, and `task.cloud` for a cloud provider. */
export function taskActions (c: { model: string, tier: string, provider: string }): Action[] {
  return [{ action: 'task.model', subject: c.model }, ...(c.tier === 'local' ? [] : [{ action: 'task.cloud', subject: c.provider }])]
}

/** Kinds no policy governs (their lease scope does). */
export function ungoverned (kind: string): boolean {
  return kind.startsWith('member.') || kind.startsWith('policy.')
}

/** The body as a JSON object, or undefined (an opaque body, or one the bus refuses anyway). */
function jsonBody (kind: string, body: Uint8Array): Record<string, unknown> | undefined {
  const known = tryParseBody(kind, body)
  if (known != null) return known as Record<string, unknown>
  try {
    const v: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body))
    return v != null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

/** Every action an entry of `kind` with `body` stands for. */
export function actionsOf (kind: string, body: Uint8Array): Action[] {
  if (ungoverned(kind)) return []
  const out: Action[] = [{ action: 'bus.append', subject: kind }]
  const extract = ENTRY_ACTIONS[kind]
  const b = extract != null ? jsonBody(kind, body) : undefined
  if (extract != null && b != null) out.push(...extract(b))
  return out
}

/** The policy.ask ids an entry cites (its JSON body's `approvals`), for actions the policy asks about. */
export function approvalsOf (kind: string, body: Uint8Array): string[] {
  const v = jsonBody(kind, body)?.approvals
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && /^[0-9a-f]{16,32}$/.test(x)).slice(0, 16) : []
}

/** The body with the approvals it cites added (a JSON object body; opaque bodies cannot cite one). */
export function withApprovals (kind: string, body: Uint8Array, ids: string[]): Uint8Array | undefined {
  if (ids.length === 0) return body
  const b = jsonBody(kind, body)
  if (b == null) return undefined
  return new TextEncoder().encode(JSON.stringify({ ...b, approvals: ids }))
}
