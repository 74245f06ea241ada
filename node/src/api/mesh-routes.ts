import { DEFAULT_SCOPES, InviteError, MEMBER_KINDS, NotAuthorizedError, POLICY_GRACE_MS, checkRules, encodeToken, parseScopes, phoneLinkUrl } from '@smesh/membership'
import { multiaddr } from '@multiformats/multiaddr'
import { InvalidBodyError, NotFoundError, encodeJsonBody, entryView } from '@smesh/bus'
import type { InviteRecord, InviteStore, Membership, MemberView, MeshConfig, PendingAsk, PolicyGate, PolicyRule, RevokeBody, Scope } from '@smesh/membership'
import type { Bus, EntryView } from '@smesh/bus'
import type { PeerView } from '@smesh/mesh'
import type { JoinListener } from '../mesh/join-listener.js'
import type { PageServer } from '../web/page-server.js'
import { body, str } from './params.js'
import type { RouteHandler } from './server.js'

export interface MeshRoutesInit {
  mesh: MeshConfig
  bus: Bus
  membership: Membership
  gate: PolicyGate
  invites: InviteStore
  joinListener: JoinListener
  /** The page phones join by; absent when it is off. */
  pageServer?: PageServer
  /** The main node's own addresses (a phone reconnects to its WebSockets ones). */
  nodeAddrs: () => string[]
  /** Whether this node holds a connection to a PeerId (a browser device sends no presence beacons). */
  connectedTo: (peerId: string) => boolean
  peers: () => PeerView[]
  self: { peerId: string, name: string }
}

/** GET /v1/mesh. */
export interface MeshView {
  id: string
  name: string
  root: string
  rootPeerId: string
  device: string
  status: string | null
  scopes: Scope[]
  leaseExpiresAt: number | null
  members: number
  openInvites: number
  joinListener: boolean
  /** Port of the page phones join by while it is up, else null. */
  webPort: number | null
}

export interface MemberRow extends MemberView {
  connected: boolean
  lastSeenAt: number | null
}

export interface InviteView {
  token: string
  id: string
  scopes: Scope[]
  expiresAt: number
  leaseMs: number
  renew: boolean
  addrs: string[]
  /** With `phone`: the link a phone's camera opens (the invite in its fragment). */
  link?: string
}

const MAX_TTL_MS = 30 * 24 * 3600_000
const MAX_LEASE_MS = 3650 * 24 * 3600_000
export const DEFAULT_INVITE_TTL_MS = 24 * 3600_000
export const DEFAULT_LEASE_MS = 30 * 24 * 3600_000

function duration (v: unknown, field: string, fallback: number, max: number): number {
  if (v === undefined) return fallback
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1000 || v > max) throw new InvalidBodyError(`${field} must be between 1 s and ${Math.round(max / 86_400_000)} days, in ms`)
  return v
}

/** Finds a member by author id (or a prefix of 8+ hex digits), PeerId, or unique name. */
export function findMember (members: MemberView[], ref: string): MemberView {
  const r = ref.trim()
  const hits = members.filter(m => m.peerId === r || (r.length >= 8 && /^[0-9a-f]+$/.test(r) && m.device.startsWith(r)) || m.name === r)
  if (hits.length === 1) return hits[0] as MemberView
  if (hits.length === 0) throw new NotFoundError(`no member ${JSON.stringify(r.slice(0, 80))}`, 'list members with: smesh members (a device is named by its id, a prefix of 8+ digits of it, its PeerId, or its name)')
  throw new InvalidBodyError(`${JSON.stringify(r)} names ${hits.length} members: give its id instead`)
}

