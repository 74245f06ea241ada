import { InvalidBodyError } from '@smesh/bus'
import { TypedEventEmitter } from 'main-event'
import { NotAuthorizedError } from './errors.js'
import { MEMBER_KINDS, parseAdmit, parseRevoke } from './kinds.js'
import { isScope, scopeForKind, SCOPES } from './scopes.js'
import type { AdmitBody, RevokeBody } from './kinds.js'
import type { MeshConfig } from './mesh-file.js'
import type { Scope } from './scopes.js'
import type { AdmissionRefusal, Bus, BusEntry, EntryAdmission } from '@smesh/bus'

export type MemberStatus = 'root' | 'active' | 'expired' | 'revoked'

export interface MemberView {
  device: string
  peerId: string
  name: string
  scopes: Scope[]
  status: MemberStatus
  issuedAt: number | null
  expiresAt: number | null
  renew: boolean
  /** `node` for a smesh node, `browser` for a browser page (a phone). */
  kind: string
  /** For a browser: which one ("Chrome 156 on Android"); empty otherwise. */
  agent: string
  /** Author id of the admin that signed the lease in force. */
  admittedBy: string | null
  revokedBy: string | null
  cutoffSeq: string | null
}

interface Member {
  lease?: AdmitBody
  admittedBy?: string
  revoke?: RevokeBody
  revokedBy?: string
}

export interface MembershipEvents {
  /** A device lost its access (revoked, or its lease expired): connections to `peerId` are to be closed. */
  'member:cut': CustomEvent<{ device: string, peerId: string, status: MemberStatus }>
  /** A device was admitted or its lease renewed. */
  'member:admit': CustomEvent<{ device: string, peerId: string }>
}

export interface MembershipInit {
  mesh: MeshConfig
  /** This device's bus author id. */
  self: string
  /**
   * While true, peers this node knows nothing of are let in: a node that lost
   * its store knows no lease until a member shows it the bus again.
   */
  learning?: () => boolean
  now?: () => number
}

/**
 * Who belongs to the mesh, derived from the bus: the root admin named in
 * mesh.json, every `member.admit` lease an admin signed, every
 * `member.revoke`. It decides which entries the bus takes (the author's
 * lease, scopes and revocation cut-off), which peers the connection gater
 * lets in, and whom to cut off when a lease ends.
 */
export class Membership extends TypedEventEmitter<MembershipEvents> implements EntryAdmission {
  private readonly members = new Map<string, Member>()
  private readonly byPeer = new Map<string, string>()
  private readonly now: () => number
  private timer?: ReturnType<typeof setTimeout>
  private started = false
  private bus?: Bus

  constructor (private readonly init: MembershipInit) {
    super()
    this.now = init.now ?? Date.now
  }

  get root (): string { return this.init.mesh.root }

  /** Reads every membership record already on the bus, then follows new ones. */
  async start (bus: Bus): Promise<void> {
    if (this.started) return
    this.started = true
    this.bus = bus
    for (const kind of [MEMBER_KINDS.admit, MEMBER_KINDS.revoke]) {
      for await (const hash of bus.store.kindIndex(kind, {})) {
        const e = await bus.store.entry(hash)
        if (e != null) this.apply(e, false)
      }
    }
    bus.addEventListener('bus:entry', this.onEntry)
    this.schedule()
  }

  stop (): void {
    this.started = false
    this.bus?.removeEventListener('bus:entry', this.onEntry)
    clearTimeout(this.timer)
  }

  private readonly onEntry = (evt: CustomEvent<{ entry: BusEntry }>): void => {
    this.apply(evt.detail.entry, true)
  }

  /** Takes in a member.admit or member.revoke already admitted (offline replays: a bundle's verification); other kinds are ignored. */
  learn (e: BusEntry): void {
    this.apply(e, false)
  }

