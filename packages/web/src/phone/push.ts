import { pbStream } from '@libp2p/utils'
import { peerIdFromString } from '@libp2p/peer-id'
import { MAX_PUSH_RESPONSE_BYTES, PUSH_PROTOCOL, PUSH_VERSION, PushRequest, decodePushResponse } from '@smesh/protocols'
import { RefusedError } from './errors.js'
import { readView } from './read.js'
import type { OwnChain } from './chain.js'
import type { Libp2p } from '@libp2p/interface'

const RESPONSE = { decode: decodePushResponse }

async function pushOne (peer: Libp2p, node: string, entry: Uint8Array): Promise<void> {
  const signal = AbortSignal.timeout(15_000)
  const stream = await peer.dialProtocol(peerIdFromString(node), PUSH_PROTOCOL, { signal })
  const pb = pbStream(stream, { maxDataLength: MAX_PUSH_RESPONSE_BYTES })
  await pb.write({ version: PUSH_VERSION, entry: entry as Uint8Array<ArrayBuffer> }, PushRequest, { signal })
  const res = await pb.read(RESPONSE, { signal })
  await stream.close({ signal }).catch(() => {})
  if (!res.ok) throw new RefusedError('push', res.error, res.message.slice(0, 300))
}

/**
 * Hands the node an entry of this device's chain. When the node's copy of
 * the chain stops short of it (the earlier entries went to a node that is
 * gone), the entries it lacks go first.
 */
export async function push (peer: Libp2p, node: string, chain: OwnChain, entry: Uint8Array): Promise<void> {
  try {
    await pushOne(peer, node, entry)
  } catch (err) {
    if (!(err instanceof RefusedError) || err.code !== 'gap') throw err
    const self = await readView<{ head: { seq: string } | null }>(peer, node, 'device')
    for (const bytes of chain.after(BigInt(self.head?.seq ?? '0'))) await pushOne(peer, node, bytes)
  }
}
