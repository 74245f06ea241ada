import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PeerTable, cleanText } from '../src/peer-table.js'
import type { Presence } from '@smesh/protocols'

const LIMITS = { name: 63, software: 64 }
const PEER_A = '12D3KooWR729YkMbt8hX2tKmf73n4BUpm9UNnche9wC8kn47zb8S'

function fakeClock (): { mono: () => number, wall: () => number, advance: (ms: number) => void } {
  let t = 1_000
  return { mono: () => t, wall: () => 1_700_000_000_000 + t, advance: (ms) => { t += ms } }
}

function beacon (seq: bigint, bootId = 7n, extra: Partial<Presence> = {}): Presence {
  return { version: 1, mesh: 'home', name: 'beta', software: 'smesh/0.1.0', uptimeMs: 10n, bootId, bootTimeMs: bootId * 1000n, seq, addrs: [], links: [], binding: new Uint8Array(0), capabilities: [], ...extra }
}

describe('peer table', () => {
  it('a peer heard within 20 s stays; silent for more than 20 s it is listed as silent', () => {
    const clock = fakeClock()
    const table = new PeerTable(clock)
    assert.equal(table.heard('p1', beacon(1n), ['/ip4/10.0.0.2/tcp/7370'], LIMITS), 'new')
    clock.advance(20_000)
    assert.deepEqual(table.silent(20_000), [], 'exactly 20 s is not yet stale')
    clock.advance(1)
    const silent = table.silent(20_000)
    assert.equal(silent.length, 1)
    assert.equal(silent[0]?.peerId, 'p1')
    assert.equal(silent[0]?.silentMs, 20_001)
  })

  it('capabilities ride on some beacons: one without them keeps the last ones, one with them replaces them', () => {
    const table = new PeerTable(fakeClock())
    const advert = (b: number): Presence['capabilities'] => [{ name: 'models', value: new Uint8Array([b, b]) }]
    table.heard('p1', beacon(1n, 7n, { capabilities: advert(1) }), [], LIMITS)
    table.heard('p1', beacon(2n), [], LIMITS)
    assert.deepEqual([...(table.get('p1')?.capabilities.get('models') ?? [])], [1, 1], 'a beacon without capabilities changes nothing')
    table.heard('p1', beacon(3n, 7n, { capabilities: advert(2) }), [], LIMITS)
    assert.deepEqual([...(table.get('p1')?.capabilities.get('models') ?? [])], [2, 2])
  })

  it('every beacon resets the silence', () => {
    const clock = fakeClock()
    const table = new PeerTable(clock)
    for (let i = 1; i <= 10; i++) {
      assert.notEqual(table.heard('p1', beacon(BigInt(i)), [], LIMITS), 'replayed')
      clock.advance(15_000)
      assert.deepEqual(table.silent(20_000), [])
    }
  })

  it('a replayed or late beacon of the same boot does not count as heard', () => {
    const clock = fakeClock()
    const table = new PeerTable(clock)
    assert.equal(table.heard('p1', beacon(5n), [], LIMITS), 'new')
    clock.advance(18_000)
    assert.equal(table.heard('p1', beacon(5n), [], LIMITS), 'replayed')
    assert.equal(table.heard('p1', beacon(4n), [], LIMITS), 'replayed')
    clock.advance(3_000)
    assert.equal(table.silent(20_000).length, 1, 'replays did not keep the peer alive')
    // a restart (new boot id) starts its sequence again and is accepted
    assert.equal(table.heard('p1', beacon(1n, 8n), [], LIMITS), 'updated')
    assert.equal(table.silent(20_000).length, 0)
  })

  it('a captured beacon of an older boot, replayed after a restart, is not taken for another restart', () => {
    const clock = fakeClock()
    const table = new PeerTable(clock)
    assert.equal(table.heard('p1', beacon(40n, 7n), [], LIMITS), 'new') // boot 7 (started at 7000)
    assert.equal(table.heard('p1', beacon(1n, 9n), [], LIMITS), 'updated') // restart: boot 9 (started at 9000)
    clock.advance(18_000)
    assert.equal(table.heard('p1', beacon(41n, 7n), [], LIMITS), 'replayed', 'boot 7 started before boot 9')
    clock.advance(3_000)
    assert.equal(table.silent(20_000).length, 1)
  })

  it('keeps what the beacon says, with names cleaned and bad links dropped', () => {
    const table = new PeerTable(fakeClock())
    table.heard('p1', beacon(1n, 1n, {
      name: 'be\u001b[31mta\u0007' + 'x'.repeat(100),
      links: [{ peer: PEER_A, rttUs: 1500 }, { peer: 'not a peer id', rttUs: 5 }, { peer: 'p1', rttUs: 1 }]
    }), ['/ip4/10.0.0.2/tcp/7370'], LIMITS)
    const r = table.get('p1')
    assert.equal(r?.name, 'be[31mta' + 'x'.repeat(55), 'control characters removed, 63 characters kept')
    assert.deepEqual(r?.links, [{ peerId: PEER_A, rttMs: 1.5 }])
    assert.deepEqual(r?.addrs, ['/ip4/10.0.0.2/tcp/7370'])
    assert.equal(r?.pqFingerprint, '', 'the fingerprint is set only after the binding verifies')
  })

  it('a pruned peer comes back as new when heard again', () => {
    const clock = fakeClock()
    const table = new PeerTable(clock)
    table.heard('p1', beacon(1n), [], LIMITS)
    clock.advance(25_000)
    for (const { peerId } of table.silent(20_000)) table.remove(peerId)
    assert.equal(table.size, 0)
    assert.equal(table.heard('p1', beacon(2n), [], LIMITS), 'new')
  })

  it('a subscription over an authenticated connection lists a peer; its first beacon names it', () => {
    const clock = fakeClock()
    const table = new PeerTable(clock)
    assert.equal(table.heardSubscription('p1'), true)
    assert.equal(table.get('p1')?.name, '')
    clock.advance(15_000)
    assert.equal(table.heardSubscription('p1'), false, 'known already')
    clock.advance(15_000)
    assert.deepEqual(table.silent(20_000), [], 'the second subscription counted as heard')
    assert.equal(table.heard('p1', beacon(1n), [], LIMITS), 'updated')
    assert.equal(table.get('p1')?.name, 'beta')
  })

  it('cleanText removes terminal escapes and bidi controls', () => {
    assert.equal(cleanText('\u202eevil\u202c name\n', 63), 'evil name')
    assert.equal(cleanText('  ', 63), '')
  })
})
