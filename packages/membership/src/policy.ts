import { randomBytes } from 'node:crypto'
import { InvalidBodyError, globMatch } from '@smesh/bus'
import { ASSIGNED_SLACK_MS, actionsOf, approvalsOf, taskActions, ungoverned, withApprovals } from './actions.js'
import { ApprovalError, NotAuthorizedError, PolicyBlockedError } from './errors.js'
import { MEMBER_KINDS, encodeBody, parseApprove, parseAsk, parsePolicySet } from './kinds.js'
import type { Action } from './actions.js'
import type { ActionRequest, PolicyAskBody, PolicyEffect, PolicyRule } from './kinds.js'
import type { Membership } from './membership.js'
import type { AdmissionRefusal, Bus, BusEntry } from '@smesh/bus'

/** How long an "ask" waits for an admin, unless the caller says otherwise. */
export const DEFAULT_ASK_WAIT_MS = 10 * 60_000
/**
 * A policy applies to entries whose HLC time is at least this long after
 * its own: every node, the writer's included, judges an entry by the same
 * policy even while a new one is on its way to them (see the membership spec).
 */
export const POLICY_GRACE_MS = 5_000

export interface Decision {
  effect: PolicyEffect
  /** 1-based index of the rule that decided; 0 for the default (allow). */
  rule: number
}

export interface PendingAsk extends PolicyAskBody {
  hash: string
  askedAt: number
}

interface AskState {
  ask: PolicyAskBody
  /** The policy.ask entry; '' while this node's own ask is being written. */
  hash: string
  askedAt: number
}

interface CompiledRule {
  rule: PolicyRule
  action: string
  subject: string
  device: string
}

/** One policy.set: its place in the order (HLC ms, counter, author, seq) and its rules. */
interface PolicyVersion {
  ms: bigint
  counter: number
  author: string
  seq: bigint
  hash: string
  rules: CompiledRule[]
}

const before = (a: PolicyVersion, b: PolicyVersion): boolean =>
  a.ms !== b.ms ? a.ms < b.ms : a.counter !== b.counter ? a.counter < b.counter : a.author !== b.author ? a.author < b.author : a.seq < b.seq

function compile (rule: PolicyRule): CompiledRule {
  return { rule, action: rule.action, subject: rule.subject ?? '*', device: rule.device ?? '*' }
}

/**
 * The governance gate, a rule of the bus: the mesh's policy (`policy.set`
 * entries an admin signed) allows, asks or blocks classes of action, and
 * every node judges every entry by it when it admits it (its own and its
 * peers'), from the actions the entry itself stands for (actions.ts). A
 * writer learns of a block before signing (`authorize`: recorded as
 * `policy.deny`, refused); an "ask" is recorded (`policy.ask`) and held
 * until an admin decides (`policy.approve`), and the entry then cites the
 * approval. Routing actions (`task.model`, `task.cloud`) are judged the same
 * way by the submitting and the serving node.
 */
export class PolicyGate {
  /** Every policy.set, oldest first. */
  private versions: PolicyVersion[] = []
  private readonly asks = new Map<string, AskState>()
  /** Admins' decisions by ask id (the first one counts): they may arrive before the ask (the admins' chains sync first). */
  private readonly decisions = new Map<string, boolean>()
  private readonly waiters = new Map<string, Array<(approved: boolean) => void>>()
  private started = false
  private bus?: Bus

  constructor (private readonly membership: Membership, private readonly self: string, private readonly now: () => number = Date.now) {}

  async start (bus: Bus): Promise<void> {
    if (this.started) return
    this.started = true
    this.bus = bus
    for (const kind of [MEMBER_KINDS.policySet, MEMBER_KINDS.policyAsk, MEMBER_KINDS.policyApprove]) {
      for await (const hash of bus.store.kindIndex(kind, {})) {
        const e = await bus.store.entry(hash)
        if (e != null) this.learn(e)
      }
    }
    bus.addEventListener('bus:entry', this.onEntry)
  }

  stop (): void {
    this.started = false
    this.bus?.removeEventListener('bus:entry', this.onEntry)
    for (const list of this.waiters.values()) for (const w of list.splice(0)) w(false)
  }

  private readonly onEntry = (evt: CustomEvent<{ entry: BusEntry }>): void => { this.learn(evt.detail.entry) }

