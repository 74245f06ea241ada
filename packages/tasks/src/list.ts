import { queryLog } from '@smesh/bus'
import { TASK_KINDS } from './records.js'
import { verifyReceipt } from './receipt.js'
import type { Bus, EntryView } from '@smesh/bus'
import type { RunningTask } from './records.js'

/** A task as `smesh tasks` shows it: its records on the bus joined by task id. */
export interface TaskView {
  task: string
  /** PeerId of the node that submitted it ("self" for this one). */
  submitter: string
  requestedAt: string
  model: string
  residency: string
  status: 'running' | 'done' | 'failed' | 'denied'
  peer?: string
  device?: string
  provider?: string
  servedModel?: string
  tier?: string
  firstTokenMs?: number | null
  totalMs?: number
  outputTokens?: number
  handoffs: Array<{ from: string, fromDevice: string, reason: string, partialChars: number }>
  error?: { code: string, message: string }
  /** The serving node vouched for what it served: its receipt in the record verifies (or, before receipts, it signed a task.result), or this very node served it. */
  attested: boolean
}

const body = (v: EntryView): Record<string, any> => (typeof v.body === 'object' && v.body != null ? v.body : {}) as Record<string, any>

/** The newest `limit` tasks this node's bus knows of, newest first. `self`: this node's PeerId (its own records say "self"). */
export async function listTasks (bus: Bus, options: { limit?: number, self?: string, running?: Iterable<RunningTask> } = {}): Promise<TaskView[]> {
  const limit = Math.min(Math.max(options.limit ?? 20, 1), 1000)
  // what runs here now has no record yet
  const ended: TaskView[] = [...(options.running ?? [])].map(r => ({ task: r.task, submitter: 'self', requestedAt: r.requestedAt, model: r.model, residency: r.residency, status: 'running' as const, handoffs: [], attested: false }))
  // a serving node of the version before receipts signed a task.result instead: it attests a new submitter's task too
  const results = new Set((await queryLog(bus, { kind: TASK_KINDS.result, limit: limit * 8 })).map(e => `${String(body(e).task)}/${e.peerId}`))
  for (const kind of [TASK_KINDS.done, TASK_KINDS.fail, TASK_KINDS.deny]) {
    for (const e of await queryLog(bus, { kind, limit })) {
      const v = await fromEnd(e, options.self)
      if (v == null) continue
      if (!v.attested && v.peer != null && results.has(`${v.task}/${v.peer}`)) v.attested = true
      ended.push(v)
    }
  }
  const legacy = await listLegacy(bus, limit)
  return [...ended, ...legacy].sort((a, b) => b.requestedAt.localeCompare(a.requestedAt)).slice(0, limit)
}

/** A task from its one end record (request, assignments and handoffs inside); undefined for a record of the older, one-per-step kind. */
async function fromEnd (e: EntryView, self?: string): Promise<TaskView | undefined> {
  const b = body(e)
  const req = b.request as Record<string, unknown> | undefined
  if (typeof b.task !== 'string' || req == null || typeof req !== 'object') return undefined
  const assigned = Array.isArray(b.assigned) ? b.assigned as Array<Record<string, unknown>> : []
  const handedOff = Array.isArray(b.handedOff) ? b.handedOff as Array<Record<string, unknown>> : []
  const endedAt = Date.parse(e.time)
  const totalMs = typeof b.totalMs === 'number' && Number.isFinite(b.totalMs) ? b.totalMs : 0
  const v: TaskView = {
    task: b.task,
    submitter: e.peerId,
    requestedAt: new Date(endedAt - Math.max(0, totalMs)).toISOString(),
    model: String(req.model ?? ''),
    residency: String(req.residency ?? ''),
    status: e.kind === TASK_KINDS.done ? 'done' : e.kind === TASK_KINDS.fail ? 'failed' : 'denied',
    handoffs: handedOff.map(h => ({ from: String(h.from), fromDevice: String(h.fromDevice ?? ''), reason: String(h.reason), partialChars: Number(h.partialChars ?? 0) })),
    attested: false
  }
  if (e.kind === TASK_KINDS.done) {
    Object.assign(v, { peer: b.peer, device: b.device, provider: b.provider, servedModel: b.model, tier: b.tier, firstTokenMs: b.firstTokenMs, totalMs: b.totalMs, outputTokens: b.outputTokens })
    const submitter = e.peerId === 'self' ? self : e.peerId
    if (b.peer === submitter && submitter != null) v.attested = true
    else if (typeof b.receipt === 'string' && typeof b.peer === 'string' && submitter != null) {
      v.attested = await verifyReceipt(b.peer, {
        task: b.task, submitter, provider: String(b.provider), model: String(b.model), digest: String(b.digest ?? ''), tier: String(b.tier), inputTokens: Number(b.inputTokens ?? 0), outputTokens: Number(b.outputTokens ?? 0)
      }, Buffer.from(b.receipt, 'base64'))
    }
  } else if (e.kind === TASK_KINDS.fail) {
    v.error = { code: String(b.code), message: String(b.message) }
  } else {
    v.error = { code: 'residency', message: String(b.reason) }
  }
  // the last assignment names where it went, even when it failed there
  const last = assigned.at(-1)
  if (v.peer == null && last != null) Object.assign(v, { peer: last.peer, device: last.device, provider: last.provider, tier: last.tier })
  return v
}

