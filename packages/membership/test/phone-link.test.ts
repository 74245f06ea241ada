import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { PhoneLink } from '@smesh/protocols'
import { InvalidTokenError } from '../src/errors.js'
import { decodePhoneFragment, encodePhoneFragment, phoneLinkUrl } from '../src/phone-link.js'
import type { PhoneInvite } from '../src/phone-link.js'

const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
const invite = (over: Partial<PhoneInvite> = {}): PhoneInvite => ({
  mesh: randomBytes(16).toString('hex'),
  secret: new Uint8Array(randomBytes(32)),
  networkKey: randomBytes(32).toString('hex'),
  inviterPeerId: peerId,
  wsPort: 40123,
  expiresAt: Date.now() + 3600_000,
  ...over
})

const fails = (fragment: string, problem: string, now?: number): void => {
  assert.throws(() => decodePhoneFragment(fragment, now), (err: unknown) => err instanceof InvalidTokenError && err.problem === problem && err.hint !== '')
}

describe('phone links', () => {
  it('round-trip every field, in a URL short enough for a QR code read from a terminal', () => {
    const i = invite()
    const url = phoneLinkUrl('192.168.178.23', 7380, i)
    assert.match(url, /^http:\/\/192\.168\.178\.23:7380\/#[A-Za-z0-9_-]+$/)
    // at most QR version 10 at level L (57 x 57 modules: 33 lines of a terminal, 271 bytes)
    assert.ok(url.length <= 230, `${url.length} characters`)
    const back = decodePhoneFragment(new URL(url).hash)
    assert.deepEqual({ ...back, secret: [...back.secret] }, { ...i, secret: [...i.secret] })
  })

  it('put an IPv6 host in brackets', () => {
    assert.match(phoneLinkUrl('fd00::5', 7380, invite()), /^http:\/\/\[fd00::5\]:7380\/#/)
  })

  it('refuse a missing, damaged, cut, oversized or expired invite, naming the problem', () => {
    const f = encodePhoneFragment(invite())
    fails('', 'format')
    fails('#', 'format')
    fails(f.slice(0, 20) + '!' + f.slice(21), 'format')
    fails(f.slice(0, 40), 'format')
    fails('A'.repeat(400), 'format')
    fails(encodePhoneFragment(invite({ expiresAt: 1000 })), 'expired')
  })

  it('refuse another version, a PeerId that is not one, and keys of the wrong size', () => {
    const base = PhoneLink.decode(Buffer.from(encodePhoneFragment(invite()), 'base64url'))
    const enc = (over: Partial<PhoneLink>): string => Buffer.from(PhoneLink.encode({ ...base, ...over })).toString('base64url')
    fails(enc({ version: 2 }), 'version')
    fails(enc({ peer: new Uint8Array([1, 2, 3]) }), 'fields')
    fails(enc({ secret: new Uint8Array(31) }), 'fields')
    fails(enc({ networkKey: new Uint8Array(16) }), 'fields')
    fails(enc({ mesh: new Uint8Array(0) }), 'fields')
    fails(enc({ wsPort: 0 }), 'fields')
  })
})
