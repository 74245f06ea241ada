import { toHex } from './hex.js'
import type { BusEntry } from './entry.js'

/** An entry as the control API and `--json` show it. */
export interface EntryView {
  hash: string
  author: string
  /** PeerId bound to the author; "self" for this node. */
  peerId: string
  seq: string
  prev: string
  hlc: { ms: string, counter: number }
  /** The HLC's wall-clock part as ISO 8601. */
  time: string
  kind: string
  /** The body parsed when it is UTF-8 JSON, else base64 (see bodyEncoding). */
  body: unknown
  bodyEncoding: 'json' | 'base64'
  size: number
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

export function entryView (e: BusEntry, peerId: string): EntryView {
  let body: unknown
  let bodyEncoding: 'json' | 'base64' = 'json'
  try {
    body = JSON.parse(utf8.decode(e.entry.body))
  } catch {
    body = Buffer.from(e.entry.body).toString('base64')
    bodyEncoding = 'base64'
  }
  return {
    hash: e.hashHex,
    author: e.authorHex,
    peerId,
    seq: e.seq.toString(),
    prev: toHex(e.entry.prev),
    hlc: { ms: e.hlc.ms.toString(), counter: e.hlc.counter },
    time: new Date(Number(e.hlc.ms)).toISOString(),
    kind: e.entry.kind,
    body,
    bodyEncoding,
    size: e.bytes.byteLength
  }
}
