import { randomBytes } from 'node:crypto'
import { InvalidBodyError, globMatch } from '@smesh/bus'
import { ApprovalError, NotAuthorizedError, PolicyBlockedError } from './errors.js'
import { MEMBER_KINDS, encodeBody, parseApprove, parseAsk, parsePolicySet } from './kinds.js'
import type { ActionRequest, PolicyAskBody, PolicyEffect, PolicyRule } from './kinds.js'
import type { Membership } from './membership.js'
import type { Bus, BusEntry } from '@smesh/bus'

/** How long an "ask" waits for an admin, unless the caller says otherwise. */
export const DEFAULT_ASK_WAIT_MS = 10 * 60_000

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
  hash: string
  askedAt: number
  approved?: boolean
  waiters: Array<(approved: boolean) => void>
}

interface CompiledRule {
  rule: PolicyRule
  action: string
  subject: string
  /** The device glob, for matching a lease's name. */
  device: string
}

function compile (rule: PolicyRule): CompiledRule {
  return { rule, action: rule.action, subject: rule.subject ?? '*', device: rule.device ?? '*' }
}

/**
 * The governance gate: the mesh's policy (the latest `policy.set` an admin
 * signed) allows, asks or blocks classes of action. A block is refused and
 * recorded on the bus (`policy.deny`, the denied-action ledger); an ask is
 * recorded (`policy.ask`) and held until an admin approves or declines it
 * (`policy.approve`), on any node.
 */
export class PolicyGate {
  /** The rules in force, each with its globs compiled once. */
  private current: CompiledRule[] = []
  private currentKey = ''
  private readonly asks = new Map<string, AskState>()
  private started = false

  constructor (private readonly bus: Bus, private readonly membership: Membership, private readonly now: () => number = Date.now) {}

  async start (): Promise<void> {
    if (this.started) return
    this.started = true
    for (const kind of [MEMBER_KINDS.policySet, MEMBER_KINDS.policyAsk, MEMBER_KINDS.policyApprove]) {
      for await (const hash of this.bus.store.kindIndex(kind, {})) {
        const e = await this.bus.store.entry(hash)
        if (e != null) this.apply(e)
      }
    }
    this.bus.addEventListener('bus:entry', this.onEntry)
  }

  stop (): void {
    this.started = false
    this.bus.removeEventListener('bus:entry', this.onEntry)
    for (const s of this.asks.values()) for (const w of s.waiters.splice(0)) w(false)
  }

  private readonly onEntry = (evt: CustomEvent<{ entry: BusEntry }>): void => { this.apply(evt.detail.entry) }

  private apply (e: BusEntry): void {
    try {
      switch (e.entry.kind) {
        case MEMBER_KINDS.policySet: {
          // the latest policy by HLC wins, on every node alike
          const key = `${e.hlc.ms.toString().padStart(16, '0')}:${e.hlc.counter}:${e.authorHex}`
          if (key > this.currentKey) {
            this.current = parsePolicySet(e.entry.body).rules.map(compile)
            this.currentKey = key
          }
          break
        }
        case MEMBER_KINDS.policyAsk: {
          const ask = parseAsk(e.entry.body)
          if (!this.asks.has(ask.id)) this.asks.set(ask.id, { ask, hash: e.hashHex, askedAt: Number(e.hlc.ms), waiters: [] })
          break
        }
        case MEMBER_KINDS.policyApprove: {
          const { id, approved } = parseApprove(e.entry.body)
          const s = this.asks.get(id)
          if (s == null || s.approved != null) break
          s.approved = approved
          for (const w of s.waiters.splice(0)) w(approved)
          break
        }
      }
    } catch (err) {
      if (!(err instanceof InvalidBodyError)) throw err
    }
  }

  rules (): PolicyRule[] {
    return this.current.map(c => ({ ...c.rule }))
  }

  private matchesDevice (c: CompiledRule, device: string): boolean {
    const d = c.rule.device
    if (d == null || d === '*') return true
    if (/^[0-9a-f]{8,64}$/.test(d)) return device.startsWith(d)
    const name = this.membership.lease(device)?.name
    return name != null && globMatch(c.device, name)
  }

  /** The first rule that matches decides; with none, the action is allowed. */
  evaluate (req: ActionRequest): Decision {
    for (let i = 0; i < this.current.length; i++) {
      const c = this.current[i] as CompiledRule
      if (globMatch(c.action, req.action) && globMatch(c.subject, req.subject) && this.matchesDevice(c, req.device)) return { effect: c.rule.effect, rule: i + 1 }
    }
    return { effect: 'allow', rule: 0 }
  }

