import { queryLog } from '@smesh/bus'
import { TASK_KINDS } from './records.js'
import type { Bus, EntryView } from '@smesh/bus'

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
  /** The serving node signed a task.result. */
  attested: boolean
}

const body = (v: EntryView): Record<string, any> => (typeof v.body === 'object' && v.body != null ? v.body : {}) as Record<string, any>

/** The newest `limit` tasks this node's bus knows of, newest first. */
export async function listTasks (bus: Bus, options: { limit?: number } = {}): Promise<TaskView[]> {
  const limit = Math.min(Math.max(options.limit ?? 20, 1), 1000)
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
