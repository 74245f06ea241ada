import { checkSize } from '../bus/limits.js'
import { InviteToken, JoinRequest, JoinResponse, PhoneLink } from './join.js'
import type { Uint8ArrayList } from 'uint8arraylist'

type Bytes = Uint8Array | Uint8ArrayList

/** The join protocol id. */
export const JOIN_PROTOCOL = '/smesh/join/1.0.0'
export const JOIN_VERSION = 1
export const INVITE_TOKEN_VERSION = 1
export const PHONE_LINK_VERSION = 1
/** An encoded phone link (before base64url) is at most this big: it must fit a QR code scanned from a terminal. */
export const MAX_PHONE_LINK_BYTES = 256
/** The kind a browser device gives in its join request. */
export const BROWSER_DEVICE_KIND = 'browser'
/** Longest device agent text ("Chrome 156 on Android"). */
export const MAX_AGENT_CHARS = 63
/** An encoded invite token (before base64url) is at most this big. */
export const MAX_TOKEN_BYTES = 2048
/** Most addresses an invite token or a join answer carries. */
export const MAX_JOIN_ADDRS = 16
export const MAX_JOIN_REQUEST_BYTES = 12 * 1024
/** A join answer carries one bus entry. */
export const MAX_JOIN_RESPONSE_BYTES = 72 * 1024

export function decodeInviteToken (buf: Bytes): InviteToken {
  checkSize(buf, MAX_TOKEN_BYTES, 'invite token')
  return InviteToken.decode(buf, { limits: { addrs: MAX_JOIN_ADDRS } })
}

export function decodeJoinRequest (buf: Bytes): JoinRequest {
  checkSize(buf, MAX_JOIN_REQUEST_BYTES, 'join request')
  return JoinRequest.decode(buf)
}

export function decodeJoinResponse (buf: Bytes): JoinResponse {
  checkSize(buf, MAX_JOIN_RESPONSE_BYTES, 'join response')
  return JoinResponse.decode(buf, { limits: { addrs: MAX_JOIN_ADDRS, scopes: 16 } })
}

export function decodePhoneLink (buf: Bytes): PhoneLink {
  checkSize(buf, MAX_PHONE_LINK_BYTES, 'phone link')
  return PhoneLink.decode(buf)
}
