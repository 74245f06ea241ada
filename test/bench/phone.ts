import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { webAssetsDir } from '@smesh/node'
import { PHONE, askFromPage, joinFromPage, phoneLink, startPhoneMesh } from '../src/harness/phone.js'
import { waitFor } from '../src/harness/smesh-process.js'
import { round, sleep } from './bus-common.js'
import { percentiles, progress } from './stats.js'
import type { Page } from 'playwright-core'

const run = promisify(execFile)

/** The bundle the node serves: each file's size, raw and gzipped (as a browser fetches it with gzip). */
async function bundleSizes (): Promise<Record<string, { bytes: number, gzipBytes: number }>> {
  const dir = webAssetsDir()
  const out: Record<string, { bytes: number, gzipBytes: number }> = {}
  for (const f of ['index.html', 'app.js', 'app.css']) {
    const b = await readFile(join(dir, f))
    out[f] = { bytes: b.byteLength, gzipBytes: gzipSync(b, { level: 9 }).byteLength }
  }
  return out
}

/** The page's JS heap after a full collection (Chromium's DevTools protocol). */
async function heapBytes (page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable')
  await cdp.send('HeapProfiler.collectGarbage')
  const { metrics } = await cdp.send('Performance.getMetrics') as { metrics: Array<{ name: string, value: number }> }
  await cdp.detach()
  return metrics.find(m => m.name === 'JSHeapUsedSize')?.value ?? NaN
}

/**
 * The phone, measured as its user meets it (Chromium with a phone's screen
 * on a namespace LAN; the model is a fixture Ollama on the laptop):
 * - join: from opening the link to the page saying it joined, and to the
 *   first piece of the first routed answer, over `joins` new devices;
 * - the bundle's size;
 * - the page's heap after `useMinutes` of use (a question every 10 s, a
 *   memory write every 30 s);
 * - reconnect: the phone's link down for `dropSeconds`, then up: until a
 *   question gets its answer again.
 */
export async function benchPhone (opts: { joins: number, useMinutes: number, dropSeconds: number }): Promise<Record<string, unknown>> {
  progress(`phone: ${opts.joins} joins, ${opts.useMinutes} min of use, the link down ${opts.dropSeconds} s`)
  const mesh = await startPhoneMesh()
  try {
    const joined: number[] = []
    const firstAnswer: number[] = []
    let page: Page | undefined
    for (let i = 0; i < opts.joins; i++) {
      const link = await phoneLink(mesh.desk)
      const context = await mesh.browser.newContext(PHONE)
      const p = await context.newPage()
      const started = performance.now()
      await joinFromPage(p, link, `phone-${i}`)
      joined.push(performance.now() - started)
      await waitFor(async () => /^Connected to /.test(await p.getByTestId('link').textContent() ?? ''), { timeoutMs: 15_000, intervalMs: 5, what: 'the phone to connect' })
      const a = await askFromPage(p, `question ${i}`)
      firstAnswer.push(performance.now() - started - (a.totalMs - a.firstMs))
      progress(`phone: join ${i + 1}/${opts.joins}: joined ${round(joined[i] as number)} ms, first answer ${round(firstAnswer[i] as number)} ms`)
      if (i < opts.joins - 1) await context.close()
      else page = p
    }
    const used = page as Page
    const heapStart = await heapBytes(used)
    const until = Date.now() + opts.useMinutes * 60_000
    let asked = 0
    let wrote = 0
    const asks: number[] = []
    while (Date.now() < until) {
      asks.push((await askFromPage(used, `use ${asked++}`)).firstMs)
      if (asked % 3 === 0) {
        await used.getByTestId('memory-key').fill(`bench/phone-${wrote++}`)
        await used.getByTestId('memory-value').fill(String(Date.now()))
        await used.getByRole('button', { name: 'Save' }).click()
        await waitFor(async () => (await used.getByTestId('memory-status').textContent() ?? '').startsWith('saved'), { timeoutMs: 15_000, what: 'a memory write' })
      }
      await sleep(10_000)
    }
    const heapEnd = await heapBytes(used)

    const ns = mesh.lan.hosts[2]?.ns as string
    await run('ip', ['-n', ns, 'link', 'set', 'eth0', 'down'])
    await sleep(opts.dropSeconds * 1000)
    await run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up'])
    const up = performance.now()
    // a connection that outlived the drop still reads "Connected": the answer says when the mesh answers again
    await waitFor(async () => /^Connected to /.test(await used.getByTestId('link').textContent() ?? ''), { timeoutMs: 60_000, intervalMs: 20, what: 'the phone to be connected again' })
    const connectedMs = round(performance.now() - up)
    await askFromPage(used, 'back again?')
    const reconnect = { connectedMs, answeredMs: round(performance.now() - up) }
    return {
      note: 'joinedMs: link opened to "joined" on the page (page load, key generation, join exchange); firstAnswerMs: link opened to the first piece of the first routed answer (connect to the node, ask, routed to the laptop\'s model); bundle: what the node serves; heap: the page\'s JS heap after a full GC, after joining and after the use period; reconnect: from the link coming back up to the page connected, and to a question answered',
      joinedMs: percentiles(joined),
      firstAnswerMs: percentiles(firstAnswer),
      bundle: await bundleSizes(),
      heap: { minutes: opts.useMinutes, questions: asked, memoryWrites: wrote, startBytes: heapStart, endBytes: heapEnd, growthBytes: heapEnd - heapStart },
      useFirstPieceMs: percentiles(asks),
      reconnect: { downSeconds: opts.dropSeconds, ...reconnect }
    }
  } finally {
    await mesh.stop()
  }
}
