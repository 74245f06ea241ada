import { Presence, SignedPresence } from './presence.js'

/** The only presence format version this code understands. */
export const PRESENCE_VERSION = 1

/** A presence beacon larger than this is rejected before decoding. */
export const MAX_PRESENCE_BYTES = 32 * 1024
export const MAX_PRESENCE_ADDRS = 16
export const MAX_PRESENCE_LINKS = 256
export const MAX_PRESENCE_CAPABILITIES = 32
/** Longest device name and software string kept from a beacon (longer ones are cut). */
export const MAX_PRESENCE_NAME = 63
export const MAX_PRESENCE_SOFTWARE = 64

/** The gossipsub topic carrying presence beacons of one mesh; versioned (2: beacons signed by their sender, gossip unsigned). */
export function presenceTopic (mesh: string): string {
  return `/smesh/${mesh}/presence/2`
}

/** What the sender's Ed25519 key signs: this prefix, then the encoded beacon. */
export const PRESENCE_SIGNING_PREFIX = new TextEncoder().encode('smesh/presence/2')
/** A signed beacon's envelope: the beacon's limit plus room for a key (protobuf Ed25519: 36 bytes) and a signature (64). */
export const MAX_SIGNED_PRESENCE_BYTES = MAX_PRESENCE_BYTES + 256

/** The bytes a beacon's signature covers. */
export function presenceSigningBytes (presence: Uint8Array): Uint8Array {
  const out = new Uint8Array(PRESENCE_SIGNING_PREFIX.byteLength + presence.byteLength)
  out.set(PRESENCE_SIGNING_PREFIX, 0)
  out.set(presence, PRESENCE_SIGNING_PREFIX.byteLength)
  return out
}

/**
 * Decodes a signed beacon's envelope with size limits (the beacon inside
 * is decoded by decodePresence once its signature has been checked).
 */
export function decodeSignedPresence (buf: Uint8Array): SignedPresence {
  if (buf.byteLength > MAX_SIGNED_PRESENCE_BYTES) {
    throw new RangeError(`signed presence message of ${buf.byteLength} bytes exceeds the ${MAX_SIGNED_PRESENCE_BYTES} byte limit`)
  }
  const s = SignedPresence.decode(buf)
  if (s.publicKey.byteLength > 128) throw new RangeError(`a presence public key of ${s.publicKey.byteLength} bytes is not an Ed25519 key`)
  if (s.signature.byteLength !== 64) throw new RangeError(`a presence signature of ${s.signature.byteLength} bytes is not an Ed25519 signature`)
  return s
}

/**
 * Decodes a presence beacon with size limits on the whole message and on
 * every repeated field. Throws (protons `MaxLengthError` or a decode error)
 * on anything out of bounds or malformed.
 */
export function decodePresence (buf: Uint8Array): Presence {
  if (buf.byteLength > MAX_PRESENCE_BYTES) {
    throw new RangeError(`presence message of ${buf.byteLength} bytes exceeds the ${MAX_PRESENCE_BYTES} byte limit`)
  }
  return Presence.decode(buf, {
    limits: {
      addrs: MAX_PRESENCE_ADDRS,
      links: MAX_PRESENCE_LINKS,
      capabilities: MAX_PRESENCE_CAPABILITIES
    }
  })
}
