import { pbStream } from '@libp2p/utils'
import { RateLimiter } from '@smesh/bus'
import { MAX_TASK_FRAME_BYTES, MAX_TASK_MESSAGES, MAX_TASK_REQUEST_BYTES, TASK_VERSION, TaskFrame, TaskRequest, decodeTaskFrame, decodeTaskRequest } from '@smesh/protocols'
import { TaskFailedError, isTaskErrorCode } from './errors.js'
import { taskErrorOf } from './executor.js'
import { RESIDENCIES } from './spec.js'
import type { Executor, RunRequest, RunResult } from './executor.js'
import type { Residency } from './spec.js'
import type { ChatMessage } from '@smesh/inference'
import type { Connection, Stream } from '@libp2p/interface'

export { TASK_PROTOCOL } from '@smesh/protocols'

const REQUEST = { decode: decodeTaskRequest }
const FRAME = { decode: decodeTaskFrame }
const ROLES = new Set(['system', 'user', 'assistant'])
/** A text frame carries at most this many characters (longer pieces are split). */
const MAX_FRAME_TEXT = 16 * 1024
/** The request must arrive this soon after the stream opens. */
const REQUEST_TIMEOUT_MS = 10_000
/** Longest silence on a task stream before the submitter gives up on the peer. */
export const TASK_IDLE_MS = 90_000
/** Longest answer a submitter takes from a serving peer. */
export const MAX_ANSWER_CHARS = 8 * 1024 * 1024

/** What the serving node tells the submitter when a task is done. */
export interface ServedBy extends RunResult {
  peer: string
}

export interface TaskServerInit {
  executor: Executor
  /** This node's PeerId. */
  peerId: string
  /** Why `peer` may not have a task served here (its lease, this node's own), or undefined. */
  refuse: (peer: string) => string | undefined
  /** Tasks of one peer running here at once. */
  maxPerPeer?: number
  /** New tasks per second of one peer, and the burst. */
  ratePerPeer?: number
  burstPerPeer?: number
  onServed?: (task: { id: string, peer: string, result?: ServedBy, error?: TaskFailedError }) => void
}

/**
 * The serving side of /smesh/task/1.0.0: one task per stream. Reads the
 * request, checks the peer, its limits and the request, runs the task on the
 * executor and streams the text back, then a `done` or `error` frame. The
 * stream closing (or being reset) before the end cancels the task.
 */
export class TaskServer {
  private readonly running = new Map<string, number>()
  private readonly limiter: RateLimiter

  constructor (private readonly init: TaskServerInit) {
    this.limiter = new RateLimiter(init.ratePerPeer ?? 20, init.burstPerPeer ?? 40)
  }

  async serve (stream: Stream, connection: Connection, signal: AbortSignal): Promise<void> {
    const peer = connection.remotePeer.toString()
    const pb = pbStream(stream, { maxDataLength: MAX_TASK_REQUEST_BYTES, maxBufferSize: MAX_TASK_REQUEST_BYTES + 16 })
    const controller = new AbortController()
    const onClose = (): void => { controller.abort() }
    stream.addEventListener('close', onClose)
    try {
      await this.serveTask(stream, peer, pb, controller, signal)
    } finally {
      stream.removeEventListener('close', onClose)
    }
  }

