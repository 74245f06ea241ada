import { randomBytes } from 'node:crypto'
import { promptChars } from '@smesh/inference'
import { TASK_PROTOCOL, TASK_PROTOCOL_V1 } from '@smesh/protocols'
import { CONTINUE_PROMPT, Continuation } from './continuation.js'
import { InvalidTaskError, TaskFailedError } from './errors.js'
import { chatNeeds } from './needs.js'
import { noCandidate } from './no-candidate.js'
import { TASK_KINDS, TaskLedger, promptHash, sha256Hex } from './records.js'
import type { RunningTask } from './records.js'
import { Reliability } from './reliability.js'
import { candidateKey, rank } from './score.js'
import { callTask } from './protocol.js'
import { formatModelSpec, parseModelSpec, parseResidency, parseTierPolicy } from './spec.js'
import { StopScanner } from './stops.js'
import { MAX_ATTEMPTS, MAX_BUSY_WAITS, pause } from './timing.js'
import { routeEmbed } from './embed-route.js'
import type { EmbedInput, EmbedOutcome } from './embed-route.js'
import { taskErrorOf } from './executor.js'
import type { Candidate, Catalog } from './catalog.js'
import type { Executor } from './executor.js'
import type { ChatParams, Needs } from './needs.js'
import type { ServedBy, TaskCall } from './protocol.js'
import type { ModelSpec, Residency, TierPolicy } from './spec.js'
import type { ChatMessage, FinishReason, ToolCall } from '@smesh/inference'
import type { Stream } from '@libp2p/interface'

const MAX_PROMPT_CHARS = 4_000_000

export interface TaskInput extends ChatParams {
  /** The user's prompt (appended to the session's history, if any); or give `messages`. */
  prompt?: string
  system?: string
  /** The whole conversation, as an API client sends it (instead of `prompt` and `system`). */
  messages?: ChatMessage[]
  /** A name, a preference list, family:NAME, best or best-local. */
  model?: string
  residency?: string
  policy?: string
  /** A session kept on the bus: its messages are the context, and the exchange is added to it. */
  session?: string
  /** Milliseconds the whole task may take. */
  timeoutMs?: number
  /** Who asked on this node (a gateway key's name), for the records. */
  client?: string
  /** A spec every candidate must meet too (the models a gateway key may use). */
  allow?: string
}

export interface Handoff {
  from: string
  fromDevice: string
  to?: string
  toDevice?: string
  reason: string
  message: string
  /** Characters of the answer produced before the handoff. */
  atChars: number
}

export interface TaskOutcome {
  task: string
  text: string
  /** The serving model's tool calls, whole. */
  toolCalls: ToolCall[]
  finishReason: FinishReason
  stopSequence?: string
  peer: string
  device: string
  provider: string
  model: string
  digest: string
  tier: string
  /** From the request to the first character of the answer, and to the end (ms). */
  firstTokenMs: number | null
  totalMs: number
  inputTokens: number
  outputTokens: number
  attempts: number
  handoffs: Handoff[]
  residency: Residency
  session?: string
}

export type RouterEvent =
  | { type: 'assign', task: string, attempt: number, peer: string, device: string, provider: string, model: string, tier: string }
  | { type: 'handoff', task: string, handoff: Handoff }
  | { type: 'retry', task: string, peer: string, device: string, provider: string, code: string, message: string }
  /** Something went wrong beside the answer (a session write); the task goes on. */
  | { type: 'warning', task: string, message: string }

export interface SessionStore {
  /** The session's messages, oldest first (throws when there is no such session). */
  history: (id: string, signal?: AbortSignal) => Promise<{ id: string, messages: ChatMessage[] }>
  append: (id: string, message: { role: 'user' | 'assistant' | 'note', content: string, model?: string, peer?: string }) => Promise<void>
}

/** A place a task may be sent, as the mesh policy judges it. */
export interface RoutingTarget { model: string, tier: string, provider: string }

