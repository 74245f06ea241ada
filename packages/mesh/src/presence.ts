import { randomBytes } from 'node:crypto'
import { serviceDependencies } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { CODE_P2P, multiaddr } from '@multiformats/multiaddr'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { decodeBinding, verifyBinding } from '@smesh/identity'
import { MAX_PRESENCE_NAME, MAX_PRESENCE_SOFTWARE, PRESENCE_VERSION, Presence, presenceTopic } from '@smesh/protocols'
import { TypedEventEmitter } from 'main-event'
import {
  ANNOUNCE_MIN_GAP_MS, BEACON_INTERVAL_MS, BINDING_EVERY, DIAL_TIMEOUT_MS, EXTRA_BEACON_FOLLOW_UP_MS, EXTRA_BEACON_MIN_GAP_MS, MDNS_DIAL_DEFER_MS, LINK_STALE_MS, MAX_CONCURRENT_DIALS, MAX_PEERS, PRUNE_CHECK_MS, STALE_AFTER_MS
} from './constants.js'
import { PeerTable, clockOffset } from './peer-table.js'
import { SignedBeacons } from './signed-beacon.js'
import { buildTopology } from './topology.js'
import type { Clock, PeerRecord } from './peer-table.js'
import type { Topology } from './topology.js'
import type { PeerView, PresenceComponents, PresenceEvents, PresenceInit } from './presence-types.js'
import type { GossipsubMessage, Message } from '@libp2p/gossipsub'
import type { Connection, Logger, PeerId, PeerInfo, Startable } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export type { PeerView, PresenceComponents, PresenceEvents, PresenceInit } from './presence-types.js'

/** mDNS hints of peers not yet admitted, kept for a dial once they are. */
const MAX_HINTED = 256

/**
 * Presence: beacons this node every few seconds on the mesh's presence topic,
 * keeps the table of peers heard, prunes the silent ones, keeps connections to
 * heard and static peers, and shows RTTs.
 *
 * Only authenticated evidence counts as hearing a peer: its beacon, signed by
 * its libp2p key (its own Ed25519 signature in the beacon: gossip messages
 * are unsigned, StrictNoSign), or its subscription to this mesh's
 * presence topic over its Noise connection. An mDNS response is
 * unauthenticated and only prompts a dial, after which both follow at once.
 */
export class PresenceService extends TypedEventEmitter<PresenceEvents> implements Startable {
  readonly [Symbol.toStringTag] = '@smesh/presence'
  readonly [serviceDependencies]: string[] = ['@libp2p/identify']

  readonly table: PeerTable
  readonly topic: string
  private readonly c: PresenceComponents
  private readonly init: PresenceInit
  private readonly log: Logger
  private readonly interval: number
  private readonly staleAfter: number
  private readonly maxPeers: number
  private readonly clock: Clock
  private readonly bootId = randomBytes(8).readBigUInt64BE()
  private readonly bootTimeMs = BigInt(Date.now())
  private readonly startedMono: number
  private readonly lastDial = new Map<string, number>()
  private readonly dialing = new Set<string>()
  /** Unknown peers heard only through relays so far: their first relayed beacon. */
  private readonly pending = new Map<string, { mono: number, bootId: bigint, seq: bigint }>()
  /** Verified identity bindings: PeerId -> hash of the binding and the ML-DSA fingerprint. */
  private readonly bindings = new Map<string, { hash: string, fingerprint: string, pqPublicKey: Uint8Array }>()
  private readonly verifying = new Set<string>()
  /** When each peer last triggered an extra beacon by subscribing (a peer toggling its subscription gets none). */
  private readonly subscribedAt = new Map<string, number>()
  /** Consecutive failed dials per static peer, for a warning that names it. */
  private readonly staticFailures = new Map<string, number>()
  private seq = 0n
  private timers: Array<ReturnType<typeof setInterval>> = []
  private extraBeacon?: ReturnType<typeof setTimeout>
  /** The capabilities of the last beacon that carried them. */
  private sentCapabilities = new Map<string, Uint8Array>()
  private announceTimer?: ReturnType<typeof setTimeout>
  private lastBeaconMono = -Infinity
  private running = false
  private controller = new AbortController()
  private refusedFull = 0
  /** Peers mDNS pointed at before membership admitted them, with the addresses it gave (at most MAX_HINTED, oldest dropped). */
  private readonly hinted = new Map<string, Multiaddr[]>()
  private readonly beacons: SignedBeacons

