import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Scope, makeAuthor, seedOf, signChain } from './fixtures.js'
import type { Author } from './fixtures.js'

const scope = new Scope()
after(async () => { await scope.cleanup() })

describe('gossip entries are taken from each author in turn', () => {
  let me: Author
  let loud: Author
  let quiet: Author
  before(async () => { me = await makeAuthor(seedOf(100)); loud = await makeAuthor(seedOf(101)); quiet = await makeAuthor(seedOf(102)) })

  it('one author\'s backlog does not stand in front of another author\'s entry', async () => {
    const bus = await scope.bus(me)
    const order: string[] = []
    const flood = (await signChain(loud, 60)).map(async (e, i) => { await bus.ingest(e.bytes); order.push(`loud${i}`) })
    const [q] = await signChain(quiet, 1)
    const quietDone = bus.ingest((q as { bytes: Uint8Array }).bytes).then(r => { order.push('quiet'); return r })
    assert.equal((await quietDone).result, 'accept')
    await Promise.all(flood)
    assert.ok(order.indexOf('quiet') <= 2, `the quiet author's entry came at ${order.indexOf('quiet')} of ${order.length}`)
  })

  it('dropWaiting: a flooder\'s entries still waiting are ignored, not verified or stored', async () => {
    const bus = await scope.bus(me)
    const results = (await signChain(loud, 60)).map(async e => await bus.ingest(e.bytes))
    await new Promise(resolve => setImmediate(resolve))
    const dropped = bus.dropWaiting(loud.authorHex)
    const got = await Promise.all(results)
    assert.ok(dropped > 40, `dropped ${dropped}`)
    assert.equal(got.filter(r => r.result === 'ignore' && r.reason === 'dropped').length, dropped)
    const stored = Number(bus.head(loud.authorHex)?.seq ?? 0n)
    assert.equal(stored, got.filter(r => r.result === 'accept').length, 'only what was taken before is stored')
    assert.ok(stored < 20)
  })
})
