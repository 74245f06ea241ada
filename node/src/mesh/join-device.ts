import { multiaddr } from '@multiformats/multiaddr'
import { encodeBinding } from '@smesh/identity'
import { createJoinPeer } from '@smesh/mesh'
import { JOIN_PROTOCOL, JoinFailedError, requestJoin, swarmKey } from '@smesh/membership'
import type { Identity } from '@smesh/identity'
import type { Invite, JoinResult } from '@smesh/membership'

/** How long reaching one of the token's addresses may take. */
const DIAL_TIMEOUT_MS = 8_000

/**
 * The joining device's side of an invite: a bare libp2p node with the
 * mesh's network key dials the inviter's join listener at each address of
 * the token in turn, proves the invite's secret and this device's identity,
 * and comes back with the signed lease. Nothing is written here.
 */
export async function joinWithToken (invite: Invite, identity: Identity, name: string, options: { signal?: AbortSignal, onAttempt?: (addr: string) => void } = {}): Promise<JoinResult> {
  const peer = await createJoinPeer({ privateKey: identity.privateKey, networkKey: swarmKey(invite) })
  await peer.start()
  try {
    let last: Error | undefined
    for (const a of invite.addrs) {
      options.signal?.throwIfAborted()
      let ma
      try {
        ma = multiaddr(a)
      } catch {
        continue
      }
      if (!ma.toString().includes('/p2p/')) ma = ma.encapsulate(`/p2p/${invite.inviterPeerId}`)
      options.onAttempt?.(ma.toString())
      const signal = AbortSignal.any([...(options.signal != null ? [options.signal] : []), AbortSignal.timeout(DIAL_TIMEOUT_MS)])
      try {
        const stream = await peer.dialProtocol(ma, JOIN_PROTOCOL, { signal })
        return await requestJoin(stream, { mesh: invite.mesh, secret: invite.secret, binding: encodeBinding(identity.binding), name }, signal)
      } catch (err: any) {
        if (err instanceof JoinFailedError) throw err
        last = err
      }
    }
    throw new JoinFailedError('unreachable', `could not reach the inviting node at ${invite.addrs.join(', ')}${last != null ? ` (${last.message})` : ''}`)
  } finally {
    await peer.stop()
  }
}
