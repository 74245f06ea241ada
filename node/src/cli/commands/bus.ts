import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import { apiGet, apiPost, apiStream } from '../../api/client.js'
import { formatBusStatus, formatHeads, formatLog, formatLogLine, formatVerify } from '../format-bus.js'
import { progress } from '../progress.js'
import { CliError } from '../cli-error.js'
import { lines, untilInterrupted } from '../ndjson.js'
import type { BusStatusView } from '../../api/bus-routes.js'
import type { AuthorView, EntryView, VerifyReport } from '@smesh/bus'

const out = (s: string): void => { process.stdout.write(s + '\n') }

export async function runBusLog (dataDir: string, opts: { author?: string, kind?: string, limit?: string, follow?: boolean, json?: boolean }): Promise<void> {
  const q = new URLSearchParams()
  if (opts.author != null) q.set('author', opts.author)
  if (opts.kind != null) q.set('kind', opts.kind)
  const limit = opts.limit ?? (opts.follow === true ? '10' : '50')
  if (!/^\d+$/.test(limit)) throw new CliError(`--limit ${limit} is not a number`, 'give a whole number of entries, e.g. --limit 100', 2)
  if (opts.follow !== true) {
    const entries = await apiGet<EntryView[]>(dataDir, `/v1/bus/log?${q.toString()}&limit=${limit}`)
    out(opts.json === true ? JSON.stringify(entries, null, 2) : formatLog(entries))
    return
  }
  // follow first, then read the recent past: nothing written in between is missed
  const signal = untilInterrupted()
  const res = await apiStream(dataDir, 'GET', `/v1/bus/follow?${q.toString()}`, undefined, { signal })
  const recent = (await apiGet<EntryView[]>(dataDir, `/v1/bus/log?${q.toString()}&limit=${limit}`)).reverse()
  const shown = new Set(recent.map(e => e.hash))
  for (const e of recent) out(opts.json === true ? JSON.stringify(e) : formatLogLine(e))
  try {
    for await (const line of lines(res)) {
      if (line.error != null) throw new CliError(String(line.error), 'run the command again')
      if (shown.has(line.hash)) continue
      out(opts.json === true ? JSON.stringify(line) : formatLogLine(line as EntryView))
    }
  } catch (err: any) {
    if (signal.aborted) return
    throw err
  }
}

export async function runBusHeads (dataDir: string, opts: { json?: boolean }): Promise<void> {
  const heads = await apiGet<AuthorView[]>(dataDir, '/v1/bus/heads')
  out(opts.json === true ? JSON.stringify(heads, null, 2) : formatHeads(heads))
}

export async function runBusStatus (dataDir: string, opts: { json?: boolean }): Promise<void> {
  const s = await apiGet<BusStatusView>(dataDir, '/v1/bus/status')
  out(opts.json === true ? JSON.stringify(s, null, 2) : formatBusStatus(s))
}

/** Exit code of a verification: 0 clean, 1 a failure, 5 valid chains that prove a fork. */
export function verifyExitCode (ok: boolean, failures: number, forks: number): number {
  if (failures > 0) return 1
  if (forks > 0) return 5
  return ok ? 0 : 1
}

export async function runBusVerify (dataDir: string, opts: { all?: boolean, json?: boolean }): Promise<void> {
  const res = await apiStream(dataDir, 'GET', `/v1/bus/verify${opts.all === true ? '?all=1' : ''}`, undefined, { signal: untilInterrupted() })
  const bar = progress(opts.all === true ? 'verifying every signature' : 'verifying')
  let report: VerifyReport | undefined
  for await (const line of lines(res)) {
    if (line.progress != null) bar.update(line.progress.done, line.progress.total)
    else if (line.report != null) report = line.report
    else if (line.error != null) { bar.end(); throw new CliError(`verification stopped: ${String(line.error)}`, 'check the node\'s log') }
  }
  bar.end()
  if (report == null) throw new CliError('the node ended the verification without a report', 'check the node\'s log')
  out(opts.json === true ? JSON.stringify(report, null, 2) : formatVerify(report))
  process.exitCode = verifyExitCode(report.ok, report.authors.filter(a => a.firstFailure != null).length, report.authors.reduce((n, a) => n + a.forks.length, 0))
}

export async function runBusExport (dataDir: string, file: string): Promise<void> {
  const res = await apiStream(dataDir, 'GET', '/v1/bus/export', undefined, { signal: untilInterrupted() })
  const entries = Number(res.headers['x-smesh-entries'] ?? 0)
  const tmp = `${file}.tmp-${process.pid}`
  const bar = progress(`exporting ${entries.toLocaleString('en-US')} entries, MiB written:`)
  let bytes = 0
  res.on('data', (c: Buffer) => { bytes += c.byteLength; bar.update(Math.floor(bytes / 1048576), 0) })
  try {
    await pipeline(res, createWriteStream(tmp, { flags: 'wx', mode: 0o600 }))
    await rename(tmp, file)
  } catch (err: any) {
    await rm(tmp, { force: true })
    bar.end()
    if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EEXIST') throw new CliError(`cannot write ${file}: ${err.code as string}`, 'choose a writable path', 1)
    throw err
  }
  bar.end()
  process.stderr.write(`exported ${entries.toLocaleString('en-US')} entries (${(bytes / 1048576).toFixed(1)} MiB) to ${file}; check it anywhere with: smesh verify ${file}\n`)
}

export async function runBusReindex (dataDir: string, opts: { json?: boolean }): Promise<void> {
  const r = await apiPost<{ entries: number }>(dataDir, '/v1/bus/reindex', {}, { timeoutMs: 600_000 })
  out(opts.json === true ? JSON.stringify(r) : `rebuilt the memory and session views from ${r.entries.toLocaleString('en-US')} entries`)
}
