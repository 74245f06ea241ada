import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MAX_PRESENCE_BYTES, Presence, decodePresence, presenceTopic } from '@smesh/protocols'

describe('presence wire format', () => {
  const base: Presence = { version: 1, mesh: 'home', name: 'alpha', software: 'smesh/0.1.0', uptimeMs: 5n, bootId: 9n, seq: 3n, addrs: [], links: [], pqFingerprint: new Uint8Array(32), capabilities: [] }

  it('round-trips', () => {
    const p = { ...base, links: [{ peer: '12D3KooWabc', rttUs: 400 }], capabilities: [{ name: 'models', value: new Uint8Array([1, 2]) }] }
    assert.deepEqual(decodePresence(Presence.encode(p)), p)
  })

  it('refuses oversize messages and too many repeated entries', () => {
    assert.throws(() => decodePresence(new Uint8Array(MAX_PRESENCE_BYTES + 1)), /exceeds the 16384 byte limit/)
    const many = { ...base, addrs: Array.from({ length: 17 }, () => new Uint8Array([4, 10, 0, 0, 1])) }
    assert.throws(() => decodePresence(Presence.encode(many)))
    const links = { ...base, links: Array.from({ length: 257 }, (_, i) => ({ peer: `p${i}`, rttUs: 1 })) }
    assert.throws(() => decodePresence(Presence.encode(links)))
  })

  it('refuses malformed bytes', () => {
    // field 2 (mesh) claims 5 bytes, 1 follows
    assert.throws(() => decodePresence(new Uint8Array([0x12, 0x05, 0x61])))
    // a varint that never ends
    assert.throws(() => decodePresence(new Uint8Array([0x08, 0xff, 0xff, 0xff])))
  })

  it('topics are versioned and per mesh', () => {
    assert.equal(presenceTopic('home'), '/smesh/home/presence/1')
  })
})
