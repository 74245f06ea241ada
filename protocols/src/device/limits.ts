import { MAX_ENTRY_BYTES, checkSize } from '../bus/limits.js'
import { AskEvent, AskRequest, Notice, PushRequest, PushResponse, ReadRequest, ReadResponse } from './device.js'
import type { Uint8ArrayList } from 'uint8arraylist'

type Bytes = Uint8Array | Uint8ArrayList

/** A member reads one view of the mesh from a full node. */
export const READ_PROTOCOL = '/smesh/read/1.0.0'
export const READ_VERSION = 1
/** A node tells a browser device it was cut off, before closing its connection. */
export const NOTICE_PROTOCOL = '/smesh/notice/1.0.0'
export const NOTICE_VERSION = 1
export const MAX_READ_REQUEST_BYTES = 1024
/** An answer's JSON is at most this big; a larger view is refused (`too-large`: ask for a narrower one). */
export const MAX_READ_JSON_BYTES = 1024 * 1024
export const MAX_READ_RESPONSE_BYTES = MAX_READ_JSON_BYTES + 1024
export const MAX_NOTICE_BYTES = 1024
/** Read streams a member may hold open on one connection at once. */
export const MAX_READ_STREAMS = 8

/**
 * The presence capability with a node's WebSockets addresses (JSON, a list
 * of multiaddrs): they are not among the addresses nodes announce to each
 * other, and a browser device learns them from the read protocol's `peers` view.
 */
export const WS_CAPABILITY = 'ws'
/** Most WebSockets addresses a node's capability carries, and longest each. */
export const MAX_WS_ADDRS = 8
export const MAX_WS_ADDR_CHARS = 200

/** A `ws` capability's value: at most MAX_WS_ADDRS of the addresses, as JSON. */
export function encodeWsCapability (addrs: string[]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(addrs.filter(a => a.length <= MAX_WS_ADDR_CHARS).slice(0, MAX_WS_ADDRS)))
}

/** The WebSockets addresses of a `ws` capability, or none when it is malformed. */
export function parseWsCapability (value: Uint8Array | undefined): string[] {
  if (value == null || value.byteLength > MAX_WS_ADDRS * (MAX_WS_ADDR_CHARS + 4) + 2) return []
  try {
    const list: unknown = JSON.parse(new TextDecoder().decode(value))
    if (!Array.isArray(list)) return []
    return list.filter((a): a is string => typeof a === 'string' && a.length <= MAX_WS_ADDR_CHARS && a.startsWith('/')).slice(0, MAX_WS_ADDRS)
  } catch {
    return []
  }
}

/** A browser device asks the mesh; the node routes the task for it. */
export const ASK_PROTOCOL = '/smesh/ask/1.0.0'
export const ASK_VERSION = 1
export const MAX_ASK_REQUEST_BYTES = 1024 * 1024
export const MAX_ASK_MESSAGES = 256
export const MAX_ASK_EVENT_BYTES = 64 * 1024
/** Questions a device may have running on one node at once. */
export const MAX_ASK_STREAMS = 4

/** A browser device hands a node an entry of its own chain. */
export const PUSH_PROTOCOL = '/smesh/push/1.0.0'
export const PUSH_VERSION = 1
export const MAX_PUSH_REQUEST_BYTES = MAX_ENTRY_BYTES + 64
export const MAX_PUSH_RESPONSE_BYTES = 1024

/** The views of the read protocol, and the lease scope each needs. */
export const READ_VIEWS = {
  /** The asking device's own lease and status. */
  device: 'read',
  members: 'read',
  /** The nodes of the mesh this node knows, with their addresses (a phone learns where else to connect). */
  peers: 'read',
  topology: 'read',
  models: 'read',
  /** Memory entries under the prefix in `arg`. */
  memory: 'read',
  /** Sessions, or one session's turns when `arg` is its id. */
  sessions: 'read',
  tasks: 'read',
  /** Where one of the device's own asks (its id in `arg`) stands: pending, approved, declined or expired. */
  approval: 'read',
  /**
   * What the lease and the mesh policy say of an entry the device means to
   * sign (`arg`: its kind, a newline, its JSON body): allow, ask or block. A
   * device asks first, so it never signs an entry every node would refuse.
   */
  verdict: 'read'
} as const

export type ReadView = keyof typeof READ_VIEWS

export function decodeReadRequest (buf: Bytes): ReadRequest {
  checkSize(buf, MAX_READ_REQUEST_BYTES, 'read request')
  return ReadRequest.decode(buf)
}

export function decodeReadResponse (buf: Bytes): ReadResponse {
  checkSize(buf, MAX_READ_RESPONSE_BYTES, 'read response')
  return ReadResponse.decode(buf)
}

export function decodeNotice (buf: Bytes): Notice {
  checkSize(buf, MAX_NOTICE_BYTES, 'notice')
  return Notice.decode(buf)
}

export function decodeAskRequest (buf: Bytes): AskRequest {
  checkSize(buf, MAX_ASK_REQUEST_BYTES, 'ask request')
  return AskRequest.decode(buf, { limits: { messages: MAX_ASK_MESSAGES } })
}

export function decodeAskEvent (buf: Bytes): AskEvent {
  checkSize(buf, MAX_ASK_EVENT_BYTES, 'ask event')
  return AskEvent.decode(buf)
}

export function decodePushRequest (buf: Bytes): PushRequest {
  checkSize(buf, MAX_PUSH_REQUEST_BYTES, 'push request')
  return PushRequest.decode(buf)
}

export function decodePushResponse (buf: Bytes): PushResponse {
  checkSize(buf, MAX_PUSH_RESPONSE_BYTES, 'push response')
  return PushResponse.decode(buf)
}
