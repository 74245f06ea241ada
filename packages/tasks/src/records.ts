import { createHash } from 'node:crypto'
import type { ChatMessage } from '@smesh/inference'

/**
 * Bus records a task leaves: one, when it ends, written by the submitting
 * node: `task.done`, `task.fail`, or `task.deny` (the residency forbade
 * every candidate). It holds the request (hashes and sizes), every
 * assignment (with the approvals it cited) and handoff, the outcome, and the
 * serving node's receipt (its Ed25519 signature of what it served, see
 * receipt.ts). No record holds the prompt or the answer, unless the task
 * runs in a session the user keeps.
 *
 * Nodes before this wrote a record per step (`task.request`, `task.assign`,
 * `task.handoff`, and the server's `task.result`): four or more entries of
 * about 4 KB each on every device per task. Those kinds are still read.
 */
export const TASK_KINDS = {
  request: 'task.request',
  assign: 'task.assign',
  handoff: 'task.handoff',
  deny: 'task.deny',
  done: 'task.done',
  fail: 'task.fail',
  result: 'task.result'
} as const

export interface RequestRecord { task: string, kind?: 'chat' | 'embed', promptSha256: string, promptChars: number, messages?: number, inputs?: number, tools?: number, images?: number, model: string, residency: string, policy: string, client?: string, session?: string, onBehalfOf?: string }
export interface AssignRecord { task: string, attempt: number, peer: string, device: string, provider: string, model: string, tier: string, score: number }
export interface HandoffRecord { task: string, from: string, fromDevice: string, reason: string, message: string, partialChars: number, partialSha256: string }
export interface DenyRecord { task: string, residency: string, model: string, reason: string, forbidden: Array<{ peer: string, provider: string, tier: string }> }
export interface DoneRecord { task: string, kind?: 'embed', peer: string, device: string, provider: string, model: string, digest: string, tier: string, firstTokenMs: number | null, totalMs: number, inputTokens: number, outputTokens: number, handoffs: number, chars: number, finishReason?: string, toolCalls?: number, stopSequence?: string, inputs?: number, dimensions?: number }
export interface FailRecord { task: string, code: string, message: string, attempts: number }
/** A task this node is running now: it has no record until it ends. */
export interface RunningTask {
  task: string
  requestedAt: string
  model: string
  residency: string
}

/** What an end record carries besides its outcome (as it is on the bus, `task` aside). */
export interface TaskTrail {
  request: Omit<RequestRecord, 'task'>
  /** `at`: when the assignment was made (ms): the policy gate judges it as of then. */
  assigned: Array<Omit<AssignRecord, 'task'> & { at: number, approvals?: string[], inputs?: number, repeats?: number }>
  handedOff?: Array<Omit<HandoffRecord, 'task'> & { droppedToolCalls?: number }>
  /** Every approval the assignments cited: the policy gate of every node checks the entry's task actions against them. */
  approvals?: string[]
  /** The serving node's receipt (base64), when it gave one. */
  receipt?: string
}

export type EndKind = typeof TASK_KINDS.done | typeof TASK_KINDS.fail | typeof TASK_KINDS.deny

/**
 * A task's trail while it runs, written as its one record when it ends.
 * `write` appends to the bus in the background; a second end is ignored.
 */
export class TaskLedger {
  private readonly assigned: TaskTrail['assigned'] = []
  private readonly handedOff: NonNullable<TaskTrail['handedOff']> = []
  private ended = false

  /** `onEnd`: called once, when the record is written (the router's list of tasks running here). */
  constructor (private readonly write: (kind: string, body: object) => void, readonly task: string, private readonly request: TaskTrail['request'], private readonly onEnd?: () => void) {}

  /**
   * An assignment. One to a candidate already listed (a busy node asked
   * again, the next batch of an embedding on the same model) counts on that
   * entry (`repeats`) instead of adding one: the record stays small however
   * long a task waits, and every candidate it went to is still listed (and
   * judged by every node's policy gate).
   */
  assign (a: TaskTrail['assigned'][number]): void {
    const same = this.assigned.find(x => x.peer === a.peer && x.provider === a.provider && x.model === a.model && x.tier === a.tier)
    if (same == null) {
      this.assigned.push(a)
      return
    }
    same.repeats = (same.repeats ?? 0) + 1
    if (a.approvals != null && a.approvals.length > 0) same.approvals = [...new Set([...(same.approvals ?? []), ...a.approvals])]
    if (a.inputs != null) same.inputs = (same.inputs ?? 0) + a.inputs
  }

  handoff (h: NonNullable<TaskTrail['handedOff']>[number]): void { this.handedOff.push(h) }

  end (kind: EndKind, outcome: Record<string, unknown>, receipt?: Uint8Array): void {
    if (this.ended) return
    this.ended = true
    this.onEnd?.()
    const approvals = [...new Set(this.assigned.flatMap(a => a.approvals ?? []))]
    this.write(kind, {
      task: this.task,
      ...outcome,
      request: this.request,
      assigned: this.assigned,
      ...(this.handedOff.length > 0 ? { handedOff: this.handedOff } : {}),
      ...(approvals.length > 0 ? { approvals } : {}),
      ...(receipt != null && receipt.byteLength > 0 ? { receipt: Buffer.from(receipt).toString('base64') } : {})
    })
  }
}

/** A task.result of nodes before the one-record trail (still read). */
export interface ResultRecord { task: string, submitter: string, kind?: 'embed', provider: string, model: string, digest: string, tier: string, firstTokenMs: number | null, totalMs: number, inputTokens: number, outputTokens: number, finishReason: string, toolCalls?: number, inputs?: number }

export function sha256Hex (text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** The hash that stands for a prompt on the bus: of the messages as JSON. */
export function promptHash (messages: ChatMessage[]): string {
  return sha256Hex(JSON.stringify(messages.map(m => [m.role, m.content])))
}