export interface Governance {
  /** What the policy says of sending a task there: ranking leaves out a blocked one. */
  verdict: (t: RoutingTarget, device?: string) => 'allow' | 'ask' | 'block'
  /** Before a task is sent there: throws when blocked, waits for an admin when asked; the approvals the task cites. With `device`, the member the task is run for is judged too. */
  authorize: (t: RoutingTarget, signal: AbortSignal, device?: string) => Promise<string[]>
}

export interface RouterInit {
  self: { peerId: string, name: string }
  catalog: Catalog
  executor: Executor
  /** Opens a task stream of `protocol` to a peer. */
  open: (peer: string, signal: AbortSignal, protocol: string) => Promise<Stream>
  /** Appends a record to the bus (in the background, in order). */
  record: (kind: string, body: object) => void
  sessions?: SessionStore
  /** Why this node (or the member `device` it runs a task for) may not submit tasks now, or undefined. */
  refuse?: (device?: string) => string | undefined
  /** The mesh policy's routing rules for this device (task.model, task.cloud); none: every candidate is allowed. */
  governance?: Governance
  residency?: Residency
  policy?: TierPolicy
  now?: () => number
}

export interface RunOptions {
  signal?: AbortSignal
  onText?: (text: string) => void
  /** The answer's tool calls, once it is complete (tool calls of an attempt that failed never come). */
  onToolCall?: (call: ToolCall) => void
  onEvent?: (evt: RouterEvent) => void
  /**
   * The member device this node routes the task for (a browser device, which
   * cannot route): its lease and the mesh policy for it decide as well as
   * this node's, and the request record names it.
   */
  onBehalfOf?: string
}

/** The protocol that carries a task to a candidate: 1.1.0 where the node serves it. */
export function protocolFor (c: Candidate): string {
  return c.self || c.protocols.includes('1.1.0') ? TASK_PROTOCOL : TASK_PROTOCOL_V1
}

/**
 * Chooses where a task runs and keeps it running: ranks every candidate the
 * spec, residency and the task's needs allow, runs the task on the best, and
 * on a failure (connection lost, timeout, rate limit, overload, server error)
 * moves it to the next, continuing a cut-off answer from where it stopped.
 */
export class Router {
  readonly reliability: Reliability
  readonly inFlight = new Map<string, number>()
  /** Tasks submitted here that have not ended (their one record is written when they do). */
  readonly running = new Map<string, RunningTask>()
  /** Rate limits this router met, before the provider's advert says so. */
  readonly cooldowns = new Map<string, number>()
  readonly now: () => number

  constructor (readonly init: RouterInit) {
    this.now = init.now ?? Date.now
    this.reliability = new Reliability(this.now)
  }

  /** Candidates for a spec, best first. */
  plan (spec: ModelSpec, residency: Residency, policy: TierPolicy, needs?: Needs, pin?: { model: string, digest: string }, allow?: ModelSpec, onBehalfOf?: string): ReturnType<typeof rank> {
    return rank(this.init.catalog.candidates(), {
      spec,
      residency,
      policy,
      needs,
      pin,
      allow,
      inFlight: (peer) => this.inFlight.get(peer) ?? 0,
      reliability: (key) => this.reliability.score(key),
      broken: (key) => this.reliability.open(key),
      cooldown: (key) => this.cooldowns.get(key) ?? 0,
      governed: this.init.governance != null ? (c) => (this.init.governance as Governance).verdict(c, onBehalfOf) : undefined,
      now: this.now()
    })
  }

  /** The residency and policy of a task: its own, else this node's. */
  where (input: { residency?: string, policy?: string }): { residency: Residency, policy: TierPolicy } {
    return {
      residency: input.residency != null ? parseResidency(input.residency) : (this.init.residency ?? 'mesh'),
      policy: input.policy != null ? parseTierPolicy(input.policy) : (this.init.policy ?? 'local-first')
    }
  }

