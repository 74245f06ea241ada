import type { Presence } from '@smesh/protocols'

export interface LinkReport {
  peerId: string
  /** Round-trip time the reporter measured, ms; null when not measured yet. */
  rttMs: number | null
}

export interface PeerRecord {
  peerId: string
  name: string
  software: string
  /** SHA-256 of the peer's ML-DSA-65 public key, hex, once its binding verified; '' before. */
  pqFingerprint: string
  /** Addresses the peer announced, as strings. */
  addrs: string[]
  uptimeMs: number
  /** Wall-clock time (ms since epoch) the peer was first heard in this stint. */
  firstSeenAt: number
  /** Wall-clock time of the last beacon heard. */
  lastSeenAt: number
  /** Monotonic time of the last beacon heard (performance.now()). */
  lastSeenMono: number
  /** The peer's own connections, from its last beacon. */
  links: LinkReport[]
  bootId: bigint
  /** The sender's clock at its start, for ordering its boots. */
  bootTimeMs: bigint
  seq: bigint
  capabilities: Map<string, Uint8Array>
  /** The last few estimates of how far the peer's wall clock is from ours (its boot time plus uptime, against ours at arrival). */
  offsets: number[]
}

/** Estimates of a peer's clock kept: the largest is the best (a beacon is only ever late, never early). */
const OFFSET_SAMPLES = 6

export interface Clock {
  mono: () => number
  wall: () => number
}

export const systemClock: Clock = {
  mono: () => performance.now(),
  wall: () => Date.now()
}

/** What a beacon did to the table. */
export type BeaconVerdict = 'new' | 'updated' | 'replayed'

/** Printable text only, cut to `max` characters: names come from other nodes and end up in terminals. */
export function cleanText (s: string, max: number): string {
  return [...s.replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/gu, '').trim()].slice(0, max).join('')
}

const PEER_ID = /^[1-9A-HJ-NP-Za-km-z]{40,64}$/

/**
 * The peers this node has heard, keyed by PeerId string, with the time each
 * beacon arrived. A pure data structure: no timers, no I/O; time comes from an
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

  /**
   * Records a beacon. One of the same boot with a sequence number not above
   * the last one is a late or replayed copy: it does not count as heard.
   */
  heard (peerId: string, p: Presence, addrs: string[], limits: { name: number, software: number }): BeaconVerdict {
    const known = this.peers.get(peerId)
    if (known != null && known.bootId === p.bootId && p.seq <= known.seq) return 'replayed'
    // a different boot that started before the one we know is an old beacon replayed
    if (known != null && known.bootId !== 0n && known.bootId !== p.bootId && p.bootTimeMs < known.bootTimeMs) return 'replayed'
    const { record, isNew } = this.touch(peerId)
    record.name = cleanText(p.name, limits.name)
    record.software = cleanText(p.software, limits.software)
    record.uptimeMs = Number(p.uptimeMs)
    if (record.bootId !== p.bootId) record.offsets = []
    record.offsets = [...record.offsets, Number(p.bootTimeMs) + Number(p.uptimeMs) - this.clock.wall()].slice(-OFFSET_SAMPLES)
    record.bootId = p.bootId
    record.bootTimeMs = p.bootTimeMs
    record.seq = p.seq
    record.addrs = addrs
    record.links = p.links
      .filter(l => PEER_ID.test(l.peer) && l.peer !== peerId)
      .map(l => ({ peerId: l.peer, rttMs: l.rttUs === 0 ? null : l.rttUs / 1000 }))
    // a beacon without capabilities leaves the last ones (they ride on a beacon when they change, and once a minute);
    // copied: the value is a view into a buffer the stream reuses
    if (p.capabilities.length > 0) record.capabilities = new Map(p.capabilities.map(c => [c.name, c.value.slice()]))
    return isNew ? 'new' : 'updated'
  }

  /**
   * Records a sign of life that is not a beacon: the peer subscribed to this
   * mesh's presence topic over an authenticated connection. Name and links
   * follow with its first beacon. Returns true when the peer is new.
   */
  heardSubscription (peerId: string): boolean {
    return this.touch(peerId).isNew
  }

  /** Marks the peer heard now, adding an empty record if it is new. */
  private touch (peerId: string): { record: PeerRecord, isNew: boolean } {
    const mono = this.clock.mono()
    const wall = this.clock.wall()
    let record = this.peers.get(peerId)
    const isNew = record == null
    if (record == null) {
      record = { peerId, name: '', software: '', pqFingerprint: '', addrs: [], uptimeMs: 0, firstSeenAt: wall, lastSeenAt: wall, lastSeenMono: mono, links: [], bootId: 0n, bootTimeMs: 0n, seq: 0n, capabilities: new Map(), offsets: [] }
      this.peers.set(peerId, record)
    }
    record.lastSeenAt = wall
    record.lastSeenMono = mono
    return { record, isNew }
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
}

/** How far a peer's wall clock runs from ours (ms; positive: ahead), from its beacons; null before its first. */
export function clockOffset (r: PeerRecord): number | null {
  return r.offsets.length === 0 ? null : Math.round(Math.max(...r.offsets) / 100) * 100
}
