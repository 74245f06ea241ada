// The presence service's public types: its options, the components it uses, the peer rows it shows and its events.
import type { AddressPolicy } from './address-policy.js'
import type { StaticHosts } from './static-hosts.js'
import type { LanDiscovery } from './lan-discovery.js'
import type { Clock } from './peer-table.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { ComponentLogger, Libp2pEvents, PeerId, PeerStore, PrivateKey, TypedEventTarget } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { AddressManager, ConnectionManager } from '@libp2p/interface-internal'

export interface PresenceInit {
  mesh: string
  /** Device name shown to other nodes. */
  name: string
  /** Software name/version, e.g. `smesh/0.1.0`. */
  software: string
  /** This node's identity binding (encoded), sent with every beacon. */
  binding: Uint8Array
  policy: AddressPolicy
  /** Peers to keep dialing whether or not they are heard (from --peer and the bootstrap file). */
  staticPeers?: Multiaddr[]
  /** Resolved addresses of the static peers; refreshed before each redial. */
  staticHosts?: StaticHosts
  /** Listen to the `lanDiscovery` service for mDNS beacons (it must be configured). */
  lanDiscovery?: boolean
  beaconIntervalMs?: number
  staleAfterMs?: number
  /** Most peers held in the table; beacons of further new peers are ignored. */
  maxPeers?: number
  clock?: Clock
  /** Capabilities sent with every beacon (a model advert, ...), asked for each time. */
  capabilities?: () => Array<{ name: string, value: Uint8Array }>
  /** Whether a peer may be listed (a member of the mesh); beacons and subscriptions of others are ignored. */
  allowPeer?: (peerId: string) => boolean
}

export interface PresenceComponents {
  peerId: PeerId
  /** Signs this node's beacons (gossip itself is unsigned). */
  privateKey: PrivateKey
  logger: ComponentLogger
  events: TypedEventTarget<Libp2pEvents>
  connectionManager: ConnectionManager
  addressManager: AddressManager
  peerStore: PeerStore
  pubsub: GossipSub
  lanDiscovery?: LanDiscovery
}

export interface PeerView {
  peerId: string
  name: string
  software: string
  /** SHA-256 of the peer's ML-DSA-65 public key (hex), once its identity binding verified; '' until then. */
  pqFingerprint: string
  /** Addresses the peer announced; the address in use first. */
  addrs: string[]
  connected: boolean
  /** Remote address of the open connection, if any. */
  remoteAddr: string | null
  /** Last measured round-trip time in ms; null when not measured or not connected. */
  rttMs: number | null
  /** Milliseconds since the peer's last beacon. */
  lastSeenMs: number
  lastSeenAt: number
  firstSeenAt: number
  uptimeMs: number
  /** How far the peer's wall clock runs from this node's (ms, positive: ahead; to about 100 ms on a LAN); null before its first beacon. */
  clockOffsetMs: number | null
}

export interface PresenceEvents {
  /** A peer was heard that was not in the table. */
  'presence:join': CustomEvent<{ peerId: string }>
  /** What this node shows of a listed peer changed (its name, with the first beacon after its subscription). */
  'presence:update': CustomEvent<{ peerId: string }>
  /** A peer was silent for longer than the stale limit and has been removed. */
  'presence:prune': CustomEvent<{ peerId: string, name: string, silentMs: number }>
  /** A peer was removed at once: it is no longer a member (revoked, or its lease ended). */
  'presence:leave': CustomEvent<{ peerId: string, name: string, reason: string }>
}
