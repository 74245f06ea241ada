import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { memoryGet } from '@smesh/bus'
import { POLICY_GRACE_MS } from '../src/policy.js'
import { MEMBER_KINDS } from '../src/kinds.js'
import { body, deviceBus, makeDevice, meshOf, rogueBus } from './fixtures.js'
import type { Device } from './fixtures.js'
import type { Bus, BusEntry } from '@smesh/bus'

const lease = (d: Device, name: string, scopes: string[], now: number): Uint8Array =>
  body({ device: d.author, peerId: d.peerId, name, scopes, issuedAt: now, expiresAt: now + 3_600_000, renew: true, leaseMs: 3_600_000 })

const text = (e: BusEntry | undefined): Record<string, unknown> => JSON.parse(new TextDecoder().decode(e?.entry.body))

/** Every entry `from` signs reaches `to` as gossip would bring it. */
function link (from: Bus, to: Bus): void {
  from.addEventListener('bus:entry', (evt) => {
    if (evt.detail.local) void to.ingest(evt.detail.entry.bytes)
  })
}

async function kinds (bus: Bus, kind: string): Promise<BusEntry[]> {
  const out: BusEntry[] = []
  for await (const h of bus.store.kindIndex(kind, {})) {
    const e = await bus.store.entry(h)
    if (e != null) out.push(e)
  }
  return out
}

