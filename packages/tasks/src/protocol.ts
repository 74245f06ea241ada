import { pbStream } from '@libp2p/utils'
import { RECEIPT_BYTES } from './receipt.js'
import type { ReceiptFields } from './receipt.js'
import { RateLimiter } from '@smesh/bus'
import { MAX_TASK_FRAME_BYTES, MAX_TASK_MESSAGES, MAX_TASK_REQUEST_BYTES, MAX_TASK_REQUEST_BYTES_V1, TASK_PROTOCOL, TASK_PROTOCOL_V1, TASK_VERSION, TASK_VERSION_V1, TaskFrame, TaskRequest, decodeTaskFrame, decodeTaskRequest } from '@smesh/protocols'
import { TaskFailedError, isTaskErrorCode } from './errors.js'
import { taskErrorOf } from './executor.js'
import { doneFrame, fromWireRequest, toWireRequest } from './wire.js'
import type { EmbedRunResult, Executor, RunResult } from './executor.js'
import type { AnyCall } from './wire.js'
import type { FinishReason, ToolCall } from '@smesh/inference'
import type { Connection, Stream } from '@libp2p/interface'

export { TASK_PROTOCOL, TASK_PROTOCOL_V1 } from '@smesh/protocols'
export type { TaskCall, EmbedCall, AnyCall } from './wire.js'

const FRAME = { decode: decodeTaskFrame }
/** The request limits of each protocol version. */
const REQUEST_BYTES: Record<string, number> = { [TASK_PROTOCOL]: MAX_TASK_REQUEST_BYTES, [TASK_PROTOCOL_V1]: MAX_TASK_REQUEST_BYTES_V1 }
/** A text frame carries at most this many characters (longer pieces are split). */
const MAX_FRAME_TEXT = 16 * 1024
/** The request must arrive this soon after the stream opens: 10 s, and 10 s more per MiB the protocol allows (images on a slow link). */
const requestTimeoutMs = (maxBytes: number): number => 10_000 + Math.ceil(maxBytes / (1024 * 1024)) * 10_000
/** A serving node sends an empty frame after this long without a frame (a model writing a long tool call is silent). */
export const TASK_HEARTBEAT_MS = 30_000
/** Largest tool call one answer may bring (its arguments may travel in several frames). */
const MAX_TOOL_CALL_CHARS = 4 * 1024 * 1024
/** Longest silence on a task stream before the submitter gives up on the peer. */
export const TASK_IDLE_MS = 90_000
/** Longest answer a submitter takes from a serving peer. */
export const MAX_ANSWER_CHARS = 8 * 1024 * 1024

/** What the serving node tells the submitter when a task is done. */
export interface ServedBy extends RunResult {
  peer: string
  /** The serving node's receipt (receipt.ts), if it gave one. */
  receipt?: Uint8Array
}

/** What the serving node tells the submitter when an embedding batch is done. */
export interface EmbeddedBy extends EmbedRunResult {
  peer: string
  receipt?: Uint8Array
}

export interface TaskServerInit {
  executor: Executor
  /** This node's PeerId. */
  peerId: string
  /** Why `peer` may not have a task served here (its lease, this node's own), or undefined. */
  refuse: (peer: string) => string | undefined
  /**
   * Why this node may not run the task for `peer` where it asks (the mesh
   * policy's task.model and task.cloud for the submitting device, with the
   * approvals the task cites), or undefined. May wait a moment for an
   * approval still on its way.
   */
  authorize?: (peer: string, task: { model: string, provider: string, approvals: string[], onBehalfOf?: string }, signal: AbortSignal) => Promise<string | undefined>
  /** Tasks of one peer running here at once. */
  maxPerPeer?: number
  /** New tasks per second of one peer, and the burst. */
  ratePerPeer?: number
  burstPerPeer?: number
  onServed?: (task: { id: string, peer: string, result?: ServedBy | EmbeddedBy, error?: TaskFailedError }) => void
  /** How long a stream may be quiet before an empty frame goes out (default TASK_HEARTBEAT_MS). */
  heartbeatMs?: number
  /** Signs the receipt of a task served (this node's Ed25519 key); none when absent or when it fails. */
  signReceipt?: (r: ReceiptFields) => Promise<Uint8Array>
}

