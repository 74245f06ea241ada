import { createHash } from 'node:crypto'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { preSharedKey } from '@libp2p/pnet'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { presenceTopic } from '@smesh/protocols'
import { createLibp2p } from 'libp2p'
import { AddressPolicy, ipOf, isLoopback } from './address-policy.js'
import { DEFAULT_EXCLUDED_INTERFACES, DEFAULT_MAX_MDNS_PEERS, MESH_NAME_PATTERN, DIAL_TIMEOUT_MS } from './constants.js'
import { InvalidMeshNameError, InvalidMultiaddrError } from './errors.js'
import { lanDiscovery } from './lan-discovery.js'
import { StaticHosts } from './static-hosts.js'
import { presence } from './presence.js'
import { linkMonitor } from './link-monitor.js'
import { installYamuxWindowHysteresis } from './yamux-window.js'
import type { LanDiscovery } from './lan-discovery.js'
import type { PresenceService } from './presence.js'
import type { LinkMonitor } from './link-monitor.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Identify } from '@libp2p/identify'
import type { ComponentLogger, Libp2p, PrivateKey } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface MeshNodeInit {
  privateKey: PrivateKey
  /** Mesh name: decides the mDNS service tag and the gossipsub topics. */
  mesh: string
  /** Device name shown to peers. */
  name: string
  /** Software string announced in presence, e.g. `smesh/0.1.0`. */
  software: string
  /** This node's encoded identity binding, sent in every presence beacon. */
  binding: Uint8Array
  listen: string[]
  /** Static peers (multiaddrs), dialed and redialed whatever discovery finds. */
  peers?: string[]
  mdns?: boolean
  interfaces?: string[]
  excludeInterfaces?: string[]
  maxMdnsPeers?: number
  logger?: ComponentLogger
  beaconIntervalMs?: number
  staleAfterMs?: number
  /** Further gossipsub topics this node takes part in (the bus adds its own). */
  topics?: string[]
  /** Message id functions (the bus uses the entry hash on its topic). */
  msgIdFn?: (msg: any) => Uint8Array | Promise<Uint8Array>
  fastMsgIdFn?: (msg: any) => string | number
  /** Gossipsub score parameters per topic; scoring is off for topics without any. */
  topicScoreParams?: Record<string, Record<string, number>>
  /** Further libp2p services, by name (the bus's replication). */
  services?: Record<string, (components: any) => unknown>
  /**
   * The mesh's pre-shared network key in swarm-key form (@libp2p/pnet): every
   * connection is encrypted with it before anything else is said, so a node
   * without it completes no connection.
   */
  networkKey?: Uint8Array
  /** Capabilities sent with every presence beacon (the model advert). */
  capabilities?: () => Array<{ name: string, value: Uint8Array }>
  /** Which peers may hold a connection, asked once the Noise handshake names them (and before dialing one). */
  allowPeer?: (peerId: string) => boolean
  /** A certificate and key (PEM) for `/tls/ws` listen addresses: wss:// for the pages of browser devices served over HTTPS. */
  wsTls?: { cert: string, key: string }
}

// a type alias (not an interface) so it satisfies libp2p's ServiceMap index signature
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions
export type MeshServices = {
  identify: Identify
  ping: Ping
  pubsub: GossipSub
  presence: PresenceService
  linkMonitor: LinkMonitor
  lanDiscovery?: LanDiscovery
}

export type MeshNode = Libp2p<MeshServices>

export function validateMeshName (mesh: string): void {
  if (!MESH_NAME_PATTERN.test(mesh)) {
    throw new InvalidMeshNameError(`invalid mesh name ${JSON.stringify(mesh)}`)
  }
}

/**
 * The mDNS service tag of a mesh. The name is kept readable and a hash of it
 * added, so two meshes never share a tag and a plain libp2p app
 * (`_p2p._udp.local`) never sees smesh nodes.
 */
export function meshServiceTag (mesh: string): string {
  const h = createHash('sha256').update(`smesh/mdns/${mesh}`).digest('hex').slice(0, 8)
  return `_smesh-${mesh.slice(0, 40)}-${h}._udp.local`
}

/**
 * This node's WebSockets addresses, as a browser device dials them (the
 * listeners' own, wildcards expanded, in the policy's announceable ranges):
 * not among `getMultiaddrs()`, which nodes see.
 */
