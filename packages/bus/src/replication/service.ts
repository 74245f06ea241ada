import { TopicValidatorResult } from '@libp2p/gossipsub'
import { peerIdFromString } from '@libp2p/peer-id'
import { ForkProof, busEvidenceTopic, busTopic, decodeForkProof } from '@smesh/protocols'
import { TypedEventEmitter } from 'main-event'
import { FLOOD_DROPS, GOSSIP_AUTHOR_BURST, GOSSIP_AUTHOR_RATE, GOSSIP_PUBLISH_BURST, GOSSIP_PUBLISH_RATE, SYNC_INTERVAL_MS, SYNC_MAX_INBOUND_STREAMS } from '../constants.js'
import { decodeEntry } from '../entry.js'
import { FloodGuard } from './flood-guard.js'
import { RateLimiter } from './rate-limit.js'
import { InvalidEntryError } from '../errors.js'
import { toHex } from '../hex.js'
import { BUS_SYNC_PROTOCOL, planWants, runSyncClient, runSyncServer } from './sync.js'
import type { Bus } from '../bus.js'
import type { ForkEvidence } from '../bus-types.js'
import type { BusEntry } from '../entry.js'
import type { SyncProgress, SyncResult } from './sync.js'
import type { GossipSub, Message } from '@libp2p/gossipsub'
import type { Head } from '@smesh/protocols'
import type { ComponentLogger, Connection, IdentifyResult, Libp2pEvents, Logger, PeerId, Startable, Stream, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

export interface BusReplicationInit {
  bus: Bus
  mesh: string
  syncIntervalMs?: number
}

export interface BusReplicationComponents {
  peerId: PeerId
  logger: ComponentLogger
  events: TypedEventTarget<Libp2pEvents>
  registrar: Registrar
  connectionManager: ConnectionManager
  pubsub: GossipSub
}

export interface BusReplicationEvents {
  'sync:progress': CustomEvent<SyncProgress & { peer: string }>
  'sync:done': CustomEvent<SyncResult & { peer: string, ms: number }>
  /** An entry from `peer` was refused. */
  'bus:reject': CustomEvent<{ peer: string, reason: string, message: string }>
  /** An author sent entries faster than its gossip rate: the excess was dropped (`fromAuthor`: by the author's own node, whose score drops). */
  'bus:throttle': CustomEvent<{ peer: string, author: string, fromAuthor: boolean }>
  /**
   * A peer's own entries went over the rate by FLOOD_DROPS within a second: a
   * flood (its own node publishes below the rate; gossipsub's repair of what it
   * published before the connection is allowed for: FloodGuard). Its gossipsub score only catches up at the
   * next heartbeat, so the node is told to cut the peer off now.
   */
  /** `unverified`: its entries that had passed the rate limit and were still waiting, dropped with it. */
  'bus:flood': CustomEvent<{ peer: string, author: string, dropped: number, unverified: number }>
}

export interface PeerSyncView {
  peer: string
  lastSyncAt: number | null
  lastError: string | null
  received: number
  rejected: number
  syncing: boolean
}

interface PeerSyncState extends PeerSyncView {
  again: boolean
}

/**
 * Replicates the bus: publishes this node's new entries on the mesh's bus
 * topic, validates every entry received there (accept / reject / ignore),
 * spreads fork proofs, and runs the sync protocol with each peer on connect,
 * every few seconds, and whenever gossip shows something is missing.
 */
export class BusReplication extends TypedEventEmitter<BusReplicationEvents> implements Startable {
  readonly [Symbol.toStringTag] = '@smesh/bus-replication'
  private readonly log: Logger
  private readonly topic: string
  private readonly evidenceTopic: string
  private readonly peers = new Map<string, PeerSyncState>()
  private controller = new AbortController()
  private timer?: ReturnType<typeof setInterval>
  private running = false
  private readonly limiter: RateLimiter
  /** This node's own publishing, held to the rate its peers allow any author. */
  private readonly publishLimiter: RateLimiter
  private announceTimer?: ReturnType<typeof setTimeout>
  private readonly throttled = new Map<string, number>()
  private readonly floods = new FloodGuard()

  constructor (private readonly c: BusReplicationComponents, private readonly init: BusReplicationInit) {
    super()
    this.log = c.logger.forComponent('smesh:bus:replication')
    this.topic = busTopic(init.mesh)
    this.evidenceTopic = busEvidenceTopic(init.mesh)
    this.limiter = new RateLimiter(GOSSIP_AUTHOR_RATE, GOSSIP_AUTHOR_BURST)
    // below what peers allow: entries bunch up on the way, and live gossip must never meet a peer's
    // limit (gossipsub's repair, which hands a peer the last few seconds at once, is FloodGuard's to allow)
    this.publishLimiter = new RateLimiter(GOSSIP_PUBLISH_RATE, GOSSIP_PUBLISH_BURST)
  }

  /** Entries dropped by the gossip rate limit, by author. */
  throttledCounts (): Record<string, number> {
    return Object.fromEntries(this.throttled)
  }

  async start (): Promise<void> {
    await this.c.registrar.handle(BUS_SYNC_PROTOCOL, this.onSyncStream, { maxInboundStreams: SYNC_MAX_INBOUND_STREAMS, maxOutboundStreams: SYNC_MAX_INBOUND_STREAMS })
  }

  async afterStart (): Promise<void> {
    if (this.running) return
    this.running = true
    this.controller = new AbortController()
    const { pubsub, events } = this.c
    const bus = this.init.bus
    pubsub.topicValidators.set(this.topic, this.validateEntry)
    pubsub.topicValidators.set(this.evidenceTopic, this.validateEvidence)
    pubsub.subscribe(this.topic)
    pubsub.subscribe(this.evidenceTopic)
    bus.addEventListener('bus:entry', this.onEntry)
    bus.addEventListener('bus:fork', this.onFork)
    bus.addEventListener('bus:need', this.onNeed)
    events.addEventListener('peer:identify', this.onIdentify)
    events.addEventListener('peer:connect', this.onConnect)
    events.addEventListener('peer:disconnect', this.onDisconnect)
    this.timer = setInterval(() => { this.syncAll() }, this.init.syncIntervalMs ?? SYNC_INTERVAL_MS)
  }

  async beforeStop (): Promise<void> {
    if (!this.running) return
    this.running = false
    this.controller.abort()
    clearInterval(this.timer)
    clearTimeout(this.announceTimer)
    const { pubsub, events } = this.c
    const bus = this.init.bus
    bus.removeEventListener('bus:entry', this.onEntry)
    bus.removeEventListener('bus:fork', this.onFork)
    bus.removeEventListener('bus:need', this.onNeed)
    events.removeEventListener('peer:identify', this.onIdentify)
    events.removeEventListener('peer:connect', this.onConnect)
    events.removeEventListener('peer:disconnect', this.onDisconnect)
    pubsub.topicValidators.delete(this.topic)
    pubsub.topicValidators.delete(this.evidenceTopic)
    pubsub.unsubscribe(this.topic)
    pubsub.unsubscribe(this.evidenceTopic)
  }

  async stop (): Promise<void> {
    await this.c.registrar.unhandle(BUS_SYNC_PROTOCOL)
  }

  /** Sync state per peer, for the control API. */
  syncViews (): PeerSyncView[] {
    return [...this.peers.values()].map(s => ({ peer: s.peer, lastSyncAt: s.lastSyncAt, lastError: s.lastError, received: s.received, rejected: s.rejected, syncing: s.syncing }))
  }

  /** The peer's gossipsub score (negative after invalid entries). */
  score (peer: string): number | null {
    const fn = (this.c.pubsub as unknown as { getScore?: (p: string) => number }).getScore
    return typeof fn === 'function' ? fn.call(this.c.pubsub, peer) : null
  }

  private state (peer: string): PeerSyncState {
    let s = this.peers.get(peer)
    if (s == null) {
      s = { peer, lastSyncAt: null, lastError: null, received: 0, rejected: 0, syncing: false, again: false }
      this.peers.set(peer, s)
    }
    return s
  }

  // ---- gossip ----

  /**
   * Passes on an entry this node admitted for a device that takes no part in
   * gossip itself (a browser device pushes its own entries to one node).
   */
  relay (entry: BusEntry): void {
    if (!this.running) return
    this.c.pubsub.publish(this.topic, entry.bytes).catch((err: Error) => {
      // the entry is stored; peers get it by sync if the publish failed
      this.log.error('relaying entry %s failed - %e', entry.hashHex, err)
    })
  }

  private readonly onEntry = (evt: CustomEvent<{ entry: BusEntry, local: boolean }>): void => {
    if (!evt.detail.local || !this.running) return
    if (!this.publishLimiter.take('self')) {
      // over the gossip rate (a bulk write): the entry is on disk and peers pull it by sync;
      // a sync session offered to each peer shows them our heads, and they ask for the rest
      this.announceTimer ??= setTimeout(() => {
        this.announceTimer = undefined
        this.syncAll()
      }, 500)
      return
    }
    this.c.pubsub.publish(this.topic, evt.detail.entry.bytes).catch((err: Error) => {
      // the entry is stored; peers get it by sync if the publish failed
      this.log.error('publishing entry %s failed - %e', evt.detail.entry.hashHex, err)
    })
  }

  private readonly onFork = (evt: CustomEvent<ForkEvidence>): void => {
    if (!this.running) return
    const { a, b, authorHex, seq } = evt.detail
    this.log('fork of author %s at seq %s: spreading the proof', authorHex, seq)
    this.c.pubsub.publish(this.evidenceTopic, ForkProof.encode({ entryA: a as Uint8Array<ArrayBuffer>, entryB: b as Uint8Array<ArrayBuffer> })).catch((err: Error) => {
      this.log.error('publishing a fork proof failed - %e', err)
    })
  }

  private readonly onNeed = (evt: CustomEvent<{ authorHex: string, peer?: string }>): void => {
    if (evt.detail.peer != null) this.requestSync(evt.detail.peer)
    else this.syncAll()
  }

  private rejected (peer: string, err: InvalidEntryError): TopicValidatorResult {
    this.state(peer).rejected++
    this.log('rejected an entry from %s: %s', peer, err.message)
    this.safeDispatchEvent('bus:reject', { detail: { peer, reason: err.reason, message: err.message } })
    return TopicValidatorResult.Reject
  }

  private readonly validateEntry = async (peer: PeerId, msg: Message): Promise<TopicValidatorResult> => {
    const from = peer.toString()
    try {
      // the rate limit comes before any signature is checked: a flood costs a decode per entry,
      // and the decoded entry is what the bus takes (a malformed one goes as bytes: ingest says why)
      let e: BusEntry | undefined
      try {
        e = decodeEntry(msg.data)
      } catch {
        // malformed: ingest refuses it with the reason
      }
      if (e != null) {
        const author = e.authorHex
        // gossipsub's repair, right after connecting, of what the peer held of its own chain when the
        // two synced: the sync fetches it, so it is not verified twice, nor held to the rate limit
        if (this.floods.repaired(from, author, e.seq)) return TopicValidatorResult.Ignore
        if (!this.limiter.take(author)) {
          const fromAuthor = this.init.bus.peerIdOf(author) === from
          const dropped = (this.throttled.get(author) ?? 0) + 1
          this.throttled.set(author, dropped)
          if (this.throttled.size > 4096) this.throttled.delete(this.throttled.keys().next().value as string)
          if (dropped % 100 === 1) this.safeDispatchEvent('bus:throttle', { detail: { peer: from, author, fromAuthor } })
          // the author's own node is penalised; a relay only passes on what it got
          return fromAuthor ? this.countFlood(from, author) : TopicValidatorResult.Ignore
        }
      }
      const r = await this.init.bus.ingest(e ?? msg.data, from)
      if (r.result === 'accept') return TopicValidatorResult.Accept
      if (r.result === 'ignore') return TopicValidatorResult.Ignore
      return this.rejected(from, r.error)
    } catch (err: any) {
      this.log.error('validating an entry from %s failed - %e', from, err)
      return TopicValidatorResult.Ignore
    }
  }

  private countFlood (peer: string, author: string): TopicValidatorResult {
    const verdict = this.floods.drop(peer)
    // before the peer's heads are known, its excess may be the repair: dropped, not held against it
    if (verdict === 'uncounted') return TopicValidatorResult.Ignore
    if (verdict === 'flood') {
      // what the flooder got past the rate limit and still waits is not verified, stored or passed on
      const unverified = this.init.bus.dropWaiting(author)
      this.safeDispatchEvent('bus:flood', { detail: { peer, author, dropped: FLOOD_DROPS, unverified } })
    }
    return TopicValidatorResult.Reject
  }

  /** Heads a sync named, of the authors whose own node is `peer`: what its gossip may repair. */
  private noteHeads (peer: string, heads: Head[]): void {
    // only in a connection's first seconds: a sync names up to 262,144 heads, and later ones are not needed
    if (!this.floods.watching(peer)) return
    this.floods.heads(peer, heads.map(h => [toHex(h.author), h.seq] as [string, bigint]).filter(([a]) => this.init.bus.peerIdOf(a) === peer))
  }

  private readonly validateEvidence = async (peer: PeerId, msg: Message): Promise<TopicValidatorResult> => {
    try {
      const p = decodeForkProof(msg.data)
      return await this.init.bus.ingestForkProof(p.entryA, p.entryB) ? TopicValidatorResult.Accept : TopicValidatorResult.Ignore
    } catch (err: any) {
      if (err instanceof InvalidEntryError) return this.rejected(peer.toString(), err)
      return TopicValidatorResult.Reject
    }
  }

  // ---- sync ----

  private readonly onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    if (evt.detail.protocols.includes(BUS_SYNC_PROTOCOL)) this.requestSync(evt.detail.peerId.toString())
  }

  private readonly onConnect = (evt: CustomEvent<PeerId>): void => {
    this.floods.connected(evt.detail.toString())
  }

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    this.floods.disconnected(evt.detail.toString())
    const s = this.peers.get(evt.detail.toString())
    if (s != null && !s.syncing) this.peers.delete(s.peer)
  }

  private syncAll (): void {
    const seen = new Set<string>()
    for (const conn of this.c.connectionManager.getConnections()) {
      const peer = conn.remotePeer.toString()
      if (conn.status !== 'open' || seen.has(peer)) continue
      seen.add(peer)
      this.requestSync(peer)
    }
  }

  /** Syncs with `peer` now, or right after the session already running with it. */
  requestSync (peer: string): void {
    if (!this.running) return
    const s = this.state(peer)
    if (s.syncing) {
      s.again = true
      return
    }
    s.syncing = true
    void this.syncLoop(s)
  }

  private async syncLoop (s: PeerSyncState): Promise<void> {
    try {
      do {
        s.again = false
        await this.syncOnce(s)
      } while (s.again && this.running)
    } finally {
      s.syncing = false
    }
  }

  private async syncOnce (s: PeerSyncState): Promise<void> {
    const started = performance.now()
    let stream: Stream | undefined
    try {
      const signal = this.controller.signal
      const conn = this.c.connectionManager.getConnections(peerIdFromString(s.peer)).find(c => c.status === 'open')
      if (conn == null) return
      stream = await conn.newStream(BUS_SYNC_PROTOCOL, { signal: AbortSignal.any([signal, AbortSignal.timeout(5_000)]) })
      const result = await runSyncClient(this.init.bus, stream, this.init.mesh, {
        signal,
        onHeads: (heads) => { this.noteHeads(s.peer, heads) },
        onProgress: (p) => { this.safeDispatchEvent('sync:progress', { detail: { ...p, peer: s.peer } }) }
      })
      s.lastSyncAt = Date.now()
      s.lastError = null
      s.received += result.received
      await this.init.bus.confirmOwnChain()
      this.safeDispatchEvent('sync:done', { detail: { ...result, peer: s.peer, ms: performance.now() - started } })
    } catch (err: any) {
      stream?.abort(err)
      if (!this.running) return
      s.lastError = err.message
      if (err instanceof InvalidEntryError) {
        s.rejected++
        this.safeDispatchEvent('bus:reject', { detail: { peer: s.peer, reason: err.reason, message: err.message } })
      }
      this.log('sync with %s failed - %e', s.peer, err)
    }
  }

  private readonly onSyncStream = (stream: Stream, connection: Connection): void => {
    const peer = connection.remotePeer.toString()
    void (async () => {
      try {
        const theirs = await runSyncServer(this.init.bus, stream, this.init.mesh, { signal: this.controller.signal, onHello: (heads) => { this.noteHeads(peer, heads) } })
        // the client has something we lack (or a different head): pull it
        if ((await planWants(this.init.bus, theirs)).length > 0) this.requestSync(peer)
      } catch (err: any) {
        stream.abort(err)
        this.log('serving sync to %s failed - %e', peer, err)
      }
    })()
  }
}

export function busReplication (init: BusReplicationInit): (components: BusReplicationComponents) => BusReplication {
  return (components) => new BusReplication(components, init)
}