  constructor (components: PresenceComponents, init: PresenceInit) {
    super()
    this.c = components
    this.init = init
    this.log = components.logger.forComponent('smesh:presence')
    this.beacons = new SignedBeacons(components.privateKey)
    this.interval = init.beaconIntervalMs ?? BEACON_INTERVAL_MS
    this.staleAfter = init.staleAfterMs ?? STALE_AFTER_MS
    this.maxPeers = init.maxPeers ?? MAX_PEERS
    this.clock = init.clock ?? { mono: () => performance.now(), wall: () => Date.now() }
    this.table = new PeerTable(this.clock)
    this.topic = presenceTopic(init.mesh)
    this.startedMono = this.clock.mono()
  }

  async start (): Promise<void> {}

  async afterStart (): Promise<void> {
    if (this.running) return
    this.running = true
    this.controller = new AbortController()
    const { pubsub } = this.c
    pubsub.topicValidators.set(this.topic, this.validate)
    pubsub.addEventListener('gossipsub:message', this.onMessage)
    pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    if (this.init.lanDiscovery === true) this.c.lanDiscovery?.addEventListener('lan:beacon', this.onMdns)
    pubsub.subscribe(this.topic)
    this.timers.push(setInterval(() => { this.tick() }, this.interval))
    this.timers.push(setInterval(() => { this.prune() }, PRUNE_CHECK_MS))
    this.tick()
  }

  /** Runs before libp2p stops pubsub, so the topic can still be left cleanly. */
  async beforeStop (): Promise<void> {
    if (!this.running) return
    this.running = false
    this.controller.abort()
    for (const t of this.timers) clearInterval(t)
    this.timers = []
    clearTimeout(this.extraBeacon)
    this.extraBeacon = undefined
    clearTimeout(this.announceTimer)
    this.announceTimer = undefined
    const { pubsub } = this.c
    pubsub.removeEventListener('gossipsub:message', this.onMessage)
    pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    if (this.init.lanDiscovery === true) this.c.lanDiscovery?.removeEventListener('lan:beacon', this.onMdns)
    pubsub.topicValidators.delete(this.topic)
    pubsub.unsubscribe(this.topic)
    for (const map of [this.lastDial, this.pending, this.subscribedAt, this.staticFailures]) map.clear()
    this.dialing.clear()
  }

  async stop (): Promise<void> {}

  /** Milliseconds since this service was created. */
  uptimeMs (): number {
    return Math.round(this.clock.mono() - this.startedMono)
  }

  /** The peer table as plain objects, sorted by name. */
  peers (): PeerView[] {
    return this.table.list().filter(r => this.allowed(r.peerId)).map(r => this.view(r))
  }

  /** Removes a peer from the table at once (it is no longer a member), whatever it last said. */
  forget (peerId: string, reason: string): void {
    const r = this.table.get(peerId)
    this.pending.delete(peerId)
    if (r == null || !this.table.remove(peerId)) return
    this.log('removed peer %s: %s', peerId, reason)
    this.safeDispatchEvent('presence:leave', { detail: { peerId, name: r.name, reason } })
  }

  private allowed (peerId: string): boolean {
    return this.init.allowPeer == null || this.init.allowPeer(peerId)
  }

  /**
   * A capability from the peer's latest beacon, with the peer's ML-DSA-65
   * public key once its identity binding verified (to check what is signed).
   */
  capability (peerId: string, name: string): { value: Uint8Array, pqPublicKey?: Uint8Array, lastSeenMs: number } | undefined {
    const r = this.table.get(peerId)
    const value = r?.capabilities.get(name)
    if (r == null || value == null) return undefined
    return { value, pqPublicKey: this.bindings.get(peerId)?.pqPublicKey, lastSeenMs: this.table.sinceHeard(r) }
  }

  /** PeerIds in the table, and whether each is connected. */
  peerIds (): string[] {
    return this.table.list().map(r => r.peerId)
  }

  /**
   * Something this node advertises changed: a beacon goes out soon (at most
   * one per ANNOUNCE_MIN_GAP_MS) instead of at the next interval.
   */
  announce (): void {
    if (!this.running || this.announceTimer != null) return
    const wait = Math.max(0, ANNOUNCE_MIN_GAP_MS - (this.clock.mono() - this.lastBeaconMono))
    this.announceTimer = setTimeout(() => {
      this.announceTimer = undefined
      if (this.running) this.beacon()
    }, wait)
  }

