/** An entry dated further ahead of this node's wall clock is not taken (yet): a wrong clock cannot pin a memory key. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000
/** How long an append waits for a peer to confirm this node's own chain after its store was lost (under the CLI's 10 s request timeout). */
export const CHAIN_CONFIRM_TIMEOUT_MS = 8_000
/** Most own appends signed and committed in one group (one synced LevelDB batch). */
export const MAX_APPEND_GROUP = 256
/** Hashes whose signature verified, remembered so a second copy is not verified again. */
export const VERIFIED_CACHE_SIZE = 16_384
/** Entries received ahead of a gap, held until the gap is filled: per author, and in all. */
export const MAX_PENDING_PER_AUTHOR = 512
export const MAX_PENDING_TOTAL = 8_192
/** Bytes held beyond gaps in all; the oldest held entries make room. */
export const MAX_PENDING_BYTES = 16 * 1024 * 1024
/** Seqs held for an author whose key is not known yet (nothing of it can be checked). */
export const MAX_PENDING_UNKNOWN_AUTHOR = 32
/** An entry held beyond a gap is dropped after this long (sync fetches it again if it is real). */
export const MAX_PENDING_AGE_MS = 60_000
/** Period of the background sync with each connected peer (heads only when nothing is missing). */
export const SYNC_INTERVAL_MS = 10_000
/** A sync session that makes no progress for this long is aborted. */
export const SYNC_IDLE_TIMEOUT_MS = 20_000
/** Entries asked for per SyncWant. */
export const SYNC_BATCH = 128
/** Inbound sync streams allowed per connection. */
export const SYNC_MAX_INBOUND_STREAMS = 4
/** Entries per second one author may send by gossip before the rest are dropped (sync still fetches them, at the receiver's pace); measured: a 5-node LAN on two cores sustains about 100 entries/s in all (bus-throughput). */
export const GOSSIP_AUTHOR_RATE = 50
/** A node publishes its own entries at four fifths of the rate its peers allow; what is over waits for a sync. */
export const GOSSIP_PUBLISH_RATE = 0.8 * GOSSIP_AUTHOR_RATE
/** ... with a second's worth of burst. */
export const GOSSIP_PUBLISH_BURST = GOSSIP_PUBLISH_RATE
/**
 * How far back gossipsub's repair reaches: a peer that was away (or just
 * connected) is offered the ids of the last 3 heartbeats' messages (IHAVE,
 * gossipsub's historyGossip, 1 s heartbeats), plus the heartbeat under way,
 * and gets whatever it asks for (IWANT) at once.
 */
export const GOSSIP_REPLAY_S = 4
/** Burst allowance of GOSSIP_AUTHOR_RATE. */
export const GOSSIP_AUTHOR_BURST = 100
/**
 * All an honest node can have published within GOSSIP_REPLAY_S (its burst
 * and its rate for that long): what gossipsub's repair may hand a peer at
 * once right after it connects. In a connection's first GOSSIP_REPLAY_S + 1
 * seconds, entries at or below the head the peer's sync named are ignored
 * (the sync brings them; FloodGuard). Before, a node that came
 * back right after a bulk write dropped the repair as over the rate and took
 * the writer for a flooder, cut off for 60 s (bus-loopback, 2 of 15 runs).
 */
export const GOSSIP_REPLAY_ALLOWANCE = GOSSIP_PUBLISH_BURST + GOSSIP_PUBLISH_RATE * GOSSIP_REPLAY_S
/**
 * Drops of a fresh connection not counted toward a flood while the peer's
 * sync has named no heads yet, and for how long: the repair over the burst,
 * at most, within the time an honest node's sync takes to start.
 */
export const GOSSIP_UNCOUNTED_DROPS = GOSSIP_REPLAY_ALLOWANCE - GOSSIP_AUTHOR_BURST
export const GOSSIP_UNCOUNTED_MS = 1000
/**
 * Entries of an author dropped by the rate limit within a second, sent by
 * the author's own node, that make a flood: an honest node publishes below
 * its peers' limit (0.8 of it), so a handful over is already no accident.
 */
export const FLOOD_DROPS = 5