  private apply (e: BusEntry, live: boolean): void {
    const kind = e.entry.kind
    if (kind !== MEMBER_KINDS.admit && kind !== MEMBER_KINDS.revoke) return
    try {
      if (kind === MEMBER_KINDS.admit) {
        const lease = parseAdmit(e.entry.body)
        const m = this.member(lease.device)
        // the lease that runs longest is in force (a renewal extends it)
        if (m.lease == null || lease.expiresAt > m.lease.expiresAt) {
          m.lease = lease
          m.admittedBy = e.authorHex
        }
        this.byPeer.set(lease.peerId, lease.device)
        if (live && m.revoke == null) this.safeDispatchEvent('member:admit', { detail: { device: lease.device, peerId: lease.peerId } })
      } else {
        const revoke = parseRevoke(e.entry.body)
        if (revoke.device === this.root) return // the root cannot be revoked (refused at admission too)
        const m = this.member(revoke.device)
        if (m.revoke == null || BigInt(revoke.cutoffSeq) < BigInt(m.revoke.cutoffSeq)) {
          m.revoke = revoke
          m.revokedBy = e.authorHex
        }
        this.byPeer.set(revoke.peerId, revoke.device)
        if (live) this.safeDispatchEvent('member:cut', { detail: { device: revoke.device, peerId: revoke.peerId, status: 'revoked' } })
      }
    } catch (err) {
      if (!(err instanceof InvalidBodyError)) throw err
      // a malformed record was refused at admission; one stored by an older version is skipped
    }
    // at start every record is read first and the expiry timer set once, after them
    if (live) this.schedule()
  }

  /**
   * A device's lease from the bus; for this device, until its bus holds one,
   * the lease its introducer answered the join with (mesh.json).
   */
  private leaseOf (device: string): { m: Member | undefined, lease: AdmitBody | undefined } {
    const m = this.members.get(device)
    if (m?.lease != null || device !== this.init.self) return { m, lease: m?.lease }
    const p = this.init.mesh.lease
    if (p == null || p.device !== device) return { m, lease: undefined }
    return { m, lease: { device, peerId: '', name: '', scopes: p.scopes.filter(isScope), issuedAt: p.issuedAt, expiresAt: p.expiresAt, renew: false, leaseMs: 0 } }
  }

  private member (device: string): Member {
    let m = this.members.get(device)
    if (m == null) {
      m = {}
      this.members.set(device, m)
    }
    return m
  }

  /** Wakes at the next lease expiry to cut the device off. */
  private schedule (): void {
    clearTimeout(this.timer)
    if (!this.started) return
    const now = this.now()
    let next = Infinity
    for (const m of this.members.values()) {
      if (m.lease != null && m.revoke == null && m.lease.expiresAt > now) next = Math.min(next, m.lease.expiresAt)
    }
    if (next === Infinity) return
    this.timer = setTimeout(() => {
      const t = this.now()
      for (const [device, m] of this.members) {
        if (m.lease != null && m.revoke == null && m.lease.expiresAt <= t && m.lease.expiresAt > now - 1) {
          this.safeDispatchEvent('member:cut', { detail: { device, peerId: m.lease.peerId, status: 'expired' } })
        }
      }
      this.schedule()
    }, Math.min(next - now + 5, 2 ** 31 - 1))
    this.timer.unref?.()
  }

  /** The status of a device now. */
  status (device: string): MemberStatus | undefined {
    if (device === this.root) return 'root'
    const { m, lease } = this.leaseOf(device)
    if (m?.revoke != null) return 'revoked'
    if (lease == null) return undefined
    return lease.expiresAt > this.now() ? 'active' : 'expired'
  }

  scopesOf (device: string): Scope[] {
    if (device === this.root) return [...SCOPES]
    const s = this.status(device)
    return s === 'active' ? (this.leaseOf(device).lease?.scopes ?? []) : []
  }

  has (device: string, scope: Scope): boolean {
    return this.scopesOf(device).includes(scope)
  }

  /**
   * The writer's side of the lease rule: throws NotAuthorizedError when
   * `device` may not write an entry of `kind` now (no lease yet, revoked,
   * expired, or a scope it lacks). Admission checks the signed entry again.
   */
  assertMayWrite (device: string, kind: string): void {
    const need = scopeForKind(kind)
    if (need == null || this.has(device, need)) return
    const status = this.status(device)
    if (status != null && status !== 'active') throw new NotAuthorizedError(`this device's lease is ${status}: it may not write to the mesh`, status === 'revoked' ? 'it needs a new identity and an invite from an admin' : 'ask an admin for a new invite')
    throw new NotAuthorizedError(`this device may not write ${kind}: that needs the scope "${need}"${status == null ? ', and this device has not learned its lease yet (is a peer reachable?)' : `; its lease has ${this.scopesOf(device).join(', ')}`}`)
  }

