import { randomBytes } from 'node:crypto'
import { CONTINUE_PROMPT, Continuation } from './continuation.js'
import { InvalidTaskError, ResidencyError, TaskFailedError } from './errors.js'
import { TASK_KINDS, promptHash, resultRecord, sha256Hex } from './records.js'
import { Reliability } from './reliability.js'
import { candidateKey, rank } from './score.js'
import { callTask } from './protocol.js'
import { formatModelSpec, parseModelSpec, parseResidency, parseTierPolicy } from './spec.js'
import { taskErrorOf } from './executor.js'
import type { Candidate, Catalog } from './catalog.js'
import type { Executor } from './executor.js'
import type { ServedBy } from './protocol.js'
import type { ModelSpec, Residency, TierPolicy } from './spec.js'
import type { ChatMessage } from '@smesh/inference'
import type { Stream } from '@libp2p/interface'

/** Most candidates one task is tried on. */
export const MAX_ATTEMPTS = 5
/** How often a task waits for a full node (100 ms more each time, at most 1 s) before it fails as busy. */
const MAX_BUSY_WAITS = 120
/** Errors after which no other candidate is tried: the task itself is at fault, or the user stopped it. */
const MAX_PROMPT_CHARS = 1_000_000

export interface TaskInput {
  /** The user's prompt (appended to the session's history, if any). */
  prompt: string
  system?: string
  /** --model: a name, a preference list, family:NAME or best. */
  model?: string
  residency?: string
  policy?: string
  /** A session kept on the bus: its messages are the context, and the exchange is added to it. */
  session?: string
  maxTokens?: number
  temperature?: number
  /** Milliseconds the whole task may take. */
  timeoutMs?: number
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

export interface RouterInit {
  self: { peerId: string, name: string }
  catalog: Catalog
  executor: Executor
  /** Opens a /smesh/task/1.0.0 stream to a peer. */
  open: (peer: string, signal: AbortSignal) => Promise<Stream>
  /** Appends a record to the bus (in the background, in order). */
  record: (kind: string, body: object) => void
  sessions?: SessionStore
  /** Why this node may not submit tasks now, or undefined. */
  refuse?: () => string | undefined
  residency?: Residency
  policy?: TierPolicy
  now?: () => number
}

/**
 * Chooses where a task runs and keeps it running: ranks every candidate the
 * spec and residency allow, runs the task on the best, and on a failure
 * (connection lost, timeout, rate limit, overload, server error) moves it to
 * the next, continuing a cut-off answer from where it stopped.
 */
export class Router {
  readonly reliability: Reliability
  private readonly inFlight = new Map<string, number>()
  /** Rate limits this router met, before the provider's advert says so. */
  private readonly cooldowns = new Map<string, number>()
  private readonly now: () => number

  constructor (private readonly init: RouterInit) {
    this.now = init.now ?? Date.now
    this.reliability = new Reliability(this.now)
  }

  /** Candidates for a spec, best first. */
  plan (spec: ModelSpec, residency: Residency, policy: TierPolicy): ReturnType<typeof rank> {
    return rank(this.init.catalog.candidates(), {
      spec,
      residency,
      policy,
      inFlight: (peer) => this.inFlight.get(peer) ?? 0,
      reliability: (key) => this.reliability.score(key),
      broken: (key) => this.reliability.open(key),
      cooldown: (key) => this.cooldowns.get(key) ?? 0,
      now: this.now()
    })
  }

