import 'fake-indexeddb/auto'
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createVerifier, decodeEntry, verifyEntrySignature, verifyFirstEntry } from '@smesh/bus'
import { OwnChain, withChain } from '../src/phone/chain.js'
import { forgetDevice, loadOrCreateKeys } from '../src/phone/keys.js'
import { agentName, wsAddrs } from '../src/phone/peer.js'

// The page's own code under Node, with fake-indexeddb in place of the
// browser's IndexedDB; what it signs is checked with the node's bus code.

const PEER = '12D3KooWRtGZUKpnrn5E4yvT9sMLoXCvrNaDpCeLhN5Ve2Y1kvjd'

describe('the phone page\'s device code', () => {
  it('makes its keys once and finds the same ones again', async () => {
    await forgetDevice()
    const a = await loadOrCreateKeys()
    const b = await loadOrCreateKeys()
    assert.equal(a.created, true)
    assert.equal(b.created, false)
    assert.equal(b.peerId, a.peerId)
    assert.equal(b.device, a.device)
    assert.match(a.device, /^[0-9a-f]{64}$/)
    await forgetDevice()
    assert.notEqual((await loadOrCreateKeys()).peerId, a.peerId, 'leaving the mesh deletes the keys')
  })

  it('signs a chain the node\'s bus code verifies: the first entry with its key and binding, then linked entries', async () => {
    await forgetDevice()
    const keys = await loadOrCreateKeys()
    const chain = await OwnChain.load(keys)
    const body = new TextEncoder().encode(JSON.stringify({ key: 'notes/a', value: 1 }))
    const first = await chain.sign('memory.put', body)
    const second = await (await OwnChain.load(keys)).sign('memory.put', body)
    const e1 = decodeEntry(first.bytes)
    const e2 = decodeEntry(second.bytes)
    assert.equal(e1.seq, 1n)
    assert.equal(e2.seq, 2n, 'the chain goes on across reloads')
    assert.equal(e1.authorHex, keys.device)
    assert.equal(await verifyFirstEntry(e1), keys.peerId)
    const verifier = createVerifier(e1.entry.publicKey)
    assert.ok(verifyEntrySignature(e1, verifier))
    assert.ok(verifyEntrySignature(e2, verifier))
    assert.deepEqual(e2.entry.prev, e1.hash)
    assert.ok(e2.hlc.ms > e1.hlc.ms || (e2.hlc.ms === e1.hlc.ms && e2.hlc.counter > e1.hlc.counter))
  })

  it('takes back only the last entry a node refused, and keeps the rest to push again', async () => {
    await forgetDevice()
    const keys = await loadOrCreateKeys()
    const chain = await OwnChain.load(keys)
    const body = new TextEncoder().encode('{"key":"k","value":1}')
    const one = await chain.sign('memory.put', body)
    const two = await chain.sign('memory.put', body)
    await chain.takeBack(one)
    assert.equal(chain.seq, 2n, 'an entry that is not the last is never taken back')
    await chain.takeBack(two)
    assert.equal(chain.seq, 1n)
    const again = await chain.sign('memory.put', body)
    assert.equal(again.seq, 2n)
    assert.deepEqual(decodeEntry(again.bytes).entry.prev, one.hash)
    assert.deepEqual(chain.after(0n).map(b => decodeEntry(b).seq), [1n, 2n])
    assert.deepEqual(chain.after(1n).map(b => decodeEntry(b).hashHex), [again.hashHex])
  })

  it('signs one entry at a time: two saves at once get seq 1 and 2, never one seq twice', async () => {
    await forgetDevice()
    const keys = await loadOrCreateKeys()
    const body = new TextEncoder().encode('{"key":"k","value":1}')
    const [a, b] = await Promise.all([withChain(keys, async c => await c.sign('memory.put', body)), withChain(keys, async c => await c.sign('memory.put', body))])
    assert.deepEqual([a?.seq, b?.seq].sort(), [1n, 2n])
    assert.deepEqual(decodeEntry((b as NonNullable<typeof b>).bytes).entry.prev, (a as NonNullable<typeof a>).hash)
  })

  it('names the browser for the members list', () => {
    assert.equal(agentName('Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36'), 'Chrome 156 on Android')
    assert.equal(agentName('Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1'), 'Safari 18 on iOS')
    assert.equal(agentName('Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0'), 'Firefox 140 on Linux')
    assert.equal(agentName(''), 'browser')
  })

  it('dials only the WebSockets addresses its page may: on the LAN, ws:// over http, wss:// over https, each with the PeerId', () => {
    const addrs = ['/ip4/10.0.0.5/tcp/7370', '/ip4/10.0.0.5/tcp/7372/ws', '/ip4/10.0.0.5/tcp/7373/tls/ws', 'not an address', '/ip4/8.8.8.8/tcp/7372/ws', '/dns4/example.com/tcp/7372/ws']
    assert.deepEqual(wsAddrs(addrs, PEER, false), [`/ip4/10.0.0.5/tcp/7372/ws/p2p/${PEER}`])
    assert.deepEqual(wsAddrs(addrs, PEER, true), [`/ip4/10.0.0.5/tcp/7373/tls/ws/p2p/${PEER}`])
    assert.deepEqual(wsAddrs(['/ip4/192.168.1.9/tcp/1/ws', '/ip4/172.31.0.1/tcp/1/ws', '/ip4/172.32.0.1/tcp/1/ws', '/dns4/desk.local/tcp/1/ws', '/ip6/fd00::1/tcp/1/ws', '/ip6/2001:db8::1/tcp/1/ws'], PEER, false).map(a => a.split('/tcp/')[0]), ['/ip4/192.168.1.9', '/ip4/172.31.0.1', '/dns4/desk.local', '/ip6/fd00::1'])
  })
})
