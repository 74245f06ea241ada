import { percentile, within } from './fault-lab.js'
import { waitFor } from './smesh-process.js'
import type { FaultLab } from './fault-lab.js'
import type { SmeshProcess } from './smesh-process.js'

/**
 * The network rows of the reliability matrix (RELIABILITY.md), each run on a
 * FaultLab and returning what it measured and whether the pass figure held.
 * The tests run them short; the benchmark (test/bench/faults.ts) long.
 */

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
const round = (n: number): number => Math.round(n * 10) / 10

/** Row 1: the LAN split 2 / 3 for `ms`, every node writing; then healed. */
export async function partitionRow (lab: FaultLab, ms: number, ratePerNode = 5): Promise<{ pass: boolean, partitionMs: number, written: number, failed: number, lost: number, convergedMs: number, apartDuring: boolean }> {
  const hosts = lab.lan.hosts
  await lab.lan.partition(hosts.slice(0, 2))
  const load = lab.load({ ratePerNode, ms, prefix: 'partition' })
  // the two sides stop seeing each other once the silent peers are pruned (20 s), or their connections time out
  const apart = ms >= 25_000
    ? await waitFor(async () => !(await lab.nodes[0]?.peers() ?? []).some(p => p.connected && p.name === 'n4'), { timeoutMs: ms, intervalMs: 500, what: 'n0 to lose n4' }).then(() => true, () => false)
    : true
  const { written, failed } = await load
  await lab.lan.heal()
  const convergedMs = await lab.converge(120_000)
  const lost = await lab.lost(written)
  return { pass: lost === 0 && convergedMs <= 30_000 && apart, partitionMs: ms, written: written.length, failed, lost, convergedMs, apartDuring: apart }
}

/**
 * Row 2: every frame delayed 200 ms +- 50 ms and 20 % of them lost, every
 * node writing `ratePerNode` entries a second (1: 5 a second in a mesh of
 * five, a busy home mesh). TCP carries about 10 KB/s a connection on such a
 * link and an entry is 3.6 KB (its ML-DSA signature): at 2 a second a node
 * the links saturate (see RELIABILITY.md).
 */
export async function lossyRow (lab: FaultLab, ms: number, ratePerNode = 1): Promise<{ pass: boolean, ms: number, written: number, arrivals: number, within10s: number, p50Ms: number, p99Ms: number, maxMs: number, missing: number }> {
  await lab.sw.set({ delayMs: 200, jitterMs: 50, loss: 0.2 })
  let written
  try {
    written = (await lab.load({ ratePerNode, ms, prefix: 'lossy' })).written
    await sleep(10_000)
  } finally {
    await lab.sw.clear()
  }
  const delays = lab.delays(written)
  const share = within(delays, 10_000)
  await lab.converge(60_000)
  return {
    pass: share >= 0.999,
    ms,
    written: written.length,
    arrivals: delays.length,
    within10s: round(share * 1000) / 1000,
    p50Ms: round(percentile(delays, 0.5)),
    p99Ms: round(percentile(delays, 0.99)),
    maxMs: round(Math.max(...delays.filter(Number.isFinite))),
    missing: delays.filter(d => !Number.isFinite(d)).length
  }
}

/** Row 3: 5 % of frames duplicated, 25 % reordered, 1 % corrupted, every node writing. */
export async function messyRow (lab: FaultLab, ms: number, ratePerNode = 5): Promise<{ pass: boolean, ms: number, written: number, invalidStored: number, longestGapMs: number, drops: number, convergedMs: number }> {
  await lab.sw.set({ dup: 0.05, reorder: 0.25, corrupt: 0.01 })
  let watched
  try {
    watched = await lab.watch(async () => await lab.load({ ratePerNode, ms, prefix: 'messy' }))
  } finally {
    await lab.sw.clear()
  }
  const convergedMs = await lab.converge(60_000)
  // every chain re-verified from the stored bytes, every signature: what a node stored is what its author signed
  let invalidStored = 0
  for (const p of lab.nodes) {
    const r = await p.cli(['bus', 'verify', '--all', '--json'])
    const report = JSON.parse(r.stdout) as { ok: boolean, authors: Array<{ firstFailure: unknown }> }
    invalidStored += report.ok ? 0 : Math.max(1, report.authors.filter(a => a.firstFailure != null).length)
  }
  return { pass: invalidStored === 0 && watched.longestGapMs <= 10_000, ms, written: watched.result.written.length, invalidStored, longestGapMs: watched.longestGapMs, drops: watched.drops, convergedMs }
}

/** Row 4: 30 % of multicast frames (mDNS) lost, nothing else: no live peer may be pruned or cut. */
export async function multicastRow (lab: FaultLab, ms: number): Promise<{ pass: boolean, ms: number, drops: number, pruned: number, longestGapMs: number }> {
  await lab.sw.set({ mcastLoss: 0.3 })
  let watched
  try {
    watched = await lab.watch(async () => { await sleep(ms) })
  } finally {
    await lab.sw.clear()
  }
  return { pass: watched.drops === 0 && watched.pruned === 0, ms, drops: watched.drops, pruned: watched.pruned, longestGapMs: watched.longestGapMs }
}

/** Row 9: one node SIGSTOPped for `ms` while the others write, then SIGCONT. */
export async function stopContRow (lab: FaultLab, ms: number): Promise<{ pass: boolean, stoppedMs: number, backInTablesMs: number, caughtUpMs: number, duplicatePeers: number, forks: number }> {
  const victim = lab.nodes[lab.nodes.length - 1] as SmeshProcess
  const others = lab.nodes.filter(p => p !== victim)
  process.kill(victim.pid, 'SIGSTOP')
  let resumedAt: number
  try {
    await lab.load({ ratePerNode: 2, ms, prefix: 'stopped', who: others.map(p => lab.nodes.indexOf(p)) })
  } finally {
    process.kill(victim.pid, 'SIGCONT')
    resumedAt = Date.now()
  }
  const victimId = (await victim.id()).peerId
  await waitFor(async () => {
    const tables = await Promise.all(others.map(async p => await p.peers()))
    const mine = await victim.peers()
    return tables.every(t => t.some(x => x.peerId === victimId && x.connected)) && mine.filter(x => x.connected).length >= others.length
  }, { timeoutMs: 120_000, intervalMs: 200, what: 'the resumed node to be back in every peer table' })
  const backInTablesMs = Date.now() - resumedAt
  await lab.converge(120_000)
  const caughtUpMs = Date.now() - resumedAt
  let duplicatePeers = 0
  let forks = 0
  for (const p of lab.nodes) {
    const ids = (await p.peers()).map(x => x.peerId)
    duplicatePeers += ids.length - new Set(ids).size
    forks += (await p.heads()).filter(h => h.forked).length
  }
  return { pass: backInTablesMs <= 30_000 && caughtUpMs <= 30_000 && duplicatePeers === 0 && forks === 0, stoppedMs: ms, backInTablesMs, caughtUpMs, duplicatePeers, forks }
}