  private async serveTask (stream: Stream, peer: string, pb: ReturnType<typeof pbStream<Stream>>, controller: AbortController, signal: AbortSignal): Promise<void> {
    const stop = AbortSignal.any([signal, controller.signal])
    let id = ''
    const fail = async (err: TaskFailedError): Promise<void> => {
      this.init.onServed?.({ id, peer, error: err })
      if (stop.aborted) return
      await pb.write({ text: '', error: { code: err.code, message: err.message.slice(0, 500), retryAfterMs: Math.min(err.retryAfterMs ?? 0, 2 ** 31) } }, TaskFrame, { signal: AbortSignal.any([stop, AbortSignal.timeout(5_000)]) }).catch(() => {})
      await closeStream(stream)
    }
    // who may send, and how much, is known before a byte of the request is read
    const early = this.admit(peer)
    if (early != null) {
      await fail(early)
      return
    }
    let req: TaskRequest
    try {
      req = await pb.read(REQUEST, { signal: AbortSignal.any([stop, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) })
    } catch (err: any) {
      const tooLarge = /length|exceed|too (long|large)|limit/i.test(String(err?.name ?? '') + String(err?.message ?? ''))
      await fail(tooLarge
        ? new TaskFailedError('too-large', `the task request is over ${MAX_TASK_REQUEST_BYTES} bytes or ${MAX_TASK_MESSAGES} messages`)
        : new TaskFailedError('malformed', `unreadable task request: ${String(err?.message ?? err).slice(0, 200)}`))
      return
    }
    id = /^[0-9a-f]{32}$/.test(req.id) ? req.id : ''
    const refusal = this.check(peer, req)
    if (refusal != null) {
      await fail(refusal)
      return
    }
    this.running.set(peer, (this.running.get(peer) ?? 0) + 1)
    let writing = Promise.resolve()
    const send = (frame: TaskFrame): void => {
      // a submitter that stops reading is given up on, like one that stops sending
      writing = writing.then(async () => { await pb.write(frame, TaskFrame, { signal: AbortSignal.any([stop, AbortSignal.timeout(TASK_IDLE_MS)]) }) }).catch(() => { controller.abort() })
    }
    try {
      const result = await this.init.executor.run({
        provider: req.provider,
        model: req.model,
        messages: req.messages as ChatMessage[],
        maxTokens: req.maxTokens > 0 ? req.maxTokens : undefined,
        temperature: req.temperature >= 0 ? req.temperature : undefined,
        residency: req.residency as Residency,
        self: false
      }, {
        signal: stop,
        onText: (text) => {
          for (const piece of splitText(text, MAX_FRAME_TEXT)) send({ text: piece })
        }
      })
      const served: ServedBy = { ...result, peer: this.init.peerId }
      send({ text: '', done: doneFrame(served) })
      await writing
      await closeStream(stream)
      this.init.onServed?.({ id, peer, result: served })
    } catch (err) {
      await writing
      await fail(taskErrorOf(err))
    } finally {
      const n = (this.running.get(peer) ?? 1) - 1
      if (n <= 0) this.running.delete(peer)
      else this.running.set(peer, n)
    }
  }

  private admit (peer: string): TaskFailedError | undefined {
    const why = this.init.refuse(peer)
    if (why != null) return new TaskFailedError('not-allowed', why)
    if (this.full(peer)) return new TaskFailedError('busy', 'this peer already runs as many of your tasks as it allows')
    if (!this.limiter.take(peer)) return new TaskFailedError('busy', 'too many tasks from this peer in a short time', 1_000)
    return undefined
  }

  private check (peer: string, req: TaskRequest): TaskFailedError | undefined {
    if (req.version !== TASK_VERSION) return new TaskFailedError('protocol', `task protocol version ${req.version} is not understood (this node speaks ${TASK_VERSION})`)
    if (!/^[0-9a-f]{32}$/.test(req.id)) return new TaskFailedError('malformed', 'a task id is 32 hex digits')
    if (!(RESIDENCIES as readonly string[]).includes(req.residency)) return new TaskFailedError('malformed', `unknown residency ${JSON.stringify(req.residency.slice(0, 20))}`)
    if (req.messages.length === 0 || req.messages.some(m => !ROLES.has(m.role))) return new TaskFailedError('malformed', 'a task needs messages with roles system, user or assistant')
    // the submitter's clock set the deadline: only one long past on any plausible clock is refused here
    if (req.deadline > 0n && Number(req.deadline) + 300_000 < Date.now()) return new TaskFailedError('deadline', 'the task\'s deadline has passed')
    // checked again: other streams of the peer may have started while this request was read
    if (this.full(peer)) return new TaskFailedError('busy', 'this peer already runs as many of your tasks as it allows')
    return undefined
  }

  private full (peer: string): boolean {
    return (this.running.get(peer) ?? 0) >= (this.init.maxPerPeer ?? this.init.executor.concurrency * 2)
  }
}

/** Closes a task stream, or resets it if the close does not finish in time. */
async function closeStream (stream: Stream): Promise<void> {
  await stream.close({ signal: AbortSignal.timeout(5_000) }).catch(() => { stream.abort(new Error('close failed')) })
}

/** Splits text into pieces of at most `max` UTF-16 units without cutting a surrogate pair. */
export function splitText (text: string, max: number): string[] {
  const out: string[] = []
  let i = 0
  while (i < text.length) {
    let end = Math.min(i + max, text.length)
    const last = text.charCodeAt(end - 1)
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--
    out.push(text.slice(i, end))
    i = end
  }
  return out
}

function doneFrame (r: ServedBy): TaskFrame['done'] {
  return {
    peer: r.peer,
    provider: r.provider,
    model: r.model,
    digest: r.digest,
    tier: r.tier,
    finishReason: r.finishReason,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    firstTokenMs: r.firstTokenMs ?? -1,
    totalMs: r.totalMs
  }
}

/** A task as sent to a serving peer: what the executor runs there, with an id and a deadline. */
export interface TaskCall extends Omit<RunRequest, 'self'> {
  id: string
  deadline?: number
}

/**
 * The submitting side: opens a stream to `peer`, sends the task and passes
 * each piece of text on as it arrives. Aborting `signal` resets the stream,
 * which cancels the task on the serving peer.
 */
export async function callTask (open: (signal: AbortSignal) => Promise<Stream>, call: TaskCall, options: { signal?: AbortSignal, onText?: (text: string) => void, idleMs?: number } = {}): Promise<ServedBy> {
  const signal = options.signal ?? new AbortController().signal
  let stream: Stream
  try {
    stream = await open(AbortSignal.any([signal, AbortSignal.timeout(10_000)]))
  } catch (err: any) {
    if (signal.aborted) throw new TaskFailedError('aborted', 'the task was cancelled')
    throw new TaskFailedError('connection', `could not open a task stream: ${String(err?.message ?? err).slice(0, 200)}`, undefined, { cause: err })
  }
  const onAbort = (): void => { stream.abort(new Error('the task was cancelled')) }
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    const pb = pbStream(stream, { maxDataLength: MAX_TASK_FRAME_BYTES })
    await pb.write({
      version: TASK_VERSION,
      id: call.id,
      model: call.model,
      provider: call.provider,
      messages: call.messages,
      maxTokens: call.maxTokens ?? 0,
      temperature: call.temperature ?? -1,
      residency: call.residency,
      deadline: BigInt(call.deadline ?? 0)
    }, TaskRequest, { signal })
    let received = 0
    while (true) {
      let frame: TaskFrame
      try {
        frame = await pb.read(FRAME, { signal: AbortSignal.any([signal, AbortSignal.timeout(options.idleMs ?? TASK_IDLE_MS)]) })
      } catch (err: any) {
        if (signal.aborted) throw new TaskFailedError('aborted', 'the task was cancelled')
        if (err?.name === 'TimeoutError') throw new TaskFailedError('timeout', `the serving peer sent nothing for ${Math.round((options.idleMs ?? TASK_IDLE_MS) / 1000)} s`)
        throw new TaskFailedError('connection', 'the serving peer went away before the answer ended', undefined, { cause: err })
      }
      if (frame.text !== '') {
        received += frame.text.length
        if (received > MAX_ANSWER_CHARS) throw new TaskFailedError('too-large', `the serving peer sent over ${MAX_ANSWER_CHARS} characters`)
        options.onText?.(frame.text)
      }
      if (frame.error != null) {
        const code = isTaskErrorCode(frame.error.code) ? frame.error.code : 'server'
        throw new TaskFailedError(code, frame.error.message.slice(0, 500), frame.error.retryAfterMs > 0 ? frame.error.retryAfterMs : undefined)
      }
      if (frame.done != null) {
        const d = frame.done
        await stream.close({ signal: AbortSignal.timeout(2_000) }).catch(() => {})
        return {
          peer: d.peer,
          provider: d.provider,
          model: d.model,
          digest: d.digest,
          tier: d.tier === 'local' ? 'local' : 'cloud',
          finishReason: d.finishReason,
          inputTokens: d.inputTokens,
          outputTokens: d.outputTokens,
          firstTokenMs: d.firstTokenMs < 0 ? null : d.firstTokenMs,
          totalMs: d.totalMs
        }
      }
    }
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err instanceof TaskFailedError ? err : new TaskFailedError('protocol', `the task stream failed: ${String((err as Error)?.message ?? err).slice(0, 200)}`, undefined, { cause: err })
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}
