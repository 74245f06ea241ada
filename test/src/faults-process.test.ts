import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { killCycles } from './harness/kill-cycles.js'

/** Process faults of the reliability matrix (RELIABILITY.md): short versions; `npm run bench -- --only faults` runs them long. */
describe('reliability matrix: process faults', { timeout: 600_000 }, () => {
  it('row 5: SIGKILL at random points of a write burst, 50 times: 0 acknowledged entries lost, 0 broken chains, 0 self-forks', async (t) => {
    const r = await killCycles(50)
    t.diagnostic(JSON.stringify(r))
    assert.ok(r.acknowledged > 500, `${r.acknowledged} entries acknowledged`)
    assert.equal(r.lost, 0)
    assert.equal(r.brokenChains, 0)
    assert.equal(r.selfForks, 0)
  })
})
