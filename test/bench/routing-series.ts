import type { FixtureProcess } from '../src/harness/fixture-process.js'
import { Lan } from '../src/harness/lan.js'
import { NodeApi, clockTicksPerSec, round, sleep } from './bus-common.js'
import { cpuTicks } from './idle.js'
import { MODEL, PROMPT, nodePid, pieces, runTask } from './routing.js'
import { startClientsAndServers } from './routing-load.js'
import { percentiles, progress } from './stats.js'
import type { SmeshProcess } from '../src/harness/smesh-process.js'

interface BusStatus { entries: number, diskBytes: number }

/**
 * A long run of routed tasks: `tasks` in a row, alternately from two client
 * nodes (one at a time on each, so two at once in all) to two serving nodes
 * with an Ollama fixture each. Every `every` tasks it reads what the run has
 * cost so far: the clients' CPU per task, and on every device the bus entries
 * and disk bytes per task, so the curve from the first hundred to the last shows.
 */
export async function benchRoutingSeries (tasks: number, every = 100): Promise<Record<string, unknown>> {
  const servers = 2
  progress(`routing-series: ${tasks} tasks from 2 clients over ${servers} servers`)
  const lan = await Lan.create(2 + servers)
  const procs: SmeshProcess[] = []
  const fixtures: FixtureProcess[] = []
  const apis: NodeApi[] = []
  try {
    const { clients, serving } = await startClientsAndServers(lan, servers, { reply: pieces(5), tokenDelayMs: 2 }, procs, fixtures)
    const nodes = [...clients, ...serving]
    for (const p of nodes) apis.push(await NodeApi.open(p.dataDir))
    const clientApis = apis.slice(0, 2)
    const body = { prompt: PROMPT, model: MODEL }
    const hz = clockTicksPerSec()
    const clientPids = await Promise.all(clients.map(nodePid))
    const serverPids = await Promise.all(serving.map(nodePid))
    const statuses = async (): Promise<BusStatus[]> => await Promise.all(apis.map(async a => await a.get<BusStatus>('/v1/bus/status')))

    await sleep(2_000)
    const base = await statuses()
    const baseCpu = await Promise.all(clientPids.map(cpuTicks))
    let last = { cpu: baseCpu, serverCpu: await Promise.all(serverPids.map(cpuTicks)), status: base }
    const steps: Array<Record<string, unknown>> = []
    let failed = 0
    let done = 0
    const latencies: number[] = []
    const started = performance.now()
    while (done < tasks) {
      const n = Math.min(every, tasks - done)
      const stepLatency: number[] = []
      // two lanes, one per client, each a task at a time
      await Promise.all(clientApis.map(async (api, lane) => {
        for (let i = lane; i < n; i += 2) {
          const r = await runTask(api, body)
          if (r.outcome == null) failed++
          else stepLatency.push(r.totalMs)
        }
      }))
      done += n
      latencies.push(...stepLatency)
      // CPU read as the step's tasks end, before the pause (idle work is not the tasks')
      const cpu = await Promise.all(clientPids.map(cpuTicks))
      const serverCpu = await Promise.all(serverPids.map(cpuTicks))
      await sleep(1_500) // the step's records are written when each task ends, then gossiped
      const status = await statuses()
      // the step's own CPU window starts after the previous step's pause and status reads
      const cpuMs = cpu.reduce((s, t, i) => s + (t - (last.cpu[i] ?? 0)), 0) * 1000 / hz
      const serverCpuMs = serverCpu.reduce((s, t, i) => s + (t - (last.serverCpu[i] ?? 0)), 0) * 1000 / hz
      steps.push({
        tasks: done,
        routerCpuMsPerTask: round(cpuMs / n, 2),
        serverCpuMsPerTask: round(serverCpuMs / n, 2),
        busEntriesPerTask: status.map((s, i) => round((s.entries - (last.status[i]?.entries ?? 0)) / n, 2)),
        diskBytesPerTask: status.map((s, i) => Math.round((s.diskBytes - (last.status[i]?.diskBytes ?? 0)) / n)),
        latencyMs: percentiles(stepLatency)
      })
      progress(`routing-series: ${done} tasks`)
      last = { cpu: await Promise.all(clientPids.map(cpuTicks)), serverCpu: await Promise.all(serverPids.map(cpuTicks)), status }
    }
    const wallMs = performance.now() - started
    const end = await statuses()
    return {
      method: `${tasks} tasks in a row (POST /v1/run, model ${MODEL}, residency mesh; no model on the clients), alternately on c0 and c1, one at a time on each; served by s0 and s1, each with an Ollama fixture (5 pieces, 2 ms apart). Per step of ${every} tasks: the clients' CPU (utime+stime from /proc, from the step's first task to its last: routing, task streams, API, the bus records, and whatever else ran meanwhile) per task, the servers' likewise, and on each device (c0, c1, s0, s1) the bus entries and LevelDB disk bytes added per task (/v1/bus/status; disk bytes move in steps as LevelDB compacts).`,
      tasks,
      failed,
      wallMs: round(wallMs),
      latencyMs: percentiles(latencies),
      steps,
      total: {
        busEntriesPerTask: end.map((s, i) => round((s.entries - (base[i]?.entries ?? 0)) / tasks, 2)),
        diskBytesPerTask: end.map((s, i) => Math.round((s.diskBytes - (base[i]?.diskBytes ?? 0)) / tasks))
      }
    }
  } finally {
    for (const a of apis) a.close()
    await Promise.all(procs.map(async p => { await p.stop() }))
    await Promise.all(fixtures.map(async f => { await f.stop() }))
    await lan.destroy()
  }
}
