import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { InviteStore } from '../src/invites.js'
import { decodeToken, encodeToken } from '../src/token.js'
import type { Invite } from '../src/token.js'

const invite = (over: Partial<Invite> = {}): Invite => ({
  mesh: 'c'.repeat(32),
  name: 'home',
  networkKey: 'd'.repeat(64),
  root: 'e'.repeat(64),
  rootPeerId: '12D3KooWroot',
  inviterPeerId: '12D3KooWinviter',
  addrs: ['/ip4/192.168.1.2/tcp/40000'],
  secret: new Uint8Array(randomBytes(32)),
  expiresAt: Date.now() + 60_000,
  ...over
})

describe('join tokens', () => {
  it('round-trip every field', () => {
    const i = invite()
    const t = encodeToken(i)
    assert.match(t, /^smesh1[A-Za-z0-9_-]+$/)
    assert.deepEqual({ ...decodeToken(t), secret: [...decodeToken(t).secret] }, { ...i, secret: [...i.secret] })
  })

  it('a changed, cut or foreign token fails with its reason', () => {
    const t = encodeToken(invite())
    const flip = (s: string, at: number): string => s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1)
    for (let at = 6; at < t.length; at += 17) {
      assert.throws(() => decodeToken(flip(t, at)), (err: any) => err.name === 'InvalidTokenError' && ['checksum', 'format'].includes(err.problem), `changed at ${at}`)
    }
    assert.throws(() => decodeToken(t.slice(0, -3)), (err: any) => err.problem === 'checksum' || err.problem === 'format')
    assert.throws(() => decodeToken('hello'), (err: any) => err.problem === 'format')
    assert.throws(() => decodeToken('smesh1' + 'A'.repeat(5000)), (err: any) => err.problem === 'format')
    assert.throws(() => decodeToken(encodeToken(invite({ expiresAt: Date.now() - 1 }))), (err: any) => err.problem === 'expired' && /expired at/.test(err.message))
  })
})

describe('invites', () => {
  it('work once: of two joins racing with one secret, one wins; a wrong or expired secret changes nothing', async () => {
    let now = Date.now()
    const store = new InviteStore(await mkdtemp(join(tmpdir(), 'smesh-invites-')), () => now)
    const { secret } = await store.create({ scopes: ['read'], ttlMs: 1000, leaseMs: 5000, renew: false })
    const results = await Promise.allSettled([store.take(secret, 'a'.repeat(64)), store.take(secret, 'b'.repeat(64))])
    assert.deepEqual(results.map(r => r.status).sort(), ['fulfilled', 'rejected'])
    assert.equal((results.find(r => r.status === 'rejected') as PromiseRejectedResult).reason.code, 'used')
    await assert.rejects(store.take(new Uint8Array(32), 'c'.repeat(64)), (err: any) => err.code === 'unknown-invite')
    const second = await store.create({ scopes: ['read'], ttlMs: 1000, leaseMs: 5000, renew: false })
    now += 2000
    await assert.rejects(store.take(second.secret, 'c'.repeat(64)), (err: any) => err.code === 'expired')
    assert.equal((await store.list()).filter(r => r.usedAt != null).length, 1)
    assert.equal((await store.open()).length, 0)
  })
})