  /** Takes in a policy.set, policy.ask or policy.approve entry the bus admitted (any other kind is ignored). */
  learn (e: BusEntry): void {
    try {
      switch (e.entry.kind) {
        case MEMBER_KINDS.policySet: {
          const v: PolicyVersion = { ms: e.hlc.ms, counter: e.hlc.counter, author: e.authorHex, seq: e.seq, hash: e.hashHex, rules: parsePolicySet(e.entry.body).rules.map(compile) }
          if (this.versions.some(x => x.hash === v.hash)) break
          const i = this.versions.findIndex(x => before(v, x))
          this.versions.splice(i < 0 ? this.versions.length : i, 0, v)
          break
        }
        case MEMBER_KINDS.policyAsk: {
          const ask = parseAsk(e.entry.body)
          // an ask counts only from the device it asks for
          if (ask.device !== e.authorHex) break
          const known = this.asks.get(ask.id)
          if (known == null) this.asks.set(ask.id, { ask, hash: e.hashHex, askedAt: Number(e.hlc.ms) })
          else if (known.hash === '' && known.ask.device === ask.device) known.hash = e.hashHex
          break
        }
        case MEMBER_KINDS.policyApprove: {
          const { id, approved } = parseApprove(e.entry.body)
          // a decline by any admin wins, whatever order the decisions arrive in
          if (this.decisions.get(id) === false || (approved && this.decisions.has(id))) break
          this.decisions.set(id, approved)
          for (const w of this.waiters.get(id)?.splice(0) ?? []) w(approved)
          this.waiters.delete(id)
          break
        }
      }
    } catch (err) {
      if (!(err instanceof InvalidBodyError)) throw err
    }
  }

  /** The policy in force for an entry of HLC time `ms`: the latest whose own time is POLICY_GRACE_MS or more before it. */
  private inForce (ms: bigint): PolicyVersion | undefined {
    const limit = ms - BigInt(POLICY_GRACE_MS)
    for (let i = this.versions.length - 1; i >= 0; i--) {
      const v = this.versions[i] as PolicyVersion
      if (v.ms <= limit) return v
    }
    return undefined
  }

  /** The latest policy's rules (what `smesh policy show` shows; in force POLICY_GRACE_MS after it was set). */
  rules (): PolicyRule[] {
    return (this.versions[this.versions.length - 1]?.rules ?? []).map(c => ({ ...c.rule }))
  }

  /** The latest policy: its rules, its entry, and from when it judges entries (HLC ms). */
  latest (): { rules: PolicyRule[], hash?: string, inForceAt?: number } {
    const v = this.versions[this.versions.length - 1]
    return v == null ? { rules: [] } : { rules: this.rules(), hash: v.hash, inForceAt: Number(v.ms) + POLICY_GRACE_MS }
  }

  private matchesDevice (c: CompiledRule, device: string): boolean {
    const d = c.rule.device
    if (d == null || d === '*') return true
    if (/^[0-9a-f]{8,64}$/.test(d)) return device.startsWith(d)
    const name = this.membership.lease(device)?.name
    return name != null && globMatch(c.device, name)
  }

  /** The first rule of the policy in force at HLC time `at` (default: now) that matches decides; with none, the action is allowed. */
  evaluate (req: ActionRequest, at: bigint = BigInt(this.now())): Decision {
    const rules = this.inForce(at)?.rules ?? []
    for (let i = 0; i < rules.length; i++) {
      const c = rules[i] as CompiledRule
      if (globMatch(c.action, req.action) && globMatch(c.subject, req.subject) && this.matchesDevice(c, req.device)) return { effect: c.rule.effect, rule: i + 1 }
    }
    return { effect: 'allow', rule: 0 }
  }

  /** Whether approval `id` approves `action` for `device` at HLC time `at`: yes, no, or not known yet. */
  private approval (id: string, device: string, a: Action, at: bigint): 'approved' | 'declined' | 'unknown' | 'other' {
    const s = this.asks.get(id)
    if (s == null || s.hash === '') return 'unknown'
    if (s.ask.device !== device || s.ask.action !== a.action || s.ask.subject !== a.subject) return 'other'
    const approved = this.decisions.get(id)
    if (approved == null) return 'unknown'
    if (!approved) return 'declined'
    return at <= BigInt(s.ask.expiresAt) ? 'approved' : 'declined'
  }

