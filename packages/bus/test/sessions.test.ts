import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { resolveSession, sessionAppend, sessionList, sessionOpen, sessionShow } from '../src/queries.js'
import { Scope, json, makeAuthor, seedOf, signNext } from './fixtures.js'
import type { Bus } from '../src/bus.js'
import type { Author } from './fixtures.js'

const scope = new Scope()
after(async () => { await scope.cleanup() })

/** Copies every entry `from` holds that `to` lacks (what sync would do). */
async function sync (from: Bus, to: Bus): Promise<void> {
  for (const h of from.heads()) {
    const have = to.head(h.authorHex)?.seq ?? 0n
    if (have < h.seq) await to.ingestRun(await from.range(h.authorHex, have + 1n, 10_000))
  }
}

describe('sessions', () => {
  let a: Author
  let b: Author
  let c: Author
  before(async () => { [a, b, c] = await Promise.all([makeAuthor(seedOf(60)), makeAuthor(seedOf(61)), makeAuthor(seedOf(62))]) })

  it('open, append by id prefix, list and show', async () => {
    const bus = await scope.bus(a)
    const s = await sessionOpen(bus, 'planning')
    assert.match(s.id, /^[0-9a-f]{64}$/)
    assert.equal(s.title, 'planning')
    assert.equal(await resolveSession(bus, s.id), s.id)
    assert.equal(await resolveSession(bus, s.id.slice(0, 8)), s.id)
    await sessionAppend(bus, s.id.slice(0, 8), { role: 'user', content: 'hello' })
    await sessionAppend(bus, s.id, { role: 'assistant', content: 'hi', model: 'm1' })
    const untitled = await sessionOpen(bus, undefined)
    assert.deepEqual((await sessionList(bus)).map(x => [x.id, x.title, x.openedBy]).sort(), [[s.id, 'planning', 'self'], [untitled.id, '', 'self']].sort())
    const shown = await sessionShow(bus, s.id.slice(0, 12))
    assert.equal(shown.id, s.id)
    assert.equal(shown.title, 'planning')
    assert.deepEqual(shown.messages.map(m => [m.role, m.content, m.model, m.author]), [['user', 'hello', undefined, 'self'], ['assistant', 'hi', 'm1', 'self']])
    assert.equal(shown.entries, 3, 'the open entry and two messages')
    assert.equal((await sessionShow(bus, untitled.id)).messages.length, 0)
  })

  it('refuses an invalid id, an unknown one, and a message to a session that does not exist', async () => {
    const bus = await scope.bus(a)
    const s = await sessionOpen(bus, 'x')
    for (const bad of ['1234567', s.id.toUpperCase(), `${s.id}00`, 'zzzzzzzz']) {
      await assert.rejects(resolveSession(bus, bad), { name: 'InvalidBodyError' }, bad)
    }
    const unknown = s.id.startsWith('0') ? 'f'.repeat(64) : '0'.repeat(64)
    await assert.rejects(resolveSession(bus, unknown), { name: 'NotFoundError' })
    await assert.rejects(sessionShow(bus, unknown.slice(0, 8)), { name: 'NotFoundError' })
    const before = bus.head(bus.authorHex)?.seq
    await assert.rejects(sessionAppend(bus, unknown, { role: 'user', content: 'lost' }), { name: 'NotFoundError' })
    await assert.rejects(sessionAppend(bus, s.id, { role: 'robot' as any, content: 'x' }), { name: 'InvalidBodyError' })
    assert.equal(bus.head(bus.authorHex)?.seq, before, 'nothing appended')
  })

  it('messages from several nodes show in HLC order, the same on every node, whatever the arrival order', async () => {
    const [ba, bb] = [await scope.bus(a, { now: () => 1_700_000_100_000 }), await scope.bus(b, { now: () => 1_700_000_070_000 })]
    const s = await sessionOpen(ba, 'chat')
    await sessionAppend(ba, s.id, { role: 'user', content: 'a1' })
    await sync(ba, bb)
    // b's wall clock is 30 s behind, but having read a1 it writes after it
    await sessionAppend(bb, s.id, { role: 'assistant', content: 'b1' })
    await sync(bb, ba)
    await sessionAppend(ba, s.id, { role: 'user', content: 'a2' })
    // c's entries, signed with explicit clocks, arrive last at both nodes though two of them are older
    const openHlc = (await ba.store.entry(s.id))?.hlc
    assert.ok(openHlc != null)
    const msg = (content: string): Uint8Array => json({ session: s.id, role: 'note', content })
    const c1 = await signNext(c, undefined, { kind: 'session.message', body: msg('c-first'), hlc: { ms: openHlc.ms - 5n, counter: 0 } })
    const c2 = await signNext(c, c1, { kind: 'session.state', body: json({ session: s.id, state: { topic: 'x' } }), hlc: { ms: openHlc.ms + 1n, counter: 0 } })
    const c3 = await signNext(c, c2, { kind: 'session.message', body: msg('c-last'), hlc: { ms: openHlc.ms + 60_000n, counter: 0 } })
    await sync(ba, bb)
    await sync(bb, ba)
    for (const bus of [ba, bb]) for (const e of [c3, c2, c1]) await bus.ingest(e.bytes)
    const [va, vb] = [await sessionShow(ba, s.id), await sessionShow(bb, s.id)]
    assert.deepEqual(va.messages.map(m => m.content), ['c-first', 'a1', 'b1', 'a2', 'c-last'])
    assert.deepEqual(vb.messages.map(m => [m.content, m.hash, m.time]), va.messages.map(m => [m.content, m.hash, m.time]))
    assert.deepEqual(va.state, { topic: 'x' })
    assert.deepEqual(vb.state, { topic: 'x' })
    assert.equal(va.entries, 7)
    assert.equal(va.messages.find(m => m.content === 'b1')?.author, b.peerId)
    assert.equal(vb.messages.find(m => m.content === 'b1')?.author, 'self')
    assert.equal(vb.openedBy, a.peerId)
    // rebuilding the views leaves the session as it was
    await bb.rebuildViews()
    assert.deepEqual(await sessionShow(bb, s.id), vb)
  })
})