  /** The whole mesh as this node knows it: itself, its peers and every reported link. */
  topology (): Topology {
    return buildTopology({
      self: { peerId: this.c.peerId.toString(), name: this.init.name, links: this.ownLinks() },
      peers: this.table.list().filter(r => this.allowed(r.peerId)).map(r => ({ peerId: r.peerId, name: r.name, lastSeenMs: Math.round(this.table.sinceHeard(r)), links: r.links.filter(l => this.allowed(l.peerId)) })),
      linkStaleMs: LINK_STALE_MS
    })
  }

  /** The best RTT of the peer's connections (the link monitor pings each as it opens, then every 5 s). */
  private rttOf (conns: Connection[]): number | null {
    const measured = conns.map(c => c.rtt).filter((r): r is number => r != null)
    return measured.length > 0 ? Math.min(...measured) : null
  }

  private view (r: PeerRecord): PeerView {
    const conns = this.c.connectionManager.getConnections(peerIdFromString(r.peerId))
    const remoteAddr = conns[0]?.remoteAddr.decapsulateCode(CODE_P2P).toString() ?? null
    // an outbound connection's address is one the peer listens on; an inbound
    // one has an ephemeral port, so the announced address on the same host is shown first
    const outbound = conns.find(c => c.direction === 'outbound')?.remoteAddr.decapsulateCode(CODE_P2P).toString()
    const host = remoteAddr?.split('/tcp/')[0]
    const first = outbound ?? r.addrs.find(a => host != null && a.startsWith(host + '/'))
    const addrs = first == null ? r.addrs : [first, ...r.addrs.filter(a => a !== first)]
    return {
      peerId: r.peerId,
      name: r.name,
      software: r.software,
      pqFingerprint: r.pqFingerprint,
      addrs,
      connected: conns.length > 0,
      remoteAddr,
      rttMs: this.rttOf(conns),
      lastSeenMs: Math.round(this.table.sinceHeard(r)),
      lastSeenAt: r.lastSeenAt,
      firstSeenAt: r.firstSeenAt,
      uptimeMs: r.uptimeMs,
      clockOffsetMs: clockOffset(r)
    }
  }

  private ownLinks (): Array<{ peerId: string, rttMs: number | null }> {
    const byPeer = new Map<string, Connection[]>()
    for (const conn of this.c.connectionManager.getConnections()) {
      const id = conn.remotePeer.toString()
      if (!this.table.has(id)) continue
      byPeer.set(id, [...(byPeer.get(id) ?? []), conn])
    }
    return [...byPeer].map(([peerId, conns]) => ({ peerId, rttMs: this.rttOf(conns) }))
  }

  private tick (): void {
    if (!this.running) return
    this.beacon()
    this.redial()
  }

  /**
   * @param withBinding - attach the 5 KB identity binding: receivers verify it
   * once per peer, so it rides on the first beacon, the extra beacons sent to
   * new subscribers, and every BINDING_EVERY-th beacon, not on all of them.
   * Capabilities (a signed advert is 4 KB) ride on those too, and on any
   * beacon after they changed; receivers keep the last ones they got.
   */
  private beacon (withBinding = false): void {
    this.lastBeaconMono = this.clock.mono()
    this.seq++
    withBinding ||= this.seq % BigInt(BINDING_EVERY) === 1n
    const capabilities = this.init.capabilities?.() ?? []
    const changed = capabilities.length !== this.sentCapabilities.size || capabilities.some(c => !sameBytes(this.sentCapabilities.get(c.name), c.value))
    const withCapabilities = withBinding || changed
    if (withCapabilities) this.sentCapabilities = new Map(capabilities.map(c => [c.name, c.value]))
    const addrs = this.c.addressManager.getAddresses()
      .filter(ma => this.init.policy.isAnnounceable(ma))
      .map(ma => ma.decapsulateCode(CODE_P2P).bytes)
    const msg: Presence = {
      version: PRESENCE_VERSION,
      mesh: this.init.mesh,
      name: this.init.name,
      software: this.init.software,
      uptimeMs: BigInt(this.uptimeMs()),
      bootId: this.bootId,
      bootTimeMs: this.bootTimeMs,
      seq: this.seq,
      addrs: addrs.map(b => new Uint8Array(b)),
      links: this.ownLinks().map(l => ({ peer: l.peerId, rttUs: l.rttMs == null ? 0 : Math.max(1, Math.round(l.rttMs * 1000)) })),
      binding: withBinding ? new Uint8Array(this.init.binding) : new Uint8Array(0),
      capabilities: withCapabilities ? capabilities.map(c => ({ name: c.name, value: new Uint8Array(c.value) })) : []
    }
    void this.publishSigned(Presence.encode(msg))
  }

