import { Lan } from '../src/harness/lan.js'
import { SmeshProcess, waitFor } from '../src/harness/smesh-process.js'
import { progress, summarize } from './stats.js'

/**
 * Time from a node's start until it lists every peer, when it joins a LAN
 * where N-1 nodes already run (the laptop-joins-home case). Measured by the
 * node's own clock: the latest `firstSeenAt` among its peers minus the moment
 * its libp2p node started (`startedAt`), so polling adds no error. Also: how
 * long until every existing node lists the newcomer, and the same from the
 * moment the process was spawned (includes Node.js start-up).
 */
export async function benchDiscovery (sizes: number[], reps: number): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {}
  for (const n of sizes) {
    progress(`discovery: ${n} nodes, ${reps} joins`)
    const lan = await Lan.create(n)
    const nodes: SmeshProcess[] = []
    try {
      for (let i = 0; i < n - 1; i++) nodes.push(await SmeshProcess.start({ ns: lan.hosts[i]!.ns, name: `n${i}`, mesh: 'bench' }))
      await Promise.all(nodes.map(async p => { await waitFor(async () => (await p.peers()).length === n - 2, { timeoutMs: 20_000, what: 'existing nodes to converge' }) }))
      const joinerHost = lan.hosts[n - 1]!
      const fromStart: number[] = []
      const fromSpawn: number[] = []
      const seenByAll: number[] = []
      for (let r = 0; r < reps; r++) {
        const joiner = await SmeshProcess.start({ ns: joinerHost.ns, name: `joiner${r}`, mesh: 'bench', waitReady: false })
        await joiner.ready()
        const listed = await waitFor(async () => { const ps = await joiner.peers(); return ps.length === n - 1 && ps }, { timeoutMs: 20_000, intervalMs: 20, what: 'the joiner to list all peers' })
        const detectedAt = Date.now()
        const status = await joiner.status()
        fromStart.push(Math.max(...listed.map(p => p.firstSeenAt)) - status.startedAt)
        fromSpawn.push(detectedAt - joiner.spawnedAt)
        const joinerId = status.peerId
        await Promise.all(nodes.map(async p => { await waitFor(async () => (await p.peers()).some(x => x.peerId === joinerId), { timeoutMs: 20_000, intervalMs: 20, what: 'existing nodes to list the joiner' }) }))
        seenByAll.push(Date.now() - (status.startedAt))
        await joiner.stop()
      }
      out[`nodes_${n}`] = {
        joinToListAllMs: summarize(fromStart),
        spawnToListAllMs: summarize(fromSpawn),
        startToListedByAllMs: summarize(seenByAll)
      }
    } finally {
      await Promise.all(nodes.map(async p => { await p.stop() }))
      await lan.destroy()
    }
  }
  return out
}