describe('the governance gate is a rule of the bus', () => {
  const buses: Bus[] = []
  after(async () => { await Promise.all(buses.map(async b => { await b.close() })) })
  let offset = 0
  const clock = (): number => Date.now() + offset
  /** The root's node, and a member whose modified node signs anything. */
  const withRogue = async (): Promise<{ root: Device, evil: Device, r: Awaited<ReturnType<typeof deviceBus>>, rogue: Bus, admit: BusEntry }> => {
    const root = await makeDevice()
    const evil = await makeDevice()
    const r = await deviceBus(root, meshOf(root), clock)
    const rogue = await rogueBus(evil, clock)
    buses.push(r.bus, rogue)
    const admit = await r.bus.append(MEMBER_KINDS.admit, lease(evil, 'evil', ['read', 'write'], clock()))
    await rogue.ingest(admit.bytes)
    return { root, evil, r, rogue, admit }
  }

  it('a blocked entry is refused when signed and when admitted, on every path, from the policy\'s grace on', async () => {
    const { evil, r, rogue } = await withRogue()

    await r.gate.set([{ action: 'memory.write', subject: 'secrets/*', effect: 'block' }])
    assert.deepEqual(r.gate.rules(), [{ action: 'memory.write', subject: 'secrets/*', effect: 'block' }])
    // an entry within the grace is judged by the policy before: every node, the writer's too, agrees on that
    await r.bus.append('memory.put', body({ key: 'secrets/early', value: 1 }))
    offset += POLICY_GRACE_MS + 1_000

    await assert.rejects(r.bus.append('memory.put', body({ key: 'secrets/x', value: 'bypass' })), (err: any) => err.name === 'PolicyBlockedError' && err.exitCode === 6 && /rule 1/.test(err.message))
    await assert.rejects(memoryGet(r.bus, 'secrets/x'), /no memory/i)
    const denials = await kinds(r.bus, MEMBER_KINDS.policyDeny)
    assert.equal(denials.length, 1, 'the refusal is on the bus')
    assert.equal(text(denials[0]).subject, 'secrets/x')
    // not a memory write, but the same key: a deletion is a write too
    await assert.rejects(r.bus.append('memory.del', body({ key: 'secrets/early' })), /blocked/)

    // a modified node signs what the policy blocks and publishes it: the honest node refuses it, and nothing after it
    const ok = await rogue.append('memory.put', body({ key: 'notes/ok', value: 1 }))
    assert.equal((await r.bus.ingest(ok.bytes)).result, 'accept')
    const bad = await rogue.append('memory.put', body({ key: 'secrets/y', value: 'forged' }))
    const res = await r.bus.ingest(bad.bytes)
    assert.equal(res.result, 'reject')
    assert.equal(res.result === 'reject' && res.error.reason, 'policy')
    const later = await rogue.append('memory.put', body({ key: 'notes/after', value: 2 }))
    assert.notEqual((await r.bus.ingest(later.bytes)).result, 'accept')
    await assert.rejects(memoryGet(r.bus, 'secrets/y'), /no memory/i)
    assert.equal(r.bus.head(evil.author)?.seq, 1n, 'the chain stops before the blocked entry')
    // a sync brings the same run: refused from the same entry on
    const run = await r.bus.ingestRun([bad, later].map(e => e.bytes))
    assert.equal(run.refused?.reason, 'policy')
    assert.equal(r.bus.head(evil.author)?.seq, 1n)
  })

  it('an "ask" holds the write until an admin approves; the entry cites the approval, and only that approval admits it', async () => {
    const root = await makeDevice()
    const dev = await makeDevice()
    const evil = await makeDevice()
    const r = await deviceBus(root, meshOf(root), clock)
    const d = await deviceBus(dev, meshOf(root), clock)
    const rogue = await rogueBus(evil, clock)
    buses.push(r.bus, d.bus, rogue)
    link(r.bus, d.bus)
    link(d.bus, r.bus)
    await r.bus.append(MEMBER_KINDS.admit, lease(dev, 'laptop', ['read', 'write'], clock()))
    const admitEvil = await r.bus.append(MEMBER_KINDS.admit, lease(evil, 'evil', ['read', 'write'], clock()))
    await rogue.ingest(admitEvil.bytes)
    await r.gate.set([{ action: 'memory.write', subject: 'shared/*', device: 'laptop', effect: 'ask' }])
    offset += POLICY_GRACE_MS + 1_000
    await new Promise(resolve => setTimeout(resolve, 50))
    assert.equal(d.gate.rules().length, 1, 'the policy reached the member')

    const held = d.bus.append('memory.put', body({ key: 'shared/x', value: 42 }), {})
    await new Promise(resolve => setTimeout(resolve, 100))
    const pending = r.gate.pending()
    assert.equal(pending.length, 1, 'the admin sees the request')
    const asked = pending[0]?.id ?? ''
    assert.equal(pending[0]?.device, dev.author)
    assert.equal(pending[0]?.subject, 'shared/x')
    await r.gate.decide(asked, true)
    const written = await held
    assert.deepEqual(text(written).approvals, [asked], 'the entry cites its approval')
    await new Promise(resolve => setTimeout(resolve, 50))
    assert.equal((await memoryGet(r.bus, 'shared/x')).value, 42, 'the admin\'s node admitted it')
    await assert.rejects(r.gate.decide(asked, false), /already approved/)

    // the rule names the laptop: another device is not asked
    const free = await rogue.append('memory.put', body({ key: 'shared/free', value: 1 }))
    assert.equal((await r.bus.ingest(free.bytes)).result, 'accept')

    // declined, or not decided in time: refused, and recorded
    const declined = d.bus.append('memory.put', body({ key: 'shared/y', value: 1 }))
    await new Promise(resolve => setTimeout(resolve, 100))
    await r.gate.decide(r.gate.pending()[0]?.id ?? '', false)
    await assert.rejects(declined, (err: any) => err.name === 'ApprovalError' && /declined/.test(err.message))
    await assert.rejects(d.gate.authorize('memory.put', body({ key: 'shared/z', value: 1 }), { waitMs: 100 }), /not approved within/)
    await assert.rejects(memoryGet(r.bus, 'shared/y'), /no memory/i)
  })

  it('an entry that needs an approval and cites none, another device\'s, or one for another key is refused; one not seen yet waits', async () => {
    const { evil, r, rogue, admit } = await withRogue()
    await r.gate.set([{ action: 'memory.write', subject: 'shared/*', effect: 'ask' }])
    offset += POLICY_GRACE_MS + 1_000
    // the admin's own ask, approved: an id that approves shared/a for the root, not for the evil device
    const mine = r.bus.append('memory.put', body({ key: 'shared/a', value: 1 }))
    await new Promise(resolve => setTimeout(resolve, 50))
    const id = r.gate.pending()[0]?.id ?? ''
    await r.gate.decide(id, true)
    await mine

    const none = await rogue.append('memory.put', body({ key: 'shared/b', value: 1 }))
    const res = await r.bus.ingest(none.bytes)
    assert.equal(res.result === 'reject' && res.error.reason, 'policy')
    assert.match(res.result === 'reject' ? res.error.message : '', /needs an admin's approval/)

    const rogue2 = await rogueBus(evil, clock)
    buses.push(rogue2)
    await rogue2.ingest(admit.bytes)
    const stolen = await rogue2.append('memory.put', body({ key: 'shared/a', value: 'x', approvals: [id] }))
    const res2 = await r.bus.ingest(stolen.bytes)
    assert.equal(res2.result === 'reject' && res2.error.reason, 'policy', 'an approval of another device admits nothing')

    const rogue3 = await rogueBus(evil, clock)
    buses.push(rogue3)
    await rogue3.ingest(admit.bytes)
    const unknown = await rogue3.append('memory.put', body({ key: 'shared/c', value: 'x', approvals: ['0123456789abcdef'] }))
    assert.deepEqual(await r.bus.ingest(unknown.bytes), { result: 'ignore', reason: 'not-member' }, 'an approval not seen yet: ignored and fetched, not refused')
    await assert.rejects(memoryGet(r.bus, 'shared/c'), /no memory/i)
  })

  it('routing classes: task.model and task.cloud per device, judged by the submitter and the server alike', async () => {
    const root = await makeDevice()
    const dev = await makeDevice()
    const r = await deviceBus(root, meshOf(root), clock)
    buses.push(r.bus)
    await r.bus.append(MEMBER_KINDS.admit, lease(dev, 'phone', ['read', 'write', 'task.submit'], clock()))
    await r.gate.set([
      { action: 'task.cloud', subject: '*', device: 'phone', effect: 'block' },
      { action: 'task.model', subject: 'big:*', effect: 'ask' }
    ])
    offset += POLICY_GRACE_MS + 1_000
    const cloud = { model: 'claude-x', tier: 'cloud', provider: 'claude' }
    const local = { model: 'llama3.2:3b', tier: 'local', provider: 'ollama' }
    assert.equal(r.gate.taskVerdict(cloud), 'allow', 'the root may use the cloud')
    assert.equal(r.gate.taskVerdict(cloud, dev.author), 'block')
    assert.equal(r.gate.taskVerdict(local, dev.author), 'allow')
    assert.equal(r.gate.taskVerdict({ ...local, model: 'big:70b' }, dev.author), 'ask')
    assert.match(await r.gate.checkTask(dev.author, cloud, []) ?? '', /task.cloud of "claude" is blocked by rule 1/)
    assert.equal(await r.gate.checkTask(dev.author, local, []), undefined)
    assert.match(await r.gate.checkTask(dev.author, { ...local, model: 'big:70b' }, [], { waitMs: 100 }) ?? '', /needs an admin's approval/)
    // the admin's own routing ask: approved, then the serving side takes the cited approval
    const approving = r.gate.authorizeTask({ ...local, model: 'big:70b' }, {})
    await new Promise(resolve => setTimeout(resolve, 50))
    await r.gate.decide(r.gate.pending()[0]?.id ?? '', true)
    const approvals = await approving
    assert.equal(approvals.length, 1)
    assert.equal(await r.gate.checkTask(root.author, { ...local, model: 'big:70b' }, approvals), undefined)
    assert.match(await r.gate.checkTask(dev.author, { ...local, model: 'big:70b' }, approvals, { waitMs: 100 }) ?? '', /needs an admin's approval/, 'the root\'s approval is not the phone\'s')
  })
})