  private async publishSigned (presence: Uint8Array<ArrayBuffer>): Promise<void> {
    try {
      await this.c.pubsub.publish(this.topic, await this.beacons.seal(presence))
    } catch (err: any) {
      this.log.error('publishing presence failed - %e', err)
    }
  }

  /** A peer just subscribed: send a beacon now instead of making it wait up to a full interval. */
  private readonly onSubscriptionChange = (evt: CustomEvent<{ peerId: PeerId, subscriptions: Array<{ topic: string, subscribe: boolean }> }>): void => {
    if (!evt.detail.subscriptions.some(s => s.topic === this.topic && s.subscribe)) return
    const id = evt.detail.peerId.toString()
    if (!this.allowed(id)) return
    // The subscription came over a Noise-authenticated connection from that
    // very peer, to this mesh's topic: proof of life and membership, earlier
    // than its first beacon.
    if (this.table.has(id) || this.table.size < this.maxPeers) {
      if (this.table.heardSubscription(id)) this.joined(id)
    }
    const now = this.clock.mono()
    if (now - (this.subscribedAt.get(id) ?? -Infinity) < this.staleAfter) return
    this.subscribedAt.set(id, now)
    if (this.extraBeacon != null) return
    const wait = Math.max(20, EXTRA_BEACON_MIN_GAP_MS - (this.clock.mono() - this.lastBeaconMono))
    this.extraBeacon = setTimeout(() => {
      if (this.running) this.beacon(true)
      // gossipsub drops what it cannot send yet: our outbound stream to a peer
      // that just subscribed may still be opening, so a second beacon follows
      this.extraBeacon = setTimeout(() => {
        this.extraBeacon = undefined
        if (this.running) this.beacon(true)
      }, EXTRA_BEACON_FOLLOW_UP_MS)
    }, wait)
  }

  private readonly validate = async (_peer: PeerId, msg: Message): Promise<TopicValidatorResult> => {
    const opened = await this.beacons.open(msg.data)
    if (opened == null) return TopicValidatorResult.Reject
    if (opened.from.equals(this.c.peerId)) return TopicValidatorResult.Ignore
    const p = opened.presence
    if (p.version !== PRESENCE_VERSION) return TopicValidatorResult.Ignore
    if (p.mesh !== this.init.mesh) return TopicValidatorResult.Reject
    return TopicValidatorResult.Accept
  }

  private readonly onMessage = (evt: CustomEvent<GossipsubMessage>): void => {
    const { msg, propagationSource } = evt.detail
    if (msg.topic !== this.topic) return
    void this.beacons.open(msg.data).then(opened => {
      // the validator already rejected anything else
      if (opened != null && !opened.from.equals(this.c.peerId)) this.heard(opened.from, opened.presence, propagationSource)
    })
  }

  private heard (from: PeerId, p: Presence, propagationSource: PeerId): void {
    const id = from.toString()
    // a device that is no longer a member is not listed, even from a beacon others relay
    if (!this.allowed(id)) return
    if (!this.table.has(id)) {
      // a beacon relayed by others may be a cached copy from a node that is gone
      if (!propagationSource.equals(from) && !this.confirmRelayed(id, p)) return
      if (this.table.size >= this.maxPeers) {
        if (this.refusedFull++ % 100 === 0) this.log.error('peer table full (%d peers); ignoring new peer %s', this.maxPeers, id)
        return
      }
    }
    this.pending.delete(id)
    const known = this.table.get(id)
    const before = known?.addrs.join(' ')
    const nameBefore = known?.name
    const addrs = this.dialableAddrs(p.addrs)
    const verdict = this.table.heard(id, p, addrs.map(a => a.toString()), { name: MAX_PRESENCE_NAME, software: MAX_PRESENCE_SOFTWARE })
    if (verdict === 'replayed') return
    if (verdict === 'new') this.joined(id)
    this.checkBinding(from, p.binding)
    const record = this.table.get(id)
    // a peer listed from its subscription gets its name with its first beacon
    if (verdict === 'updated' && record != null && record.name !== nameBefore) this.safeDispatchEvent('presence:update', { detail: { peerId: id } })
    if (record != null) record.pqFingerprint = this.bindings.get(id)?.fingerprint ?? ''
    if (addrs.length > 0 && before !== record?.addrs.join(' ')) void this.mergeAddrs(from, addrs)
    this.dialIfDisconnected(from)
  }

