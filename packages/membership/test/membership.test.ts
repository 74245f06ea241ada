import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { Membership } from '../src/membership.js'
import { MEMBER_KINDS } from '../src/kinds.js'
import { body, deviceBus, makeDevice, meshOf } from './fixtures.js'
import type { Bus } from '@smesh/bus'

const lease = (d: { author: string, peerId: string }, scopes: string[], ms = 3_600_000, now = Date.now()): Uint8Array =>
  body({ device: d.author, peerId: d.peerId, name: 'dev', scopes, issuedAt: now, expiresAt: now + ms, renew: true, leaseMs: ms })

describe('membership decides which entries a bus takes', () => {
  const buses: Bus[] = []
  after(async () => { await Promise.all(buses.map(async b => { await b.close() })) })

  it('a stranger\'s entries are ignored until an admin admits it; a revoked device\'s later entries are refused, its earlier ones kept', async () => {
    const root = await makeDevice()
    const dev = await makeDevice()
    const mesh = meshOf(root)
    const r = await deviceBus(root, mesh)
    // the device's own bus, with no admission of its own: it signs what it is told to
    const d = await deviceBus(dev, meshOf(root, { lease: { device: dev.author, scopes: ['read', 'write'], issuedAt: Date.now(), expiresAt: Date.now() + 3_600_000 } }))
    buses.push(r.bus, d.bus)

    const e1 = await d.bus.append('memory.put', body({ key: 'k/1', value: 1 }))
    assert.deepEqual(await r.bus.ingest(e1.bytes), { result: 'ignore', reason: 'not-member' }, 'no lease yet: ignored (its lease may be on its way), not stored')
    assert.equal(r.bus.head(dev.author), undefined)

    await r.bus.append(MEMBER_KINDS.admit, lease(dev, ['read', 'write']))
    assert.equal(r.membership.status(dev.author), 'active')
    assert.equal(r.membership.allowsPeer(dev.peerId), true)
    assert.equal((await r.bus.ingest(e1.bytes)).result, 'accept')
    const e2 = await d.bus.append('memory.put', body({ key: 'k/2', value: 2 }))
    assert.equal((await r.bus.ingest(e2.bytes)).result, 'accept')

    const cut = await r.bus.append(MEMBER_KINDS.revoke, body({ device: dev.author, peerId: dev.peerId, cutoffSeq: '2' }))
    assert.equal(cut.seq, 2n)
    assert.equal(r.membership.status(dev.author), 'revoked')
    assert.equal(r.membership.allowsPeer(dev.peerId), false, 'the gater refuses the revoked device')
    const e3 = await d.bus.append('memory.put', body({ key: 'k/3', value: 3 }))
    const res = await r.bus.ingest(e3.bytes)
    assert.equal(res.result, 'reject')
    assert.equal(res.result === 'reject' && res.error.reason, 'revoked')
    assert.equal(r.bus.head(dev.author)?.seq, 2n, 'entries up to the cut-off stay')
  })

  it('an entry outside the author\'s scopes is refused; the node refuses to sign one for itself too', async () => {
    const root = await makeDevice()
    const reader = await makeDevice()
    const mesh = meshOf(root)
    const r = await deviceBus(root, mesh)
    const d = await deviceBus(reader, meshOf(root))
    buses.push(r.bus, d.bus)
    const admit = await r.bus.append(MEMBER_KINDS.admit, lease(reader, ['read']))
    assert.equal((await d.bus.ingest(admit.bytes)).result, 'accept')
    await assert.rejects(d.bus.append('memory.put', body({ key: 'k', value: 1 })), (err: any) => err.name === 'NotAuthorizedError' && err.exitCode === 6 && /needs the scope "write"/.test(err.message))
    assert.equal(d.bus.head(reader.author), undefined, 'nothing was signed into its chain')
    // a member may not admit others without the admin scope
    await assert.rejects(d.bus.append(MEMBER_KINDS.admit, lease(root, ['admin'])), (err: any) => err.name === 'NotAuthorizedError' && /needs the scope "admin"/.test(err.message))
    // and nobody may revoke the root
    await assert.rejects(r.bus.append(MEMBER_KINDS.revoke, body({ device: root.author, peerId: root.peerId, cutoffSeq: '0' })), (err: any) => err.name === 'AdmissionRefusedError' && /cannot be revoked/.test(err.message))
  })

  it('an expired lease: entries dated after it are refused and the gater refuses the device', async () => {
    let now = Date.now()
    const clock = (): number => now
    const root = await makeDevice()
    const dev = await makeDevice()
    const r = await deviceBus(root, meshOf(root), clock)
    const d = await deviceBus(dev, meshOf(root, { lease: { device: dev.author, scopes: ['read', 'write'], issuedAt: now, expiresAt: now + 10_000 } }), clock)
    buses.push(r.bus, d.bus)
    await r.bus.append(MEMBER_KINDS.admit, lease(dev, ['read', 'write'], 1_000, now))
    const early = await d.bus.append('memory.put', body({ key: 'k', value: 'in time' }))
    assert.equal((await r.bus.ingest(early.bytes)).result, 'accept')
    now += 2_000
    assert.equal(r.membership.status(dev.author), 'expired')
    assert.equal(r.membership.allowsPeer(dev.peerId), false)
    const late = await d.bus.append('memory.put', body({ key: 'k', value: 'too late' }))
    const res = await r.bus.ingest(late.bytes)
    assert.equal(res.result === 'reject' && res.error.reason, 'expired')
    // a renewable lease past half its length is due for renewal by an admin
    assert.deepEqual(r.membership.due().map(l => l.device), [dev.author])
  })

  it('membership is rebuilt from the bus on start, in any order of chains', async () => {
    const root = await makeDevice()
    const dev = await makeDevice()
    const r = await deviceBus(root, meshOf(root))
    buses.push(r.bus)
    await r.bus.append(MEMBER_KINDS.admit, lease(dev, ['read', 'write', 'admin']))
    const again = new Membership({ mesh: meshOf(root), self: root.author })
    await again.start(r.bus)
    assert.equal(again.status(dev.author), 'active')
    assert.equal(again.rank(root.author), 0)
    assert.equal(again.rank(dev.author), 1, 'an admin\'s chain syncs before other members\'')
    assert.equal(again.rank('c'.repeat(64)), 3)
    again.stop()
  })
})
