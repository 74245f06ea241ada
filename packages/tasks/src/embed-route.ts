import { randomBytes } from 'node:crypto'
import { MAX_EMBED_INPUTS } from '@smesh/protocols'
import { InvalidTaskError, TaskFailedError } from './errors.js'
import { embedNeeds } from './needs.js'
import { noCandidate } from './no-candidate.js'
import { callEmbed } from './protocol.js'
import { TASK_KINDS, TaskLedger, sha256Hex } from './records.js'
import { MAX_ATTEMPTS, MAX_BUSY_WAITS, pause } from './timing.js'
import { candidateKey } from './score.js'
import { formatModelSpec, parseModelSpec } from './spec.js'
import { taskErrorOf } from './executor.js'
import type { Candidate } from './catalog.js'
import type { EmbeddedBy, EmbedCall } from './protocol.js'
import type { Router, RouterEvent } from './router.js'
import type { Residency } from './spec.js'

/** Texts one embedding request may carry in all (it travels in batches of MAX_EMBED_INPUTS). */
export const MAX_EMBED_REQUEST_INPUTS = 4096
const MAX_EMBED_CHARS = 8_000_000

export interface EmbedInput {
  inputs: string[]
  model?: string
  residency?: string
  policy?: string
  truncate?: boolean
  keepAlive?: string
  timeoutMs?: number
  client?: string
  /** A spec every candidate must meet too (the models a gateway key may use). */
  allow?: string
}

export interface EmbedOutcome {
  task: string
  vectors: Float32Array[]
  peer: string
  device: string
  provider: string
  model: string
  digest: string
  tier: string
  inputTokens: number
  totalMs: number
  attempts: number
  residency: Residency
}

/**
 * Embeds texts on the mesh: in batches, every batch on the model (and
 * digest) the first one ran on, so that all vectors of a request come from
 * one model. A failed batch moves to the next candidate and is asked again
 * whole; a later batch fails over only to the same model elsewhere.
 */
