import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fuzzDecoders } from './harness/fuzz.js'

/** Matrix row 12, short: 10,000 inputs per decoder (the benchmark feeds 1,000,000). */
describe('reliability matrix: every decoder fuzzed', () => {
  it('row 12: random and mutated inputs to every decoder: 0 crashes, 0 hangs, heap growth < 50 MB', async (t) => {
    const r = await fuzzDecoders(10_000, { seed: Date.now() % 1_000_000 })
    t.diagnostic(JSON.stringify({ ...r, crashes: r.crashes.slice(0, 3) }))
    assert.deepEqual(r.crashes, [])
    assert.equal(r.hangs, 0)
    assert.ok(r.heapGrowthMb < 50, `heap grew ${r.heapGrowthMb} MB`)
    assert.ok(r.decoders >= 27)
  })
})
