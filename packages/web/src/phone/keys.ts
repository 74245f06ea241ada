import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ml_dsa65 as mlDsa65 } from '@noble/post-quantum/ml-dsa.js'
import { createBinding, decodeBinding, encodeBinding, verifyBinding } from '@smesh/identity/binding'
import { pqFingerprintHex } from '@smesh/identity/fingerprint'
import { createStore, del, get, set } from 'idb-keyval'
import type { PrivateKey } from '@libp2p/interface'

// This device's keys, made in the browser and kept in its IndexedDB, never
// sent anywhere: the Ed25519 key (its PeerId), the ML-DSA-65 seed and the
// binding of the two, as a node keeps them in <data dir>/identity/.

const PQ_SEED_BYTES = 32

/** The database and store the page keeps everything in. */
export const store = createStore('smesh', 'device')

export interface DeviceKeys {
  privateKey: PrivateKey
  peerId: string
  /** The bus author id: SHA-256 of the ML-DSA-65 public key. */
  device: string
  binding: Uint8Array
  /** The ML-DSA-65 key pair the device signs its bus entries with. */
  pq: { publicKey: Uint8Array, secretKey: Uint8Array }
}

interface StoredKeys {
  peerKey: Uint8Array
  pqSeed: Uint8Array
  binding: Uint8Array
}

export class StoredKeysError extends Error {
  static override readonly name = 'StoredKeysError'
  override readonly name = 'StoredKeysError'
}

/** Loads this browser's device keys, making them on the first visit. */
export async function loadOrCreateKeys (): Promise<DeviceKeys & { created: boolean }> {
  const stored = await get<StoredKeys>('keys', store)
  if (stored != null) return { ...(await readKeys(stored)), created: false }
  const privateKey = await generateKeyPair('Ed25519')
  const pqSeed = crypto.getRandomValues(new Uint8Array(PQ_SEED_BYTES))
  const binding = encodeBinding(await createBinding(privateKey, mlDsa65.keygen(pqSeed)))
  const keys: StoredKeys = { peerKey: privateKeyToProtobuf(privateKey), pqSeed, binding }
  await set('keys', keys, store)
  return { ...(await readKeys(keys)), created: true }
}

async function readKeys (k: StoredKeys): Promise<DeviceKeys> {
  let privateKey: PrivateKey
  try {
    privateKey = privateKeyFromProtobuf(k.peerKey)
  } catch (err) {
    throw new StoredKeysError('this browser\'s stored device key is damaged: leave the mesh on this page and join again', { cause: err })
  }
  const binding = decodeBinding(k.binding)
  const bound = await verifyBinding(binding)
  const peerId = peerIdFromPrivateKey(privateKey)
  const pq = mlDsa65.keygen(k.pqSeed)
  if (!bound.equals(peerId) || !pq.publicKey.every((b, i) => b === binding.pqPublicKey[i])) throw new StoredKeysError('this browser\'s stored keys do not belong together: leave the mesh on this page and join again')
  return { privateKey, peerId: peerId.toString(), device: pqFingerprintHex(binding.pqPublicKey), binding: k.binding, pq }
}

/** Deletes this device's keys and membership from the browser ("leave this mesh"). */
export async function forgetDevice (): Promise<void> {
  await del('membership', store)
  await del('chain', store)
  await del('keys', store)
}
