import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { AddressPolicy } from '../src/address-policy.js'
import { LanDiscovery } from '../src/lan-discovery.js'
import type { PeerId, PeerInfo } from '@libp2p/interface'

async function peer (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

/** Feeds mDNS responses straight into the wrapper, as @libp2p/mdns would; no socket is opened. */
function respond (lan: LanDiscovery, id: PeerId, addrs: string[]): void {
  (lan as unknown as { onPeer: (info: PeerInfo) => void }).onPeer({ id, multiaddrs: addrs.map(a => multiaddr(a)) })
}

describe('LAN discovery (mDNS wrapper)', () => {
  it('caps the mDNS peers it forwards and dials; a slot frees when a held peer goes silent; only new addresses reach libp2p', async () => {
    const self = await peer()
    const lan = new LanDiscovery({ peerId: self, logger: defaultLogger(), addressManager: {} as any }, {
      serviceTag: '_smesh-test._udp.local',
      policy: new AddressPolicy({ interfaceSource: () => ({}) }),
      maxPeers: 2,
      forgetAfterMs: 50
    })
    const forwarded: string[] = []
    const beacons: string[] = []
    lan.addEventListener('peer', (e) => { forwarded.push(e.detail.id.toString()) })
    lan.addEventListener('lan:beacon', (e) => { beacons.push(e.detail.id.toString()) })
    const [a, b, c] = [await peer(), await peer(), await peer()]

    respond(lan, a, ['/ip4/192.168.1.2/tcp/7370'])
    respond(lan, a, ['/ip4/192.168.1.2/tcp/7370'])
    assert.deepEqual(forwarded, [a.toString()], 'a repeated response does not reach the peer store again')
    assert.deepEqual(beacons, [a.toString(), a.toString()], 'every response is a beacon (a dial hint)')
    respond(lan, a, ['/ip4/192.168.1.9/tcp/7370'])
    assert.equal(forwarded.length, 2, 'a changed address is forwarded')

    respond(lan, b, ['/ip4/192.168.1.3/tcp/7370'])
    const before = [forwarded.length, beacons.length]
    respond(lan, c, ['/ip4/192.168.1.4/tcp/7370'])
    assert.equal(lan.size, 2, 'never more than maxPeers held')
    assert.equal(lan.refusals, 1)
    assert.deepEqual([forwarded.length, beacons.length], before, 'a peer over the cap is neither stored nor dialed')
    await new Promise(resolve => setTimeout(resolve, 80))
    respond(lan, b, ['/ip4/192.168.1.3/tcp/7370']) // b answers again; a stays silent
    respond(lan, c, ['/ip4/192.168.1.4/tcp/7370'])
    assert.equal(forwarded.at(-1), c.toString(), 'c takes the slot of a, silent past the window')
    assert.equal(lan.size, 2)
  })

  it('keeps only LAN addresses, and ignores itself and responses with none', async () => {
    const self = await peer()
    const lan = new LanDiscovery({ peerId: self, logger: defaultLogger(), addressManager: {} as any }, {
      serviceTag: '_smesh-test._udp.local',
      policy: new AddressPolicy({ interfaceSource: () => ({}) })
    })
    const got: PeerInfo[] = []
    lan.addEventListener('lan:beacon', (e) => { got.push(e.detail) })
    const other = await peer()
    respond(lan, other, ['/ip4/127.0.0.1/tcp/7370', '/ip4/8.8.8.8/tcp/7370', '/ip4/10.1.2.3/tcp/7370'])
    respond(lan, await peer(), ['/ip4/127.0.0.1/tcp/7370', '/ip4/1.1.1.1/tcp/7370'])
    respond(lan, self, ['/ip4/10.1.2.4/tcp/7370'])
    assert.equal(got.length, 1)
    assert.deepEqual(got[0]?.multiaddrs.map(m => m.toString()), ['/ip4/10.1.2.3/tcp/7370'])
  })
})