  /**
   * The approvals a task sent to `c` cites (none where the policy allows
   * it), or why it may not go there: blocked since it was ranked, declined
   * by an admin, or not approved in time. Throws only when `signal` aborts.
   */
  async approvalsFor (c: Candidate, signal: AbortSignal, onBehalfOf?: string): Promise<string[] | TaskFailedError> {
    try {
      return await this.init.governance?.authorize(c, signal, onBehalfOf) ?? []
    } catch (e) {
      if (signal.aborted) throw e
      return new TaskFailedError('not-allowed', (e as Error).message, undefined, { hint: (e as { hint?: string }).hint ?? 'see the rules with smesh policy show' })
    }
  }

  /** Counts a task sent to `peer` while `fn` runs. */
  async tracked <T> (peer: string, fn: () => Promise<T>): Promise<T> {
    this.inFlight.set(peer, (this.inFlight.get(peer) ?? 0) + 1)
    try {
      return await fn()
    } finally {
      const n = (this.inFlight.get(peer) ?? 1) - 1
      if (n <= 0) this.inFlight.delete(peer)
      else this.inFlight.set(peer, n)
    }
  }

  /** After a failed attempt: a cooldown for a rate limit, a failure against the candidate for the rest. */
  blame (key: string, err: TaskFailedError): void {
    if (err.code === 'rate-limit' || err.code === 'overloaded') this.cooldowns.set(key, this.now() + (err.retryAfterMs ?? 30_000))
    else if (err.code !== 'busy' && err.code !== 'unsupported') this.reliability.failure(key)
  }

  /** Embeddings of texts from the best model the mesh has for them (see embed-route.ts). */
  async embed (input: EmbedInput, options: { signal?: AbortSignal, onEvent?: (evt: RouterEvent) => void } = {}): Promise<EmbedOutcome> {
    return await routeEmbed(this, input, options)
  }