export function webSocketAddrs (node: Libp2p): string[] {
  const components = (node as unknown as { components?: { transportManager?: { getAddrs: () => Multiaddr[] } } }).components
  const all = (components?.transportManager?.getAddrs() ?? []).filter(isWebSockets)
  // loopback only when the node has nothing else (a node set up for one machine)
  const outside = all.filter(ma => !isLoopback(ma))
  return (outside.length > 0 ? outside : all).map(ma => ma.toString())
}

/** A WebSockets address (`/ws`, `/tls/ws`, `/wss`): what browser devices dial, never a node. */
export function isWebSockets (ma: Multiaddr): boolean {
  return ma.getComponents().some(c => c.name === 'ws' || c.name === 'wss')
}

export function parseMultiaddrs (list: string[], what: string): Multiaddr[] {
  return list.map(s => {
    try {
      return multiaddr(s)
    } catch (err) {
      throw new InvalidMultiaddrError(`${what}: ${JSON.stringify(s)} is not a multiaddr`, { cause: err })
    }
  })
}

/** Assembles a libp2p node for one mesh: TCP, Noise, Yamux, identify, ping, gossipsub, mDNS, presence. */
export async function createMeshNode (init: MeshNodeInit): Promise<MeshNode> {
  validateMeshName(init.mesh)
  installYamuxWindowHysteresis()
  const listen = parseMultiaddrs(init.listen, 'listen address')
  const staticPeers = parseMultiaddrs(init.peers ?? [], 'peer address')
  const useMdns = init.mdns ?? true
  // Loopback is dialed and announced only when the node itself is set up for a
  // single machine: a loopback static peer or a loopback-only listener.
  const allowLoopback = staticPeers.some(ma => isLoopback(ma) || ma.toString().startsWith('/dns4/localhost/')) || (listen.length > 0 && listen.every(isLoopback))
  const policy = new AddressPolicy({
    interfaces: init.interfaces,
    excludeInterfaces: init.excludeInterfaces ?? DEFAULT_EXCLUDED_INTERFACES,
    allowLoopback
  })
  const allowPeer = init.allowPeer
  const staticHosts = new StaticHosts(staticPeers)
  await staticHosts.refresh()

  const services: Record<string, unknown> = {
    identify: identify(),
    ping: ping(),
    // in place of libp2p's connection monitor: a lossy link's slow ping does not cut a live connection
    linkMonitor: linkMonitor(init.staleAfterMs != null ? { deadAfterMs: init.staleAfterMs } : {}),
    pubsub: gossipsub({
      // Messages carry no gossipsub signature, from or seqno: a bus entry is
      // signed by its author (ML-DSA-65) and a beacon by its sender (Ed25519,
      // inside the beacon), so a second signature and its check per message
      // bought nothing (bus SPEC, section 3.1)
      globalSignaturePolicy: 'StrictNoSign',
      allowPublishToZeroTopicPeers: true,
      emitSelf: false,
      fallbackToFloodsub: false,
      allowedTopics: [presenceTopic(init.mesh), ...(init.topics ?? [])],
      ...(init.msgIdFn != null ? { msgIdFn: init.msgIdFn } : {}),
      ...(init.fastMsgIdFn != null ? { fastMsgIdFn: init.fastMsgIdFn } : {}),
      ...(init.topicScoreParams != null ? { scoreParams: { topics: init.topicScoreParams as any } } : {}),
      maxInboundDataLength: 1024 * 1024,
      decodeRpcLimits: {
        maxSubscriptions: 64,
        maxMessages: 256,
        maxIhaveMessageIDs: 1024,
        maxIwantMessageIDs: 1024,
        maxIdontwantMessageIDs: 1024,
        maxControlMessages: 256,
        maxPeerInfos: 64
      }
    })
  }
  if (useMdns) {
    services.lanDiscovery = lanDiscovery({
      serviceTag: meshServiceTag(init.mesh),
      policy,
      interval: init.beaconIntervalMs,
      maxPeers: init.maxMdnsPeers ?? DEFAULT_MAX_MDNS_PEERS
    })
  }
  services.presence = presence({
    mesh: init.mesh,
    name: init.name,
    software: init.software,
    binding: init.binding,
    policy,
    staticPeers,
    staticHosts,
    lanDiscovery: useMdns,
    beaconIntervalMs: init.beaconIntervalMs,
    staleAfterMs: init.staleAfterMs,
    capabilities: init.capabilities,
    ...(init.allowPeer != null ? { allowPeer: init.allowPeer } : {})
  })

  for (const [name, factory] of Object.entries(init.services ?? {})) services[name] = factory

  const node = await createLibp2p({
    privateKey: init.privateKey,
    start: false,
    addresses: {
      listen: listen.map(ma => ma.toString()),
      // WebSockets addresses are for browser devices, not other nodes: announced to nodes (identify,
      // presence addrs) they cost the mesh under loss (row 2 of the matrix: p99 2.4 s without them,
      // 8 - 16 s with), so they travel in the `ws` capability of presence beacons instead (see webSocketAddrs)
      announceFilter: (addrs) => addrs.filter(ma => policy.isAnnounceable(ma) && !isWebSockets(ma))
    },
    // WebSockets for browser members (a phone's page dials `/ws` addresses); the network key and Noise run over both
    transports: [tcp(), webSockets(init.wsTls != null ? { https: init.wsTls } : {})],
    connectionEncrypters: [noise()],
    // a 4 MiB initial window: a bus catch-up sends MBs at a time, and with the 256 KiB default
    // (which grows only with a measurable RTT, never on a LAN) the sender waits on every window update
    streamMuxers: [yamux({ streamOptions: { initialStreamWindowSize: 4 * 1024 * 1024, maxStreamWindowSize: 16 * 1024 * 1024 } })],
    ...(init.networkKey != null ? { connectionProtector: preSharedKey({ psk: init.networkKey }) } : {}),
    connectionGater: {
      // learned addresses are dialed only in LAN ranges; explicit static peers anywhere. Nodes reach
      // each other over TCP only: the WebSockets listener is for browser devices, and a second
      // connection per pair (one each way, over each transport) costs both of them under loss
      denyDialMultiaddr: (ma) => isWebSockets(ma) || !(policy.isDialable(ma) || staticHosts.has(ipOf(ma)?.ip)),
      filterMultiaddrForPeer: (_peer, ma) => !isWebSockets(ma) && (policy.isDialable(ma) || staticHosts.has(ipOf(ma)?.ip)),
      ...(allowPeer != null
        ? {
            denyDialPeer: (peer) => !allowPeer(peer.toString()),
            denyInboundEncryptedConnection: (peer) => !allowPeer(peer.toString()),
            denyOutboundEncryptedConnection: (peer) => !allowPeer(peer.toString())
          }
        : {})
    },
    connectionMonitor: { enabled: false },
    connectionManager: {
      maxConnections: 256,
      maxIncomingPendingConnections: 32,
      // libp2p's own deadlines (10 s a dial, 6 s an address) kept to presence's: one address is the usual case
      dialTimeout: DIAL_TIMEOUT_MS,
      addressDialTimeout: DIAL_TIMEOUT_MS
    },
    nodeInfo: { name: 'smesh', version: init.software.split('/')[1] ?? '0.0.0' },
    logger: init.logger,
    services: services as any
  })
  return node as unknown as MeshNode
}