/**
 * The serving side of /smesh/task/1.1.0 and /smesh/task/1.0.0: one task per stream. Reads the
 * request, checks the peer, its limits and the request, runs the task on the
 * executor and streams the text back, then a `done` or `error` frame. The
 * stream closing (or being reset) before the end cancels the task.
 */
export class TaskServer {
  private readonly running = new Map<string, number>()
  private readonly limiter: RateLimiter

  constructor (private readonly init: TaskServerInit) {
    this.limiter = new RateLimiter(init.ratePerPeer ?? 100, init.burstPerPeer ?? 200)
  }

  /** Serves one task stream of `protocol` (TASK_PROTOCOL or TASK_PROTOCOL_V1). */
  async serve (stream: Stream, connection: Connection, signal: AbortSignal, protocol: string = TASK_PROTOCOL): Promise<void> {
    const peer = connection.remotePeer.toString()
    const maxBytes = REQUEST_BYTES[protocol] ?? MAX_TASK_REQUEST_BYTES_V1
    const version = protocol === TASK_PROTOCOL ? TASK_VERSION : TASK_VERSION_V1
    const pb = pbStream(stream, { maxDataLength: maxBytes, maxBufferSize: maxBytes + 16 })
    const controller = new AbortController()
    const onClose = (): void => { controller.abort() }
    stream.addEventListener('close', onClose)
    try {
      await this.serveTask(stream, peer, pb, controller, signal, { maxBytes, version })
    } finally {
      stream.removeEventListener('close', onClose)
    }
  }

  private async serveTask (stream: Stream, peer: string, pb: ReturnType<typeof pbStream<Stream>>, controller: AbortController, signal: AbortSignal, wire: { maxBytes: number, version: number }): Promise<void> {
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
    // the stream counts against the peer's share from now on: a request being read holds memory too
    this.running.set(peer, (this.running.get(peer) ?? 0) + 1)
    try {
      await this.read(stream, peer, pb, controller, stop, wire, fail, (v) => { id = v })
    } finally {
      const n = (this.running.get(peer) ?? 1) - 1
      if (n <= 0) this.running.delete(peer)
      else this.running.set(peer, n)
    }
  }

