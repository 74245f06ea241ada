import { Follower, clockTicksPerSec, deliveryLatencies, openLoop, ownCpuSeconds, randomBodies, round, sleep, waitDelivered, warmUp, withBusLan } from './bus-common.js'
import { cpuTicks } from './idle.js'
import { percentiles, progress, summarize } from './stats.js'
import type { AppendedView, BusLan, NodeApi, Written } from './bus-common.js'

async function followAll (bl: BusLan): Promise<Follower[]> {
  return await Promise.all(bl.apis.map(async (a, i) => await Follower.open(a, bl.nodes[i]?.name ?? `n${i}`)))
}

function base64Bodies (size: number): string[] {
  return randomBodies(64, size).map(b => Buffer.from(b).toString('base64'))
}

export interface BusLatencyOptions {
  nodes: number
  entries: number
  perSec: number
  bodyBytes: number
}

/**
 * Replication latency: node 0 of a 5-node namespace LAN appends entries at a
 * steady rate through its control API; every node follows its bus. Per
 * (entry, receiver): when the receiver stored the entry minus when the
 * writer stored it, as the nodes' own follow lines report.
 */
export async function benchBusLatency (o: BusLatencyOptions): Promise<Record<string, unknown>> {
  progress(`bus-latency: ${o.entries} entries of ${o.bodyBytes} bytes at ${o.perSec}/s from one node to ${o.nodes - 1} peers (${round(o.entries / o.perSec)} s)`)
  return await withBusLan(o.nodes, 'lat', async bl => {
    const followers = await followAll(bl)
    try {
      const bodies = base64Bodies(o.bodyBytes)
      await warmUp(bl, [0], followers, bodies[0] as string)
      const writer = bl.apis[0] as NodeApi
      const ackMs: number[] = []
      const outcomes = await openLoop(o.perSec, o.entries, async i => {
        const t = performance.now()
        const v = await writer.append(bodies[i % bodies.length] as string)
        ackMs.push(performance.now() - t)
        return v
      })
      const written: Written[] = outcomes.flatMap(r => r.status === 'fulfilled' ? [{ hash: r.value.hash, writer: 0 }] : [])
      const failed = outcomes.find(r => r.status === 'rejected')
      await waitDelivered(written, followers, 15_000)
      const lat = deliveryLatencies(written, followers)
      const p = percentiles(lat.samples)
      progress(`bus-latency: p50 ${p.p50} ms, p99 ${p.p99} ms, ${lat.delivered}/${lat.expected} delivered`)
      return {
        nodes: o.nodes,
        receivers: o.nodes - 1,
        entries: o.entries,
        perSec: o.perSec,
        bodyBytes: o.bodyBytes,
        appendFailures: o.entries - written.length,
        ...(failed != null ? { firstAppendError: String((failed as PromiseRejectedResult).reason) } : {}),
        delivered: lat.delivered,
        expected: lat.expected,
        allDelivered: lat.delivered === lat.expected,
        latencyMs: p,
        goal: 'p50 < 10 ms, p99 < 30 ms',
        met: lat.delivered === lat.expected && p.p50 < 10 && p.p99 < 30,
        appendAckMs: percentiles(ackMs)
      }
    } finally {
      for (const f of followers) f.close()
    }
  })
}

export interface BusThroughputOptions {
  nodes: number
  /** Total offered entries/s of each step, all nodes together. */
  steps: number[]
  stepSeconds: number
  bodyBytes: number
  p99LimitMs: number
}

/**
 * Sustained replicated entries/s: every node of a 5-node LAN appends at
 * rate/5 (phases interleaved), in steps of increasing total rate; per step
 * the delivery latency to the other four nodes as in bus-latency. Stops at
 * the first step that is clearly saturated (an entry lost, p99 over ten
 * times the limit, or appends falling 20% behind the offered rate).
 */
