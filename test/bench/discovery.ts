import { Lan } from '../src/harness/lan.js'
import { SmeshProcess, runCli, waitFor } from '../src/harness/smesh-process.js'
import { tempDir } from '../src/harness/tmp.js'
import { progress, summarize } from './stats.js'

/**
 * A new data dir that already belongs to the mesh of `root` (an admin node):
 * `smesh join TOKEN --no-start` run in `ns`, as a user runs it. A node started
 * on it later spends none of its measured time on the join.
 */
export async function joinedDataDir (root: SmeshProcess, ns: string | undefined, name: string): Promise<string> {
  const dataDir = tempDir('smesh-node')
  const r = await runCli(['join', await root.invite(), '--no-start', '--data-dir', dataDir, '--name', name], { ns })
  if (r.code !== 0) throw new Error(`smesh join failed (${String(r.code ?? r.signal)}):\n${r.stderr}`)
  return dataDir
}

/**
 * Time from a node's start until it lists every peer, when it joins a LAN
 * where N-1 nodes already run (the laptop-joins-home case). Measured by the
 * node's own clock: the latest `firstSeenAt` among its peers minus the moment
 * its libp2p node started (`startedAt`), so polling adds no error. Also: how
 * long until every existing node lists the newcomer, and the same from the
 * moment the process was spawned (includes Node.js start-up).
 *
 * Every node must now belong to the mesh: the first node makes it (smesh
 * init), the others join it. The joiner of each rep joins (`smesh join
 * --no-start`) before its process is spawned, so the measured intervals
 * still start at a node that already holds the mesh: the join step is not
 * in them. What changed inside them: the joiner dials the node that admitted
 * it (n0) directly besides finding peers by mDNS, and it accepts other
 * members only once it has learned their leases from n0's bus.
 */
export async function benchDiscovery (sizes: number[], reps: number): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {}
  for (const n of sizes) {
    progress(`discovery: ${n} nodes, ${reps} joins`)
    const lan = await Lan.create(n)
    const nodes: SmeshProcess[] = []
    try {
      for (let i = 0; i < n - 1; i++) nodes.push(await SmeshProcess.start({ ns: lan.hosts[i]!.ns, name: `n${i}`, join: i === 0 ? undefined : await nodes[0]!.invite() }))
      await Promise.all(nodes.map(async p => { await waitFor(async () => (await p.peers()).length === n - 2, { timeoutMs: 20_000 + n * 2_000, what: 'existing nodes to converge' }) }))
      const joinerHost = lan.hosts[n - 1]!
      const fromStart: number[] = []
      const fromSpawn: number[] = []
      const seenByAll: number[] = []
      for (let r = 0; r < reps; r++) {
        const dataDir = await joinedDataDir(nodes[0]!, joinerHost.ns, `joiner${r}`)
        const joiner = await SmeshProcess.start({ ns: joinerHost.ns, dataDir, name: `joiner${r}`, waitReady: false })
        await joiner.ready()
        const listed = await waitFor(async () => { const ps = await joiner.peers(); return ps.length === n - 1 && ps }, { timeoutMs: 20_000 + n * 2_000, intervalMs: 20, what: 'the joiner to list all peers' })
        const detectedAt = Date.now()
        const status = await joiner.status()
        fromStart.push(Math.max(...listed.map(p => p.firstSeenAt)) - status.startedAt)
        fromSpawn.push(detectedAt - joiner.spawnedAt)
        const joinerId = status.peerId
        await Promise.all(nodes.map(async p => { await waitFor(async () => (await p.peers()).some(x => x.peerId === joinerId), { timeoutMs: 20_000 + n * 2_000, intervalMs: 20, what: 'existing nodes to list the joiner' }) }))
        seenByAll.push(Date.now() - (status.startedAt))
        await joiner.stop()
      }
      out[`nodes_${n}`] = {
        joinToListAllMs: summarize(fromStart),
        spawnToListAllMs: summarize(fromSpawn),
        startToListedByAllMs: summarize(seenByAll)
      }
    } catch (err: any) {
      // a size that cannot be set up on this machine is reported as such; the sizes before it stand
      out[`nodes_${n}`] = { error: String(err?.message ?? err).split('\n')[0], nodesStarted: nodes.length }
    } finally {
      await Promise.all(nodes.map(async p => { await p.stop() }))
      await lan.destroy()
    }
  }
  return out
}