  /** Reads, checks and runs the request of an admitted stream. */
  private async read (stream: Stream, peer: string, pb: ReturnType<typeof pbStream<Stream>>, controller: AbortController, stop: AbortSignal, wire: { maxBytes: number, version: number }, fail: (err: TaskFailedError) => Promise<void>, setId: (id: string) => void): Promise<void> {
    let req: TaskRequest
    try {
      req = await pb.read({ decode: (buf) => decodeTaskRequest(buf, wire.maxBytes) }, { signal: AbortSignal.any([stop, AbortSignal.timeout(requestTimeoutMs(wire.maxBytes))]) })
    } catch (err: any) {
      const what = String(err?.name ?? '') + String(err?.message ?? '')
      // a request that did not arrive in time is a slow link, not a bad request: another candidate may take it
      if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
        await fail(new TaskFailedError('timeout', `the task request did not arrive within ${Math.round(requestTimeoutMs(wire.maxBytes) / 1000)} s`))
        return
      }
      const tooLarge = /length|exceed|too (long|large)|limit/i.test(what)
      await fail(tooLarge
        ? new TaskFailedError('too-large', `the task request is over ${wire.maxBytes} bytes or ${MAX_TASK_MESSAGES} messages (or another of its limits)`)
        : new TaskFailedError('malformed', `unreadable task request: ${String(err?.message ?? err).slice(0, 200)}`))
      return
    }
    const id = /^[0-9a-f]{32}$/.test(req.id) ? req.id : ''
    setId(id)
    let call: AnyCall
    try {
      if (req.version !== wire.version) throw new TaskFailedError('protocol', `a version ${req.version} request on the protocol of version ${wire.version}`)
      call = fromWireRequest(req)
    } catch (err) {
      await fail(taskErrorOf(err))
      return
    }
    // the submitter's clock set the deadline: only one long past on any plausible clock is refused here
    if (call.deadline != null && call.deadline + 300_000 < Date.now()) {
      await fail(new TaskFailedError('deadline', 'the task\'s deadline has passed'))
      return
    }
    const refused = await this.init.authorize?.(peer, { model: call.model, provider: call.provider, approvals: call.approvals ?? [], ...(call.onBehalfOf != null ? { onBehalfOf: call.onBehalfOf } : {}) }, stop)
    if (refused != null) {
      await fail(new TaskFailedError('not-allowed', refused, undefined, { hint: 'see the rules with smesh policy show; an admin approves with smesh approve' }))
      return
    }
    const out = new FrameWriter(pb, stop, () => { controller.abort() }, this.init.heartbeatMs ?? TASK_HEARTBEAT_MS)
    const send = (frame: TaskFrame): void => { out.send(frame) }
    try {
      let served: ServedBy | EmbeddedBy
      if (call.kind === 'embed') {
        const { id: _i, deadline: _d, kind: _k, ...run } = call
        const result = await this.init.executor.embed({ ...run, self: false }, { signal: stop })
        result.vectors.forEach((v, index) => { send({ text: '', embedding: { index, values: [...v] } }) })
        served = { ...result, peer: this.init.peerId }
        send({ text: '', done: await this.signed(id, peer, doneFrame({ ...served, finishReason: 'stop', outputTokens: 0, firstTokenMs: null })) })
      } else {
        const { id: _i, deadline: _d, kind: _k, ...run } = call
        const result = await this.init.executor.run({ ...run, self: false }, {
          signal: stop,
          onText: (text) => {
            for (const piece of splitText(text, MAX_FRAME_TEXT)) send({ text: piece })
          },
          // a call too large for one frame travels in pieces: every piece but the last says more follows
          onToolCall: (toolCall) => {
            const pieces = splitText(toolCall.arguments, MAX_FRAME_TEXT)
            if (pieces.length === 0) pieces.push('')
            pieces.forEach((args, i) => { send({ text: '', toolCall: { id: toolCall.id, name: toolCall.name, arguments: args, continued: i < pieces.length - 1 } }) })
          }
        })
        served = { ...result, peer: this.init.peerId }
        // after the last token: the receipt's signature (Ed25519, tens of microseconds) never delays the answer
        send({ text: '', done: await this.signed(id, peer, doneFrame(served)) })
      }
      await out.drained()
      await closeStream(stream)
      this.init.onServed?.({ id, peer, result: served })
    } catch (err) {
      await out.drained()
      await fail(taskErrorOf(err))
    }
  }

  /** The done frame with this node's receipt of it: signed over the very values the frame carries (as they decode), so the submitter's record verifies. */
  private async signed (task: string, submitter: string, frame: NonNullable<TaskFrame['done']>): Promise<NonNullable<TaskFrame['done']>> {
    const sent = TaskFrame.decode(TaskFrame.encode({ text: '', done: frame })).done ?? frame
    try {
      const receipt = await this.init.signReceipt?.({ task, submitter, provider: sent.provider, model: sent.model, digest: sent.digest, tier: sent.tier, inputTokens: sent.inputTokens, outputTokens: sent.outputTokens })
      return receipt != null ? { ...frame, receipt: new Uint8Array(receipt) } : frame
    } catch {
      return frame
    }
  }

  private admit (peer: string): TaskFailedError | undefined {
    const why = this.init.refuse(peer)
    if (why != null) return new TaskFailedError('not-allowed', why)
    if (this.full(peer)) return new TaskFailedError('busy', 'this peer already runs as many of your tasks as it allows')
    if (!this.limiter.take(peer)) return new TaskFailedError('busy', 'too many tasks from this peer in a short time', 1_000)
    return undefined
  }

  private full (peer: string): boolean {
    return (this.running.get(peer) ?? 0) >= (this.init.maxPerPeer ?? this.init.executor.concurrency * 2)
  }
}