  /** Where an ask stands, for the device that asked (a browser device polls it before writing what it asked for). */
  askStatus (id: string): { device: string, action: string, subject: string, status: 'pending' | 'approved' | 'declined' | 'expired' } | undefined {
    const s = this.asks.get(id)
    if (s == null || s.hash === '') return undefined
    const approved = this.decisions.get(id)
    const expired = this.now() > s.ask.expiresAt
    const status = approved === true ? (expired ? 'expired' : 'approved') : approved === false ? 'declined' : expired ? 'expired' : 'pending'
    return { device: s.ask.device, action: s.ask.action, subject: s.ask.subject, status }
  }

  /**
   * Admission: the policy in force at the entry's HLC, for the actions the
   * entry stands for and its author. Blocked: refused. Asked: admitted
   * only if it cites an approval of that very action; an approval this
   * node does not hold yet makes it wait (`awaiting`: ignored, a sync follows).
   */
  check (e: BusEntry): AdmissionRefusal | undefined {
    const actions = actionsOf(e.entry.kind, e.entry.body)
    if (actions.length === 0) return undefined
    const short = e.authorHex.slice(0, 16)
    const when = (a: Action): bigint => actionTime(a, e.hlc.ms)
    const decided = actions.map(a => ({ a, d: this.evaluate({ action: a.action, subject: a.subject, device: e.authorHex }, when(a)) }))
    // a block decides whatever else the entry stands for: refused, never merely waiting for an approval
    const blocked = decided.find(x => x.d.effect === 'block')
    if (blocked != null) return { reason: 'policy', message: `author ${short}: ${blocked.a.action} of ${JSON.stringify(blocked.a.subject.slice(0, 80))} is blocked by rule ${blocked.d.rule} of the mesh policy` }
    let cited: string[] | undefined
    for (const { a, d } of decided) {
      if (d.effect === 'allow') continue
      cited ??= approvalsOf(e.entry.kind, e.entry.body)
      const verdicts = cited.map(id => this.approval(id, e.authorHex, a, when(a)))
      if (verdicts.includes('approved')) continue
      if (verdicts.includes('unknown')) return { reason: 'awaiting', message: `author ${short}: ${a.action} of ${JSON.stringify(a.subject.slice(0, 80))} cites an approval this node does not hold yet` }
      return { reason: 'policy', message: `author ${short}: ${a.action} of ${JSON.stringify(a.subject.slice(0, 80))} needs an admin's approval (rule ${d.rule}), and the entry cites none that approves it` }
    }
    return undefined
  }

  /**
   * The writer's side: before this node signs an entry, the actions it
   * stands for are judged. A block is recorded on the bus (`policy.deny`)
   * and refused (PolicyBlockedError); an ask is recorded and held until an
   * admin decides (ApprovalError when declined or not decided in time); the
   * body returned cites the approvals it got.
   */
  async authorize (kind: string, body: Uint8Array, options: { signal?: AbortSignal, waitMs?: number, onAsk?: (id: string) => void } = {}): Promise<Uint8Array> {
    if (ungoverned(kind)) return body
    const already = approvalsOf(kind, body)
    const approvals = await this.judge(actionsOf(kind, body), { ...options, cited: already })
    if (approvals.length === 0 || approvals.every(id => already.includes(id))) return body
    const cited = withApprovals(kind, body, [...new Set([...already, ...approvals])])
    if (cited == null) throw new PolicyBlockedError(`the policy asks an admin's approval for ${kind} entries, and a ${kind} body is not JSON: it cannot cite the approval`)
    return cited
  }

  /** The routing side: whether this node may send a task to a model (task.model, task.cloud); the approvals to cite. */
  async authorizeTask (c: { model: string, tier: string, provider: string }, options: { signal?: AbortSignal, waitMs?: number } = {}): Promise<string[]> {
    return await this.judge([...ROUTING_RECORDS, ...taskActions(c)], options)
  }

  /** Only a decision, nothing recorded: what `authorizeTask` would do, for ranking candidates. */
  taskVerdict (c: { model: string, tier: string, provider: string }, device = this.self): PolicyEffect {
    return this.worst([...ROUTING_RECORDS, ...taskActions(c)], device).effect
  }