export interface JoinPeerInit {
  privateKey: PrivateKey
  /** The mesh's network key; without one the node speaks plain libp2p (to measure what the key costs). */
  networkKey?: Uint8Array
  /** Addresses to listen on (the inviting side); none for the joining side. */
  listen?: string[]
  logger?: ComponentLogger
  /** A certificate and key (PEM) for `/tls/ws` listen addresses. */
  wsTls?: { cert: string, key: string }
}

/**
 * A bare libp2p node for the join protocol: TCP and WebSockets (a phone's
 * browser joins over `/ws`), the mesh's network key,
 * Noise and Yamux, nothing else: no discovery, no gossip, no identify. The
 * inviting node runs one beside its main node while invites are open, so a
 * device that holds a token but no lease never reaches the mesh itself.
 */
export async function createJoinPeer (init: JoinPeerInit): Promise<Libp2p> {
  installYamuxWindowHysteresis()
  const listen = parseMultiaddrs(init.listen ?? [], 'listen address')
  return await createLibp2p({
    privateKey: init.privateKey,
    start: false,
    addresses: { listen: listen.map(ma => ma.toString()) },
    transports: [tcp(), webSockets(init.wsTls != null ? { https: init.wsTls } : {})],
    ...(init.networkKey != null ? { connectionProtector: preSharedKey({ psk: init.networkKey }) } : {}),
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { maxConnections: 16, maxIncomingPendingConnections: 8 },
    logger: init.logger
  })
}