/**
 * The frames of an answer, written in order. Text that arrives while a write
 * is in flight joins the text frame waiting behind it (up to MAX_FRAME_TEXT),
 * so a fast backend costs one frame per write, not one per piece, and a slow
 * one no added delay. A submitter that stops reading (no write completes for
 * TASK_IDLE_MS) is given up on, like one that stops sending.
 */
class FrameWriter {
  private readonly queue: TaskFrame[] = []
  private active?: Promise<void>
  /** When the write in progress began (performance.now()), and when the last frame went out. */
  private writeStartedAt = 0
  private lastSentAt = performance.now()
  private readonly timer: ReturnType<typeof setInterval>
  private closed = false

  constructor (private readonly pb: ReturnType<typeof pbStream<Stream>>, private readonly signal: AbortSignal, private readonly onStuck: () => void, private readonly heartbeatMs: number) {
    this.timer = setInterval(() => { this.tick() }, Math.min(heartbeatMs, TASK_IDLE_MS) / 3)
    this.timer.unref()
  }

  send (frame: TaskFrame): void {
    if (this.closed) return
    const last = this.queue[this.queue.length - 1]
    const plain = (f: TaskFrame | undefined): boolean => f != null && f.done == null && f.error == null && f.toolCall == null && f.embedding == null
    if (plain(frame) && plain(last) && (last as TaskFrame).text.length + frame.text.length <= MAX_FRAME_TEXT) (last as TaskFrame).text += frame.text
    else this.queue.push(frame)
    this.active ??= this.pump()
  }

  /** Resolves once every frame sent so far is written (or writing failed); no heartbeat after. */
  async drained (): Promise<void> {
    while (this.active != null) await this.active
    this.closed = true
    clearInterval(this.timer)
  }

  /**
   * A write that has not finished for TASK_IDLE_MS means a submitter that
   * stopped reading; a stream quiet for TASK_HEARTBEAT_MS gets an empty
   * frame, so the submitter knows the task is alive.
   */
  private tick (): void {
    const now = performance.now()
    if (this.active != null) {
      if (now - this.writeStartedAt >= TASK_IDLE_MS) this.onStuck()
      return
    }
    if (now - this.lastSentAt >= this.heartbeatMs) this.send({ text: '' })
  }

  private async pump (): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const frame = this.queue.shift() as TaskFrame
        this.writeStartedAt = performance.now()
        await this.pb.write(frame, TaskFrame, { signal: this.signal })
        this.lastSentAt = performance.now()
      }
    } catch {
      this.queue.length = 0
      this.closed = true
      clearInterval(this.timer)
      this.onStuck()
    } finally {
      this.active = undefined
    }
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

/** The frame values of the done frame, in the domain's terms. */
function servedOf (d: NonNullable<TaskFrame['done']>): Omit<ServedBy, 'toolCalls'> {
  return {
    peer: d.peer,
    provider: d.provider,
    model: d.model,
    digest: d.digest,
    tier: d.tier === 'local' ? 'local' : 'cloud',
    finishReason: (['stop', 'length', 'tool_calls', 'content_filter'].includes(d.finishReason) ? d.finishReason : 'stop') as FinishReason,
    ...(d.stopSequence !== '' ? { stopSequence: d.stopSequence } : {}),
    inputTokens: d.inputTokens,
    outputTokens: d.outputTokens,
    firstTokenMs: d.firstTokenMs < 0 ? null : d.firstTokenMs,
    totalMs: d.totalMs,
    ...(d.receipt.byteLength === RECEIPT_BYTES ? { receipt: d.receipt } : {})
  }
}

