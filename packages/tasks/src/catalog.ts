import { ADVERT_CAPABILITY, TASK_PROTOCOL_VERSIONS } from '@smesh/protocols'
import { CAPABILITIES } from '@smesh/inference'
import { AdvertError, openAdvert } from './advert.js'
import type { Executor } from './executor.js'
import type { Advert } from '@smesh/protocols'
import type { Capability, Tier } from '@smesh/inference'

/** A peer's advertised cooldown is believed up to this long. */
const MAX_COOLDOWN_MS = 3_600_000

/** One model on one provider of one node: what the router chooses among. */
export interface Candidate {
  peer: string
  /** The device's name. */
  device: string
  self: boolean
  provider: string
  kind: string
  tier: Tier
  model: string
  digest: string
  family: string
  sizeBytes: number
  quantization: string
  contextLength: number
  /** From the model file, where the node has it (embedded models); 0 when unknown. */
  parameters: number
  embeddingLength: number
  /** What the model does (a node of task protocol 1.0.0 advertises none: chat only). */
  capabilities: Capability[]
  /** Versions of the task protocol the node serves. */
  protocols: string[]
  loaded: boolean
  /** Tasks running and waiting on that node, and how many it runs at once. */
  queue: number
  concurrency: number
  cooldownUntil: number
  tokensPerS: number
  /** Round trip to the node; 0 for this one, null when not measured. */
  rttMs: number | null
  connected: boolean
}

export interface PeerSource {
  /** Peers in the presence table. */
  peers: () => Array<{ peerId: string, name: string, rttMs: number | null, connected: boolean }>
  /** The peer's capability from its latest beacon, and its ML-DSA-65 key once known. */
  capability: (peerId: string, name: string) => { value: Uint8Array, pqPublicKey?: Uint8Array } | undefined
}

export interface CatalogInit {
  self: { peerId: string, name: string }
  executor: Executor
  peers: PeerSource
  now?: () => number
  /** A peer's advert failed its checks (once per distinct advert). */
  onInvalid?: (peerId: string, reason: string) => void
}

/**
 * What the mesh can run: this node's providers, and each peer's signed
 * advert from its latest beacon, checked once per distinct advert (the
 * ML-DSA-65 signature, the sender, the expiry).
 */
export class Catalog {
  /** Per peer: the advert bytes last checked (each beacon brings a new copy) and what they held. */
  private readonly verified = new Map<string, { value: Uint8Array, advert?: Advert }>()
  private readonly now: () => number

  constructor (private readonly init: CatalogInit) {
    this.now = init.now ?? Date.now
  }

  /** A peer's advert if it is valid now. */
  advertOf (peerId: string): Advert | undefined {
    const cap = this.init.peers.capability(peerId, ADVERT_CAPABILITY)
    if (cap == null || cap.pqPublicKey == null) return undefined
    let known = this.verified.get(peerId)
    // the same bytes again in a newer beacon (adverts are re-signed every 10 s): checked already
    if (known != null && known.value !== cap.value && Buffer.compare(known.value, cap.value) === 0) known.value = cap.value
    if (known?.value !== cap.value) {
      known = { value: cap.value }
      try {
        known.advert = openAdvert(cap.value, cap.pqPublicKey, peerId, this.now())
      } catch (err) {
        if (err instanceof AdvertError) this.init.onInvalid?.(peerId, err.message)
        else throw err
      }
      this.verified.set(peerId, known)
    }
    if (known.advert == null || Number(known.advert.expiresAt) < this.now()) return undefined
    return known.advert
  }

  /** Every model of every provider this node can reach, its own first. */
  candidates (): Candidate[] {
    const out: Candidate[] = []
    const { executor, self } = this.init
    for (const p of executor.providers()) {
      for (const m of p.models) {
        out.push({
          peer: self.peerId, device: self.name, self: true, provider: p.name, kind: p.kind, tier: p.tier,
          model: m.name, digest: m.digest ?? '', family: m.family ?? '', sizeBytes: m.sizeBytes ?? 0, quantization: m.quantization ?? '', contextLength: m.contextLength ?? 0, loaded: m.loaded,
          parameters: m.parameters ?? 0, embeddingLength: m.embeddingLength ?? 0,
          capabilities: m.capabilities, protocols: [...(executor.protocols)],
          queue: executor.load, concurrency: executor.concurrency, cooldownUntil: p.cooldownUntil, tokensPerS: p.tokensPerS, rttMs: 0, connected: true
        })
      }
    }
    const peers = this.init.peers.peers()
    const live = new Set(peers.map(p => p.peerId))
    for (const id of this.verified.keys()) if (!live.has(id)) this.verified.delete(id)
    for (const peer of peers) {
      if (peer.peerId === self.peerId) continue
      const advert = this.advertOf(peer.peerId)
      if (advert == null) continue
      // an advert without protocols comes from a node of 1.0.0: chat text only
      const protocols = advert.protocols.length > 0 ? advert.protocols : ['1.0.0']
      for (const p of advert.providers) {
        for (const m of p.models) {
          out.push({
            peer: peer.peerId, device: peer.name, self: false, provider: p.name, kind: p.kind, tier: p.tier === 'local' ? 'local' : 'cloud',
            model: m.name, digest: m.digest, family: m.family, sizeBytes: m.size, quantization: m.quantization, contextLength: m.contextLength, loaded: m.loaded,
            parameters: m.parameters, embeddingLength: m.embeddingLength,
            capabilities: capabilitiesOf(m.capabilities), protocols,
            queue: advert.queue, concurrency: Math.max(1, advert.concurrency), cooldownUntil: Math.min(Number(p.cooldownUntil), this.now() + MAX_COOLDOWN_MS), tokensPerS: p.tokensPerS, rttMs: peer.rttMs, connected: peer.connected
          })
        }
      }
    }
    return out
  }
}

/** Capabilities as a peer advertised them: the known ones; none at all (a node of 1.0.0) means chat. */
function capabilitiesOf (list: string[]): Capability[] {
  if (list.length === 0) return ['completion']
  return list.filter((c): c is Capability => (CAPABILITIES as readonly string[]).includes(c))
}

export { TASK_PROTOCOL_VERSIONS }
