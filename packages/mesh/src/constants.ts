/** Default TCP port of the libp2p listener. */
export const DEFAULT_TCP_PORT = 7370
/** Presence beacon and mDNS query period. */
export const BEACON_INTERVAL_MS = 5_000
/** A peer not heard for this long is pruned. */
export const STALE_AFTER_MS = 20_000
/** How often the peer table is checked for silent peers (bounds prune jitter). */
export const PRUNE_CHECK_MS = 250
/** A link reported by a peer is shown as stale when its last report is older than this. */
export const LINK_STALE_MS = 2 * BEACON_INTERVAL_MS + 1_000
/**
 * A dial's deadline. A Wi-Fi link with 200 ms of delay and 20 % loss needs
 * 2 - 6 s for TCP, the network key, Noise and Yamux (a lost SYN alone costs
 * 1 s): at 3 s, redials over such a link failed as often as not.
 */
export const DIAL_TIMEOUT_MS = 10_000
/**
 * Every connection is pinged this often (RTTs, and whether it is still
 * alive): twice within its timeout, so one ping lost or late leaves time for
 * the next to answer inside the dead window (STALE_AFTER_MS).
 */
export const LINK_PING_INTERVAL_MS = 5_000
/** One ping's deadline: the answering side drops a ping stream after 10 s. */
export const LINK_PING_TIMEOUT_MS = 10_000
/** At most this many peers learned through mDNS are kept. */
export const DEFAULT_MAX_MDNS_PEERS = 64
/** Every this many regular beacons carry the identity binding (once a minute). */
export const BINDING_EVERY = 12
/** Most peers held in the peer table; beacons of further new peers are ignored. */
export const MAX_PEERS = 256
/** Most dials in flight at once (static, heard and mDNS-hinted peers together). */
export const MAX_CONCURRENT_DIALS = 16
/** Minimum gap between two extra beacons sent because a new peer subscribed. */
export const EXTRA_BEACON_MIN_GAP_MS = 200
/** A second extra beacon follows the first by this much (for peers whose stream was still opening). */
export const EXTRA_BEACON_FOLLOW_UP_MS = 500
/** The higher PeerId of two nodes that hear each other on mDNS waits this long before dialing. */
export const MDNS_DIAL_DEFER_MS = 1_000
/** Interfaces of containers and virtual bridges, never announced or dialed by default. */
export const DEFAULT_EXCLUDED_INTERFACES = [
  'docker*', 'br-*', 'veth*', 'virbr*', 'cni*', 'flannel*', 'cali*', 'vxlan*', 'podman*', 'lxcbr*', 'lxdbr*', 'kube*', 'weave*'
]
/** A mesh name: it becomes part of the mDNS service tag and the topic names. */
export const MESH_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/

/** Least time between two beacons sent because an advertised capability changed. */
export const ANNOUNCE_MIN_GAP_MS = 1_000
