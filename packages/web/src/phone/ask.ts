import { pbStream } from '@libp2p/utils'
import { peerIdFromString } from '@libp2p/peer-id'
import { ASK_PROTOCOL, ASK_VERSION, AskRequest, MAX_ASK_EVENT_BYTES, decodeAskEvent } from '@smesh/protocols'
import type { Libp2p } from '@libp2p/interface'
import type { AskEvent } from '@smesh/protocols'

const EVENT = { decode: decodeAskEvent }

export interface Question {
  prompt: string
  /** A session to continue (its messages are the context; the exchange is added to it). */
  session?: string
  model?: string
  residency?: string
  /** Earlier turns of a chat kept on this page (no session). */
  history?: Array<{ role: 'user' | 'assistant', content: string }>
}

/**
 * Asks the mesh through the node `peerId` (/smesh/ask/1.0.0): the node
 * routes the task for this device and streams events until `done` or
 * `error`. Aborting `signal` (Stop) resets the stream, which cancels the
 * task on the serving device.
 */
export async function ask (peer: Libp2p, peerId: string, q: Question, onEvent: (e: AskEvent) => void, signal: AbortSignal): Promise<void> {
  const stream = await peer.dialProtocol(peerIdFromString(peerId), ASK_PROTOCOL, { signal })
  const stop = (): void => { stream.abort(new Error('stopped')) }
  signal.addEventListener('abort', stop, { once: true })
  try {
    const pb = pbStream(stream, { maxDataLength: MAX_ASK_EVENT_BYTES })
    const messages = q.session == null ? [...(q.history ?? []), { role: 'user', content: q.prompt }] : []
    await pb.write({ version: ASK_VERSION, messages, prompt: q.session == null ? '' : q.prompt, session: q.session ?? '', model: q.model ?? '', residency: q.residency ?? '' }, AskRequest, { signal })
    for (;;) {
      const e = await pb.read(EVENT, { signal })
      onEvent(e)
      if (e.type === 'done' || e.type === 'error') break
    }
    await stream.close({ signal }).catch(() => {})
  } finally {
    signal.removeEventListener('abort', stop)
  }
}