export async function routeEmbed (router: Router, input: EmbedInput, options: { signal?: AbortSignal, onEvent?: (evt: RouterEvent) => void } = {}): Promise<EmbedOutcome> {
  const started = performance.now()
  const spec = parseModelSpec(input.model)
  const { residency, policy } = router.where(input)
  if (!Array.isArray(input.inputs) || input.inputs.length === 0) throw new InvalidTaskError('nothing to embed', 'give one text or a list of texts')
  if (input.inputs.length > MAX_EMBED_REQUEST_INPUTS) throw new InvalidTaskError(`${input.inputs.length} texts to embed, over the limit of ${MAX_EMBED_REQUEST_INPUTS}`, 'send them in several requests')
  const chars = input.inputs.reduce((n, s) => n + s.length, 0)
  if (chars > MAX_EMBED_CHARS) throw new InvalidTaskError(`the texts have ${chars} characters, over the limit of ${MAX_EMBED_CHARS}`)
  const refusal = router.init.refuse?.()
  if (refusal != null) throw new TaskFailedError('not-allowed', refusal)
  const signal = AbortSignal.any([options.signal, input.timeoutMs != null ? AbortSignal.timeout(input.timeoutMs) : undefined].filter((s): s is AbortSignal => s != null))
  const deadline = input.timeoutMs != null ? Date.now() + input.timeoutMs : undefined
  const needs = embedNeeds(input.inputs)
  const allow = input.allow != null ? parseModelSpec(input.allow) : undefined
  const task = randomBytes(16).toString('hex')
  router.running.set(task, { task, requestedAt: new Date(router.now()).toISOString(), model: formatModelSpec(spec), residency })
  const ledger = new TaskLedger(router.init.record, task, { kind: 'embed', promptSha256: sha256Hex(JSON.stringify(input.inputs)), promptChars: chars, inputs: input.inputs.length, model: formatModelSpec(spec), residency, policy, ...(input.client != null ? { client: input.client } : {}) }, () => { router.running.delete(task) })
  const vectors: Float32Array[] = []
  let pin: { model: string, digest: string } | undefined
  /** peer/provider every batch must run on, when the model has no digest to tell copies apart. */
  let pinned: string | undefined
  let chosen: Candidate | undefined
  let inputTokens = 0
  /** What each batch's serving node said, with its receipt: kept in the record when one batch did the whole task (a receipt covers one batch). */
  const batches: EmbeddedBy[] = []
  let attempts = 0
  const fail = (err: TaskFailedError): TaskFailedError => {
    if (err.code === 'residency') ledger.end(TASK_KINDS.deny, { residency, model: formatModelSpec(spec), reason: err.message, forbidden: [] })
    else ledger.end(TASK_KINDS.fail, { code: err.code, message: err.message, attempts })
    return err
  }
  for (let at = 0; at < input.inputs.length; at += MAX_EMBED_INPUTS) {
    const batch = input.inputs.slice(at, at + MAX_EMBED_INPUTS)
    const tried = new Set<string>()
    let busyWaits = 0
    let last: TaskFailedError | undefined
    let done: EmbeddedBy | undefined
    while (done == null) {
      if (signal.aborted) throw fail(options.signal?.aborted === true ? new TaskFailedError('aborted', 'the task was cancelled') : new TaskFailedError('deadline', `the task took longer than ${input.timeoutMs ?? 0} ms`))
      const { ranked, excluded } = router.plan(spec, residency, policy, needs, pin, allow)
      const next = tried.size < MAX_ATTEMPTS ? ranked.find(r => !tried.has(candidateKey(r.candidate)) && (pinned == null || candidateKey(r.candidate) === pinned)) : undefined
      if (next == null) throw fail(noCandidate({ task, model: formatModelSpec(spec), spec, residency, needs, excluded, last, triedAll: ranked.length > 0, now: router.now() }))
      const c = next.candidate
      const key = candidateKey(c)
      tried.add(key)
      // the signal aborted: the loop's next turn ends the task
      const approvals = await router.approvalsFor(c, signal).catch(() => undefined)
      if (approvals == null) continue
      if (approvals instanceof TaskFailedError) {
        last = approvals
        continue
      }
      attempts++
      ledger.assign({ attempt: attempts, at: router.now(), peer: c.peer, device: c.device, provider: c.provider, model: c.model, tier: c.tier, score: Math.round(next.score * 10) / 10, inputs: batch.length, ...(approvals.length > 0 ? { approvals } : {}) })
      options.onEvent?.({ type: 'assign', task, attempt: attempts, peer: c.peer, device: c.device, provider: c.provider, model: c.model, tier: c.tier })
      const call: EmbedCall = { id: task, provider: c.provider, model: c.model, inputs: batch, residency, deadline, ...(input.truncate != null ? { truncate: input.truncate } : {}), ...(input.keepAlive != null ? { keepAlive: input.keepAlive } : {}), ...(approvals.length > 0 ? { approvals } : {}) }
      try {
        done = await router.tracked(c.peer, async () => await embedOn(router, c, call, signal))
        router.reliability.success(key)
        chosen = c
        pin ??= { model: c.model, digest: c.digest }
        // without a digest the same name may be two different models: the batches stay with this very provider
        if (pin.digest === '') pinned = candidateKey(c)
      } catch (e) {
        const err = taskErrorOf(e)
        if (signal.aborted) continue
        last = err
        options.onEvent?.({ type: 'retry', task, peer: c.peer, device: c.device, provider: c.provider, code: err.code, message: err.message })
        if (err.code === 'busy' && busyWaits < MAX_BUSY_WAITS) {
          busyWaits++
          attempts--
          tried.delete(key)
          await pause(Math.min(err.retryAfterMs ?? 100 * busyWaits, 1_000), signal)
          continue
        }
        router.blame(key, err)
        if (!err.retryable) throw fail(err)
      }
    }
    vectors.push(...done.vectors)
    inputTokens += done.inputTokens
    batches.push(done)
  }
  const c = chosen as Candidate
  const outcome: EmbedOutcome = { task, vectors, peer: c.peer, device: c.device, provider: c.provider, model: c.model, digest: pin?.digest ?? '', tier: c.tier, inputTokens, totalMs: Math.round((performance.now() - started) * 10) / 10, attempts, residency }
  // with a receipt, the names the serving node signed (its backend may call the model otherwise than the advert)
  const signed = batches.length === 1 && batches[0]?.receipt != null ? batches[0] : undefined
  ledger.end(TASK_KINDS.done, {
    kind: 'embed', peer: c.peer, device: c.device, provider: signed?.provider ?? c.provider, model: signed?.model ?? c.model, digest: signed?.digest ?? outcome.digest, tier: signed?.tier ?? c.tier,
    firstTokenMs: null, totalMs: outcome.totalMs, inputTokens, outputTokens: 0, handoffs: 0, chars: 0, inputs: vectors.length, dimensions: vectors[0]?.length ?? 0
  }, signed?.receipt)
  return outcome
}

async function embedOn (router: Router, c: Candidate, call: EmbedCall, signal: AbortSignal): Promise<EmbeddedBy> {
  if (c.self) {
    const { id: _i, deadline: _d, approvals: _a, onBehalfOf: _o, ...run } = call
    const r = await router.init.executor.embed({ ...run, self: true }, { signal })
    return { ...r, peer: router.init.self.peerId }
  }
  return await callEmbed(async (s, protocol) => await router.init.open(c.peer, s, protocol), { kind: 'embed', ...call }, { signal })
}
