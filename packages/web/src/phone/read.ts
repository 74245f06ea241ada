import { pbStream } from '@libp2p/utils'
import { peerIdFromString } from '@libp2p/peer-id'
import { MAX_READ_RESPONSE_BYTES, NOTICE_PROTOCOL, READ_PROTOCOL, READ_VERSION, ReadRequest, decodeNotice, decodeReadResponse } from '@smesh/protocols'
import { RefusedError } from './errors.js'
import type { Libp2p } from '@libp2p/interface'
import type { ReadView } from '@smesh/protocols'

const READ_TIMEOUT_MS = 10_000
const RESPONSE = { decode: decodeReadResponse }
const NOTICE = { decode: decodeNotice }

/** Reads one view of the mesh from the node `peerId` (over the connection this page holds to it). */
export async function readView <T> (peer: Libp2p, peerId: string, view: ReadView, arg = ''): Promise<T> {
  const signal = AbortSignal.timeout(READ_TIMEOUT_MS)
  const stream = await peer.dialProtocol(peerIdFromString(peerId), READ_PROTOCOL, { signal })
  const pb = pbStream(stream, { maxDataLength: MAX_READ_RESPONSE_BYTES })
  await pb.write({ version: READ_VERSION, view, arg }, ReadRequest, { signal })
  const res = await pb.read(RESPONSE, { signal })
  await stream.close({ signal }).catch(() => {})
  if (!res.ok) throw new RefusedError('read', res.error, res.message.slice(0, 300))
  return JSON.parse(new TextDecoder().decode(res.json)) as T
}

/** Calls `onNotice` when a node says this device was cut off (revoked, or its lease expired). */
export async function takeNotices (peer: Libp2p, onNotice: (kind: string, message: string) => void): Promise<void> {
  await peer.handle(NOTICE_PROTOCOL, (stream) => {
    void (async () => {
      const signal = AbortSignal.timeout(READ_TIMEOUT_MS)
      try {
        const n = await pbStream(stream).read(NOTICE, { signal })
        onNotice(n.kind.slice(0, 20), n.message.slice(0, 300))
        await stream.close({ signal })
      } catch (err: any) {
        stream.abort(err)
      }
    })()
  }, { maxInboundStreams: 2 })
}
