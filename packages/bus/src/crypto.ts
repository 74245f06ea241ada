import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto'
import { mlDsaBackend } from '@smesh/identity'
import { ml_dsa65 as mlDsa65 } from '@noble/post-quantum/ml-dsa.js'
import type { MlDsaBackend } from '@smesh/identity'
import type { KeyObject } from 'node:crypto'

/**
 * ML-DSA-65 signing and verification with a context string. Node's native
 * implementation (OpenSSL, Node >= 24: about 6x faster here) is used where
 * present, @noble/post-quantum elsewhere; signatures of either verify with
 * the other (tested with both).
 */
export interface Signer {
  readonly backend: MlDsaBackend
  readonly publicKey: Uint8Array
  sign: (message: Uint8Array, context: Uint8Array) => Promise<Uint8Array>
  signSync: (message: Uint8Array, context: Uint8Array) => Uint8Array
}

export interface Verifier {
  readonly backend: MlDsaBackend
  /** Never throws: malformed signatures verify as false. */
  verify: (message: Uint8Array, signature: Uint8Array, context: Uint8Array) => boolean
  /**
   * The same check off the event loop where the backend can (native: libuv's
   * thread pool, so several run at once on several cores); never rejects.
   */
  verifyAsync: (message: Uint8Array, signature: Uint8Array, context: Uint8Array) => Promise<boolean>
}

const buf = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength)

/** A signer for the key pair derived from a 32-byte seed. */
export function createSigner (seed: Uint8Array, use: MlDsaBackend = mlDsaBackend()): Signer {
  if (use === 'node') {
    const key: KeyObject = createPrivateKey({ key: buf(seed), format: 'raw-seed', asymmetricKeyType: 'ml-dsa-65' } as any)
    const publicKey = new Uint8Array(createPublicKey(key).export({ format: 'raw-public' } as any) as Buffer)
    return {
      backend: 'node',
      publicKey,
      // the callback form runs on libuv's thread pool, leaving the event loop free
      sign: async (message, context) => await new Promise((resolve, reject) => {
        nodeSign(null, message, { key, context } as any, (err, sig) => {
          if (err != null) reject(err)
          else resolve(new Uint8Array(sig))
        })
      }),
      signSync: (message, context) => new Uint8Array(nodeSign(null, message, { key, context } as any))
    }
  }
  const { publicKey, secretKey } = mlDsa65.keygen(seed)
  const signSync = (message: Uint8Array, context: Uint8Array): Uint8Array => mlDsa65.sign(message, secretKey, { context })
  return { backend: 'noble', publicKey, sign: async (m, c) => signSync(m, c), signSync }
}

/** A verifier for one public key; the native key object is made once and reused. Throws on a malformed key. */
export function createVerifier (publicKey: Uint8Array, use: MlDsaBackend = mlDsaBackend()): Verifier {
  if (use === 'node') {
    const key = createPublicKey({ key: buf(publicKey), format: 'raw-public', asymmetricKeyType: 'ml-dsa-65' } as any)
    return {
      backend: 'node',
      verify: (message, signature, context) => {
        try {
          return nodeVerify(null, message, { key, context } as any, signature)
        } catch {
          return false
        }
      },
      verifyAsync: async (message, signature, context) => await new Promise(resolve => {
        try {
          nodeVerify(null, message, { key, context } as any, signature, (err, ok) => { resolve(err == null && ok) })
        } catch {
          resolve(false)
        }
      })
    }
  }
  if (publicKey.byteLength !== 1952) throw new TypeError(`an ML-DSA-65 public key is 1952 bytes, not ${publicKey.byteLength}`)
  const pk = new Uint8Array(publicKey)
  const verify = (message: Uint8Array, signature: Uint8Array, context: Uint8Array): boolean => {
    try {
      return mlDsa65.verify(signature, message, pk, { context })
    } catch {
      return false
    }
  }
  return { backend: 'noble', verify, verifyAsync: async (m, s, c) => verify(m, s, c) }
}
