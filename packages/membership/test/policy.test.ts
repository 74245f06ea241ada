import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { PolicyGate } from '../src/policy.js'
import { MEMBER_KINDS } from '../src/kinds.js'
import { deviceBus, makeDevice, meshOf } from './fixtures.js'
import type { Bus } from '@smesh/bus'

describe('the governance gate', () => {
  const buses: Bus[] = []
  after(async () => { await Promise.all(buses.map(async b => { await b.close() })) })

  it('allows by default, blocks and records the refusal, holds an "ask" until an admin decides', async () => {
    const root = await makeDevice()
    const { bus, membership } = await deviceBus(root, meshOf(root))
    buses.push(bus)
    const gate = new PolicyGate(bus, membership)
    await gate.start()
    const req = (subject: string): { action: string, subject: string, device: string } => ({ action: 'memory.write', subject, device: root.author })
    assert.deepEqual(await gate.enforce(req('notes/a')), { effect: 'allow', rule: 0 })

    await gate.set([{ action: 'memory.write', subject: 'secrets/*', effect: 'block' }, { action: 'memory.*', subject: 'shared/*', effect: 'ask' }])
    await assert.rejects(gate.enforce(req('secrets/key')), (err: any) => err.name === 'PolicyBlockedError' && /rule 1/.test(err.message))
    const denials = []
    for await (const h of bus.store.kindIndex(MEMBER_KINDS.policyDeny, {})) denials.push(await bus.store.entry(h))
    assert.equal(denials.length, 1, 'the refusal is on the bus')
    assert.equal(JSON.parse(new TextDecoder().decode(denials[0]?.entry.body)).subject, 'secrets/key')

    // an ask waits; an admin's approval lets it through
    let asked = ''
    const held = gate.enforce(req('shared/x'), { onAsk: (id) => { asked = id } })
    await new Promise(resolve => setTimeout(resolve, 50))
    assert.deepEqual(gate.pending().map(p => p.id), [asked])
    await gate.decide(asked, true)
    assert.equal((await held).effect, 'ask')
    assert.deepEqual(gate.pending(), [])
    await assert.rejects(gate.decide(asked, false), /already approved/)

    // declined, or not decided in time: refused, and recorded
    const declined = gate.enforce(req('shared/y'), { onAsk: (id) => { void gate.decide(id, false) } })
    await assert.rejects(declined, (err: any) => err.name === 'ApprovalError' && /declined/.test(err.message))
    await assert.rejects(gate.enforce(req('shared/z'), { waitMs: 100 }), /not approved within/)
    gate.stop()
  })
})
