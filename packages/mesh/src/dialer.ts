import { peerIdFromString } from '@libp2p/peer-id'
import { CODE_P2P } from '@multiformats/multiaddr'
import { DIAL_TIMEOUT_MS, MAX_CONCURRENT_DIALS } from './constants.js'
import type { Clock } from './peer-table.js'
import type { StaticHosts } from './static-hosts.js'
import type { Logger, PeerId } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'

/** mDNS hints of peers not yet admitted, kept for a dial once they are. */
const MAX_HINTED = 256

export interface DialerInit {
  connectionManager: ConnectionManager
  clock: Clock
  log: Logger
  /** Peers to keep dialing whether or not they are heard, and their resolved addresses. */
  staticPeers?: Multiaddr[]
  staticHosts?: StaticHosts
}

/**
 * Presence's dials: at most one in flight per target and MAX_CONCURRENT_DIALS
 * in all, none to the same target twice within a second, each within
 * DIAL_TIMEOUT_MS; a static peer that stays out of reach is named in the log.
 */
export class Dialer {
  private readonly lastDial = new Map<string, number>()
  private readonly dialing = new Set<string>()
  /** Consecutive failed dials per static peer, for a warning that names it. */
  private readonly staticFailures = new Map<string, number>()
  /** Peers mDNS pointed at before membership admitted them, with the addresses it gave (at most MAX_HINTED, oldest dropped). */
  private readonly hinted = new Map<string, Multiaddr[]>()
  private controller = new AbortController()
  private running = false

  constructor (private readonly init: DialerInit) {}

  start (): void {
    this.controller = new AbortController()
    this.running = true
  }

  stop (): void {
    this.running = false
    this.controller.abort()
    this.lastDial.clear()
    this.staticFailures.clear()
    this.dialing.clear()
    this.hinted.clear()
  }

  /** Only open connections count: one closing over a dead link must not stop a redial. */
  hasOpenConnection (peer: PeerId): boolean {
    return this.init.connectionManager.getConnections(peer).some(c => c.status === 'open')
  }

  dialIfDisconnected (peer: PeerId): void {
    if (this.hasOpenConnection(peer)) return
    this.dial(peer.toString(), peer)
  }

  /** Dials each of `peers` not connected now, and each static peer (its host names resolved again first). */
  redial (peers: PeerId[]): void {
    for (const peer of peers) this.dialIfDisconnected(peer)
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

  dial (key: string, target: PeerId | Multiaddr | Multiaddr[], isStatic = false): void {
    if (!this.running || this.dialing.has(key) || this.dialing.size >= MAX_CONCURRENT_DIALS) return
    const now = this.init.clock.mono()
    if (now - (this.lastDial.get(key) ?? -Infinity) < 1_000) return
    this.lastDial.set(key, now)
    this.dialing.add(key)
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(DIAL_TIMEOUT_MS)])
    const log = this.init.log
    this.init.connectionManager.openConnection(target, { signal })
      .then(() => { this.staticFailures.delete(key) })
      .catch((err: Error) => {
        log.trace('dial %s failed - %e', key, err)
        if (!isStatic) return
        const failures = (this.staticFailures.get(key) ?? 0) + 1
        this.staticFailures.set(key, failures)
        // a static peer is one the user named: say so when it stays out of reach
        if (failures === 3 || failures % 60 === 0) log.error('static peer %s unreachable after %d attempts - %e', key, failures, err)
      })
      .finally(() => { this.dialing.delete(key) })
  }

  /** Keeps the addresses mDNS gave for a peer not yet admitted, for `dialHinted`. */
  hint (peerId: string, addrs: Multiaddr[]): void {
    this.hinted.delete(peerId)
    this.hinted.set(peerId, addrs)
    if (this.hinted.size > MAX_HINTED) this.hinted.delete(this.hinted.keys().next().value as string)
  }

  /** The peer is admitted now: dials it at the addresses mDNS gave, if it gave any and it is not connected. */
  dialHinted (peerId: string): void {
    const addrs = this.hinted.get(peerId)
    if (addrs == null) return
    this.hinted.delete(peerId)
    try {
      if (this.hasOpenConnection(peerIdFromString(peerId))) return
    } catch {
      return
    }
    this.dial(peerId, addrs)
  }

  /** Drops the bookkeeping of targets not dialed for `olderThanMs`. */
  forgetOlder (olderThanMs: number): void {
    const now = this.init.clock.mono()
    for (const [key, at] of this.lastDial) if (now - at > olderThanMs) this.lastDial.delete(key)
  }

  private connectedTo (ma: Multiaddr): boolean {
    const target = ma.toString()
    return this.init.connectionManager.getConnections().some(c => c.remoteAddr.decapsulateCode(CODE_P2P).toString() === target)
  }
}