/** Tasks of nodes before the one-record trail: a request record, then one record per step. */
async function listLegacy (bus: Bus, limit: number): Promise<TaskView[]> {
  const requests = await queryLog(bus, { kind: TASK_KINDS.request, limit })
  const views = new Map<string, TaskView>()
  for (const r of requests) {
    const b = body(r)
    if (typeof b.task !== 'string') continue
    views.set(b.task, { task: b.task, submitter: r.peerId, requestedAt: r.time, model: String(b.model ?? ''), residency: String(b.residency ?? ''), status: 'running', handoffs: [], attested: false })
  }
  // the other records of these tasks are among the newest of their kinds
  const scan = limit * 8
  for (const kind of [TASK_KINDS.handoff, TASK_KINDS.done, TASK_KINDS.fail, TASK_KINDS.deny, TASK_KINDS.result]) {
    const entries = await queryLog(bus, { kind, limit: scan })
    for (const e of entries.reverse()) {
      const b = body(e)
      const v = views.get(b.task)
      if (v == null) continue
      switch (kind) {
        case TASK_KINDS.handoff:
          v.handoffs.push({ from: String(b.from), fromDevice: String(b.fromDevice ?? ''), reason: String(b.reason), partialChars: Number(b.partialChars ?? 0) })
          break
        case TASK_KINDS.done:
          Object.assign(v, { status: 'done', peer: b.peer, device: b.device, provider: b.provider, servedModel: b.model, tier: b.tier, firstTokenMs: b.firstTokenMs, totalMs: b.totalMs, outputTokens: b.outputTokens })
          break
        case TASK_KINDS.fail:
          Object.assign(v, { status: 'failed', error: { code: String(b.code), message: String(b.message) } })
          break
        case TASK_KINDS.deny:
          Object.assign(v, { status: 'denied', error: { code: 'residency', message: String(b.reason) } })
          break
        case TASK_KINDS.result:
          v.attested = true
          break
      }
    }
  }
  return [...views.values()]
}

const TASK_RECORD_KINDS = Object.values(TASK_KINDS)

/** Every record of one task this node's bus holds, oldest first. */
export async function taskRecords (bus: Bus, task: string): Promise<EntryView[]> {
  const out: EntryView[] = []
  for (const kind of TASK_RECORD_KINDS) {
    for (const e of await queryLog(bus, { kind, limit: 2000 })) {
      const b = e.body as Record<string, unknown> | null
      if (typeof b === 'object' && b != null && b.task === task) out.push(e)
    }
  }
  return out.sort((a, b) => a.hlc.ms.localeCompare(b.hlc.ms, undefined, { numeric: true }) || a.hlc.counter - b.hlc.counter)
}
