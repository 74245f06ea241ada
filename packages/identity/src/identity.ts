import { randomBytes } from 'node:crypto'
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ml_dsa65 as mlDsa65 } from '@noble/post-quantum/ml-dsa.js'
import { createBinding, decodeBinding, encodeBinding, verifyBinding } from './binding.js'
import { CorruptKeyFileError, IncompleteIdentityError, KeyFileAccessError } from './errors.js'
import { SECRET_DIR_MODE, checkPrivate, ensureDataDir, readSecretFile, syncDir, writeNewSecretFile } from './files.js'
import { pqFingerprintHex } from './fingerprint.js'
import type { PqKeyPair } from './binding.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import type { IdentityBinding } from '@smesh/protocols'

export const IDENTITY_DIR = 'identity'
export const PEER_KEY_FILE = 'libp2p.key'
export const PQ_SEED_FILE = 'mldsa65.seed'
export const BINDING_FILE = 'binding.pb'
const PQ_SEED_BYTES = 32
const MAX_PEER_KEY_BYTES = 1024
const MAX_BINDING_FILE_BYTES = 8 * 1024

export interface Identity {
  peerId: PeerId
  /** libp2p Ed25519 private key. */
  privateKey: PrivateKey
  /** ML-DSA-65 key pair, derived from the 32-byte seed kept on disk. */
  pq: PqKeyPair
  /** The 32-byte seed the ML-DSA-65 key pair is derived from (FIPS 204 key generation). */
  pqSeed: Uint8Array
  binding: IdentityBinding
  /** SHA-256 of the ML-DSA-65 public key, hex. */
  pqFingerprint: string
  /** true when this call created the identity. */
  created: boolean
}

export interface LoadIdentityOptions {
  signal?: AbortSignal
}

/**
 * Loads the node's identity from `<dataDir>/identity`, creating it on first
 * start. Creation is atomic: all files are written to a temporary directory
 * that is renamed into place, so a crash leaves either no identity or a whole
 * one. An existing identity is never modified: bad permissions, a corrupt or
 * missing file, or keys that do not match the binding throw a typed error.
 */
export async function loadOrCreateIdentity (dataDir: string, options: LoadIdentityOptions = {}): Promise<Identity> {
  await ensureDataDir(dataDir)
  options.signal?.throwIfAborted()
  const dir = join(dataDir, IDENTITY_DIR)
  const exists = await stat(dir).then(() => true, (err: any) => {
    if (err.code === 'ENOENT') return false
    throw err
  })
  if (!exists) await createIdentityDir(dataDir, dir)
  try {
    return { ...(await readIdentity(dir)), created: !exists }
  } catch (err: any) {
    if (['EACCES', 'EPERM', 'ENOTDIR', 'EISDIR', 'ELOOP'].includes(err.code)) {
      throw new KeyFileAccessError(err.path ?? dir, err.code, { cause: err })
    }
    throw err
  }
}

async function createIdentityDir (dataDir: string, dir: string): Promise<void> {
  // Leftovers of a creation that crashed before its rename hold no live identity.
  for (const name of await readdir(dataDir)) {
    if (name.startsWith(`${IDENTITY_DIR}.tmp-`)) {
      await rm(join(dataDir, name), { recursive: true, force: true })
    }
  }
  const tmp = join(dataDir, `${IDENTITY_DIR}.tmp-${randomBytes(4).toString('hex')}`)
  await mkdir(tmp, { mode: SECRET_DIR_MODE })
  try {
    const privateKey = await generateKeyPair('Ed25519')
    const seed = randomBytes(PQ_SEED_BYTES)
    const pq = mlDsa65.keygen(new Uint8Array(seed))
    const binding = await createBinding(privateKey, pq)
    await writeNewSecretFile(join(tmp, PEER_KEY_FILE), privateKeyToProtobuf(privateKey))
    await writeNewSecretFile(join(tmp, PQ_SEED_FILE), seed)
    await writeNewSecretFile(join(tmp, BINDING_FILE), encodeBinding(binding))
    await syncDir(tmp)
    await rename(tmp, dir)
    await syncDir(dataDir)
  } catch (err) {
    await rm(tmp, { recursive: true, force: true })
    throw err
  }
}

async function readIdentity (dir: string): Promise<Omit<Identity, 'created'>> {
  await checkPrivate(dir, SECRET_DIR_MODE)
  const files = [PEER_KEY_FILE, PQ_SEED_FILE, BINDING_FILE]
  const present = new Set(await readdir(dir))
  const missing = files.filter(f => !present.has(f))
  if (missing.length > 0) {
    throw new IncompleteIdentityError(dir, missing)
  }
  const keyPath = join(dir, PEER_KEY_FILE)
  const seedPath = join(dir, PQ_SEED_FILE)
  const bindingPath = join(dir, BINDING_FILE)

  const keyBytes = await readSecretFile(keyPath, MAX_PEER_KEY_BYTES)
  let privateKey: PrivateKey
  try {
    privateKey = privateKeyFromProtobuf(keyBytes)
  } catch (err) {
    throw new CorruptKeyFileError(keyPath, 'not a libp2p private key', { cause: err })
  }
  if (privateKey.type !== 'Ed25519') {
    throw new CorruptKeyFileError(keyPath, `holds a ${privateKey.type} key, expected Ed25519`)
  }
  // The file holds the private scalar and the public key side by side; the
  // PeerId comes from the public half, so damage to the private half shows
  // only as signatures that do not verify. Check one before trusting the key.
  const probe = new TextEncoder().encode('smesh/identity/self-check/v1')
  if (!(await privateKey.publicKey.verify(probe, await privateKey.sign(probe)))) {
    throw new CorruptKeyFileError(keyPath, 'its private key does not match its public key')
  }

  const seed = await readSecretFile(seedPath, MAX_PEER_KEY_BYTES)
  if (seed.byteLength !== PQ_SEED_BYTES) {
    throw new CorruptKeyFileError(seedPath, `${seed.byteLength} bytes, expected a ${PQ_SEED_BYTES}-byte ML-DSA-65 seed`)
  }
  const pq = mlDsa65.keygen(seed)

  const bindingBytes = await readSecretFile(bindingPath, MAX_BINDING_FILE_BYTES)
  let binding: IdentityBinding
  let boundPeer: PeerId
  try {
    binding = decodeBinding(bindingBytes)
    boundPeer = await verifyBinding(binding)
  } catch (err: any) {
    throw new CorruptKeyFileError(bindingPath, err.message, { cause: err })
  }

  const peerId = peerIdFromPrivateKey(privateKey)
  if (!boundPeer.equals(peerId)) {
    throw new CorruptKeyFileError(keyPath, `its PeerId ${peerId.toString()} is not the one in ${BINDING_FILE} (${boundPeer.toString()})`)
  }
  if (!equalBytes(pq.publicKey, binding.pqPublicKey)) {
    throw new CorruptKeyFileError(seedPath, `its ML-DSA-65 public key is not the one in ${BINDING_FILE}`)
  }
  return { peerId, privateKey, pq, pqSeed: seed, binding, pqFingerprint: pqFingerprintHex(pq.publicKey) }
}

function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((v, i) => v === b[i])
}