  async run (input: TaskInput, options: RunOptions = {}): Promise<TaskOutcome> {
    const started = performance.now()
    const spec = parseModelSpec(input.model)
    const { residency, policy } = this.where(input)
    if (input.messages == null && (typeof input.prompt !== 'string' || input.prompt.trim() === '')) throw new InvalidTaskError('the prompt is empty', 'give the prompt as an argument or on stdin')
    if (input.messages != null && (input.messages.length === 0 || input.prompt != null || input.session != null)) throw new InvalidTaskError('a task has either messages, or a prompt (with a session, if any)')
    const refusal = this.init.refuse?.(options.onBehalfOf)
    if (refusal != null) throw new TaskFailedError('not-allowed', refusal)
    const signal = AbortSignal.any([options.signal, input.timeoutMs != null ? AbortSignal.timeout(input.timeoutMs) : undefined].filter((s): s is AbortSignal => s != null))
    const deadline = input.timeoutMs != null ? Date.now() + input.timeoutMs : undefined

    let session: string | undefined
    const history: ChatMessage[] = []
    if (input.session != null) {
      if (this.init.sessions == null) throw new InvalidTaskError('this node keeps no sessions')
      const s = await this.init.sessions.history(input.session, signal)
      session = s.id
      history.push(...s.messages)
    }
    const messages: ChatMessage[] = input.messages ?? [...(input.system != null ? [{ role: 'system' as const, content: input.system }] : []), ...history, { role: 'user', content: input.prompt as string }]
    const chars = promptChars(messages)
    if (chars > MAX_PROMPT_CHARS) throw new InvalidTaskError(`the prompt has ${chars} characters, over the limit of ${MAX_PROMPT_CHARS}`)
    const { prompt: _p, system: _s, messages: _m, model: _mo, residency: _r, policy: _po, session: _se, timeoutMs: _t, client, allow: allowText, ...params } = input
    const allow = allowText != null ? parseModelSpec(allowText) : undefined
    const needs = chatNeeds(messages, params)
    const task = randomBytes(16).toString('hex')
    // one record when the task ends, nothing on the bus before: no signature stands between the task and its first token
    this.running.set(task, { task, requestedAt: new Date(this.now()).toISOString(), model: formatModelSpec(spec), residency })
    const ledger = new TaskLedger(this.init.record, task, {
      kind: 'chat', promptSha256: promptHash(messages), promptChars: chars, messages: messages.length, model: formatModelSpec(spec), residency, policy,
      ...(params.tools != null && params.tools.length > 0 ? { tools: params.tools.length } : {}),
      ...(needs.capabilities.includes('vision') ? { images: messages.reduce((n, m) => n + (m.images?.length ?? 0), 0) } : {}),
      ...(client != null ? { client } : {}),
      ...(session != null ? { session } : {}),
      ...(options.onBehalfOf != null ? { onBehalfOf: options.onBehalfOf } : {})
    }, () => { this.running.delete(task) })
    /** Session writes after the question are part of the record, not of the answer: a failure is noted, the task goes on. */
    const toSession = async (message: Parameters<SessionStore['append']>[1]): Promise<void> => {
      if (session == null) return
      await this.init.sessions?.append(session, message).catch((err: Error) => { options.onEvent?.({ type: 'warning', task, message: `the session could not be written: ${err.message}` }) })
    }
    // the question itself must reach the session (its lease and the mesh policy allow it), or the task is refused
    if (session != null) {
      try {
        await this.init.sessions?.append(session, { role: 'user', content: input.prompt as string })
      } catch (err: any) {
        // refused before it ran: recorded all the same
        ledger.end(TASK_KINDS.fail, { code: typeof err?.code === 'string' ? err.code : 'session', message: String(err?.message ?? err).slice(0, 500), attempts: 0 })
        throw err
      }
    }
    /** Characters of the answer already in the session (a partial answer at a handoff). */
    let inSession = 0

    /** What the models produced (the context of a continuation), and what the client has been given. */
    let text = ''
    let shown = ''
    let firstTokenMs: number | null = null
    const stops = new StopScanner(params.stop ?? [], (t) => {
      firstTokenMs ??= Math.round((performance.now() - started) * 10) / 10
      shown += t
      options.onText?.(t)
    })
    /** Set when a stop sequence ends the answer: the attempt is stopped. */
    let stopAttempt: (() => void) | undefined
    /**
     * Structured output (a JSON format) must arrive whole: a grammar-held
     * backend cannot continue half a JSON value. Its text is held until its
     * attempt ends, and a failed attempt's is dropped, not continued.
     */
    const whole = params.format != null
    const emit = (piece: string): void => {
      if (piece === '') return
      text += piece
      if (!whole && stops.push(piece)) stopAttempt?.()
    }
    const handoffs: Handoff[] = []
    const tried = new Set<string>()
    let attempts = 0
    let busyWaits = 0
    let last: TaskFailedError | undefined
    /** The user cancelled or the task ran out of time: recorded, and the error to throw. */
    const stopped = (): TaskFailedError => {
      const why = options.signal?.aborted === true ? new TaskFailedError('aborted', 'the task was cancelled') : new TaskFailedError('deadline', `the task took longer than ${input.timeoutMs ?? 0} ms`)
      ledger.end(TASK_KINDS.fail, { code: why.code, message: why.message, attempts })
      return why
    }

    while (attempts < MAX_ATTEMPTS) {
      const { ranked, excluded } = this.plan(spec, residency, policy, needs, undefined, allow, options.onBehalfOf)
      const next = ranked.find(r => !tried.has(candidateKey(r.candidate)))
      if (next == null) {
        const err = noCandidate({ task, model: formatModelSpec(spec), spec, residency, needs, excluded, last, triedAll: ranked.length > 0, now: this.now() })
        if (err.code === 'residency') {
          ledger.end(TASK_KINDS.deny, { residency, model: formatModelSpec(spec), reason: err.message, forbidden: excluded.residency.map(c => ({ peer: c.peer, provider: c.provider, tier: c.tier })) })
        } else {
          ledger.end(TASK_KINDS.fail, { code: err.code, message: err.message, attempts })
        }
        throw err
      }
      const c = next.candidate
      const key = candidateKey(c)
      tried.add(key)
      attempts++
      const approvals = await this.approvalsFor(c, signal, options.onBehalfOf).catch(() => { throw stopped() })
      if (approvals instanceof TaskFailedError) {
        last = approvals
        attempts--
        continue
      }
      ledger.assign({ attempt: attempts, at: this.now(), peer: c.peer, device: c.device, provider: c.provider, model: c.model, tier: c.tier, score: Math.round(next.score * 10) / 10, ...(approvals.length > 0 ? { approvals } : {}) })
      options.onEvent?.({ type: 'assign', task, attempt: attempts, peer: c.peer, device: c.device, provider: c.provider, model: c.model, tier: c.tier })
      if (whole) text = ''
      const partial = text
      const attemptMessages: ChatMessage[] = partial === '' ? messages : [...messages, { role: 'assistant', content: partial }, { role: 'user', content: CONTINUE_PROMPT }]
      const cont = partial === '' ? undefined : new Continuation(partial, emit)
      const onText = cont == null ? emit : (t: string) => { cont.push(t) }
      const controller = new AbortController()
      stopAttempt = () => { controller.abort() }
      /** Tool calls of this attempt: given to the client only once the answer is whole. */
      const calls: ToolCall[] = []
      try {
        const call: TaskCall = { ...params, id: task, provider: c.provider, model: c.model, messages: attemptMessages, residency, deadline, ...(approvals.length > 0 ? { approvals } : {}), ...(options.onBehalfOf != null ? { onBehalfOf: options.onBehalfOf } : {}) }
        const served = await this.tracked(c.peer, async () => await this.attempt(c, call, AbortSignal.any([signal, controller.signal]), onText, (tc) => { calls.push(tc) }))
        cont?.end()
        if (whole) stops.push(text)
        stops.end()
        this.reliability.success(key)
        return await this.finish({ task, ledger, c, served, calls, shown, firstTokenMs, started, attempts, handoffs, residency, session, stopSequence: stops.matched ?? served.stopSequence }, options, async () => {
          if (text.length > inSession) await toSession({ role: 'assistant', content: text.slice(inSession), model: served.model, peer: served.peer })
        })
      } catch (e) {
        cont?.end()
        if (stops.matched != null && !signal.aborted) {
          // a stop sequence ended the answer: the attempt was stopped on purpose
          this.reliability.success(key)
          return await this.finish({ task, ledger, c, calls: [], shown, firstTokenMs, started, attempts, handoffs, residency, session, stopSequence: stops.matched }, options, async () => {
            if (shown.length > inSession) await toSession({ role: 'assistant', content: shown.slice(inSession), model: c.model, peer: c.peer })
          })
        }
        const err = taskErrorOf(e)
        if (signal.aborted) throw stopped()
        last = err
        if (err.code === 'busy' && text === '' && busyWaits < MAX_BUSY_WAITS) {
          // a full node is not a failed one: wait a moment and rank again, this candidate included
          busyWaits++
          attempts--
          tried.delete(key)
          options.onEvent?.({ type: 'retry', task, peer: c.peer, device: c.device, provider: c.provider, code: err.code, message: err.message })
          await pause(Math.min(err.retryAfterMs ?? 100 * busyWaits, 1_000), signal)
          if (signal.aborted) throw stopped()
          continue
        }
        this.blame(key, err)
        options.onEvent?.({ type: 'retry', task, peer: c.peer, device: c.device, provider: c.provider, code: err.code, message: err.message })
        if (!err.retryable) {
          if (err.code === 'residency') ledger.end(TASK_KINDS.deny, { residency, model: formatModelSpec(spec), reason: err.message, forbidden: [{ peer: c.peer, provider: c.provider, tier: c.tier }] })
          else ledger.end(TASK_KINDS.fail, { code: err.code, message: err.message, attempts })
          throw err
        }
        // the task moves on: with the answer so far, if any (tool calls of this attempt are dropped with it)
        const handoff: Handoff = { from: c.peer, fromDevice: c.device, reason: err.code, message: err.message, atChars: text.length }
        handoffs.push(handoff)
        ledger.handoff({ from: c.peer, fromDevice: c.device, reason: err.code, message: err.message, partialChars: text.length, partialSha256: sha256Hex(text), ...(calls.length > 0 ? { droppedToolCalls: calls.length } : {}) })
        if (text.length > inSession) {
          await toSession({ role: 'assistant', content: text.slice(inSession), model: c.model, peer: c.peer })
          await toSession({ role: 'note', content: `answer cut off on ${c.device} (${err.code}) after ${text.length} characters; continued on the next peer` })
          inSession = text.length
        }
        options.onEvent?.({ type: 'handoff', task, handoff })
      } finally {
        stopAttempt = undefined
      }
    }
    const err = new TaskFailedError(last?.code ?? 'no-candidate', `the task failed on ${attempts} candidates; the last said: ${last?.message ?? 'nothing'}`, last?.retryAfterMs)
    ledger.end(TASK_KINDS.fail, { code: err.code, message: err.message, attempts })
    throw err
  }

