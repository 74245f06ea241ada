import { execFileSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { launchIn } from '../src/harness/browser.js'
import { openDashboard } from '../src/harness/dashboard.js'
import { Lan } from '../src/harness/lan.js'
import { SmeshProcess, cleanEnv, waitFor } from '../src/harness/smesh-process.js'
import { cpuTicks } from './idle.js'
import { percentiles, progress, summarize } from './stats.js'
import type { Page } from 'playwright-core'

async function rssMiB (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024
}

/** When the node of `dataDir` logged that it heard `peerId` (its `peer:join` record), as epoch ms. */
async function heardAt (dataDir: string, peerId: string): Promise<number | undefined> {
  const log = await readFile(join(dataDir, 'logs', 'smesh.log'), 'utf8')
  for (const line of log.split('\n')) {
    if (!line.includes('"peer:join"') || !line.includes(peerId)) continue
    return Number((JSON.parse(line) as { time: number }).time)
  }
  return undefined
}

/** Records in the page when each device first appears on the graph (epoch ms, by name). */
async function watchGraph (page: Page): Promise<void> {
  await page.evaluate(() => {
    const g = globalThis as any
    g.__seenAt = {}
    const look = (): void => {
      for (const el of g.document.querySelectorAll('[data-testid=device]')) {
        const name = el.getAttribute('data-name')
        if (g.__seenAt[name] == null) g.__seenAt[name] = performance.timeOrigin + performance.now()
      }
    }
    new g.MutationObserver(look).observe(g.document.body, { subtree: true, childList: true, attributes: true })
    look()
  })
}

/**
 * Time from a device's join to its node on the dashboard's graph: a desk
 * with its dashboard open in Chromium; `joins` devices join it one after the
 * other, each on a host of its own, and stop again once seen. Two figures a
 * join: from the desk hearing it (its peer:join log record, the moment the
 * node knows) and from the joining node's start (its process spawned).
 */
export async function benchDashboardJoin (joins: number): Promise<Record<string, unknown>> {
  progress(`dashboard-join: ${joins} joins`)
  const lan = await Lan.create(joins + 1)
  const desk = await SmeshProcess.start({ ns: lan.hosts[0]!.ns, name: 'desk', env: cleanEnv({ SMESH_OLLAMA_URL: 'off' }) })
  const browser = await launchIn(lan.hosts[0]!.ns)
  const fromHeard: number[] = []
  const fromStart: number[] = []
  try {
    const page = await openDashboard(browser, desk)
    await watchGraph(page)
    for (let i = 0; i < joins; i++) {
      const name = `j${i}`
      const node = await SmeshProcess.start({ ns: lan.hosts[i + 1]!.ns, name, join: await desk.invite(), env: cleanEnv({ SMESH_OLLAMA_URL: 'off' }) })
      try {
        const seen = await waitFor(async () => await page.evaluate((n) => (globalThis as any).__seenAt[n] as number | undefined, name), { timeoutMs: 30_000, intervalMs: 20, what: `${name} on the graph` })
        const peerId = (await node.id()).peerId
        const heard = await waitFor(async () => await heardAt(desk.dataDir, peerId), { timeoutMs: 10_000, what: 'the desk\'s peer:join record' })
        fromHeard.push(seen - heard)
        fromStart.push(seen - node.spawnedAt)
        progress(`dashboard-join: ${name} on the graph ${Math.round(seen - heard)} ms after the desk heard it, ${Math.round(seen - node.spawnedAt)} ms after its start`)
      } finally {
        await node.stop()
      }
    }
    return { joins, fromDeskHearingMs: percentiles(fromHeard), fromNodeStartMs: percentiles(fromStart) }
  } finally {
    await browser.close().catch(() => {})
    await desk.stop()
    await lan.destroy()
  }
}

/**
 * The cost of an open dashboard: 5 nodes in one mesh; node 0's CPU and RSS
 * over `seconds` with no dashboard, then over `seconds` with its dashboard
 * open in Chromium (on the topology view), and the bytes the page receives
 * meanwhile (Chromium's own count, from the DevTools protocol).
 */
export async function benchDashboardIdle (seconds: number): Promise<Record<string, unknown>> {
  const count = 5
  progress(`dashboard-idle: ${count} nodes, ${seconds} s without a dashboard, then ${seconds} s with one open`)
  const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())
  const lan = await Lan.create(count)
  const nodes: SmeshProcess[] = []
  const browser = await launchIn(lan.hosts[0]!.ns)
  try {
    for (let i = 0; i < count; i++) nodes.push(await SmeshProcess.start({ ns: lan.hosts[i]!.ns, name: `n${i}`, join: i === 0 ? undefined : await nodes[0]!.invite(), env: cleanEnv({ SMESH_OLLAMA_URL: 'off' }) }))
    await Promise.all(nodes.map(async p => { await waitFor(async () => (await p.peers()).length === count - 1, { timeoutMs: 30_000, what: 'convergence' }) }))
    await new Promise(resolve => setTimeout(resolve, 10_000))
    const measure = async (): Promise<{ cpuPercent: number[], rssMiB: number[] }> => {
      const t0 = await Promise.all(nodes.map(async p => await cpuTicks(p.pid)))
      const w0 = performance.now()
      await new Promise(resolve => setTimeout(resolve, seconds * 1000))
      const t1 = await Promise.all(nodes.map(async p => await cpuTicks(p.pid)))
      const elapsed = (performance.now() - w0) / 1000
      return { cpuPercent: t1.map((t, i) => ((t - (t0[i] ?? 0)) / hz) / elapsed * 100), rssMiB: await Promise.all(nodes.map(async p => await rssMiB(p.pid))) }
    }
    progress('dashboard-idle: without a dashboard')
    const before = await measure()
    const page = await openDashboard(browser, nodes[0]!)
    const cdp = await page.context().newCDPSession(page)
    let received = 0
    let messages = 0
    let messageBytes = 0
    cdp.on('Network.dataReceived', (e: { encodedDataLength: number, dataLength: number }) => { received += e.encodedDataLength > 0 ? e.encodedDataLength : e.dataLength })
    cdp.on('Network.eventSourceMessageReceived', (e: { data: string, eventName: string }) => { messages++; messageBytes += e.data.length + e.eventName.length })
    await cdp.send('Network.enable')
    await new Promise(resolve => setTimeout(resolve, 10_000))
    progress('dashboard-idle: with the dashboard open')
    received = 0
    messages = 0
    messageBytes = 0
    const w0 = performance.now()
    const during = await measure()
    const elapsed = (performance.now() - w0) / 1000
    const pageHeap = await page.evaluate(() => (performance as any).memory?.usedJSHeapSize as number | undefined)
    return {
      nodes: count,
      seconds,
      withoutDashboard: { node0: { cpuPercent: round(before.cpuPercent[0]), rssMiB: round(before.rssMiB[0]) }, others: { cpuPercent: summarize(before.cpuPercent.slice(1)), rssMiB: summarize(before.rssMiB.slice(1)) } },
      withDashboard: { node0: { cpuPercent: round(during.cpuPercent[0]), rssMiB: round(during.rssMiB[0]) }, others: { cpuPercent: summarize(during.cpuPercent.slice(1)), rssMiB: summarize(during.rssMiB.slice(1)) } },
      extraOnNode0: { cpuPercentPoints: round((during.cpuPercent[0] ?? 0) - (before.cpuPercent[0] ?? 0)), rssMiB: round((during.rssMiB[0] ?? 0) - (before.rssMiB[0] ?? 0)) },
      page: { bytesPerS: round(received / elapsed), messagesPerS: round(messages / elapsed), eventBytesPerS: round(messageBytes / elapsed), jsHeapMB: pageHeap != null ? round(pageHeap / 1e6) : null }
    }
  } finally {
    await browser.close().catch(() => {})
    await Promise.all(nodes.map(async p => { await p.stop() }))
    await lan.destroy()
  }
}

const round = (v: number | undefined): number => Math.round((v ?? NaN) * 10) / 10
