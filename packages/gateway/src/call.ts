import { estimateTextTokens } from '@smesh/inference'
import { toGatewayError } from './errors.js'
import { ResponseStream } from './stream.js'
import type { Api, GatewayError } from './errors.js'
import type { KeyRecord } from './keys.js'
import type { ToolCall } from '@smesh/inference'
import type { Candidate, EmbedInput, EmbedOutcome, Residency, RouterEvent, RunOptions, TaskInput, TaskOutcome } from '@smesh/tasks'
import type { FastifyReply } from 'fastify'

/** What the gateway needs of the node: its router and what the mesh can run. */
export interface GatewayMesh {
  run: (input: TaskInput, options: RunOptions) => Promise<TaskOutcome>
  embed: (input: EmbedInput, options: { signal?: AbortSignal, onEvent?: (evt: RouterEvent) => void }) => Promise<EmbedOutcome>
  candidates: () => Candidate[]
  /** The node's default residency. */
  residency: () => Residency
}

/** Where a response is being served, as the router reports it. */
export interface Where {
  task: string
  peer: string
  device: string
  model: string
  tier: string
  handoffs: number
}

/** Header values are ASCII: anything else (a device named in another script) is percent-encoded. */
const ascii = (s: string): string => /^[\x20-\x7e]*$/.test(s) ? s : encodeURIComponent(s)

/** Headers set on a reply so far (by the hooks: CORS), as strings. */
export function replyHeaders (reply: FastifyReply): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(reply.getHeaders())) if (v != null) out[k] = Array.isArray(v) ? v.join(', ') : String(v)
  return out
}

/** The X-Smesh-* headers of a response. */
export function smeshHeaders (w: Where): Record<string, string> {
  if (w.task === '') return {}
  return { 'x-smesh-task': w.task, 'x-smesh-peer': w.peer, 'x-smesh-device': ascii(w.device), 'x-smesh-model': ascii(w.model), 'x-smesh-tier': w.tier, 'x-smesh-handoffs': String(w.handoffs) }
}

/** The same as an extension field, for clients that cannot read headers. */
export function smeshField (w: Where): Where {
  return { ...w }
}

/** Tracks where a task runs from the router's events. */
export function tracker (requested: string): { where: Where, onEvent: (evt: RouterEvent) => void } {
  const where: Where = { task: '', peer: '', device: '', model: requested, tier: '', handoffs: 0 }
  return {
    where,
    onEvent: (evt) => {
      if (evt.type === 'assign') Object.assign(where, { task: evt.task, peer: evt.peer, device: evt.device, model: evt.model, tier: evt.tier })
      else if (evt.type === 'handoff') where.handoffs++
    }
  }
}

/** The outcome's place, final. */
export function whereOf (o: { task: string, peer: string, device: string, model: string, tier: string, handoffs?: unknown[] }): Where {
  return { task: o.task, peer: o.peer, device: o.device, model: o.model, tier: o.tier, handoffs: o.handoffs?.length ?? 0 }
}

/** Usage with estimates where the serving backend gave no count (an answer ended by a stop sequence). */
export function usageOf (o: TaskOutcome, promptTokens: number): { input: number, output: number } {
  return {
    input: o.inputTokens > 0 ? o.inputTokens : promptTokens,
    output: o.outputTokens > 0 ? o.outputTokens : estimateTextTokens(o.text) + o.toolCalls.length * 8
  }
}

/** The events of a chat in one API's streaming format. */
export interface ChatWire {
  api: Api
  contentType: string
  /** A comment (SSE) or ping event while nothing else goes out; none for NDJSON. */
  keepAlive?: () => string
  /** What opens the stream (Anthropic's message_start), right after the headers. */
  preamble?: (where: Where) => string
  text: (text: string, where: Where) => string
  /** The answer's tool calls, once it is whole. */
  toolCall: (call: ToolCall, index: number, where: Where) => string
  end: (outcome: TaskOutcome, where: Where) => string
  error: (err: GatewayError) => string
}

export interface CallContext {
  reply: FastifyReply
  signal: AbortSignal
  key?: KeyRecord
  /** Counts tokens to the key. */
  count: (input: number, output: number) => void
  /** Estimated prompt tokens, for usage where the backend gives none. */
  promptTokens: number
}

/**
 * Runs a chat and streams it in one API's format: headers (with where it
 * runs, as far as known) with the first text or a second after the request, text as it comes,
 * tool calls once the answer is whole, then the end. A failure before the
 * headers is an HTTP status with the API's error body; after, it is sent in
 * the stream.
 */
export async function streamChat (ctx: CallContext, mesh: GatewayMesh, input: TaskInput, wire: ChatWire, requested: string): Promise<void> {
  const { where, onEvent } = tracker(requested)
  const controller = new AbortController()
  const out = new ResponseStream(ctx.reply.raw, {
    contentType: wire.contentType,
    ...(wire.keepAlive != null ? { keepAlive: wire.keepAlive } : {}),
    // the reply's own headers (CORS) go out too: a hijacked reply writes none of them itself
    headers: () => ({ ...replyHeaders(ctx.reply), ...smeshHeaders(where) }),
    ...(wire.preamble != null ? { preamble: () => (wire.preamble as (w: Where) => string)(where) } : {}),
    onGone: () => { controller.abort() }
  })
  ctx.reply.hijack()
  let index = 0
  try {
    const outcome = await mesh.run(input, {
      signal: AbortSignal.any([ctx.signal, controller.signal]),
      onEvent,
      onText: (t) => { out.write(wire.text(t, where)) },
      onToolCall: (c) => { out.write(wire.toolCall(c, index++, where)) }
    })
    const u = usageOf(outcome, ctx.promptTokens)
    ctx.count(u.input, u.output)
    out.end(wire.end(outcome, whereOf(outcome)))
  } catch (err) {
    const e = toGatewayError(err)
    if (!out.started) out.fail(e.statusFor(wire.api), { ...replyHeaders(ctx.reply), ...e.headers(), ...smeshHeaders(where) }, e.body(wire.api))
    else out.end(wire.error(e))
  }
}