  async run (input: TaskInput, options: { signal?: AbortSignal, onText?: (text: string) => void, onEvent?: (evt: RouterEvent) => void } = {}): Promise<TaskOutcome> {
    const started = performance.now()
    const spec = parseModelSpec(input.model)
    const residency = input.residency != null ? parseResidency(input.residency) : (this.init.residency ?? 'mesh')
    const policy = input.policy != null ? parseTierPolicy(input.policy) : (this.init.policy ?? 'local-first')
    if (typeof input.prompt !== 'string' || input.prompt.trim() === '') throw new InvalidTaskError('the prompt is empty', 'give the prompt as an argument or on stdin')
    if (input.prompt.length > MAX_PROMPT_CHARS) throw new InvalidTaskError(`the prompt has ${input.prompt.length} characters, over the limit of ${MAX_PROMPT_CHARS}`)
    const refusal = this.init.refuse?.()
    if (refusal != null) throw new TaskFailedError('not-allowed', refusal)
    const signals = [options.signal, input.timeoutMs != null ? AbortSignal.timeout(input.timeoutMs) : undefined].filter((s): s is AbortSignal => s != null)
    const signal = AbortSignal.any(signals)
    const deadline = input.timeoutMs != null ? Date.now() + input.timeoutMs : undefined

    let session: string | undefined
    const history: ChatMessage[] = []
    if (input.session != null) {
      if (this.init.sessions == null) throw new InvalidTaskError('this node keeps no sessions')
      const s = await this.init.sessions.history(input.session, signal)
      session = s.id
      history.push(...s.messages)
    }
    const messages: ChatMessage[] = [...(input.system != null ? [{ role: 'system' as const, content: input.system }] : []), ...history, { role: 'user', content: input.prompt }]
    const task = randomBytes(16).toString('hex')
    const record = this.init.record
    record(TASK_KINDS.request, { task, promptSha256: promptHash(messages), promptChars: messages.reduce((n, m) => n + m.content.length, 0), messages: messages.length, model: formatModelSpec(spec), residency, policy, ...(session != null ? { session } : {}) })
    /** Session writes are part of the record, not of the answer: a failure is noted, the task goes on. */
    const toSession = async (message: Parameters<SessionStore['append']>[1]): Promise<void> => {
      if (session == null) return
      await this.init.sessions?.append(session, message).catch((err: Error) => { options.onEvent?.({ type: 'warning', task, message: `the session could not be written: ${err.message}` }) })
    }
    await toSession({ role: 'user', content: input.prompt })
    /** Characters of the answer already in the session (a partial answer at a handoff). */
    let inSession = 0

    let text = ''
    let firstTokenMs: number | null = null
    const handoffs: Handoff[] = []
    const tried = new Set<string>()
    let attempts = 0
    let busyWaits = 0
    let last: TaskFailedError | undefined
    /** The user cancelled or the task ran out of time: recorded, and the error to throw. */
    const stopped = (): TaskFailedError => {
      const why = options.signal?.aborted === true ? new TaskFailedError('aborted', 'the task was cancelled') : new TaskFailedError('deadline', `the task took longer than ${input.timeoutMs ?? 0} ms`)
      record(TASK_KINDS.fail, { task, code: why.code, message: why.message, attempts })
      return why
    }
    const emit = (piece: string): void => {
      if (piece === '') return
      firstTokenMs ??= Math.round((performance.now() - started) * 10) / 10
      text += piece
      options.onText?.(piece)
    }

    while (attempts < MAX_ATTEMPTS) {
      const { ranked, excluded } = this.plan(spec, residency, policy)
      const next = ranked.find(r => !tried.has(candidateKey(r.candidate)))
      if (next == null) {
        const err = this.noCandidate(task, formatModelSpec(spec), residency, excluded, last, ranked.length > 0)
        if (err instanceof ResidencyError) {
          record(TASK_KINDS.deny, { task, residency, model: formatModelSpec(spec), reason: err.message, forbidden: excluded.residency.map(c => ({ peer: c.peer, provider: c.provider, tier: c.tier })) })
        } else {
          record(TASK_KINDS.fail, { task, code: err.code, message: err.message, attempts })
        }
        throw err
      }
      const c = next.candidate
      const key = candidateKey(c)
      tried.add(key)
      attempts++
      record(TASK_KINDS.assign, { task, attempt: attempts, peer: c.peer, device: c.device, provider: c.provider, model: c.model, tier: c.tier, score: Math.round(next.score * 10) / 10 })
      options.onEvent?.({ type: 'assign', task, attempt: attempts, peer: c.peer, device: c.device, provider: c.provider, model: c.model, tier: c.tier })
      const partial = text
      const attemptMessages: ChatMessage[] = partial === '' ? messages : [...messages, { role: 'assistant', content: partial }, { role: 'user', content: CONTINUE_PROMPT }]
      const cont = partial === '' ? undefined : new Continuation(partial, emit)
      const onText = cont == null ? emit : (t: string) => { cont.push(t) }
      this.inFlight.set(c.peer, (this.inFlight.get(c.peer) ?? 0) + 1)
      try {
        const served = await this.attempt(c, { id: task, provider: c.provider, model: c.model, messages: attemptMessages, maxTokens: input.maxTokens, temperature: input.temperature, residency, deadline }, signal, onText)
        cont?.end()
        this.reliability.success(key)
        const outcome: TaskOutcome = {
          task, text, peer: c.peer, device: c.device, provider: c.provider, model: served.model, digest: served.digest || c.digest, tier: c.tier,
          firstTokenMs, totalMs: Math.round((performance.now() - started) * 10) / 10, inputTokens: served.inputTokens, outputTokens: served.outputTokens,
          attempts, handoffs, residency, ...(session != null ? { session } : {})
        }
        record(TASK_KINDS.done, { task, peer: outcome.peer, device: outcome.device, provider: outcome.provider, model: outcome.model, digest: outcome.digest, tier: outcome.tier, firstTokenMs, totalMs: outcome.totalMs, inputTokens: outcome.inputTokens, outputTokens: outcome.outputTokens, handoffs: handoffs.length, chars: text.length })
        if (text.length > inSession) await toSession({ role: 'assistant', content: text.slice(inSession), model: outcome.model, peer: outcome.peer })
        return outcome
      } catch (e) {
        cont?.end()
        const err = taskErrorOf(e)
        if (signal.aborted) {
          throw stopped()
        }
        last = err
        if (err.code === 'busy' && text === '' && busyWaits < MAX_BUSY_WAITS) {
          // a full node is not a failed one: wait a moment and rank again, this candidate included
          busyWaits++
          attempts--
          tried.delete(key)
          options.onEvent?.({ type: 'retry', task, peer: c.peer, device: c.device, provider: c.provider, code: err.code, message: err.message })
          await new Promise<void>(resolve => {
            const t = setTimeout(resolve, Math.min(err.retryAfterMs ?? 100 * busyWaits, 1_000))
            signal.addEventListener('abort', () => { clearTimeout(t); resolve() }, { once: true })
          })
          if (signal.aborted) {
            throw stopped()
          }
          continue
        }
        if (err.code === 'rate-limit' || err.code === 'overloaded') {
          this.cooldowns.set(key, this.now() + (err.retryAfterMs ?? 30_000))
        } else if (err.code !== 'busy') {
          this.reliability.failure(key)
        }
        options.onEvent?.({ type: 'retry', task, peer: c.peer, device: c.device, provider: c.provider, code: err.code, message: err.message })
        if (!err.retryable) {
          if (err.code === 'residency') record(TASK_KINDS.deny, { task, residency, model: formatModelSpec(spec), reason: err.message, forbidden: [{ peer: c.peer, provider: c.provider, tier: c.tier }] })
          else record(TASK_KINDS.fail, { task, code: err.code, message: err.message, attempts })
          throw err
        }
        {
          // the task moves on: with the answer so far, if any
          const handoff: Handoff = { from: c.peer, fromDevice: c.device, reason: err.code, message: err.message, atChars: text.length }
          handoffs.push(handoff)
          record(TASK_KINDS.handoff, { task, from: c.peer, fromDevice: c.device, reason: err.code, message: err.message, partialChars: text.length, partialSha256: sha256Hex(text) })
          if (text.length > inSession) {
            await toSession({ role: 'assistant', content: text.slice(inSession), model: c.model, peer: c.peer })
            await toSession({ role: 'note', content: `answer cut off on ${c.device} (${err.code}) after ${text.length} characters; continued on the next peer` })
            inSession = text.length
          }
          options.onEvent?.({ type: 'handoff', task, handoff })
        }
      } finally {
        const n = (this.inFlight.get(c.peer) ?? 1) - 1
        if (n <= 0) this.inFlight.delete(c.peer)
        else this.inFlight.set(c.peer, n)
      }
    }
    const err = new TaskFailedError(last?.code ?? 'no-candidate', `the task failed on ${attempts} candidates; the last said: ${last?.message ?? 'nothing'}`, last?.retryAfterMs)
    record(TASK_KINDS.fail, { task, code: err.code, message: err.message, attempts })
    throw err
  }