/** The control API's mesh endpoints: membership, invites, revocation, policy and approvals. */
export function meshRoutes (init: MeshRoutesInit): Record<string, RouteHandler | Partial<Record<'GET' | 'POST', RouteHandler>>> {
  const { mesh, bus, membership, gate, invites, joinListener } = init
  const self = bus.authorHex
  const requireAdmin = (what: string): void => {
    if (!membership.has(self, 'admin')) throw new NotAuthorizedError(`only an admin device can ${what}`, 'run this on a device whose lease has the admin scope (the device that ran smesh init has it)')
  }
  return {
    '/v1/mesh': async (): Promise<MeshView> => ({
      id: mesh.id,
      name: mesh.name,
      root: mesh.root,
      rootPeerId: mesh.rootPeerId,
      device: self,
      status: membership.status(self) ?? null,
      scopes: membership.scopesOf(self),
      leaseExpiresAt: membership.lease(self)?.expiresAt ?? null,
      members: membership.list().filter(m => m.status === 'active' || m.status === 'root').length,
      openInvites: (await invites.open()).length,
      joinListener: joinListener.running,
      webPort: init.pageServer?.running === true ? init.pageServer.listenPort : null
    }),
    '/v1/members': (): MemberRow[] => {
      const peers = new Map(init.peers().map(p => [p.peerId, p]))
      return membership.list().map(m => {
        const p = peers.get(m.peerId)
        const isSelf = m.peerId === init.self.peerId
        const browserHere = m.kind === 'browser' && m.peerId !== '' && init.connectedTo(m.peerId)
        return { ...m, name: isSelf ? init.self.name : m.name !== '' && m.name !== '(root)' ? m.name : (p?.name ?? m.name), connected: isSelf || p?.connected === true || browserHere, lastSeenAt: isSelf || browserHere ? Date.now() : (p?.lastSeenAt ?? null) }
      })
    },
    '/v1/invites': async (): Promise<Array<Omit<InviteRecord, 'secretHash'>>> => (await invites.list()).map(r => ({ id: r.id, scopes: r.scopes, leaseMs: r.leaseMs, renew: r.renew, createdAt: r.createdAt, expiresAt: r.expiresAt, usedAt: r.usedAt, usedBy: r.usedBy, ...(r.phone === true ? { phone: true } : {}) })),
    '/v1/invite': {
      POST: async (ctx): Promise<InviteView> => {
        requireAdmin('invite devices')
        const b = body(ctx)
        let scopes: Scope[]
        try {
          scopes = b.scopes === undefined ? DEFAULT_SCOPES : parseScopes(String(b.scopes))
        } catch (err: any) {
          throw new InvalidBodyError(err.message)
        }
        const ttlMs = duration(b.ttlMs, 'ttl', DEFAULT_INVITE_TTL_MS, MAX_TTL_MS)
        const leaseMs = duration(b.leaseMs, 'lease', DEFAULT_LEASE_MS, MAX_LEASE_MS)
        const renew = b.renew !== false
        const addrs = joinListener.tokenAddrs(await joinListener.ensure())
        if (addrs.length === 0) throw new InviteError('the join listener has no address a device could reach', 'start the node with a --listen address on the LAN')
        const phone = b.phone === true ? await phoneTarget(init, addrs) : undefined
        const { secret, record } = await invites.create({ scopes, ttlMs, leaseMs, renew, phone: phone != null })
        const token = encodeToken({ mesh: mesh.id, name: mesh.name, networkKey: mesh.networkKey, root: mesh.root, rootPeerId: mesh.rootPeerId, inviterPeerId: init.self.peerId, addrs, secret, expiresAt: record.expiresAt })
        const link = phone == null ? undefined : phoneLinkUrl(phone.host, phone.pagePort, { mesh: mesh.id, secret, networkKey: mesh.networkKey, inviterPeerId: init.self.peerId, wsPort: phone.wsPort, expiresAt: record.expiresAt }, init.pageServer?.scheme)
        return { token, id: record.id, scopes, expiresAt: record.expiresAt, leaseMs, renew, addrs, ...(link != null ? { link } : {}) }
      }
    },
    '/v1/revoke': {
      POST: async (ctx): Promise<{ member: MemberView, entry: EntryView }> => {
        requireAdmin('revoke devices')
        const b = body(ctx)
        const m = findMember(membership.list(), str(b.device, 'device') as string)
        if (m.status === 'root') throw new InvalidBodyError('the root admin (the device that created the mesh) cannot be revoked', 'create a new mesh with smesh init to leave it behind')
        if (m.status === 'revoked') throw new InvalidBodyError(`device ${m.device.slice(0, 16)} is already revoked`, 'nothing was changed')
        const revoke: RevokeBody = { device: m.device, peerId: m.peerId, cutoffSeq: (bus.head(m.device)?.seq ?? 0n).toString(), ...(typeof b.reason === 'string' ? { reason: b.reason.slice(0, 200) } : {}) }
        const e = await bus.append(MEMBER_KINDS.revoke, encodeJsonBody(revoke), { signal: ctx.signal })
        return { member: { ...m, status: 'revoked', cutoffSeq: revoke.cutoffSeq }, entry: entryView(e, 'self') }
      }
    },
    '/v1/policy': {
      GET: (): { rules: PolicyRule[], hash?: string, inForceAt?: number } => gate.latest(),
      POST: async (ctx): Promise<{ rules: PolicyRule[], entry: EntryView, inForceAt: number }> => {
        let rules: PolicyRule[]
        try {
          rules = checkRules(body(ctx).rules)
        } catch (err: any) {
          throw new InvalidBodyError(`policy: ${err.message as string}`, 'a rule is {"action": "memory.write", "subject": "secrets/*", "device": "laptop", "effect": "allow" | "ask" | "block"}')
        }
        const e = await gate.set(rules, ctx.signal)
        return { rules, entry: entryView(e, 'self'), inForceAt: Number(e.hlc.ms) + POLICY_GRACE_MS }
      }
    },
    '/v1/approvals': (): PendingAsk[] => gate.pending(),
    '/v1/approve': {
      POST: async (ctx): Promise<{ id: string, approved: boolean }> => {
        const b = body(ctx)
        const id = str(b.id, 'id') as string
        await gate.decide(id, b.approved !== false, ctx.signal)
        return { id, approved: b.approved !== false }
      }
    }
  }
}

/** The host and ports of a phone link: the join listener's WebSockets address and the page, on the same host. */
async function phoneTarget (init: MeshRoutesInit, joinAddrs: string[]): Promise<{ host: string, wsPort: number, pagePort: number }> {
  if (init.pageServer == null) throw new InviteError('the page phones join by is off on this node (webPort "off")', 'start the node with --web-port 7380 (or any free port)')
  if (!init.nodeAddrs().some(a => a.includes('/ws'))) {
    throw new InviteError('this node has no WebSockets listener: a phone could join but never connect again', 'start the node with a WebSockets address too, for example --listen /ip4/0.0.0.0/tcp/7370 --listen /ip4/0.0.0.0/tcp/7372/ws')
  }
  for (const a of joinAddrs) {
    const parts = multiaddr(a).getComponents()
    const ip = parts.find(c => c.name === 'ip4' || c.name === 'ip6')?.value
    const port = parts.find(c => c.name === 'tcp')?.value
    if (ip != null && port != null && parts.some(c => c.name === 'ws')) return { host: ip, wsPort: Number(port), pagePort: await init.pageServer.ensure() }
  }
  throw new InviteError('the join listener has no WebSockets address a phone could reach', 'start the node with a --listen address on the LAN')
}
