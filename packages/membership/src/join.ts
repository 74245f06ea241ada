import { pbStream } from '@libp2p/utils'
import { BROWSER_DEVICE_KIND, JOIN_VERSION, JoinResponse, MAX_AGENT_CHARS, MAX_JOIN_ADDRS, MAX_JOIN_REQUEST_BYTES, decodeJoinRequest } from '@smesh/protocols'
import { decodeBinding, pqFingerprintHex, verifyBinding } from '@smesh/identity'
import { JoinFailedError } from './errors.js'
import { MEMBER_KINDS, encodeBody } from './kinds.js'
import type { InviteStore } from './invites.js'
import type { AdmitBody } from './kinds.js'
import type { MeshConfig } from './mesh-file.js'
import type { Membership } from './membership.js'
import type { JoinRefusal } from './errors.js'
import type { Bus } from '@smesh/bus'
import type { Stream } from '@libp2p/interface'

export { JOIN_PROTOCOL } from '@smesh/protocols'
export { requestJoin } from './join-client.js'
export type { JoinResult, JoinRequestInit } from './join-client.js'

const REQUEST = { decode: decodeJoinRequest }
const MAX_DEVICE_NAME = 63

export interface JoinServerInit {
  mesh: MeshConfig
  bus: Bus
  membership: Membership
  invites: InviteStore
  /** This node's own addresses, for the joiner to dial once admitted. */
  addrs: () => string[]
  now?: () => number
}

export interface Joined {
  device: string
  peerId: string
  name: string
  lease: AdmitBody
  inviteId: string
}

function deviceName (raw: string, max = MAX_DEVICE_NAME): string {
  const clean = raw.replace(/[^\p{L}\p{N} ._'-]/gu, '').slice(0, max).trim()
  return clean === '' ? 'device' : clean
}

/**
 * The inviting side of /smesh/join/1.0.0: reads the joiner's request, checks
 * the mesh, the joiner's identity binding (it must bind the PeerId of the
 * connection) and the invite; marks the invite used, signs the joiner's
 * lease into the bus (`member.admit`) and sends it back. Any refusal is
 * answered with a code and changes nothing.
 */
export async function serveJoin (stream: Stream, remotePeer: string, init: JoinServerInit, signal: AbortSignal): Promise<Joined | undefined> {
  const pb = pbStream(stream, { maxDataLength: MAX_JOIN_REQUEST_BYTES })
  const req = await pb.read(REQUEST, { signal })
  const refuse = async (error: JoinRefusal, message: string): Promise<undefined> => {
    await pb.write({ ok: false, error, message, admit: new Uint8Array(0), addrs: [], scopes: [], leaseExpiresAt: 0n, meshName: '' }, JoinResponse, { signal })
    await stream.close({ signal }).catch(() => {})
    return undefined
  }
  if (req.version !== JOIN_VERSION) return await refuse('protocol', `join protocol version ${req.version} is not understood (this node speaks ${JOIN_VERSION})`)
  if (req.mesh !== init.mesh.id) return await refuse('wrong-mesh', 'the token is for another mesh')
  if (req.kind !== '' && req.kind !== BROWSER_DEVICE_KIND) return await refuse('protocol', `device kind ${JSON.stringify(req.kind.slice(0, 20))} is not known (a node sends none, a browser "${BROWSER_DEVICE_KIND}")`)
  let peerId: string
  let device: string
  try {
    const binding = decodeBinding(req.binding)
    peerId = (await verifyBinding(binding)).toString()
    device = pqFingerprintHex(binding.pqPublicKey)
  } catch (err: any) {
    return await refuse('bad-binding', `the joining device's identity binding does not verify: ${err.message as string}`)
  }
  if (peerId !== remotePeer) return await refuse('bad-binding', 'the identity binding names another PeerId than the connection\'s')
  const { bus, membership } = init
  if (!membership.has(bus.authorHex, 'admin')) return await refuse('not-admin', 'this node no longer holds the admin scope, so it cannot admit devices')
  if (membership.status(device) === 'revoked') return await refuse('revoked', 'this device was revoked from the mesh')
  let record
  try {
    record = await init.invites.take(req.secret, device)
  } catch (err: any) {
    if (err instanceof JoinFailedError) return await refuse(err.code, err.message)
    throw err
  }
  const now = (init.now ?? Date.now)()
  const lease: AdmitBody = {
    device,
    peerId,
    name: deviceName(req.name),
    scopes: record.scopes,
    issuedAt: now,
    expiresAt: now + record.leaseMs,
    renew: record.renew,
    leaseMs: record.leaseMs,
    ...(req.kind === BROWSER_DEVICE_KIND ? { kind: BROWSER_DEVICE_KIND, agent: req.agent === '' ? 'browser' : deviceName(req.agent, MAX_AGENT_CHARS) } : {})
  }
  let admit
  try {
    admit = await bus.append(MEMBER_KINDS.admit, encodeBody(lease), { signal })
  } catch (err: any) {
    await init.invites.release(record.id)
    return await refuse('busy', `the inviting node could not record the lease: ${err.message as string}`)
  }
  await pb.write({
    ok: true,
    error: '',
    message: '',
    admit: admit.bytes as Uint8Array<ArrayBuffer>,
    addrs: init.addrs().slice(0, MAX_JOIN_ADDRS),
    scopes: lease.scopes,
    leaseExpiresAt: BigInt(lease.expiresAt),
    meshName: init.mesh.name
  }, JoinResponse, { signal })
  await stream.close({ signal }).catch(() => {})
  return { device, peerId, name: lease.name, lease, inviteId: record.id }
}