  /**
   * Lets the action through, or throws: a blocked one is recorded on the
   * bus and refused (PolicyBlockedError); an asked one is recorded and held
   * until an admin decides, `waitMs` at most (ApprovalError when declined
   * or not decided in time).
   */
  async enforce (req: ActionRequest, options: { signal?: AbortSignal, waitMs?: number, onAsk?: (id: string) => void } = {}): Promise<Decision> {
    const d = this.evaluate(req)
    if (d.effect === 'allow') return d
    if (d.effect === 'block') {
      await this.bus.append(MEMBER_KINDS.policyDeny, encodeBody({ ...req, rule: d.rule, reason: 'blocked by policy' }), { signal: options.signal })
      throw new PolicyBlockedError(`${req.action} of ${JSON.stringify(req.subject)} is blocked by rule ${d.rule} of the mesh policy`)
    }
    const waitMs = options.waitMs ?? DEFAULT_ASK_WAIT_MS
    const id = randomBytes(8).toString('hex')
    const ask: PolicyAskBody = { ...req, id, expiresAt: this.now() + waitMs }
    const decided = new Promise<boolean>((resolve) => {
      this.asks.set(id, { ask, hash: '', askedAt: this.now(), waiters: [resolve] })
    })
    await this.bus.append(MEMBER_KINDS.policyAsk, encodeBody(ask), { signal: options.signal })
    options.onAsk?.(id)
    let timer: ReturnType<typeof setTimeout> | undefined
    const outcome = await Promise.race([
      decided,
      new Promise<'timeout'>(resolve => { timer = setTimeout(() => { resolve('timeout') }, waitMs) }),
      new Promise<'aborted'>(resolve => options.signal?.addEventListener('abort', () => { resolve('aborted') }, { once: true }))
    ]).finally(() => { clearTimeout(timer) })
    if (outcome === true) return d
    const reason = outcome === false ? 'declined by an admin' : outcome === 'timeout' ? `not approved within ${Math.round(waitMs / 1000)} s` : 'given up by the requester'
    await this.bus.append(MEMBER_KINDS.policyDeny, encodeBody({ ...req, rule: d.rule, reason }), {}).catch(() => {})
    if (outcome === 'aborted') throw options.signal?.reason ?? new Error('aborted')
    throw new ApprovalError(`${req.action} of ${JSON.stringify(req.subject)} was ${reason} (request ${id})`, outcome === false ? 'the refusal is on the bus: smesh bus log --kind policy.deny' : `an admin approves with: smesh approve ${id}`)
  }

  /** Asks nobody has decided yet and that have not expired. */
  pending (): PendingAsk[] {
    const now = this.now()
    return [...this.asks.values()].filter(s => s.approved == null && s.ask.expiresAt > now).map(s => ({ ...s.ask, hash: s.hash, askedAt: s.askedAt }))
  }

  /** Records an admin's decision on an ask (this node must hold the admin scope). */
  async decide (id: string, approved: boolean, signal?: AbortSignal): Promise<void> {
    if (!this.membership.has(this.bus.authorHex, 'admin')) throw new NotAuthorizedError('only an admin device can approve or decline a request', 'run smesh approve on a device whose lease has the admin scope')
    const s = [...this.asks.values()].find(x => x.ask.id === id || (id.length >= 6 && x.ask.id.startsWith(id)))
    if (s == null) throw new ApprovalError(`no request ${id} is known`, 'list open requests with: smesh approvals')
    if (s.approved != null) throw new ApprovalError(`request ${s.ask.id} was already ${s.approved ? 'approved' : 'declined'}`, 'nothing was changed')
    await this.bus.append(MEMBER_KINDS.policyApprove, encodeBody({ id: s.ask.id, approved }), { signal })
  }

  /** Replaces the policy (this node must hold the admin scope). */
  async set (rules: PolicyRule[], signal?: AbortSignal): Promise<BusEntry> {
    if (!this.membership.has(this.bus.authorHex, 'admin')) throw new NotAuthorizedError('only an admin device can change the policy', 'run smesh policy set on a device whose lease has the admin scope')
    return await this.bus.append(MEMBER_KINDS.policySet, encodeBody({ rules }), { signal })
  }
}
