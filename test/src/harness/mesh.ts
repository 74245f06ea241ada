import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { ml_dsa65 as mlDsa65 } from '@noble/post-quantum/ml-dsa.js'
import { createBinding, encodeBinding } from '@smesh/identity'
import { decodeToken, swarmKey } from '@smesh/membership'
import { joinWithToken } from '@smesh/node'
import { SmeshProcess } from './smesh-process.js'
import type { StartOptions } from './smesh-process.js'
import type { Identity } from '@smesh/identity'
import type { JoinResult } from '@smesh/membership'
import type { PrivateKey } from '@libp2p/interface'

/**
 * A mesh of real processes, made the way a user makes one: the first node
 * runs `smesh init` and `smesh start`; each other node `smesh join TOKEN`
 * with a token from the first (tokens made first, joins in parallel).
 */
export async function startMesh (specs: StartOptions[], inviteOptions: { scopes?: string, leaseMs?: number, renew?: boolean } = {}): Promise<SmeshProcess[]> {
  const [first, ...rest] = specs
  if (first == null) return []
  const root = await SmeshProcess.start(first)
  const tokens: string[] = []
  for (let i = 0; i < rest.length; i++) tokens.push(await root.invite(inviteOptions))
  const others = await Promise.all(rest.map(async (spec, i) => await SmeshProcess.start({ ...spec, join: tokens[i] })))
  return [root, ...others]
}

export interface InProcessMember {
  privateKey: PrivateKey
  seed: Uint8Array
  binding: Uint8Array
  networkKey: Uint8Array
  mesh: string
  join: JoinResult
}

/**
 * A member made in this test process: fresh keys, admitted through the real
 * join protocol with `token`. For peers that misbehave on purpose.
 */
export async function joinInProcess (token: string, name: string): Promise<InProcessMember> {
  const invite = decodeToken(token)
  const privateKey = await generateKeyPair('Ed25519')
  const seed = new Uint8Array(randomBytes(32))
  const binding = await createBinding(privateKey, mlDsa65.keygen(seed))
  const identity = { privateKey, binding } as unknown as Identity
  const join = await joinWithToken(invite, identity, name)
  return { privateKey, seed, binding: encodeBinding(binding), networkKey: swarmKey(invite), mesh: invite.mesh, join }
}
