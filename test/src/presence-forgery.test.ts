import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, describe, it } from 'node:test'
import { publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createMeshNode } from '@smesh/mesh'
import { PRESENCE_VERSION, Presence, SignedPresence, presenceSigningBytes, presenceTopic } from '@smesh/protocols'
import { SmeshProcess, waitFor } from './harness/smesh-process.js'
import { joinInProcess } from './harness/mesh.js'
import type { MeshNode } from '@smesh/mesh'

/**
 * Gossip carries no gossipsub signature (StrictNoSign): a beacon is signed
 * by its sender inside the beacon, and the sender is the key that signed it.
 * A member (mallory, a real libp2p node in this process) publishes beacons
 * in the name of another member (carol, admitted but never started) to a
 * real smesh node.
 */
describe('presence beacons are signed by their sender', { timeout: 120_000 }, () => {
  let victim: SmeshProcess | undefined
  let mallory: MeshNode | undefined
  after(async () => {
    await mallory?.stop()
    await victim?.stop()
  })

  it('a beacon in another member\'s name, signed by the wrong key or not at all, lists no one; the sender\'s own signed beacon is taken', async () => {
    victim = await SmeshProcess.start({ name: 'victim', args: ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0'] })
    const victimAddr = (await victim.id()).listenAddrs[0] as string
    const m = await joinInProcess(await victim.invite(), 'mallory')
    const carol = await joinInProcess(await victim.invite(), 'carol')
    const carolId = peerIdFromPrivateKey(carol.privateKey).toString()
    mallory = await createMeshNode({
      privateKey: m.privateKey, mesh: m.mesh, name: 'mallory', software: 'smesh/0.1.0', binding: m.binding, networkKey: m.networkKey,
      listen: ['/ip4/127.0.0.1/tcp/0'], peers: [victimAddr], mdns: false
    })
    await mallory.start()
    const malloryId = mallory.peerId.toString()
    await waitFor(async () => (await victim?.peers())?.some(p => p.peerId === malloryId && p.name === 'mallory'), { timeoutMs: 20_000, what: 'the victim to list mallory from her own beacons' })

    const topic = presenceTopic(m.mesh)
    const bootId = BigInt('0x' + randomBytes(8).toString('hex'))
    const beacon = (name: string, seq: bigint): Uint8Array<ArrayBuffer> => Presence.encode({
      version: PRESENCE_VERSION, mesh: m.mesh, name, software: 'smesh/0.1.0', uptimeMs: 1000n, bootId, bootTimeMs: BigInt(Date.now()), seq, addrs: [], links: [], binding: new Uint8Array(0), capabilities: []
    })
    const carolKey = new Uint8Array(publicKeyToProtobuf(carol.privateKey.publicKey))
    const malloryKey = new Uint8Array(publicKeyToProtobuf(m.privateKey.publicKey))
    // two forgeries a second for 7 s: a relayed beacon of a peer not yet listed needs two of one boot most of an interval apart
    for (let seq = 1n; seq <= 14n; seq++) {
      const presence = beacon('carol', seq)
      const byMallory = new Uint8Array(await m.privateKey.sign(presenceSigningBytes(presence)))
      // carol's key, mallory's signature; then carol's key and a signature of zeros
      await mallory.services.pubsub.publish(topic, SignedPresence.encode({ presence, publicKey: carolKey, signature: byMallory }))
      await mallory.services.pubsub.publish(topic, SignedPresence.encode({ presence: beacon('carol', seq + 100n), publicKey: carolKey, signature: new Uint8Array(64) }))
      await new Promise(resolve => setTimeout(resolve, 500))
    }
    const peers = await victim.peers()
    assert.equal(peers.find(p => p.peerId === carolId), undefined, `carol is not listed: ${JSON.stringify(peers.map(p => p.name))}`)
    assert.ok(peers.some(p => p.peerId === malloryId && p.name === 'mallory'), 'mallory is listed under her own name')

    // the control: a beacon mallory signs herself, of a new boot under a new name, is taken at once
    const renamed = beacon('mallory-renamed', 1n)
    const signature = new Uint8Array(await m.privateKey.sign(presenceSigningBytes(renamed)))
    await mallory.services.pubsub.publish(topic, SignedPresence.encode({ presence: renamed, publicKey: malloryKey, signature }))
    await waitFor(async () => (await victim?.peers())?.some(p => p.peerId === malloryId && p.name === 'mallory-renamed'), { timeoutMs: 5_000, what: 'the victim to take mallory\'s own signed beacon' })
  })
})
