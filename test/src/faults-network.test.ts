import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { faultsUnavailable } from './harness/faults.js'
import { FaultLab } from './harness/fault-lab.js'
import { lossyRow, messyRow, multicastRow, partitionRow, stopContRow } from './harness/fault-rows.js'
import { listOwnNamespaces } from './harness/lan.js'

const skip = faultsUnavailable()

/**
 * The network rows of the reliability matrix (RELIABILITY.md), short
 * versions: five real nodes found by mDNS on a LAN of namespaces whose
 * switch is a faulty userspace one (test/fixtures/impair.py). The long runs
 * are `npm run bench -- --only faults`.
 */
describe('reliability matrix: network faults on a LAN of five', { skip, timeout: 900_000 }, () => {
  let lab: FaultLab
  before(async () => { lab = await FaultLab.start(5) })
  after(async () => {
    await lab?.stop()
    assert.deepEqual(await listOwnNamespaces(), [], 'the harness left namespaces behind')
  })

  it('row 1: a 2 / 3 partition, both sides writing: 0 acknowledged entries lost, identical heads within 30 s of healing', async (t) => {
    const r = await partitionRow(lab, 30_000)
    t.diagnostic(JSON.stringify(r))
    assert.equal(r.lost, 0)
    assert.ok(r.written > 500, `${r.written} entries written`)
    assert.ok(r.apartDuring, 'the sides lost each other during the partition')
    assert.ok(r.convergedMs <= 30_000, `converged ${r.convergedMs} ms after healing`)
  })

  it('row 2: 200 ms +- 50 ms delay and 20 % loss on every link: >= 99.9 % of entries on every node within 10 s', async (t) => {
    const r = await lossyRow(lab, 20_000)
    t.diagnostic(JSON.stringify(r))
    assert.equal(r.missing, 0)
    assert.ok(r.within10s >= 0.999, `${r.within10s} within 10 s`)
  })

  it('row 3: 5 % duplicated, 25 % reordered, 1 % corrupted frames: 0 invalid entries stored, connections back within 10 s', async (t) => {
    const r = await messyRow(lab, 15_000)
    t.diagnostic(JSON.stringify(r))
    assert.equal(r.invalidStored, 0)
    assert.ok(r.longestGapMs <= 10_000, `longest time without a connection ${r.longestGapMs} ms`)
  })

  it('row 4: 30 % of multicast (mDNS) lost: no live peer pruned, no live connection closed', async (t) => {
    const r = await multicastRow(lab, 30_000)
    t.diagnostic(JSON.stringify(r))
    assert.equal(r.pruned, 0)
    assert.equal(r.drops, 0)
  })

  it('row 9: SIGSTOP for 30 s, then SIGCONT: back in every peer table and caught up within 30 s, no duplicates', async (t) => {
    const r = await stopContRow(lab, 30_000)
    t.diagnostic(JSON.stringify(r))
    assert.ok(r.backInTablesMs <= 30_000, `back in the peer tables after ${r.backInTablesMs} ms`)
    assert.ok(r.caughtUpMs <= 30_000, `caught up after ${r.caughtUpMs} ms`)
    assert.equal(r.duplicatePeers, 0)
    assert.equal(r.forks, 0)
  })
})