  /** Whether the device with this PeerId may hold a connection: the root, or an active lease. */
  allowsPeer (peerId: string): boolean {
    if (peerId === this.init.mesh.rootPeerId) return true
    const device = this.byPeer.get(peerId)
    if (device != null) {
      const s = this.status(device)
      if (s === 'active' || s === 'root') return this.members.get(device)?.lease?.peerId === peerId || s === 'root'
      if (s != null) return false
    }
    if (device == null && this.init.learning?.() === true) return true
    // until this device has learned its own lease, the node that admitted it is let in to bring it
    const intro = this.init.mesh.introducer
    return intro != null && intro.peerId === peerId && this.members.get(this.init.self)?.lease == null
  }

  deviceOfPeer (peerId: string): string | undefined {
    return peerId === this.init.mesh.rootPeerId ? this.root : this.byPeer.get(peerId)
  }

  /** EntryAdmission: may the author of `e` write it? */
  check (e: BusEntry): AdmissionRefusal | undefined {
    const author = e.authorHex
    const kind = e.entry.kind
    if (kind === MEMBER_KINDS.revoke) {
      try {
        if (parseRevoke(e.entry.body).device === this.root) return { reason: 'scope', message: 'the root admin of a mesh cannot be revoked' }
      } catch (err: any) {
        return { reason: 'body', message: `a ${kind} entry: ${err.message as string}` }
      }
    }
    if (kind === MEMBER_KINDS.admit) {
      try {
        parseAdmit(e.entry.body)
      } catch (err: any) {
        return { reason: 'body', message: `a ${kind} entry: ${err.message as string}` }
      }
    }
    if (author === this.root) return undefined
    const { m, lease } = this.leaseOf(author)
    const short = author.slice(0, 16)
    if (m?.revoke != null && e.seq > BigInt(m.revoke.cutoffSeq)) return { reason: 'revoked', message: `author ${short} was revoked after its entry ${m.revoke.cutoffSeq}; entry ${e.seq} is refused` }
    if (lease == null) return { reason: 'not-member', message: `author ${short} holds no lease in this mesh` }
    if (Number(e.hlc.ms) > lease.expiresAt) return { reason: 'expired', message: `the lease of author ${short} expired at ${new Date(lease.expiresAt).toISOString()}, before this entry was written` }
    const need = scopeForKind(kind)
    if (need != null && !lease.scopes.includes(need)) return { reason: 'scope', message: `author ${short} may not write ${kind}: that needs scope "${need}", its lease has ${lease.scopes.join(', ')}` }
    return undefined
  }

  /** Sync order: the root's chain first, then admins', then members', then unknown authors (whose lease may come in an earlier chain). */
  rank (author: string): number {
    if (author === this.root) return 0
    const s = this.status(author)
    if (s == null) return 3
    return this.members.get(author)?.lease?.scopes.includes('admin') === true ? 1 : 2
  }

  list (): MemberView[] {
    const out: MemberView[] = []
    const root = this.members.get(this.root)
    out.push({
      device: this.root,
      peerId: this.init.mesh.rootPeerId,
      name: root?.lease?.name ?? '(root)',
      scopes: [...SCOPES],
      status: 'root',
      issuedAt: this.init.mesh.createdAt,
      expiresAt: null,
      renew: false,
      kind: 'node',
      agent: '',
      admittedBy: null,
      revokedBy: null,
      cutoffSeq: null
    })
    for (const [device, m] of this.members) {
      if (device === this.root) continue
      out.push({
        device,
        peerId: m.lease?.peerId ?? m.revoke?.peerId ?? '',
        name: m.lease?.name ?? '',
        scopes: m.lease?.scopes ?? [],
        status: this.status(device) ?? 'revoked',
        issuedAt: m.lease?.issuedAt ?? null,
        expiresAt: m.lease?.expiresAt ?? null,
        renew: m.lease?.renew ?? false,
        kind: m.lease?.kind ?? 'node',
        agent: m.lease?.agent ?? '',
        admittedBy: m.admittedBy ?? null,
        revokedBy: m.revokedBy ?? null,
        cutoffSeq: m.revoke?.cutoffSeq ?? null
      })
    }
    return out
  }

  lease (device: string): AdmitBody | undefined {
    return this.leaseOf(device).lease
  }

  /** Leases an admin should renew now: renewable, not revoked, past half their length (or expired while no admin was online). */
  due (): AdmitBody[] {
    const now = this.now()
    const out: AdmitBody[] = []
    for (const m of this.members.values()) {
      const l = m.lease
      if (l == null || m.revoke != null || !l.renew) continue
      if (l.expiresAt - now < l.leaseMs / 2) out.push(l)
    }
    return out
  }
}
