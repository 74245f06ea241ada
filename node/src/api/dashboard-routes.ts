import { open } from 'node:fs/promises'
import { taskRecords } from '@smesh/tasks'
import { DashboardEvents } from '../web/dashboard-events.js'
import { logFields } from '../logger.js'
import { count, query, str } from './params.js'
import { StreamResponse, getView } from './server.js'
import type { Bus } from '@smesh/bus'
import type { PeerView } from '@smesh/mesh'
import type { MemberRow } from './mesh-routes.js'
import type { DashboardSessions } from '../web/dashboard-sessions.js'
import type { DashboardTopic } from '../web/dashboard-events.js'
import type { RouteHandler } from './server.js'

type Routes = Record<string, RouteHandler | Partial<Record<'GET' | 'POST', RouteHandler>>>

export interface DashboardRoutesInit {
  sessions: DashboardSessions
  bus: Bus
  /** The control API's other routes: each live view is the document its GET answers. */
  routes: Routes
  /** Presence: a peer that joins, is pruned or leaves shows at once. */
  presence: EventTarget
  /** The control API's URL, once it listens. */
  apiUrl: () => string
  logFile: string
}

/** A line of the node's log, as the dashboard shows it. */
export interface LogLine {
  time: number
  level: string
  msg: string
  fields: string
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }
const MAX_LOG_TAIL = 256 * 1024

/** The last `lines` lines of the node's JSON log (read from its last 256 KiB). */
export async function logTail (file: string, lines: number): Promise<LogLine[]> {
  const f = await open(file, 'r').catch(() => undefined)
  if (f == null) return []
  try {
    const { size } = await f.stat()
    const start = Math.max(0, size - MAX_LOG_TAIL)
    const buf = Buffer.alloc(size - start)
    await f.read(buf, 0, buf.byteLength, start)
    const text = buf.toString('utf8').split('\n')
    if (start > 0) text.shift() // a partial first line
    const out: LogLine[] = []
    for (const l of text.slice(-lines - 1)) {
      if (l.trim() === '') continue
      try {
        const o = JSON.parse(l) as Record<string, unknown>
        out.push({ time: Number(o.time), level: LEVELS[Number(o.level)] ?? String(o.level), msg: String(o.msg ?? ''), fields: logFields(o).trim() })
      } catch { // a line that is not JSON (cut by a crash) is skipped
      }
    }
    return out.slice(-lines)
  } finally {
    await f.close()
  }
}

/** Which live views a new entry of `kind` changes. */
export function topicsOfKind (kind: string): string[] {
  const out = ['busStatus', 'heads']
  if (kind.startsWith('task.')) out.push('tasks')
  if (kind.startsWith('member.')) out.push('members', 'mesh', 'topology')
  if (kind.startsWith('policy.')) out.push('approvals')
  return out
}

/**
 * The dashboard's endpoints: its login links (for `smesh dashboard`), the
 * end of every session, the live feed, the log tail, a task's records.
 */
export function dashboardRoutes (init: DashboardRoutesInit): { routes: Routes, events: DashboardEvents } {
  const view = (path: string, params: Record<string, string> = {}) => async (): Promise<unknown> => await getView(init.routes, path, params)
  // what changes with every beacon or ping is left out or rounded, so an idle mesh sends little: a
  // connected peer's last-heard time (the page says "now"), ages (the page counts them from a start time)
  const topology = async (): Promise<unknown> => {
    const t = await getView(init.routes, '/v1/topology') as { nodes: Array<Record<string, unknown>>, links: Array<{ rttMs: number | null }> }
    return { ...t, nodes: t.nodes.map(({ lastSeenMs, ...n }) => n), links: t.links.map(l => ({ ...l, rttMs: roundRtt(l.rttMs) })) }
  }
  const peers = async (): Promise<unknown> => (await getView(init.routes, '/v1/peers') as PeerView[]).map(({ lastSeenMs, rttMs, uptimeMs, lastSeenAt, ...p }) => ({
    ...p,
    rttMs: roundRtt(rttMs),
    lastSeenAt: p.connected ? null : lastSeenAt,
    upSince: Math.round((Date.now() - uptimeMs) / 10_000) * 10_000
  }))
  const members = async (): Promise<unknown> => (await getView(init.routes, '/v1/members') as MemberRow[]).map(m => m.connected ? { ...m, lastSeenAt: null } : m)
  const status = async (): Promise<unknown> => {
    const { uptimeMs, ...s } = await getView(init.routes, '/v1/status') as Record<string, unknown>
    return { ...s, cpu: cpuShare() }
  }
  // presence and new entries push their views at once; the periods only catch what changes otherwise
  const topics: Record<string, DashboardTopic> = {
    topology: { view: topology, everyMs: 2_000 },
    peers: { view: peers, everyMs: 5_000 },
    members: { view: members, everyMs: 5_000 },
    models: { view: view('/v1/models'), everyMs: 2_000 },
    approvals: { view: view('/v1/approvals'), everyMs: 5_000 },
    busStatus: { view: view('/v1/bus/status'), everyMs: 5_000 },
    heads: { view: view('/v1/bus/heads'), everyMs: 5_000 },
    tasks: { view: view('/v1/tasks', { limit: '50' }), everyMs: 10_000 },
    mesh: { view: view('/v1/mesh'), everyMs: 10_000 },
    status: { view: status, everyMs: 10_000 },
    keys: { view: view('/v1/gateway/keys'), everyMs: 10_000 }
  }
  const events = new DashboardEvents({
    topics,
    bus: init.bus,
    triggers: [{ target: init.presence, events: ['presence:join', 'presence:update', 'presence:prune', 'presence:leave'], topics: ['topology', 'peers', 'members'] }],
    topicsOfKind
  })
  return {
    events,
    routes: {
      '/v1/dashboard/link': {
        POST: () => {
          const { secret, expiresAt } = init.sessions.createLink()
          return { url: `${init.apiUrl()}/dashboard/#login=${secret}`, expiresAt }
        }
      },
      '/v1/dashboard/logout-all': { POST: () => ({ ended: init.sessions.endAll() }) },
      '/v1/dashboard/session': (ctx) => ({ expiresAt: ctx.session?.expiresAt ?? null, sessions: init.sessions.count }),
      '/v1/dashboard/events': (ctx) => new StreamResponse('text/event-stream', events.stream(ctx.signal, () => ctx.session == null || init.sessions.live(ctx.session)), { 'x-accel-buffering': 'no' }),
      '/v1/logs': async (ctx) => await logTail(init.logFile, Math.min(count(ctx, 'lines') ?? 100, 1000)),
      '/v1/tasks/records': async (ctx) => await taskRecords(init.bus, str(query(ctx, 'task'), 'task') as string)
    }
  }
}

/** An RTT as the dashboard shows it: half milliseconds below 1 ms, whole ones below 10, then two digits (ping jitter does not resend the graph). */
export function roundRtt (ms: number | null): number | null {
  if (ms == null) return null
  if (ms < 1) return Math.max(0.5, Math.ceil(ms * 2) / 2)
  if (ms < 10) return Math.round(ms)
  return Number(ms.toPrecision(2))
}

let lastCpu = { at: performance.now(), usage: process.cpuUsage() }
/** This process's CPU use since the last call, as a share of one core. */
function cpuShare (): number {
  const now = performance.now()
  const usage = process.cpuUsage()
  const ms = now - lastCpu.at
  const used = (usage.user - lastCpu.usage.user + usage.system - lastCpu.usage.system) / 1000
  lastCpu = { at: now, usage }
  return ms > 0 ? Math.round(used / ms * 1000) / 1000 : 0
}