  /** A task's end: its tool calls to the client, the done record, the session. */
  private async finish (d: { task: string, ledger: TaskLedger, c: Candidate, served?: ServedBy, calls: ToolCall[], shown: string, firstTokenMs: number | null, started: number, attempts: number, handoffs: Handoff[], residency: Residency, session?: string, stopSequence?: string }, options: RunOptions, toSession: () => Promise<void>): Promise<TaskOutcome> {
    const { c, served } = d
    for (const call of d.calls) options.onToolCall?.(call)
    const finishReason: FinishReason = d.stopSequence != null ? 'stop' : d.calls.length > 0 ? 'tool_calls' : served?.finishReason ?? 'stop'
    const outcome: TaskOutcome = {
      task: d.task, text: d.shown, toolCalls: d.calls, finishReason, ...(d.stopSequence != null ? { stopSequence: d.stopSequence } : {}),
      // with a receipt, what the serving node signed; else the advert fills a digest the backend did not give
      peer: c.peer, device: c.device, provider: served?.receipt != null ? served.provider : c.provider, model: served?.model ?? c.model,
      digest: served?.receipt != null || (served?.digest != null && served.digest !== '') ? served.digest : c.digest, tier: served?.receipt != null ? served.tier : c.tier,
      firstTokenMs: d.firstTokenMs, totalMs: Math.round((performance.now() - d.started) * 10) / 10, inputTokens: served?.inputTokens ?? 0, outputTokens: served?.outputTokens ?? 0,
      attempts: d.attempts, handoffs: d.handoffs, residency: d.residency, ...(d.session != null ? { session: d.session } : {})
    }
    d.ledger.end(TASK_KINDS.done, {
      peer: outcome.peer, device: outcome.device, provider: outcome.provider, model: outcome.model, digest: outcome.digest, tier: outcome.tier,
      firstTokenMs: outcome.firstTokenMs, totalMs: outcome.totalMs, inputTokens: outcome.inputTokens, outputTokens: outcome.outputTokens, handoffs: d.handoffs.length, chars: d.shown.length,
      finishReason, ...(d.calls.length > 0 ? { toolCalls: d.calls.length } : {}), ...(d.stopSequence != null ? { stopSequence: d.stopSequence } : {})
    }, served?.receipt)
    await toSession()
    return outcome
  }

  private async attempt (c: Candidate, call: TaskCall, signal: AbortSignal, onText: (t: string) => void, onToolCall: (c: ToolCall) => void): Promise<ServedBy> {
    if (c.self) {
      const { id: _i, deadline: _d, approvals: _a, onBehalfOf: _o, ...run } = call
      // served here: the end record, signed by this node, is the proof
      const r = await this.init.executor.run({ ...run, self: true }, { signal, onText, onToolCall })
      return { ...r, peer: this.init.self.peerId }
    }
    return await callTask(async (s, protocol) => await this.init.open(c.peer, s, protocol), { kind: 'chat', ...call }, { signal, onText, onToolCall, protocol: protocolFor(c) })
  }
}
