import { peerIdFromMultihash } from '@libp2p/peer-id'
import { PHONE_LINK_VERSION, PhoneLink, decodePhoneLink } from '@smesh/protocols'
import * as Digest from 'multiformats/hashes/digest'
import { fromString, toString } from 'uint8arrays'
import { InvalidTokenError } from './errors.js'

// The link `smesh invite --phone` shows as a QR code. Nothing of Node's is
// imported: the phone's page decodes it with this same code
// (`@smesh/membership/phone-link`).

/** What a phone needs to join: the rest (addresses, mesh name, lease) comes over the join protocol. */
export interface PhoneInvite {
  /** Mesh id, 32 hex digits. */
  mesh: string
  secret: Uint8Array
  /** The network key, 64 hex digits. */
  networkKey: string
  /** The inviting node's PeerId: the only one the page will talk to. */
  inviterPeerId: string
  /** The WebSockets port of the inviting node's join listener, on the page's host. */
  wsPort: number
  expiresAt: number
}

/** The URL fragment: base64url of the PhoneLink protobuf (about 170 characters). */
export function encodePhoneFragment (invite: PhoneInvite): string {
  const bytes = PhoneLink.encode({
    version: PHONE_LINK_VERSION,
    mesh: fromString(invite.mesh, 'base16'),
    secret: invite.secret as Uint8Array<ArrayBuffer>,
    networkKey: fromString(invite.networkKey, 'base16'),
    peer: peerIdFromString(invite.inviterPeerId),
    wsPort: invite.wsPort,
    expiresAt: BigInt(invite.expiresAt)
  })
  return toString(bytes, 'base64url')
}

/** `http://HOST:PORT/#FRAGMENT` (or https): the page of the node at HOST, told in its fragment (never sent to the server) how to join. */
export function phoneLinkUrl (host: string, port: number, invite: PhoneInvite, scheme: 'http' | 'https' = 'http'): string {
  const h = host.includes(':') ? `[${host}]` : host
  return `${scheme}://${h}:${port}/#${encodePhoneFragment(invite)}`
}

/**
 * Decodes a link's fragment (with or without the `#`) and checks its
 * version, fields and expiry. Throws InvalidTokenError naming the problem.
 */
export function decodePhoneFragment (fragment: string, now = Date.now()): PhoneInvite {
  const text = fragment.replace(/^#/, '').trim()
  if (text === '' || !/^[A-Za-z0-9_-]+$/.test(text)) {
    throw new InvalidTokenError('format', 'this page was opened without an invite: the link\'s part after "#" is missing or damaged', 'scan the QR code of smesh invite --phone again, or copy the whole link')
  }
  let link: PhoneLink
  try {
    link = decodePhoneLink(fromString(text, 'base64url'))
  } catch (err: any) {
    throw new InvalidTokenError('format', `the invite in this link cannot be decoded: ${String(err.message)}`, 'scan the QR code again, or copy the whole link')
  }
  if (link.version !== PHONE_LINK_VERSION) {
    throw new InvalidTokenError('version', `the link has format version ${link.version}; this page understands ${PHONE_LINK_VERSION}`, 'ask for a new link from a device with the same smesh version')
  }
  let inviterPeerId: string
  try {
    inviterPeerId = peerIdFromMultihash(Digest.decode(link.peer)).toString()
  } catch {
    throw new InvalidTokenError('fields', 'the link names no valid PeerId of the inviting node')
  }
  if (link.mesh.byteLength !== 16 || link.secret.byteLength !== 32 || link.networkKey.byteLength !== 32 || link.wsPort < 1 || link.wsPort > 65535) {
    throw new InvalidTokenError('fields', 'the link lacks a field it needs (mesh id, secret, network key or port)')
  }
  const expiresAt = Number(link.expiresAt)
  if (expiresAt <= now) {
    throw new InvalidTokenError('expired', `the invite expired at ${new Date(expiresAt).toISOString()}`, 'ask for a new one with smesh invite --phone; nothing was changed')
  }
  return {
    mesh: toString(link.mesh, 'base16'),
    secret: link.secret,
    networkKey: toString(link.networkKey, 'base16'),
    inviterPeerId,
    wsPort: link.wsPort,
    expiresAt
  }
}

function peerIdFromString (text: string): Uint8Array<ArrayBuffer> {
  // a PeerId's text is the base58btc of its multihash
  return fromString(text, 'base58btc') as Uint8Array<ArrayBuffer>
}

/** The swarm-key form of a network key (as @libp2p/pnet reads it), for the browser side. */
export function swarmKeyOf (networkKeyHex: string): Uint8Array {
  return new TextEncoder().encode(`/key/swarm/psk/1.0.0/\n/base16/\n${networkKeyHex}`)
}
