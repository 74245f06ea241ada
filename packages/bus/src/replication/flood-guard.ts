export interface FloodGuardInit {
  /** Drops within `windowMs` that make a flood. */
  threshold: number
  windowMs: number
  /** How long after a peer connects its gossip may be the repair of what it held before. */
  replayMs: number
  /** How many entries, at most, in that time. */
  replayAllowance: number
  maxPeers?: number
  now?: () => number
}

/**
 * Tells a flood from gossipsub's repair. A node that connects to a peer
 * right after the peer wrote a bulk asks for (IWANT) everything the peer
 * offers from its last few heartbeats (IHAVE), and gets it at once, far over
 * the rate limit. Those are entries the peer already held when the two
 * synced (at or below the head its sync named for their author): what the
 * sync would bring anyway, at the same cost. Within `replayMs` of the
 * connection, up to `replayAllowance` of them pass without the rate limit
 * (`replay`). Everything else is held to it, and `threshold` drops of a
 * peer's own entries within `windowMs` are a flood (`drop`).
 */
export class FloodGuard {
  private readonly floods = new Map<string, { since: number, dropped: number }>()
  private readonly fresh = new Map<string, { until: number, left: number, heads: Map<string, bigint> }>()
  private readonly now: () => number
  private readonly maxPeers: number

  constructor (private readonly init: FloodGuardInit) {
    this.now = init.now ?? performance.now.bind(performance)
    this.maxPeers = init.maxPeers ?? 1024
  }

  /** The peer's first connection opened. */
  connected (peer: string): void {
    this.fresh.set(peer, { until: this.now() + this.init.replayMs, left: this.init.replayAllowance, heads: new Map() })
    if (this.fresh.size > this.maxPeers) this.fresh.delete(this.fresh.keys().next().value as string)
  }

  /** The heads a sync session with the peer named, by author (hex). */
  heads (peer: string, heads: Iterable<[string, bigint]>): void {
    const r = this.fresh.get(peer)
    if (r == null) return
    for (const [author, seq] of heads) if (seq > (r.heads.get(author) ?? 0n)) r.heads.set(author, seq)
  }

  /** The peer's last connection closed. */
  disconnected (peer: string): void {
    this.fresh.delete(peer)
  }

  /** True when `author`'s entry at `seq`, sent by `peer`, is the repair of what the peer held: it passes without the rate limit. */
  replay (peer: string, author: string, seq: bigint): boolean {
    const r = this.fresh.get(peer)
    if (r == null) return false
    if (this.now() > r.until || r.left <= 0) {
      this.fresh.delete(peer)
      return false
    }
    if (seq > (r.heads.get(author) ?? 0n)) return false
    r.left--
    return true
  }

  /** One of the peer's own entries was dropped by the rate limit; true when that makes a flood. */
  drop (peer: string): boolean {
    const now = this.now()
    let f = this.floods.get(peer)
    if (f == null || now - f.since > this.init.windowMs) {
      f = { since: now, dropped: 0 }
      this.floods.set(peer, f)
      if (this.floods.size > this.maxPeers) this.floods.delete(this.floods.keys().next().value as string)
    }
    f.dropped++
    return f.dropped === this.init.threshold
  }
}
