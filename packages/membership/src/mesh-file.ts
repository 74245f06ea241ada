import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { readSecretFile, writeNewSecretFile } from '@smesh/identity'
import { MeshExistsError, MeshFileError, NoMeshError } from './errors.js'
import { swarmKeyOf } from './phone-link.js'

export const MESH_FILE = 'mesh.json'
const MAX_MESH_FILE_BYTES = 64 * 1024
const MESH_ID = /^[0-9a-f]{32}$/
const HEX64 = /^[0-9a-f]{64}$/
export const MESH_DISPLAY_NAME = /^[\p{L}\p{N} ._'-]{1,63}$/u

/**
 * What a device knows of its mesh, in `<dataDir>/mesh.json` (mode 0600: it
 * holds the network key). Written once, by `smesh init` or `smesh join`.
 */
export interface MeshConfig {
  version: 1
  /** 32 hex digits; names the mesh's topics and mDNS service. */
  id: string
  name: string
  /** The pre-shared network key (64 hex digits): without it no connection completes. */
  networkKey: string
  /** The creator's bus author id: the root admin, a member with every scope that cannot be revoked. */
  root: string
  rootPeerId: string
  createdAt: number
  /** The node that admitted this device, dialed until the device has learned the membership. */
  introducer?: { peerId: string, addrs: string[] }
  /**
   * The lease the introducer signed for this device, as it answered the join:
   * the device may write under it before its bus holds the signed entry.
   * Peers check every entry against the leases on their own bus.
   */
  lease?: { device: string, scopes: string[], issuedAt: number, expiresAt: number }
}

export function meshFilePath (dataDir: string): string {
  return join(dataDir, MESH_FILE)
}

/** A new mesh created by the device with author id `root`. */
export function newMeshConfig (name: string, root: string, rootPeerId: string): MeshConfig {
  if (!MESH_DISPLAY_NAME.test(name)) throw new MeshFileError(`invalid mesh name ${JSON.stringify(name)}`, 'a mesh name is 1-63 letters, digits, spaces, ".", "_", "\'" or "-"')
  return { version: 1, id: randomBytes(16).toString('hex'), name, networkKey: randomBytes(32).toString('hex'), root, rootPeerId, createdAt: Date.now() }
}

function check (v: any, path: string): MeshConfig {
  const ok = v != null && typeof v === 'object' && v.version === 1 && MESH_ID.test(v.id) && typeof v.name === 'string' && MESH_DISPLAY_NAME.test(v.name) &&
    HEX64.test(v.networkKey) && HEX64.test(v.root) && typeof v.rootPeerId === 'string' && Number.isSafeInteger(v.createdAt) &&
    (v.lease === undefined || (HEX64.test(v.lease.device) && Array.isArray(v.lease.scopes) && Number.isSafeInteger(v.lease.expiresAt))) &&
    (v.introducer === undefined || (typeof v.introducer.peerId === 'string' && Array.isArray(v.introducer.addrs) && v.introducer.addrs.every((a: unknown) => typeof a === 'string')))
  if (!ok) throw new MeshFileError(`${path} is damaged: a field is missing or invalid`)
  return v as MeshConfig
}

/** Reads the mesh file; NoMeshError when there is none. */
export async function readMeshConfig (dataDir: string): Promise<MeshConfig> {
  const path = meshFilePath(dataDir)
  let bytes: Uint8Array
  try {
    bytes = await readSecretFile(path, MAX_MESH_FILE_BYTES)
  } catch (err: any) {
    if (err.code === 'ENOENT') throw new NoMeshError(dataDir)
    throw err
  }
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    throw new MeshFileError(`${path} is not valid JSON`)
  }
  return check(json, path)
}

export async function readMeshConfigIfAny (dataDir: string): Promise<MeshConfig | undefined> {
  try {
    return await readMeshConfig(dataDir)
  } catch (err) {
    if (err instanceof NoMeshError) return undefined
    throw err
  }
}

/** Writes the mesh file once; MeshExistsError if the data dir already has one. */
export async function writeMeshConfig (dataDir: string, config: MeshConfig): Promise<void> {
  try {
    await writeNewSecretFile(meshFilePath(dataDir), JSON.stringify(config, null, 2) + '\n')
  } catch (err: any) {
    if (err.code === 'EEXIST') {
      const existing = await readMeshConfigIfAny(dataDir)
      throw new MeshExistsError(dataDir, existing != null ? `${existing.name} (${existing.id})` : '(unreadable mesh.json)')
    }
    throw err
  }
}

/** The network key in the libp2p swarm key format @libp2p/pnet reads. */
export function swarmKey (config: Pick<MeshConfig, 'networkKey'>): Uint8Array {
  return swarmKeyOf(config.networkKey)
}
