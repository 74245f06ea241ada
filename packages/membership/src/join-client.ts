import { pbStream } from '@libp2p/utils'
import { JOIN_VERSION, JoinRequest, MAX_JOIN_RESPONSE_BYTES, decodeJoinResponse } from '@smesh/protocols'
import { JoinFailedError } from './errors.js'
import type { JoinRefusal } from './errors.js'
import type { Stream } from '@libp2p/interface'

// The joining side of /smesh/join/1.0.0. It imports nothing of Node's, so a
// browser page (the phone) runs this same code (`@smesh/membership/join-client`).

const RESPONSE = { decode: decodeJoinResponse }

export interface JoinRequestInit {
  mesh: string
  secret: Uint8Array
  binding: Uint8Array
  name: string
  /** `browser` for a browser page; a node sends none. */
  kind?: string
  /** For a browser: which one, for people. */
  agent?: string
}

export interface JoinResult {
  admit: Uint8Array
  addrs: string[]
  scopes: string[]
  leaseExpiresAt: number
  /** The mesh's display name (empty from an inviter older than the phone link). */
  meshName: string
}

/** The joining side: sends the request, returns the lease or throws JoinFailedError with the inviter's reason. */
export async function requestJoin (stream: Stream, request: JoinRequestInit, signal: AbortSignal): Promise<JoinResult> {
  const pb = pbStream(stream, { maxDataLength: MAX_JOIN_RESPONSE_BYTES })
  await pb.write({ version: JOIN_VERSION, mesh: request.mesh, secret: request.secret as Uint8Array<ArrayBuffer>, binding: request.binding as Uint8Array<ArrayBuffer>, name: request.name, kind: request.kind ?? '', agent: request.agent ?? '' }, JoinRequest, { signal })
  const res = await pb.read(RESPONSE, { signal })
  await stream.close({ signal }).catch(() => {})
  if (!res.ok) {
    const known: JoinRefusal[] = ['unknown-invite', 'used', 'expired', 'revoked', 'wrong-mesh', 'bad-binding', 'not-admin', 'busy', 'protocol']
    const code = known.includes(res.error as JoinRefusal) ? res.error as JoinRefusal : 'protocol'
    throw new JoinFailedError(code, `the inviting node refused the join: ${res.message.slice(0, 300)}`)
  }
  return { admit: res.admit, addrs: res.addrs, scopes: res.scopes, leaseExpiresAt: Number(res.leaseExpiresAt), meshName: res.meshName }
}
