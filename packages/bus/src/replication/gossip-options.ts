import { busEvidenceTopic, busTopic } from '@smesh/protocols'
import { sha256 } from '../hex.js'
import type { Message } from '@libp2p/gossipsub'

/** What the mesh's gossipsub must be set up with for the bus: topics, message ids, scoring. */
export interface BusGossipOptions {
  topics: string[]
  msgIdFn: (msg: Message) => Uint8Array
  topicScoreParams: Record<string, Record<string, number>>
}

/** A rejected entry costs its sender this much score per invalid delivery, squared (gossipsub P4). */
export const INVALID_ENTRY_WEIGHT = -10
/** P4 decays by this factor every second (half-life about 23 s). */
export const INVALID_ENTRY_DECAY = 0.97

/**
 * A message's id is the hash of its data, on every topic: gossip carries no
 * sender or seqno (StrictNoSign). On the bus topic that is the entry hash, so
 * copies relayed by different peers, or published again after a restart,
 * dedupe; a beacon's data carries its sender's signature, boot and seq.
 * (No fast id beside it: it would hash every message a second time.)
 */
export function busGossipOptions (mesh: string): BusGossipOptions {
  const topic = busTopic(mesh)
  const evidence = busEvidenceTopic(mesh)
  const invalidOnly = {
    topicWeight: 1,
    timeInMeshWeight: 0.01,
    timeInMeshQuantum: 1000,
    timeInMeshCap: 3600,
    firstMessageDeliveriesWeight: 0.05,
    firstMessageDeliveriesDecay: 0.9,
    firstMessageDeliveriesCap: 100,
    // a quiet bus is normal: no penalty for delivering few messages
    meshMessageDeliveriesWeight: 0,
    meshFailurePenaltyWeight: 0,
    invalidMessageDeliveriesWeight: INVALID_ENTRY_WEIGHT,
    invalidMessageDeliveriesDecay: INVALID_ENTRY_DECAY
  }
  return {
    topics: [topic, evidence],
    msgIdFn: (msg) => sha256(msg.data),
    topicScoreParams: { [topic]: invalidOnly, [evidence]: invalidOnly }
  }
}