  /**
   * A peer not yet in the table and heard only through relays is listed once
   * two of its beacons of the same boot arrive most of an interval apart.
   * Gossipsub's message cache can hand a new node the last beacons of a node
   * that has just stopped, but only ever all at once.
   */
  private confirmRelayed (id: string, p: Presence): boolean {
    const now = this.clock.mono()
    for (const [k, v] of this.pending) if (now - v.mono > this.staleAfter) this.pending.delete(k)
    const first = this.pending.get(id)
    if (first == null || first.bootId !== p.bootId) {
      if (this.pending.size < this.maxPeers) this.pending.set(id, { mono: now, bootId: p.bootId, seq: p.seq })
      return false
    }
    return p.seq > first.seq && now - first.mono >= this.interval * 0.8
  }

  /**
   * Verifies a peer's identity binding once per distinct binding (an ML-DSA-65
   * verification), and keeps its fingerprint only if the binding names the
   * libp2p key that signed the beacon.
   */
  private checkBinding (from: PeerId, binding: Uint8Array): void {
    const id = from.toString()
    if (binding.byteLength === 0) return
    const hash = bytesToHex(sha256(binding))
    if (this.bindings.get(id)?.hash === hash || this.verifying.has(id)) return
    this.verifying.add(id)
    Promise.resolve().then(async () => {
      const decoded = decodeBinding(binding)
      const bound = await verifyBinding(decoded)
      if (!bound.equals(from)) throw new Error(`binding names ${bound.toString()}, not the sender`)
      const fingerprint = bytesToHex(sha256(decoded.pqPublicKey))
      this.bindings.set(id, { hash, fingerprint, pqPublicKey: decoded.pqPublicKey })
      const record = this.table.get(id)
      if (record != null) record.pqFingerprint = fingerprint
    }).catch((err: Error) => {
      this.log.error('identity binding of %s does not verify - %e', id, err)
    }).finally(() => {
      this.verifying.delete(id)
    })
  }

  /**
   * mDNS is unauthenticated: a response only prompts a dial; the peer's signed
   * beacon does the rest. The dial goes to the addresses in the response (with
   * the PeerId, so Noise checks who answers): libp2p stores them in its peer
   * store asynchronously, too late for a dial by PeerId made now.
   */
  private readonly onMdns = (evt: CustomEvent<PeerInfo>): void => {
    const { id, multiaddrs } = evt.detail
    // a connection still closing over a dead link must not stop the dial (the same rule as redial)
    if (this.hasOpenConnection(id)) return
    const addrs = multiaddrs.map(ma => ma.encapsulate(`/p2p/${id.toString()}`))
    // Not known as a member yet (a device that just joined learns the others
    // from its first sync, and refuses their dials until then): kept, and
    // dialed the moment membership admits it, by whichever end, instead of at
    // the next mDNS response.
    if (!this.allowed(id.toString())) {
      this.hinted.delete(id.toString())
      this.hinted.set(id.toString(), addrs)
      if (this.hinted.size > MAX_HINTED) this.hinted.delete(this.hinted.keys().next().value as string)
      return
    }
    const go = (): void => {
      if (this.hasOpenConnection(id)) return
      this.dial(id.toString(), addrs)
    }
    // Both ends usually hear each other within milliseconds; two crossing dials
    // make two connections. The lower PeerId dials at once, the other only if
    // still unconnected a moment later.
    if (this.c.peerId.toString() < id.toString()) {
      go()
    } else {
      const t = setTimeout(() => { if (this.running) go() }, MDNS_DIAL_DEFER_MS)
      t.unref()
    }
  }

  /**
   * Membership now admits `peerId`: if mDNS pointed at it while it was not
   * yet known as a member, it is dialed now.
   */
  admitted (peerId: string): void {
    const addrs = this.hinted.get(peerId)
    if (addrs == null) return
    this.hinted.delete(peerId)
    if (!this.running || !this.allowed(peerId)) return
    try {
      if (this.hasOpenConnection(peerIdFromString(peerId))) return
    } catch {
      return
    }
    this.dial(peerId, addrs)
  }

  private joined (peerId: string): void {
    this.log('peer %s joined', peerId)
    this.safeDispatchEvent('presence:join', { detail: { peerId } })
  }

