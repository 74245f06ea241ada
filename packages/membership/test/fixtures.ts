import { randomBytes } from 'node:crypto'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ml_dsa65 as mlDsa65 } from '@noble/post-quantum/ml-dsa.js'
import { Bus, LevelStorage, createSigner } from '@smesh/bus'
import { createBinding, encodeBinding, pqFingerprintHex } from '@smesh/identity'
import { Membership } from '../src/membership.js'
import { PolicyGate } from '../src/policy.js'
import { governance } from '../src/govern.js'
import type { MeshConfig } from '../src/mesh-file.js'

export interface Device {
  seed: Uint8Array
  binding: Uint8Array
  author: string
  peerId: string
}

export async function makeDevice (): Promise<Device> {
  const key = await generateKeyPair('Ed25519')
  const seed = new Uint8Array(randomBytes(32))
  const pq = mlDsa65.keygen(seed)
  return { seed, binding: encodeBinding(await createBinding(key, pq)), author: pqFingerprintHex(pq.publicKey), peerId: peerIdFromPrivateKey(key).toString() }
}

export function meshOf (root: Device, extra: Partial<MeshConfig> = {}): MeshConfig {
  return { version: 1, id: 'a'.repeat(32), name: 'test', networkKey: 'b'.repeat(64), root: root.author, rootPeerId: root.peerId, createdAt: Date.now(), ...extra }
}

/** A device's bus on a real LevelDB store, its admission the mesh's membership as this device sees it. */
export async function deviceBus (d: Device, mesh: MeshConfig, now?: () => number): Promise<{ bus: Bus, membership: Membership, gate: PolicyGate }> {
  const dir = await mkdtemp(join(tmpdir(), 'smesh-membership-'))
  const membership = new Membership({ mesh, self: d.author, now })
  const gate = new PolicyGate(membership, d.author, now)
  const { admission, authorizer } = governance(membership, gate, d.author)
  const bus = new Bus({ storage: new LevelStorage(join(dir, 'bus')), signer: createSigner(d.seed), binding: d.binding, identityCreated: true, admission, now })
  await bus.open()
  await membership.start(bus)
  await gate.start(bus)
  bus.authorizer = authorizer
  return { bus, membership, gate }
}

/** A modified node's bus: it signs whatever it is told, with no lease or policy check of its own. */
export async function rogueBus (d: Device, now?: () => number): Promise<Bus> {
  const dir = await mkdtemp(join(tmpdir(), 'smesh-membership-'))
  const bus = new Bus({ storage: new LevelStorage(join(dir, 'bus')), signer: createSigner(d.seed), binding: d.binding, identityCreated: true, now })
  await bus.open()
  return bus
}

export const body = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v))
