import { pushable } from 'it-pushable'
import { InvalidBodyError } from '@smesh/bus'
import { MAX_EMBED_REQUEST_INPUTS, listTasks } from '@smesh/tasks'
import { StreamResponse } from './server.js'
import { body, count, str } from './params.js'
import type { Bus } from '@smesh/bus'
import type { TaskService } from '../inference/service.js'
import type { RouteContext, RouteHandler } from './server.js'

export interface TaskRoutesInit {
  tasks: TaskService
  bus: Bus
}

/** A row of `smesh models`: one model on one provider of one node. */
export interface ModelRow {
  model: string
  peer: string
  device: string
  self: boolean
  provider: string
  kind: string
  tier: string
  warm: boolean
  queue: number
  concurrency: number
  /** ISO time the provider's rate-limit cooldown ends, or null. */
  cooldownUntil: string | null
  tokensPerS: number
  digest: string
  family: string
  sizeBytes: number
  quantization: string
  contextLength: number
  /** completion, tools, vision, embedding, json. */
  capabilities: string[]
  /** From the model file (embedded models); 0 when unknown. */
  parameters: number
  embeddingLength: number
}

export interface ModelsView {
  models: ModelRow[]
  /** This node's providers, whether or not they list any model. */
  providers: Array<{ name: string, kind: string, tier: string, models: number, cooldownUntil: string | null, tokensPerS: number, error?: string }>
}

const optionalNumber = (v: unknown, field: string, min: number, max: number): number | undefined => {
  if (v == null) return undefined
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new InvalidBodyError(`${field} must be a number from ${min} to ${max}`)
  return v
}

/** Streams a task's events as NDJSON: assign, text, retry, handoff, then done or error. */
function runTask (tasks: TaskService, ctx: RouteContext): StreamResponse {
  const b = body(ctx)
  const input = {
    prompt: str(b.prompt, 'prompt') as string,
    model: str(b.model, 'model', false),
    residency: str(b.residency, 'residency', false),
    policy: str(b.policy, 'policy', false),
    session: str(b.session, 'session', false),
    system: str(b.system, 'system', false),
    maxTokens: optionalNumber(b.maxTokens, 'maxTokens', 1, 1_000_000),
    temperature: optionalNumber(b.temperature, 'temperature', 0, 2),
    timeoutMs: optionalNumber(b.timeoutMs, 'timeoutMs', 1, 24 * 3600_000)
  }
  const router = tasks.router
  if (router == null) throw new InvalidBodyError('the node is still starting', 'try again in a moment')
  const out = pushable<string>({ objectMode: true })
  const line = (o: object): void => { out.push(JSON.stringify(o) + '\n') }
  router.run(input, {
    signal: ctx.signal,
    onText: (text) => { line({ type: 'text', text }) },
    onEvent: (evt) => { line(evt) }
  }).then(result => { line({ type: 'done', result }) }, (err: any) => {
    line({ type: 'error', error: { name: err?.name ?? 'Error', code: err?.code ?? 'server', message: String(err?.message ?? err), hint: err?.hint, retryAfterMs: err?.retryAfterMs } })
  }).finally(() => { out.end() })
  return new StreamResponse('application/x-ndjson', out)
}

/** Texts a `smesh embed` may send at once: what the router takes in one request (it embeds them in batches). */
const MAX_EMBED_INPUTS = MAX_EMBED_REQUEST_INPUTS

/** Embeds texts on the mesh (`smesh embed`): the vectors and where they were made. */
async function embedTexts (tasks: TaskService, ctx: RouteContext): Promise<object> {
  const b = body(ctx)
  if (!Array.isArray(b.inputs) || b.inputs.length === 0 || b.inputs.length > MAX_EMBED_INPUTS || !b.inputs.every(i => typeof i === 'string')) {
    throw new InvalidBodyError(`inputs must be a list of 1 to ${MAX_EMBED_INPUTS} texts`)
  }
  const router = tasks.router
  if (router == null) throw new InvalidBodyError('the node is still starting', 'try again in a moment')
  const r = await router.embed({
    inputs: b.inputs as string[],
    model: str(b.model, 'model', false),
    residency: str(b.residency, 'residency', false),
    ...(typeof b.truncate === 'boolean' ? { truncate: b.truncate } : {}),
    client: 'cli'
  }, { signal: ctx.signal })
  return { model: r.model, digest: r.digest, provider: r.provider, device: r.device, peer: r.peer, tier: r.tier, task: r.task, inputTokens: r.inputTokens, totalMs: r.totalMs, dimensions: r.vectors[0]?.length ?? 0, vectors: r.vectors.map(v => [...v]) }
}

/** The control API's inference endpoints. */
export function taskRoutes ({ tasks, bus }: TaskRoutesInit): Record<string, RouteHandler | Partial<Record<'GET' | 'POST', RouteHandler>>> {
  const iso = (t: number): string | null => Number.isFinite(t) && t > Date.now() && t < 8.64e15 ? new Date(t).toISOString() : null
  return {
    '/v1/models': (): ModelsView => {
      const rows = tasks.catalog?.candidates() ?? []
      return {
        models: rows.map(c => ({
          model: c.model, peer: c.peer, device: c.device, self: c.self, provider: c.provider, kind: c.kind, tier: c.tier, warm: c.loaded,
          queue: c.queue, concurrency: c.concurrency, cooldownUntil: iso(c.cooldownUntil), tokensPerS: c.tokensPerS,
          digest: c.digest, family: c.family, sizeBytes: c.sizeBytes, quantization: c.quantization, contextLength: c.contextLength,
          capabilities: c.capabilities, parameters: c.parameters, embeddingLength: c.embeddingLength
        })).sort((a, b) => a.model.localeCompare(b.model) || Number(b.self) - Number(a.self) || a.device.localeCompare(b.device)),
        providers: tasks.executor.providers().map(p => ({ name: p.name, kind: p.kind, tier: p.tier, models: p.models.length, cooldownUntil: iso(p.cooldownUntil), tokensPerS: p.tokensPerS, ...(p.listError != null ? { error: p.listError } : {}) }))
      }
    },
    '/v1/tasks': async (ctx) => await listTasks(bus, { limit: Math.min(count(ctx, 'limit') ?? 20, 1000), self: tasks.peerId, running: tasks.router?.running.values() }),
    '/v1/run': { POST: (ctx) => runTask(tasks, ctx) },
    '/v1/embed': { POST: async (ctx) => await embedTexts(tasks, ctx) },
    // `smesh model add` and `rm`: read the model lists again now rather than at the next refresh
    '/v1/models/refresh': { POST: async () => { await tasks.executor.refresh(); return { providers: tasks.executor.providers().length } } }
  }
}