export async function benchBusThroughput (o: BusThroughputOptions): Promise<Record<string, unknown>> {
  progress(`bus-throughput: ${o.nodes} writers, steps ${o.steps.join(', ')} entries/s total, ${o.stepSeconds} s each`)
  const hz = clockTicksPerSec()
  return await withBusLan(o.nodes, 'tp', async bl => {
    const followers = await followAll(bl)
    try {
      const bodies = base64Bodies(o.bodyBytes)
      const all = bl.apis.map((_a, i) => i)
      await warmUp(bl, all, followers, bodies[0] as string)
      const steps: Array<Record<string, unknown>> = []
      let sustained = 0
      for (const rate of o.steps) {
        const perNode = rate / o.nodes
        const count = Math.max(1, Math.round(perNode * o.stepSeconds))
        const ticks0 = await Promise.all(bl.nodes.map(async p => await cpuTicks(p.pid)))
        const own0 = ownCpuSeconds()
        const start = performance.now() + 20
        let lastAck = start
        const outcomes = await Promise.all(bl.apis.map(async (api, w) => await openLoop(perNode, count, async i => {
          const v: AppendedView = await api.append(bodies[(i + w) % bodies.length] as string)
          lastAck = Math.max(lastAck, performance.now())
          return { hash: v.hash, writer: w }
        }, start + (w * 1000) / rate)))
        const writeSec = (lastAck - start) / 1000
        const written: Written[] = outcomes.flat().flatMap(r => r.status === 'fulfilled' ? [r.value] : [])
        const failures = count * o.nodes - written.length
        const missing = await waitDelivered(written, followers, 10_000)
        const busySec = (performance.now() - start) / 1000
        const ticks1 = await Promise.all(bl.nodes.map(async p => await cpuTicks(p.pid)))
        const ownCpu = ownCpuSeconds() - own0
        const lat = deliveryLatencies(written, followers)
        const p = percentiles(lat.samples)
        // replicated rate: entries stored on all nodes over the time from the first store to the last delivery
        let first = Infinity
        let last = -Infinity
        for (const w of written) {
          for (const f of followers) {
            const t = f.at.get(w.hash)
            if (t == null) continue
            first = Math.min(first, t)
            last = Math.max(last, t)
          }
        }
        const ok = failures === 0 && missing === 0 && p.p99 <= o.p99LimitMs
        steps.push({
          offeredPerSec: rate,
          appended: written.length,
          appendFailures: failures,
          appendedPerSec: round(written.length / writeSec),
          replicatedPerSec: written.length > 0 ? round(written.length / ((last - first) / 1000)) : 0,
          delivered: lat.delivered,
          expected: lat.expected,
          latencyMs: { p50: p.p50, p90: p.p90, p99: p.p99, max: p.max },
          nodeCpuPercent: summarize(ticks1.map((t, i) => ((t - (ticks0[i] ?? 0)) / hz) / busySec * 100)),
          // every node handles every entry (its own: sign and store; the others': verify and store)
          nodeCpuMsPerEntry: round(ticks1.reduce((n, t, i) => n + t - (ticks0[i] ?? 0), 0) / hz * 1000 / Math.max(1, written.length * o.nodes), 2),
          benchProcessCpuPercent: round(ownCpu / busySec * 100),
          withinLimit: ok
        })
        progress(`bus-throughput: ${rate}/s offered: ${round(written.length / writeSec)}/s appended, p50 ${p.p50} ms, p99 ${p.p99} ms, ${lat.delivered}/${lat.expected} delivered`)
        if (ok) sustained = Math.max(sustained, rate)
        // saturated: further steps would only queue up more
        if (failures > 0 || missing > 0 || p.p99 > 10 * o.p99LimitMs || written.length / writeSec < 0.8 * rate) break
        await sleep(1_000)
      }
      return {
        nodes: o.nodes,
        bodyBytes: o.bodyBytes,
        stepSeconds: o.stepSeconds,
        p99LimitMs: o.p99LimitMs,
        steps,
        sustainedPerSec: sustained,
        note: `sustainedPerSec: highest offered total rate whose p99 stayed within ${o.p99LimitMs} ms with nothing lost; steps stop once saturated. All ${o.nodes} nodes and this benchmark process share the machine's CPUs.`
      }
    } finally {
      for (const f of followers) f.close()
    }
  })
}
