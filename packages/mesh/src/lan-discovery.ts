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
  /**
   * At most this many mDNS-learned peers are forwarded to libp2p and dialed;
   * while full, new ones are ignored until a held one is silent for `forgetAfterMs`.
   */
  maxPeers?: number
  forgetAfterMs?: number
}

export interface LanDiscoveryComponents {
  peerId: PeerId
  logger: ComponentLogger
  addressManager: AddressManager
}

export interface LanDiscoveryEvents extends PeerDiscoveryEvents {
  /** Every mDNS response (a beacon), with its LAN addresses. A hint to dial, not proof of life: mDNS is unauthenticated. */
  'lan:beacon': CustomEvent<PeerInfo>
}

/**
 * LAN discovery over mDNS. Wraps @libp2p/mdns so that every response is seen
 * (`lan:beacon` fires on each; libp2p's `peer` only when a peer or its
 * addresses are new, sparing the peer store a write per beacon), addresses
 * outside the LAN ranges are dropped before they reach the peer store, and
 * the number of mDNS-learned peers is capped: while full, a new peer is
 * ignored (not stored, not dialed) until a held one has been silent for the
 * stale window. Real peers answer every 5 s and keep their slots.
 */
export class LanDiscovery extends TypedEventEmitter<LanDiscoveryEvents> implements PeerDiscovery, Startable {
  readonly [peerDiscoverySymbol] = this
  readonly [Symbol.toStringTag] = '@smesh/lan-discovery'
  readonly [serviceCapabilities]: string[] = ['@libp2p/peer-discovery']

  private readonly inner: PeerDiscovery & Startable
  private readonly log: Logger
  private readonly peerId: PeerId
  private readonly policy: AddressPolicy
  private readonly maxPeers: number
  private readonly forgetAfterMs: number
  /** PeerId -> addresses last announced and when; Map order is least recently heard first. */
  private readonly known = new Map<string, { key: string, at: number }>()
  private refused = 0

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
    this.refused = 0
  }

  /** Number of peers currently held as mDNS-learned. */
  get size (): number {
    return this.known.size
  }
  /** mDNS responses of new peers ignored because the cap was reached, since start. */
  get refusals (): number {
    return this.refused
  }

  private onPeer (info: PeerInfo): void {
    const id = info.id.toString()
    if (info.id.equals(this.peerId)) return
    const multiaddrs = info.multiaddrs.filter(ma => this.policy.isDialable(ma))
    if (multiaddrs.length === 0) {
      this.log.trace('ignoring mDNS response from %p: no dialable LAN address', info.id)
      return
    }
    const key = multiaddrs.map(ma => ma.toString()).sort().join(' ')
    const now = performance.now()
    const previous = this.known.get(id)
    if (previous == null && this.known.size >= this.maxPeers) {
      // full: a slot frees only when a held peer has not answered for the stale window
      const [oldestId, oldest] = this.known.entries().next().value ?? []
      if (oldestId == null || oldest == null || now - oldest.at <= this.forgetAfterMs) {
        if (this.refused++ % 100 === 0) {
          this.log.error('%d peers already answer on mDNS (maxMdnsPeers); ignoring new ones until one goes silent', this.maxPeers)
        }
        return
      }
      this.known.delete(oldestId)
    }
    this.known.delete(id)
    this.known.set(id, { key, at: now })
    const detail = { id: info.id, multiaddrs }
    if (previous?.key !== key) this.safeDispatchEvent('peer', { detail })
    this.safeDispatchEvent('lan:beacon', { detail })
  }
}

export function lanDiscovery (init: LanDiscoveryInit): (components: LanDiscoveryComponents) => LanDiscovery {
  return (components) => new LanDiscovery(components, init)
}