export interface CallOptions {
  signal?: AbortSignal
  onText?: (text: string) => void
  /** Each complete tool call the serving peer sends. */
  onToolCall?: (call: ToolCall) => void
  idleMs?: number
  /** TASK_PROTOCOL (default) or TASK_PROTOCOL_V1, for a peer that serves only 1.0.0. */
  protocol?: string
}

/** Most tool calls one answer may bring. */
const MAX_TOOL_CALLS = 64

/**
 * The submitting side: opens a stream to the serving peer, sends the task and
 * passes each piece of the answer on as it arrives. Aborting `signal` resets
 * the stream, which cancels the task on the serving peer.
 */
async function call <T> (open: (signal: AbortSignal, protocol: string) => Promise<Stream>, request: AnyCall, options: CallOptions, onFrame: (frame: TaskFrame) => T | undefined): Promise<T> {
  const signal = options.signal ?? new AbortController().signal
  const protocol = options.protocol ?? TASK_PROTOCOL
  let stream: Stream
  try {
    stream = await open(AbortSignal.any([signal, AbortSignal.timeout(10_000)]), protocol)
  } catch (err: any) {
    if (signal.aborted) throw new TaskFailedError('aborted', 'the task was cancelled')
    // this node's own limit of streams on the connection: the peer is fine, just full from here
    if (/TooMany(Outbound|Inbound)ProtocolStreams/.test(String(err?.name ?? ''))) throw new TaskFailedError('busy', 'as many task streams to this peer as a connection takes are open', 200)
    throw new TaskFailedError('connection', `could not open a task stream: ${String(err?.message ?? err).slice(0, 200)}`, undefined, { cause: err })
  }
  const onAbort = (): void => { stream.abort(new Error('the task was cancelled')) }
  signal.addEventListener('abort', onAbort, { once: true })
  const quiet = new AbortController()
  let idle: ReturnType<typeof setTimeout> | undefined
  try {
    const pb = pbStream(stream, { maxDataLength: MAX_TASK_FRAME_BYTES })
    // one idle timer for the whole stream, pushed back by every frame (not a timeout signal per frame);
    // it runs from before the request is written: a peer that never reads it is given up on too
    const idleMs = options.idleMs ?? TASK_IDLE_MS
    idle = setTimeout(() => { quiet.abort() }, idleMs)
    const readSignal = AbortSignal.any([signal, quiet.signal])
    await pb.write(toWireRequest(request, protocol === TASK_PROTOCOL ? TASK_VERSION : TASK_VERSION_V1), TaskRequest, { signal: readSignal })
    idle.refresh()
    while (true) {
      let frame: TaskFrame
      try {
        frame = await pb.read(FRAME, { signal: readSignal })
        idle.refresh()
      } catch (err: any) {
        if (signal.aborted) throw new TaskFailedError('aborted', 'the task was cancelled')
        if (quiet.signal.aborted) throw new TaskFailedError('timeout', `the serving peer sent nothing for ${Math.round(idleMs / 1000)} s`)
        // a frame over the protocol's limit: the peer does not keep to the protocol (not a lost connection)
        if (err?.name === 'InvalidDataLengthError' || err?.name === 'InvalidDataLengthLengthError') throw new TaskFailedError('protocol', `the serving peer sent a frame over ${MAX_TASK_FRAME_BYTES} bytes`, undefined, { cause: err })
        throw new TaskFailedError('connection', 'the serving peer went away before the answer ended', undefined, { cause: err })
      }
      if (frame.error != null) {
        const code = isTaskErrorCode(frame.error.code) ? frame.error.code : 'server'
        throw new TaskFailedError(code, frame.error.message.slice(0, 500), frame.error.retryAfterMs > 0 ? frame.error.retryAfterMs : undefined)
      }
      const done = onFrame(frame)
      if (done !== undefined) {
        await stream.close({ signal: AbortSignal.timeout(2_000) }).catch(() => {})
        return done
      }
    }
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err instanceof TaskFailedError ? err : new TaskFailedError('protocol', `the task stream failed: ${String((err as Error)?.message ?? err).slice(0, 200)}`, undefined, { cause: err })
  } finally {
    clearTimeout(idle)
    signal.removeEventListener('abort', onAbort)
  }
}

