import { publicKeyFromProtobuf, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { SignedPresence, decodePresence, decodeSignedPresence, presenceSigningBytes } from '@smesh/protocols'
import type { Presence } from '@smesh/protocols'
import type { PeerId, PrivateKey } from '@libp2p/interface'

/** A beacon that verified, and the PeerId of the key that signed it. */
export interface OpenedBeacon {
  from: PeerId
  presence: Presence
}

/**
 * Presence beacons signed by their sender (gossip itself is unsigned:
 * StrictNoSign): the envelope this node publishes, and the check of the
 * ones it receives.
 */
export class SignedBeacons {
  private readonly ownKey: Uint8Array<ArrayBuffer>
  /** What was opened (null: refused), keyed by the message's bytes: the validator and the message event see the same ones, so each is verified once. */
  private readonly opened = new WeakMap<Uint8Array, OpenedBeacon | null>()

  constructor (private readonly privateKey: PrivateKey) {
    this.ownKey = new Uint8Array(publicKeyToProtobuf(privateKey.publicKey))
  }

  /** The envelope of an encoded beacon, signed with this node's key. */
  async seal (presence: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
    const signature = new Uint8Array(await this.privateKey.sign(presenceSigningBytes(presence)))
    return SignedPresence.encode({ presence, publicKey: this.ownKey, signature })
  }

  /** A beacon whose Ed25519 signature verifies, and its sender; undefined for anything else (malformed, another key type, a bad signature). */
  async open (data: Uint8Array): Promise<OpenedBeacon | undefined> {
    const cached = this.opened.get(data)
    if (cached !== undefined) return cached ?? undefined
    let out: OpenedBeacon | undefined
    try {
      const s = decodeSignedPresence(data)
      const key = publicKeyFromProtobuf(s.publicKey)
      if (key.type === 'Ed25519' && await key.verify(presenceSigningBytes(s.presence), s.signature)) {
        out = { from: peerIdFromPublicKey(key), presence: decodePresence(s.presence) }
      }
    } catch {
      out = undefined
    }
    this.opened.set(data, out ?? null)
    return out
  }
}