  private async attempt (c: Candidate, call: Parameters<typeof callTask>[1], signal: AbortSignal, onText: (t: string) => void): Promise<ServedBy> {
    if (c.self) {
      const r = await this.init.executor.run({ ...call, self: true }, { signal, onText })
      this.init.record(TASK_KINDS.result, resultRecord(call.id, this.init.self.peerId, r))
      return { ...r, peer: this.init.self.peerId }
    }
    return await callTask(async (s) => await this.init.open(c.peer, s), call, { signal, onText })
  }

  private noCandidate (task: string, model: string, residency: Residency, excluded: ReturnType<typeof rank>['excluded'], last: TaskFailedError | undefined, triedAll: boolean): TaskFailedError {
    if (triedAll && last != null) return new TaskFailedError(last.code, `every candidate for ${model} failed; the last said: ${last.message}`, last.retryAfterMs)
    if (excluded.cooling.length > 0) {
      const wait = Math.max(0, excluded.coolingUntil - this.now())
      return new TaskFailedError('rate-limit', `every provider of ${model} is cooling down after a rate limit (the first is free again in ${Math.ceil(wait / 1000)} s)`, wait)
    }
    if (excluded.residency.length > 0) {
      const where = [...new Set(excluded.residency.map(c => c.tier === 'cloud' ? `cloud provider ${c.provider} on ${c.device}` : `${c.device}`))].slice(0, 4).join(', ')
      return new ResidencyError(`task ${task.slice(0, 8)}: residency ${residency} forbids every place that could run ${model} (${where}); nothing was sent there`)
    }
    if (excluded.broken.length > 0) return new TaskFailedError('no-candidate', `every candidate for ${model} failed recently and is paused (circuit breaker)`, undefined, { hint: 'try again in a minute; see the node\'s log for the failures' })
    if (last != null) return new TaskFailedError(last.code, `no further candidate for ${model}; the last said: ${last.message}`, last.retryAfterMs)
    return new TaskFailedError('no-candidate', `no device of the mesh can run ${model}`)
  }
}