/** Runs a chat on a serving peer: text and tool calls as they come, then who served it. */
export async function callTask (open: (signal: AbortSignal, protocol: string) => Promise<Stream>, request: AnyCall & { kind: 'chat' }, options: CallOptions = {}): Promise<ServedBy> {
  let received = 0
  const toolCalls: ToolCall[] = []
  /** A tool call whose pieces are still coming. */
  let piecing: ToolCall | undefined
  return await call(open, request, options, (frame) => {
    if (piecing != null && (frame.toolCall == null || frame.toolCall.id !== piecing.id)) throw new TaskFailedError('protocol', 'the serving peer broke off a tool call in pieces')
    if (frame.text !== '') {
      received += frame.text.length
      if (received > MAX_ANSWER_CHARS) throw new TaskFailedError('too-large', `the serving peer sent over ${MAX_ANSWER_CHARS} characters`)
      options.onText?.(frame.text)
    }
    if (frame.toolCall != null) {
      if (toolCalls.length >= MAX_TOOL_CALLS) throw new TaskFailedError('too-large', `the serving peer sent over ${MAX_TOOL_CALLS} tool calls`)
      const piece = frame.toolCall
      piecing = piecing == null ? { id: piece.id, name: piece.name, arguments: piece.arguments } : { ...piecing, arguments: piecing.arguments + piece.arguments }
      if (piecing.arguments.length > MAX_TOOL_CALL_CHARS) throw new TaskFailedError('too-large', `the serving peer sent a tool call over ${MAX_TOOL_CALL_CHARS} characters`)
      if (!piece.continued) {
        toolCalls.push(piecing)
        options.onToolCall?.(piecing)
        piecing = undefined
      }
    }
    if (frame.embedding != null) throw new TaskFailedError('protocol', 'the serving peer sent an embedding for a chat')
    return frame.done != null ? { ...servedOf(frame.done), toolCalls } : undefined
  })
}

/** Runs an embedding batch on a serving peer: one vector per input, all of one length. */
export async function callEmbed (open: (signal: AbortSignal, protocol: string) => Promise<Stream>, request: AnyCall & { kind: 'embed' }, options: Omit<CallOptions, 'onText' | 'onToolCall' | 'protocol'> = {}): Promise<EmbeddedBy> {
  const vectors: Float32Array[] = new Array(request.inputs.length)
  let got = 0
  return await call(open, request, { ...options, protocol: TASK_PROTOCOL }, (frame) => {
    const e = frame.embedding
    if (e != null) {
      if (e.index >= vectors.length || vectors[e.index] != null) throw new TaskFailedError('protocol', `the serving peer sent an embedding for input ${e.index} twice or out of range`)
      if (e.values.length === 0 || (got > 0 && e.values.length !== vectors.find(v => v != null)?.length)) throw new TaskFailedError('protocol', 'the serving peer sent embeddings of different lengths')
      vectors[e.index] = Float32Array.from(e.values)
      got++
    }
    if (frame.text !== '' || frame.toolCall != null) throw new TaskFailedError('protocol', 'the serving peer sent text for an embedding task')
    if (frame.done == null) return undefined
    if (got !== vectors.length) throw new TaskFailedError('protocol', `the serving peer sent ${got} of ${vectors.length} embeddings`)
    const d = servedOf(frame.done)
    return { peer: d.peer, provider: d.provider, model: d.model, digest: d.digest, tier: d.tier, vectors, inputTokens: d.inputTokens, totalMs: d.totalMs, ...(d.receipt != null ? { receipt: d.receipt } : {}) }
  })
}
