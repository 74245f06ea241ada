import { publicKeyFromProtobuf, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { ml_dsa65 as mlDsa65 } from '@noble/post-quantum/ml-dsa.js'
import { BINDING_VERSION, IdentityBinding, IdentityBindingSignable, MAX_BINDING_BYTES, PQ_ALG_ML_DSA_65 } from '@smesh/protocols'
import { mlDsaVerify } from './ml-dsa.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'

const ED25519_SIGNATURE_BYTES = 64

/** Domain separation for both signatures of a binding. */
export const BINDING_CONTEXT = 'smesh/identity/binding/v1'
const CONTEXT_BYTES = new TextEncoder().encode(BINDING_CONTEXT)
const PREFIX = new TextEncoder().encode(BINDING_CONTEXT + '\n')

export interface PqKeyPair {
  publicKey: Uint8Array
  secretKey: Uint8Array
}

export class InvalidBindingError extends Error {
  static override readonly name = 'InvalidBindingError'
  override readonly name = 'InvalidBindingError'
}

/**
 * The exact bytes both keys sign: the domain prefix, then the protobuf
 * encoding of version, both public keys and the creation time. Built here and
 * nowhere else.
 */
export function bindingSignable (fields: IdentityBindingSignable): Uint8Array {
  const body = IdentityBindingSignable.encode(fields)
  const out = new Uint8Array(PREFIX.byteLength + body.byteLength)
  out.set(PREFIX, 0)
  out.set(body, PREFIX.byteLength)
  return out
}

/** Makes a binding in which the libp2p key and the ML-DSA-65 key sign each other's public key. */
export async function createBinding (peerKey: PrivateKey, pq: PqKeyPair, createdAt: number = Date.now()): Promise<IdentityBinding> {
  const fields: IdentityBindingSignable = {
    version: BINDING_VERSION,
    peerPublicKey: new Uint8Array(publicKeyToProtobuf(peerKey.publicKey)),
    pqAlgorithm: PQ_ALG_ML_DSA_65,
    pqPublicKey: new Uint8Array(pq.publicKey),
    createdAt: BigInt(createdAt)
  }
  const signable = bindingSignable(fields)
  const peerSignature = await peerKey.sign(signable)
  const pqSignature = mlDsa65.sign(signable, pq.secretKey, { context: CONTEXT_BYTES })
  return { ...fields, peerSignature: new Uint8Array(peerSignature), pqSignature: new Uint8Array(pqSignature) }
}

export function encodeBinding (binding: IdentityBinding): Uint8Array {
  return IdentityBinding.encode(binding)
}

export function decodeBinding (buf: Uint8Array): IdentityBinding {
  if (buf.byteLength > MAX_BINDING_BYTES) {
    throw new InvalidBindingError(`binding of ${buf.byteLength} bytes exceeds the ${MAX_BINDING_BYTES} byte limit`)
  }
  let b: IdentityBinding
  try {
    b = IdentityBinding.decode(buf)
  } catch (err) {
    throw new InvalidBindingError('binding is not a valid protobuf record', { cause: err })
  }
  // one encoding per binding: what was signed and what is carried cannot differ in any byte
  if (!sameBytes(IdentityBinding.encode(b), buf)) throw new InvalidBindingError('binding is not in canonical encoding (fields in order, each once, no defaults written out, no unknown fields)')
  return b
}

function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((x, i) => x === b[i])
}

/**
 * Checks both signatures of a binding and returns the PeerId it binds.
 * Throws InvalidBindingError naming what is wrong.
 */
export async function verifyBinding (binding: IdentityBinding): Promise<PeerId> {
  if (binding.version !== BINDING_VERSION) {
    throw new InvalidBindingError(`unknown binding version ${binding.version} (this node understands ${BINDING_VERSION})`)
  }
  if (binding.pqAlgorithm !== PQ_ALG_ML_DSA_65) {
    throw new InvalidBindingError(`unknown post-quantum algorithm ${binding.pqAlgorithm} (1 = ML-DSA-65)`)
  }
  let peerPublicKey
  try {
    peerPublicKey = publicKeyFromProtobuf(binding.peerPublicKey)
  } catch (err) {
    throw new InvalidBindingError('binding holds an unreadable libp2p public key', { cause: err })
  }
  // one key type: a node's libp2p key is Ed25519, in its one canonical encoding (36 bytes: 08 01 12 20, then the key)
  if (peerPublicKey.type !== 'Ed25519') throw new InvalidBindingError(`binding holds a ${peerPublicKey.type} libp2p key: only Ed25519 keys are bound`)
  if (!sameBytes(new Uint8Array(publicKeyToProtobuf(peerPublicKey)), binding.peerPublicKey)) throw new InvalidBindingError('binding holds the libp2p key in a non-canonical encoding')
  const signable = bindingSignable(binding)
  // an Ed25519 signature is 64 bytes: any other length is refused here (the library would throw a TypeError)
  if (binding.peerSignature.byteLength !== ED25519_SIGNATURE_BYTES) throw new InvalidBindingError(`the libp2p key signature of the binding is ${binding.peerSignature.byteLength} bytes, not the ${ED25519_SIGNATURE_BYTES} of an Ed25519 signature`)
  if (!(await peerPublicKey.verify(signable, binding.peerSignature))) {
    throw new InvalidBindingError('the libp2p key signature of the binding does not verify')
  }
  if (!mlDsaVerify(binding.pqPublicKey, signable, binding.pqSignature, CONTEXT_BYTES)) {
    throw new InvalidBindingError('the ML-DSA-65 signature of the binding does not verify')
  }
  return peerIdFromPublicKey(peerPublicKey)
}
