import { busEvidenceTopic, busTopic } from '@smesh/protocols'
import { sha256, toHex } from '../hex.js'
import type { Message } from '@libp2p/gossipsub'

/** What the mesh's gossipsub must be set up with for the bus: topics, message ids, scoring. */
export interface BusGossipOptions {
  topics: string[]
  msgIdFn: (msg: Message) => Uint8Array
  fastMsgIdFn: (msg: { topic?: string, data?: Uint8Array, from?: Uint8Array, seqno?: Uint8Array }) => string
  topicScoreParams: Record<string, Record<string, number>>
}

/** A rejected entry costs its sender this much score per invalid delivery, squared (gossipsub P4). */
export const INVALID_ENTRY_WEIGHT = -10
/** P4 decays by this factor every second (half-life about 23 s). */
export const INVALID_ENTRY_DECAY = 0.97

function seqnoBytes (seqno: bigint): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, seqno)
  return b
}

/**
 * On the bus topic a message's id is the entry hash: copies relayed by
 * different peers, or published again after a restart, dedupe. Other topics
 * keep gossipsub's usual sender + seqno id.
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
    msgIdFn: (msg) => {
      if (msg.topic === topic) return sha256(msg.data)
      if (msg.type === 'signed') {
        const from = msg.from.toMultihash().bytes
        const id = new Uint8Array(from.byteLength + 8)
        id.set(from, 0)
        id.set(seqnoBytes(msg.sequenceNumber), from.byteLength)
        return id
      }
      return sha256(msg.data)
    },
    fastMsgIdFn: (msg) => {
      if (msg.topic === topic) return toHex(sha256(msg.data ?? new Uint8Array(0)))
      return `${msg.topic ?? ''}/${toHex(msg.from ?? new Uint8Array(0))}/${toHex(msg.seqno ?? new Uint8Array(0))}`
    },
    topicScoreParams: { [topic]: invalidOnly, [evidence]: invalidOnly }
  }
}
