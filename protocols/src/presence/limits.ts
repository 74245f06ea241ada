import { Presence } from './presence.js'

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

/** The gossipsub topic carrying presence beacons of one mesh; versioned. */
export function presenceTopic (mesh: string): string {
  return `/smesh/${mesh}/presence/1`
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