  private prune (): void {
    for (const { peerId, silentMs } of this.table.silent(this.staleAfter)) {
      const name = this.table.get(peerId)?.name ?? ''
      this.table.remove(peerId)
      this.log('pruned peer %s after %d ms of silence', peerId, Math.round(silentMs))
      this.safeDispatchEvent('presence:prune', { detail: { peerId, name, silentMs } })
      // aborted, not closed: a graceful close cannot finish over a dead link, and
      // a half-closed connection would stop the redial when the peer returns
      for (const conn of this.c.connectionManager.getConnections(peerIdFromString(peerId))) {
        conn.abort(new Error(`peer silent for ${Math.round(silentMs)} ms: pruned`))
      }
    }
    // dial bookkeeping of peers no longer heard is dropped
    const now = this.clock.mono()
    for (const [key, at] of this.lastDial) if (now - at > this.staleAfter) this.lastDial.delete(key)
    for (const [key, at] of this.subscribedAt) if (now - at > this.staleAfter) this.subscribedAt.delete(key)
  }

  private redial (): void {
    for (const r of this.table.list()) this.dialIfDisconnected(peerIdFromString(r.peerId))
    const statics = this.init.staticPeers ?? []
    if (statics.length === 0) return
    void (this.init.staticHosts?.refresh({ signal: this.controller.signal }) ?? Promise.resolve()).then(() => {
      for (const ma of statics) {
        const id = ma.getComponents().findLast(c => c.code === CODE_P2P)?.value
        if (id != null && this.hasOpenConnection(peerIdFromString(id))) continue
        if (id == null && this.connectedTo(ma)) continue
        this.dial(ma.toString(), ma, true)
      }
    }, () => {})
  }

  private connectedTo (ma: Multiaddr): boolean {
    const target = ma.toString()
    return this.c.connectionManager.getConnections().some(c => c.remoteAddr.decapsulateCode(CODE_P2P).toString() === target)
  }

  /** Only open connections count: one closing over a dead link must not stop a redial. */
  private hasOpenConnection (peer: PeerId): boolean {
    return this.c.connectionManager.getConnections(peer).some(c => c.status === 'open')
  }

  private dialIfDisconnected (peer: PeerId): void {
    if (this.hasOpenConnection(peer)) return
    this.dial(peer.toString(), peer)
  }

  private dial (key: string, target: PeerId | Multiaddr | Multiaddr[], isStatic = false): void {
    if (!this.running || this.dialing.has(key) || this.dialing.size >= MAX_CONCURRENT_DIALS) return
    const now = this.clock.mono()
    if (now - (this.lastDial.get(key) ?? -Infinity) < 1_000) return
    this.lastDial.set(key, now)
    this.dialing.add(key)
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(DIAL_TIMEOUT_MS)])
    this.c.connectionManager.openConnection(target, { signal })
      .then(() => { this.staticFailures.delete(key) })
      .catch((err: Error) => {
        this.log.trace('dial %s failed - %e', key, err)
        if (!isStatic) return
        const failures = (this.staticFailures.get(key) ?? 0) + 1
        this.staticFailures.set(key, failures)
        // a static peer is one the user named: say so when it stays out of reach
        if (failures === 3 || failures % 60 === 0) this.log.error('static peer %s unreachable after %d attempts - %e', key, failures, err)
      })
      .finally(() => { this.dialing.delete(key) })
  }

  private dialableAddrs (raw: Uint8Array[]): Multiaddr[] {
    const out: Multiaddr[] = []
    for (const bytes of raw) {
      try {
        const ma = multiaddr(bytes)
        if (this.init.policy.isDialable(ma)) out.push(ma)
      } catch {
        // an unreadable address is skipped, the rest of the beacon still counts
      }
    }
    return out
  }

  private async mergeAddrs (peer: PeerId, addrs: Multiaddr[]): Promise<void> {
    // a later redial then uses the addresses the peer announced itself
    try {
      await this.c.peerStore.merge(peer, { multiaddrs: addrs })
    } catch (err: any) {
      this.log.error('storing addresses of %p failed - %e', peer, err)
    }
  }
}

export function presence (init: PresenceInit): (components: PresenceComponents) => PresenceService {
  return (components) => new PresenceService(components, init)
}

function sameBytes (a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a != null && a.byteLength === b.byteLength && a.every((x, i) => x === b[i])
}
