import { peerDiscoverySymbol, serviceCapabilities } from '@libp2p/interface'
import { mdns } from '@libp2p/mdns'
import { TypedEventEmitter } from 'main-event'
import { BEACON_INTERVAL_MS, DEFAULT_MAX_MDNS_PEERS, STALE_AFTER_MS } from './constants.js'
import type { AddressPolicy } from './address-policy.js'
import type { ComponentLogger, Logger, PeerDiscovery, PeerDiscoveryEvents, PeerId, PeerInfo, Startable } from '@libp2p/interface'
import type { AddressManager } from '@libp2p/interface-internal'

export interface LanDiscoveryInit {
  /** mDNS service tag; nodes with different tags never see each other. */
  serviceTag: string
  policy: AddressPolicy
  /** Query (beacon) period. */
  interval?: number
  /** At most this many mDNS-learned peers are kept; further ones are ignored. */
  maxPeers?: number
  /** mDNS-learned peers not heard for this long are forgotten (freeing a slot). */
  forgetAfterMs?: number
}

export interface LanDiscoveryComponents {
  peerId: PeerId
  logger: ComponentLogger
  addressManager: AddressManager
}

/**
 * LAN discovery over mDNS. Wraps @libp2p/mdns so that every response is seen
 * (each one is a beacon: the `peer` event fires on all of them, not only on
 * new peers), addresses outside the LAN ranges are dropped before they reach
 * the peer store, and the number of mDNS-learned peers is capped.
 */
export class LanDiscovery extends TypedEventEmitter<PeerDiscoveryEvents> implements PeerDiscovery, Startable {
  readonly [peerDiscoverySymbol] = this
  readonly [Symbol.toStringTag] = '@smesh/lan-discovery'
  readonly [serviceCapabilities]: string[] = ['@libp2p/peer-discovery']

  private readonly inner: PeerDiscovery & Startable
  private readonly log: Logger
  private readonly peerId: PeerId
  private readonly policy: AddressPolicy
  private readonly maxPeers: number
  private readonly forgetAfterMs: number
  private readonly known = new Map<string, number>()
  private readonly refused = new Set<string>()

  constructor (components: LanDiscoveryComponents, init: LanDiscoveryInit) {
    super()
    this.log = components.logger.forComponent('smesh:lan-discovery')
    this.peerId = components.peerId
    this.policy = init.policy
    this.maxPeers = init.maxPeers ?? DEFAULT_MAX_MDNS_PEERS
    this.forgetAfterMs = init.forgetAfterMs ?? STALE_AFTER_MS
    this.inner = mdns({
      serviceTag: init.serviceTag,
      interval: init.interval ?? BEACON_INTERVAL_MS
    })(components) as PeerDiscovery & Startable
    this.inner.addEventListener('peer', (evt) => { this.onPeer(evt.detail) })
  }

  async start (): Promise<void> {
    await this.inner.start()
  }

  async stop (): Promise<void> {
    await this.inner.stop()
    this.known.clear()
  }

  /** Number of peers currently held as mDNS-learned. */
  get size (): number {
    return this.known.size
  }

  private onPeer (info: PeerInfo): void {
    const id = info.id.toString()
    if (info.id.equals(this.peerId)) return
    const multiaddrs = info.multiaddrs.filter(ma => this.policy.isDialable(ma))
    if (multiaddrs.length === 0) {
      this.log.trace('ignoring mDNS response from %p: no dialable LAN address', info.id)
      return
    }
    const now = performance.now()
    this.forgetSilent(now)
    if (!this.known.has(id) && this.known.size >= this.maxPeers) {
      if (!this.refused.has(id)) {
        this.refused.add(id)
        this.log.error('ignoring mDNS peer %p: already holding %d mDNS peers (maxMdnsPeers)', info.id, this.maxPeers)
      }
      return
    }
    this.refused.delete(id)
    this.known.set(id, now)
    this.safeDispatchEvent('peer', { detail: { id: info.id, multiaddrs } })
  }

  private forgetSilent (now: number): void {
    for (const [id, at] of this.known) {
      if (now - at > this.forgetAfterMs) this.known.delete(id)
    }
  }
}

export function lanDiscovery (init: LanDiscoveryInit): (components: LanDiscoveryComponents) => LanDiscovery {
  return (components) => new LanDiscovery(components, init)
}
