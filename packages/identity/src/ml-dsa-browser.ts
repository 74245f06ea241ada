import { ml_dsa65 as mlDsa65 } from '@noble/post-quantum/ml-dsa.js'
import type { MlDsaBackend } from './ml-dsa.js'

// What a browser bundle gets in place of ./ml-dsa.js (the package's "browser"
// field): the same functions on @noble/post-quantum alone, as a page has no
// Node crypto (and, served over plain http on a LAN, no Web Crypto either).

export function mlDsaBackend (): MlDsaBackend {
  return 'noble'
}

/** Verifies an ML-DSA-65 signature with an ML-DSA context string; malformed keys or signatures verify as false. */
export function mlDsaVerify (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, context: Uint8Array): boolean {
  try {
    return mlDsa65.verify(signature, message, publicKey, { context })
  } catch {
    return false
  }
}