  /**
   * Only a decision, nothing recorded: what the policy in force says now of
   * an entry `device` would sign (its kind and body), by the action that
   * decides: the first blocked one, else the first asked, else allow. For a
   * device that asks before it signs (a browser device), and for what a node
   * writes for one.
   */
  entryVerdict (kind: string, body: Uint8Array, device: string): { effect: PolicyEffect, action?: string, subject?: string, rule?: number } {
    return this.worst(actionsOf(kind, body), device)
  }

  private worst (actions: Action[], device: string): { effect: PolicyEffect, action?: string, subject?: string, rule?: number } {
    const decided = actions.map(a => ({ a, d: this.evaluate({ ...a, device }) }))
    const x = decided.find(x => x.d.effect === 'block') ?? decided.find(x => x.d.effect === 'ask')
    return x == null ? { effect: 'allow' } : { effect: x.d.effect, action: x.a.action, subject: x.a.subject, rule: x.d.rule }
  }

  /**
   * The serving side: whether this node may run a task for `device`. A
   * block refuses; an ask needs an approval the task cites (this node may
   * wait a moment for the approval to reach its bus).
   */
  async checkTask (device: string, c: { model: string, tier: string, provider: string }, approvals: string[], options: { signal?: AbortSignal, waitMs?: number } = {}): Promise<string | undefined> {
    for (const a of taskActions(c)) {
      const d = this.evaluate({ ...a, device })
      if (d.effect === 'allow') continue
      if (d.effect === 'block') return `${a.action} of ${JSON.stringify(a.subject)} is blocked by rule ${d.rule} of the mesh policy for that device`
      const deadline = Date.now() + (options.waitMs ?? 5_000)
      let verdicts = approvals.map(id => this.approval(id, device, a, BigInt(this.now())))
      while (!verdicts.includes('approved') && verdicts.includes('unknown') && Date.now() < deadline && options.signal?.aborted !== true) {
        await new Promise(resolve => setTimeout(resolve, 100))
        verdicts = approvals.map(id => this.approval(id, device, a, BigInt(this.now())))
      }
      if (!verdicts.includes('approved')) return `${a.action} of ${JSON.stringify(a.subject)} needs an admin's approval (rule ${d.rule}), and the task cites none this node holds`
    }
    return undefined
  }

  private async judge (actions: Action[], options: { signal?: AbortSignal, waitMs?: number, onAsk?: (id: string) => void, cited?: string[] }): Promise<string[]> {
    const approvals: string[] = []
    const now = BigInt(this.now())
    const decided = actions.map(a => ({ a, req: { action: a.action, subject: a.subject, device: this.self }, d: this.evaluate({ action: a.action, subject: a.subject, device: this.self }, actionTime(a, now)) }))
    // a block is refused before anyone is asked anything (every node judges it so: see check)
    const blocked = decided.find(x => x.d.effect === 'block')
    if (blocked != null) {
      await this.record(MEMBER_KINDS.policyDeny, { ...blocked.req, rule: blocked.d.rule, reason: 'blocked by policy' }, options.signal)
      throw new PolicyBlockedError(`${blocked.a.action} of ${JSON.stringify(blocked.a.subject)} is blocked by rule ${blocked.d.rule} of the mesh policy`)
    }
    for (const { a, req, d } of decided) {
      if (d.effect === 'allow') continue
      // an approval the caller already holds for this very action (a task's, cited again by its record)
      const held = options.cited?.find(id => this.approval(id, this.self, a, actionTime(a, now)) === 'approved')
      if (held != null) {
        approvals.push(held)
        continue
      }
      approvals.push(await this.ask(req, d, options))
    }
    return approvals
  }

  private async record (kind: string, body: object, signal?: AbortSignal): Promise<void> {
    if (this.bus == null) throw new Error('the policy gate has not started')
    await this.bus.append(kind, encodeBody(body), { signal })
  }

