import type { Presence } from '@smesh/protocols'

/** How a peer was last heard. */
export type HeardVia = 'mdns' | 'presence'

export interface LinkReport {
  peerId: string
  /** Round-trip time the reporter measured, ms; null when not measured yet. */
  rttMs: number | null
}

export interface PeerRecord {
  peerId: string
  name: string
  software: string
  /** SHA-256 of the peer's ML-DSA-65 public key, hex; '' until its presence arrives. */
  pqFingerprint: string
  /** Addresses the peer announced (presence) or mDNS reported, as strings. */
  addrs: string[]
  uptimeMs: number
  /** Wall-clock time (ms since epoch) the peer was first heard in this stint. */
  firstSeenAt: number
  /** Wall-clock time of the last beacon heard. */
  lastSeenAt: number
  /** Monotonic time of the last beacon heard (performance.now()). */
  lastSeenMono: number
  lastHeardVia: HeardVia
  /** The peer's own connections, from its last presence. */
  links: LinkReport[]
  /** Monotonic time of the last presence (links are as fresh as this). */
  presenceMono: number | null
  bootId: bigint
  seq: bigint
  capabilities: Map<string, Uint8Array>
}

export interface Clock {
  mono: () => number
  wall: () => number
}

export const systemClock: Clock = {
  mono: () => performance.now(),
  wall: () => Date.now()
}

export type PresenceVerdict = 'new' | 'updated' | 'replayed'

/**
 * The peers this node has heard, keyed by PeerId string, with the time each
 * was last heard. A pure data structure: no timers, no I/O; time comes from an
 * injectable clock so pruning can be tested exactly.
 */
export class PeerTable {
  private readonly peers = new Map<string, PeerRecord>()
  private readonly clock: Clock

  constructor (clock: Clock = systemClock) {
    this.clock = clock
  }

  get size (): number {
    return this.peers.size
  }

  get (peerId: string): PeerRecord | undefined {
    return this.peers.get(peerId)
  }

  has (peerId: string): boolean {
    return this.peers.has(peerId)
  }

  list (): PeerRecord[] {
    return [...this.peers.values()].sort((a, b) => a.name.localeCompare(b.name) || a.peerId.localeCompare(b.peerId))
  }

  /** Records an mDNS beacon; returns true when the peer is new to the table. */
  heardMdns (peerId: string, addrs: string[]): boolean {
    const { record, isNew } = this.touch(peerId, 'mdns')
    if (record.addrs.length === 0) record.addrs = addrs
    return isNew
  }

  /**
   * Records a presence beacon. A beacon of the same boot with a sequence number
   * not above the last one is a late or replayed copy: it does not count as heard.
   */
  heardPresence (peerId: string, p: Presence, addrs: string[]): PresenceVerdict {
    const existing = this.peers.get(peerId)
    if (existing != null && existing.presenceMono != null && existing.bootId === p.bootId && p.seq <= existing.seq) {
      return 'replayed'
    }
    const { record, isNew } = this.touch(peerId, 'presence')
    record.name = p.name
    record.software = p.software
    record.uptimeMs = Number(p.uptimeMs)
    record.bootId = p.bootId
    record.seq = p.seq
    record.addrs = addrs
    record.pqFingerprint = Buffer.from(p.pqFingerprint).toString('hex')
    record.links = p.links.map(l => ({ peerId: l.peer, rttMs: l.rttUs === 0 ? null : l.rttUs / 1000 }))
    record.presenceMono = record.lastSeenMono
    record.capabilities = new Map(p.capabilities.map(c => [c.name, c.value]))
    return isNew ? 'new' : 'updated'
  }

  /** Peers not heard for more than `staleAfterMs`, with how long each has been silent. */
  silent (staleAfterMs: number): Array<{ peerId: string, silentMs: number, lastSeenAt: number }> {
    const now = this.clock.mono()
    const out = []
    for (const r of this.peers.values()) {
      const silentMs = now - r.lastSeenMono
      if (silentMs > staleAfterMs) out.push({ peerId: r.peerId, silentMs, lastSeenAt: r.lastSeenAt })
    }
    return out
  }

  remove (peerId: string): boolean {
    return this.peers.delete(peerId)
  }

  /** Milliseconds since the peer was last heard. */
  sinceHeard (r: PeerRecord): number {
    return Math.max(0, this.clock.mono() - r.lastSeenMono)
  }

  /** Milliseconds since the peer's last presence; null when none arrived. */
  sincePresence (r: PeerRecord): number | null {
    return r.presenceMono == null ? null : Math.max(0, this.clock.mono() - r.presenceMono)
  }

  private touch (peerId: string, via: HeardVia): { record: PeerRecord, isNew: boolean } {
    const mono = this.clock.mono()
    const wall = this.clock.wall()
    let record = this.peers.get(peerId)
    const isNew = record == null
    if (record == null) {
      record = {
        peerId,
        name: '',
        software: '',
        pqFingerprint: '',
        addrs: [],
        uptimeMs: 0,
        firstSeenAt: wall,
        lastSeenAt: wall,
        lastSeenMono: mono,
        lastHeardVia: via,
        links: [],
        presenceMono: null,
        bootId: 0n,
        seq: 0n,
        capabilities: new Map()
      }
      this.peers.set(peerId, record)
    }
    record.lastSeenAt = wall
    record.lastSeenMono = mono
    record.lastHeardVia = via
    return { record, isNew }
  }
}
