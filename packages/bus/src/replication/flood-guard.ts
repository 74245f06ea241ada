import { FLOOD_DROPS, GOSSIP_REPLAY_S, GOSSIP_UNCOUNTED_DROPS, GOSSIP_UNCOUNTED_MS } from '../constants.js'

/** Every field defaults to the bus's constants: a test passes only its clock. */
export interface FloodGuardInit {
  /** Drops within `windowMs` that make a flood (FLOOD_DROPS within a second). */
  threshold?: number
  windowMs?: number
  /** How long after a peer connects its gossip may be the repair of what it held before (GOSSIP_REPLAY_S, and a second for the repair's round trip). */
  replayMs?: number
  /** Drops not counted while the peer's heads are not known yet, within `headsGraceMs` of the connection. */
  replayAllowance?: number
  headsGraceMs?: number
  /** Authors whose heads are kept per peer (a peer's own: one, as a rule). */
  maxHeads?: number
  maxPeers?: number
  now?: () => number
}

/** A peer's connection in its first `replayMs`. */
interface FreshConnection {
  at: number
  /** Drops still not counted while no heads are known. */
  left: number
  /** Heads its sync named, by author; null until a sync names any. */
  heads: Map<string, bigint> | null
}

export type DropVerdict = 'uncounted' | 'over' | 'flood'

/**
 * Tells a flood from gossipsub's repair. A node that connects to a peer
 * right after the peer wrote a bulk asks for (IWANT) everything the peer
 * offers from its last few heartbeats (IHAVE), and gets it at once, far over
 * the rate limit. Those are entries the peer already held when the two
 * synced (at or below the head its sync named for the author): the sync
 * fetches them anyway, so within `replayMs` of the connection they are
 * ignored as they come (`repaired`), before the rate limit, and take none of
 * its tokens. Every other entry is held to the rate limit, and `threshold`
 * drops of a peer's own entries within `windowMs` are a flood (`drop`);
 * before the peer's heads are known, within `headsGraceMs` of the
 * connection, up to `replayAllowance` drops are not counted (the repair can
 * come before the sync's heads; a peer that names none so soon is no honest
 * node in that race).
 * Nothing passes the rate limit here: a peer that names a far head only
 * gets its entries ignored for a while.
 */
export class FloodGuard {
  private readonly floods = new Map<string, { since: number, dropped: number }>()
  private readonly fresh = new Map<string, FreshConnection>()
  private readonly now: () => number
  private readonly threshold: number
  private readonly windowMs: number
  private readonly replayMs: number
  private readonly replayAllowance: number
  private readonly headsGraceMs: number
  private readonly maxPeers: number
  private readonly maxHeads: number

  constructor (init: FloodGuardInit = {}) {
    this.now = init.now ?? performance.now.bind(performance)
    this.threshold = init.threshold ?? FLOOD_DROPS
    this.windowMs = init.windowMs ?? 1000
    this.replayMs = init.replayMs ?? (GOSSIP_REPLAY_S + 1) * 1000
    this.replayAllowance = init.replayAllowance ?? GOSSIP_UNCOUNTED_DROPS
    this.headsGraceMs = init.headsGraceMs ?? GOSSIP_UNCOUNTED_MS
    this.maxPeers = init.maxPeers ?? 1024
    this.maxHeads = init.maxHeads ?? 16
  }

  /** The peer's first connection opened. */
  connected (peer: string): void {
    this.fresh.set(peer, { at: this.now(), left: this.replayAllowance, heads: null })
    if (this.fresh.size > this.maxPeers) this.fresh.delete(this.fresh.keys().next().value as string)
  }

  /** True while the peer's connection is fresh: only then are its heads worth noting. */
  watching (peer: string): boolean {
    return this.window(peer) != null
  }

  /** Heads a sync session with the peer named for the peer's own authors (hex). */
  heads (peer: string, heads: Iterable<[string, bigint]>): void {
    const r = this.window(peer)
    if (r == null) return
    r.heads ??= new Map()
    for (const [author, seq] of heads) {
      if (!r.heads.has(author) && r.heads.size >= this.maxHeads) continue
      if (seq > (r.heads.get(author) ?? 0n)) r.heads.set(author, seq)
    }
  }

  /** The peer's last connection closed. */
  disconnected (peer: string): void {
    this.fresh.delete(peer)
  }

  /** True when `author`'s entry at `seq`, sent by `peer`, is what the peer held when the two synced: ignored, the sync brings it. */
  repaired (peer: string, author: string, seq: bigint): boolean {
    const head = this.window(peer)?.heads?.get(author)
    return head != null && seq <= head
  }

  /** One of the peer's own entries was dropped by the rate limit. */
  drop (peer: string): DropVerdict {
    const now = this.now()
    const r = this.window(peer)
    if (r != null && r.heads == null && now - r.at <= this.headsGraceMs && r.left > 0) {
      r.left--
      return 'uncounted'
    }
    let f = this.floods.get(peer)
    if (f == null || now - f.since > this.windowMs) {
      f = { since: now, dropped: 0 }
      this.floods.set(peer, f)
      if (this.floods.size > this.maxPeers) this.floods.delete(this.floods.keys().next().value as string)
    }
    f.dropped++
    return f.dropped === this.threshold ? 'flood' : 'over'
  }

  /** The peer's record while its connection is fresh; dropped after. */
  private window (peer: string): FreshConnection | undefined {
    const r = this.fresh.get(peer)
    if (r != null && this.now() - r.at > this.replayMs) {
      this.fresh.delete(peer)
      return undefined
    }
    return r
  }
}