  /** Records an ask and waits for an admin's decision; the ask's id once approved. */
  private async ask (req: ActionRequest, d: Decision, options: { signal?: AbortSignal, waitMs?: number, onAsk?: (id: string) => void }): Promise<string> {
    const waitMs = options.waitMs ?? DEFAULT_ASK_WAIT_MS
    const id = randomBytes(8).toString('hex')
    const ask: PolicyAskBody = { ...req, id, expiresAt: this.now() + waitMs }
    this.asks.set(id, { ask, hash: '', askedAt: this.now() })
    const decided = new Promise<boolean>((resolve) => { this.waiters.set(id, [resolve]) })
    await this.record(MEMBER_KINDS.policyAsk, ask, options.signal)
    options.onAsk?.(id)
    let timer: ReturnType<typeof setTimeout> | undefined
    const outcome = await Promise.race([
      decided,
      new Promise<'timeout'>(resolve => { timer = setTimeout(() => { resolve('timeout') }, waitMs) }),
      new Promise<'aborted'>(resolve => options.signal?.addEventListener('abort', () => { resolve('aborted') }, { once: true }))
    ]).finally(() => {
      clearTimeout(timer)
      this.waiters.delete(id)
    })
    if (outcome === true) return id
    const reason = outcome === false ? 'declined by an admin' : outcome === 'timeout' ? `not approved within ${Math.round(waitMs / 1000)} s` : 'given up by the requester'
    await this.record(MEMBER_KINDS.policyDeny, { ...req, rule: d.rule, reason }).catch(() => {})
    if (outcome === 'aborted') throw options.signal?.reason ?? new Error('aborted')
    throw new ApprovalError(`${req.action} of ${JSON.stringify(req.subject)} was ${reason} (request ${id})`, outcome === false ? 'the refusal is on the bus: smesh bus log --kind policy.deny' : `an admin approves with: smesh approve ${id}`)
  }

  /** Asks nobody has decided yet and that have not expired. */
  pending (): PendingAsk[] {
    const now = this.now()
    return [...this.asks.values()].filter(s => !this.decisions.has(s.ask.id) && s.ask.expiresAt > now && s.hash !== '').map(s => ({ ...s.ask, hash: s.hash, askedAt: s.askedAt }))
  }

  /** Records an admin's decision on an ask (this node must hold the admin scope). */
  async decide (id: string, approved: boolean, signal?: AbortSignal): Promise<void> {
    if (!this.membership.has(this.self, 'admin')) throw new NotAuthorizedError('only an admin device can approve or decline a request', 'run smesh approve on a device whose lease has the admin scope')
    const s = [...this.asks.values()].find(x => x.ask.id === id || (id.length >= 6 && x.ask.id.startsWith(id)))
    if (s == null) throw new ApprovalError(`no request ${id} is known`, 'list open requests with: smesh approvals')
    const decided = this.decisions.get(s.ask.id)
    if (decided != null) throw new ApprovalError(`request ${s.ask.id} was already ${decided ? 'approved' : 'declined'}`, 'nothing was changed')
    await this.record(MEMBER_KINDS.policyApprove, { id: s.ask.id, approved }, signal)
  }

  /** Replaces the policy (this node must hold the admin scope); it applies to entries from POLICY_GRACE_MS on. */
  async set (rules: PolicyRule[], signal?: AbortSignal): Promise<BusEntry> {
    if (!this.membership.has(this.self, 'admin')) throw new NotAuthorizedError('only an admin device can change the policy', 'run smesh policy set on a device whose lease has the admin scope')
    if (this.bus == null) throw new Error('the policy gate has not started')
    return await this.bus.append(MEMBER_KINDS.policySet, encodeBody({ rules }), { signal })
  }
}

/**
 * When an action is judged, for an entry written at `written`: then, or when
 * the action says it was taken (a task's assignment, before its one record),
 * no later than `written` and no earlier than ASSIGNED_SLACK_MS before it.
 */
function actionTime (a: Action, written: bigint): bigint {
  if (a.at == null) return written
  const at = BigInt(a.at)
  const earliest = written - BigInt(Math.max(ASSIGNED_SLACK_MS, a.span ?? 0))
  return at > written ? written : at < earliest ? earliest : at
}

/**
 * The record a routed task leaves, judged before it is routed (so a rule on
 * it stops the task, not only its record): `task.done`. (Nodes before the
 * one-record trail judged `task.assign`, the kind they wrote.)
 */
const ROUTING_RECORDS: Action[] = [{ action: 'bus.append', subject: 'task.done' }]
