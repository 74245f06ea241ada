import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MAX_PRESENCE_ADDRS, MAX_PRESENCE_BYTES, MAX_PRESENCE_LINKS, Presence, decodePresence, presenceTopic } from '@smesh/protocols'
import { MaxLengthError } from 'protons-runtime'

describe('presence wire format', () => {
  const base: Presence = { version: 1, mesh: 'home', name: 'alpha', software: 'smesh/0.1.0', uptimeMs: 5n, bootId: 9n, bootTimeMs: 1_700_000_000_000n, seq: 3n, addrs: [], links: [], binding: new Uint8Array(5400), capabilities: [] }

  it('round-trips', () => {
    const p = { ...base, links: [{ peer: '12D3KooWabc', rttUs: 400 }], capabilities: [{ name: 'models', value: new Uint8Array([1, 2]) }] }
    assert.deepEqual(decodePresence(Presence.encode(p)), p)
  })

  it('accepts the limits exactly and refuses one more', () => {
    const addr = new Uint8Array([4, 10, 0, 0, 1, 6, 0x1c, 0xca])
    const full = { ...base, addrs: Array.from({ length: MAX_PRESENCE_ADDRS }, () => addr), links: Array.from({ length: MAX_PRESENCE_LINKS }, (_, i) => ({ peer: `12D3KooW${'x'.repeat(44)}${i}`, rttUs: 1 })) }
    assert.ok(Presence.encode(full).byteLength <= MAX_PRESENCE_BYTES, 'a beacon at every limit fits the byte limit')
    assert.equal(decodePresence(Presence.encode(full)).links.length, MAX_PRESENCE_LINKS)
    assert.throws(() => decodePresence(Presence.encode({ ...full, addrs: [...full.addrs, addr] })), MaxLengthError)
    assert.throws(() => decodePresence(Presence.encode({ ...full, links: [...full.links, { peer: 'p', rttUs: 1 }] })), MaxLengthError)
    assert.throws(() => decodePresence(new Uint8Array(MAX_PRESENCE_BYTES + 1)), /exceeds the 32768 byte limit/)
  })

  it('refuses malformed bytes', () => {
    // field 2 (mesh) claims 5 bytes, 1 follows
    assert.throws(() => decodePresence(new Uint8Array([0x12, 0x05, 0x61])), /index out of range/)
    // a varint that never ends
    assert.throws(() => decodePresence(new Uint8Array([0x08, 0xff, 0xff, 0xff])), /index out of range/)
  })

  it('topics are versioned and per mesh', () => {
    assert.equal(presenceTopic('home'), '/smesh/home/presence/2')
  })
})
