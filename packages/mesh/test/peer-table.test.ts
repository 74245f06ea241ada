import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PeerTable } from '../src/peer-table.js'
import type { Presence } from '@smesh/protocols'

function fakeClock (): { mono: () => number, wall: () => number, advance: (ms: number) => void } {
  let t = 1_000
  return { mono: () => t, wall: () => 1_700_000_000_000 + t, advance: (ms) => { t += ms } }
}

function presence (seq: bigint, bootId = 7n, extra: Partial<Presence> = {}): Presence {
  return { version: 1, mesh: 'home', name: 'beta', software: 'smesh/0.1.0', uptimeMs: 10n, bootId, seq, addrs: [], links: [], pqFingerprint: new Uint8Array([0xab]), capabilities: [], ...extra }
}

describe('peer table', () => {
  it('a peer heard within 20 s stays; silent for more than 20 s it is listed as silent', () => {
    const clock = fakeClock()
    const table = new PeerTable(clock)
    assert.equal(table.heardMdns('p1', ['/ip4/10.0.0.2/tcp/7370']), true)
    clock.advance(19_999)
    assert.deepEqual(table.silent(20_000), [])
    clock.advance(2)
    const silent = table.silent(20_000)
    assert.equal(silent.length, 1)
    assert.equal(silent[0]?.peerId, 'p1')
    assert.equal(silent[0]?.silentMs, 20_001)
  })

  it('every beacon, mDNS or presence, resets the silence', () => {
    const clock = fakeClock()
    const table = new PeerTable(clock)
    table.heardMdns('p1', [])
    for (let i = 0; i < 10; i++) {
      clock.advance(15_000)
      if (i % 2 === 0) table.heardMdns('p1', [])
      else assert.notEqual(table.heardPresence('p1', presence(BigInt(i)), []), 'replayed')
      assert.deepEqual(table.silent(20_000), [])
    }
  })

  it('a replayed or late presence of the same boot does not count as heard', () => {
    const clock = fakeClock()
    const table = new PeerTable(clock)
    assert.equal(table.heardPresence('p1', presence(5n), []), 'new')
    clock.advance(18_000)
    assert.equal(table.heardPresence('p1', presence(5n), []), 'replayed')
    assert.equal(table.heardPresence('p1', presence(4n), []), 'replayed')
    clock.advance(3_000)
    assert.equal(table.silent(20_000).length, 1, 'replays did not keep the peer alive')
    // a restart (new boot id) starts its sequence again and is accepted
    assert.equal(table.heardPresence('p1', presence(1n, 8n), []), 'updated')
    assert.equal(table.silent(20_000).length, 0)
  })

  it('keeps what the presence says: name, links, fingerprint', () => {
    const table = new PeerTable(fakeClock())
    table.heardPresence('p1', presence(1n, 1n, { links: [{ peer: 'p2', rttUs: 1500 }, { peer: 'p3', rttUs: 0 }] }), ['/ip4/10.0.0.2/tcp/7370'])
    const r = table.get('p1')
    assert.equal(r?.name, 'beta')
    assert.deepEqual(r?.links, [{ peerId: 'p2', rttMs: 1.5 }, { peerId: 'p3', rttMs: null }])
    assert.equal(r?.pqFingerprint, 'ab')
    assert.deepEqual(r?.addrs, ['/ip4/10.0.0.2/tcp/7370'])
  })

  it('a pruned peer comes back as new when heard again', () => {
    const clock = fakeClock()
    const table = new PeerTable(clock)
    table.heardMdns('p1', [])
    clock.advance(25_000)
    for (const { peerId } of table.silent(20_000)) table.remove(peerId)
    assert.equal(table.size, 0)
    assert.equal(table.heardMdns('p1', []), true)
  })
})
