import { pbStream } from '@libp2p/utils'
import { RateLimiter, decodeEntry } from '@smesh/bus'
import { MAX_PUSH_REQUEST_BYTES, PUSH_PROTOCOL, PUSH_VERSION, PushResponse, decodePushRequest } from '@smesh/protocols'
import type { Bus, BusEntry, BusReplication } from '@smesh/bus'
import type { Libp2p, Stream } from '@libp2p/interface'
import type { Membership } from '@smesh/membership'
import type { Logger } from 'pino'

const REQUEST = { decode: decodePushRequest }
const PUSH_TIMEOUT_MS = 15_000
/** Entries a device may push a second, and at once: a person typing, not a bulk import. */
const PUSH_RATE = 10
const PUSH_BURST = 50

export interface PushServerInit {
  node: Libp2p
  bus: Bus
  replication: BusReplication
  membership: Membership
  log: Logger
  signal: AbortSignal
}

type Refusal = 'refused' | 'gap' | 'later' | 'not-author' | 'not-member' | 'busy' | 'protocol'

/**
 * /smesh/push/1.0.0: a browser device (which holds no bus) hands this node
 * an entry of its own chain. It is admitted exactly as an entry from gossip
 * (Bus.ingest: signature, chain, lease, policy), then passed on to the mesh.
 */
export class PushServer {
  private readonly limiter = new RateLimiter(PUSH_RATE, PUSH_BURST)

  constructor (private readonly init: PushServerInit) {}

  async start (): Promise<void> {
    await this.init.node.handle(PUSH_PROTOCOL, (stream, connection) => {
      void this.serve(stream, connection.remotePeer.toString())
    }, { maxInboundStreams: 4 })
  }

  private async serve (stream: Stream, peer: string): Promise<void> {
    const signal = AbortSignal.any([this.init.signal, AbortSignal.timeout(PUSH_TIMEOUT_MS)])
    const pb = pbStream(stream, { maxDataLength: MAX_PUSH_REQUEST_BYTES })
    let answer: PushResponse
    try {
      const req = await pb.read(REQUEST, { signal })
      const refusal = await this.admit(peer, req.version, req.entry)
      answer = refusal == null ? { ok: true, error: '', message: '' } : { ok: false, error: refusal[0], message: refusal[1] }
    } catch (err: any) {
      stream.abort(err)
      return
    }
    try {
      await pb.write(answer, PushResponse, { signal })
      await stream.close({ signal })
    } catch (err: any) {
      stream.abort(err)
    }
  }

  /** Why the entry was not taken, or undefined once it is stored and passed on. */
  private async admit (peer: string, version: number, bytes: Uint8Array): Promise<[Refusal, string] | undefined> {
    if (version !== PUSH_VERSION) return ['protocol', `push protocol version ${version} is not understood (this node speaks ${PUSH_VERSION})`]
    const { bus, membership } = this.init
    const device = membership.deviceOfPeer(peer)
    if (device == null || membership.status(device) !== 'active') return ['not-member', 'this PeerId holds no live lease in the mesh']
    if (!this.limiter.take(device)) return ['busy', `more than ${PUSH_RATE} entries a second: wait a moment`]
    let e: BusEntry
    try {
      e = decodeEntry(bytes)
    } catch (err: any) {
      return ['refused', err.message]
    }
    // a device pushes its own chain, no one else's
    if (e.authorHex !== device) return ['not-author', 'the entry\'s author is not the pushing device']
    const r = await bus.ingest(e, peer)
    if (r.result === 'accept') {
      this.init.replication.relay(e)
      return undefined
    }
    // refused: stored and passed on by no honest node, so the device may sign another in its place; every
    // other answer may leave the entry held here (waiting for its chain, its approval, its time): never refused
    if (r.result === 'reject') return ['refused', r.error.message]
    if (r.reason === 'duplicate') return undefined
    if (r.reason === 'gap' || r.reason === 'unknown-author') return ['gap', `the entry is seq ${e.seq}, but this node holds the device's chain up to ${bus.head(device)?.seq ?? 0n}: push the entries before it`]
    return ['later', `the node holds the entry back for now (${r.reason}): push it again later, unchanged`]
  }
}
