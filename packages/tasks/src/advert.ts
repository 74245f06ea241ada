import { createVerifier } from '@smesh/bus'
import { ADVERT_CONTEXT, ADVERT_VERSION, Advert, SignedAdvert, decodeAdvert, decodeSignedAdvert } from '@smesh/protocols'
import type { Signer } from '@smesh/bus'

/** How long an advert stays valid: a few beacon intervals. */
export const ADVERT_TTL_MS = 30_000
/** How far ahead of ours a peer's clock may run. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000

/** Encodes and signs an advert with the node's ML-DSA-65 key. */
export function signAdvert (advert: Advert, signer: Signer): Uint8Array {
  const bytes = Advert.encode({ ...advert, version: ADVERT_VERSION })
  return SignedAdvert.encode({ advert: bytes, signature: new Uint8Array(signer.signSync(bytes, ADVERT_CONTEXT)) })
}

export class AdvertError extends Error {
  static override readonly name = 'AdvertError'
  override readonly name = 'AdvertError'
}

/**
 * Decodes a signed advert (size-limited), checks its signature against the
 * sender's ML-DSA-65 key, that it names the sender and has not expired.
 * Throws AdvertError naming what failed.
 */
export function openAdvert (bytes: Uint8Array, pqPublicKey: Uint8Array, sender: string, now = Date.now()): Advert {
  let signed: SignedAdvert
  let advert: Advert
  try {
    signed = decodeSignedAdvert(bytes)
    advert = decodeAdvert(signed.advert)
  } catch (err: any) {
    throw new AdvertError(`malformed advert: ${String(err?.message ?? err)}`)
  }
  if (advert.version !== ADVERT_VERSION) throw new AdvertError(`advert version ${advert.version} is not understood`)
  if (advert.peer !== sender) throw new AdvertError('the advert names another peer than its sender')
  if (!createVerifier(pqPublicKey).verify(signed.advert, signed.signature, ADVERT_CONTEXT)) throw new AdvertError('the advert\'s signature does not verify')
  if (Number(advert.expiresAt) < now) throw new AdvertError('the advert has expired')
  if (Number(advert.expiresAt) - Number(advert.issuedAt) > 2 * ADVERT_TTL_MS || Number(advert.issuedAt) > now + MAX_CLOCK_SKEW_MS) throw new AdvertError('the advert claims to live too long or comes from the future')
  return advert
}
