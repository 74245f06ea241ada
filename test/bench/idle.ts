import { execFileSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { Lan } from '../src/harness/lan.js'
import { SmeshProcess, waitFor } from '../src/harness/smesh-process.js'
import { linkCounters } from './bus-common.js'
import { progress, summarize } from './stats.js'

export async function cpuTicks (pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12]) // utime + stime
}

async function rssBytes (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024
}

/** Idle RSS and CPU per node: `nodes` nodes in one mesh, converged, then left alone for `seconds`. */
export async function benchIdle (nodesCount: number, seconds: number): Promise<Record<string, unknown>> {
  progress(`idle: ${nodesCount} nodes for ${seconds} s`)
  const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())
  const lan = await Lan.create(nodesCount)
  const nodes: SmeshProcess[] = []
  try {
    // one mesh: the first node makes it (smesh init), the others join it with a token from the first
    for (let i = 0; i < nodesCount; i++) nodes.push(await SmeshProcess.start({ ns: lan.hosts[i]!.ns, name: `i${i}`, join: i === 0 ? undefined : await nodes[0]!.invite() }))
    await Promise.all(nodes.map(async p => { await waitFor(async () => (await p.peers()).length === nodesCount - 1, { timeoutMs: 20_000 + nodesCount * 2_000, what: 'convergence' }) }))
    await new Promise(resolve => setTimeout(resolve, 10_000)) // let start-up work (JIT, GC) settle
    const hosts = lan.hosts.slice(0, nodesCount).map(h => h.ns)
    const t0 = await Promise.all(nodes.map(async p => await cpuTicks(p.pid)))
    const l0 = await Promise.all(hosts.map(linkCounters))
    const w0 = performance.now()
    await new Promise(resolve => setTimeout(resolve, seconds * 1000))
    const t1 = await Promise.all(nodes.map(async p => await cpuTicks(p.pid)))
    const l1 = await Promise.all(hosts.map(linkCounters))
    const elapsed = (performance.now() - w0) / 1000
    const cpuPercent = t1.map((t, i) => ((t - (t0[i] ?? 0)) / hz) / elapsed * 100)
    const rss = await Promise.all(nodes.map(async p => await rssBytes(p.pid)))
    return {
      nodes: nodesCount,
      seconds: Math.round(elapsed),
      cpuPercentPerNode: summarize(cpuPercent),
      rssMiBPerNode: summarize(rss.map(b => b / 1048576)),
      // presence beacons, their relays, gossipsub heartbeats, mDNS, pings: all a node sends at idle
      txBytesPerSecPerNode: summarize(l1.map((c, i) => (c.txBytes - (l0[i]?.txBytes ?? 0)) / elapsed)),
      note: 'bytes sent on each host\'s eth0 (Ethernet frames) over the idle window'
    }
  } finally {
    await Promise.all(nodes.map(async p => { await p.stop() }))
    await lan.destroy()
  }
}
