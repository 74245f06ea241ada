import { estimateTokens } from '@smesh/inference'
import { parseModelSpec } from '@smesh/tasks'
import { GatewayError } from './errors.js'
import { object } from './body.js'
import { smeshHeaders, streamChat, tracker, usageOf, whereOf } from './call.js'
import { meshModels, resolveModel, resolveResidency } from './models.js'
import { anthropicChat, anthropicCountTokens, anthropicMessage, anthropicModel, anthropicModels, anthropicWire } from './anthropic.js'
import { embedInputs, openaiChat, openaiCompletion, openaiEmbeddings, openaiModel, openaiModels, openaiWire } from './openai.js'
import { OLLAMA_API_VERSION, ollamaChat, ollamaChatResponse, ollamaGenerate, ollamaLoaded, ollamaPs, ollamaShow, ollamaTags, ollamaWire } from './ollama.js'
import type { Access, Caller } from './access.js'
import type { CallContext, ChatWire, GatewayMesh } from './call.js'
import type { Json } from './body.js'
import type { Api } from './errors.js'
import type { GatewayLog } from './server.js'
import type { KeyStore } from './keys.js'
import type { MeshModel } from './models.js'
import type { TaskInput } from '@smesh/tasks'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

interface RoutesInit {
  mesh: GatewayMesh
  access: Access
  keys: KeyStore
  aliases: Record<string, string>
  log?: GatewayLog
}

/** Longest a gateway request may take, end to end. */
const GATEWAY_TASK_TIMEOUT_MS = 60 * 60_000

const REFUSED = 'the mesh does not manage models through the gateway: pull, push, create, copy and delete models on the device whose Ollama holds them (nothing was forwarded)'

export function registerRoutes (app: FastifyInstance, init: RoutesInit): void {
  const { mesh, access, keys, aliases } = init
  const caller = (req: FastifyRequest): Caller => req.caller as Caller
  const residencyOf = (req: FastifyRequest): ReturnType<typeof resolveResidency> => resolveResidency(req.headers['x-smesh-residency'], caller(req).key?.residency, mesh.residency())
  /** What this request's key may see and use, within its residency. */
  const models = (req: FastifyRequest): MeshModel[] => {
    const spec = caller(req).key?.models
    return meshModels(mesh.candidates(), residencyOf(req), spec != null ? parseModelSpec(spec) : undefined)
  }
  const find = (req: FastifyRequest, name: unknown): MeshModel => {
    const wanted = String(name ?? '')
    const list = models(req)
    const m = list.find(x => x.name === wanted) ?? list.find(x => x.name === wanted.replace(/:latest$/, '')) ?? list.find(x => x.name === `${wanted}:latest`)
    if (m != null) return m
    const alias = Object.keys(aliases).length > 0 ? resolveModel(wanted, aliases, undefined, []).spec : undefined
    const aliased = alias != null && alias !== wanted ? list.find(x => x.name === alias) : undefined
    if (aliased != null) return { ...aliased, name: wanted }
    throw new GatewayError('not-found', `model "${wanted}" not found in the mesh: see /v1/models (or /api/tags) for what it can run`, { code: 'model_not_found' })
  }

  /** The common start of an inference request: the model and residency resolved, the response counted against the limits. */
  const prepare = (req: FastifyRequest, reply: FastifyReply, input: TaskInput): CallContext => {
    const c = caller(req)
    input.residency = residencyOf(req)
    input.client = c.name
    // a safety net for a task nothing ends (a peer that keeps a stream alive and never answers)
    input.timeoutMs ??= GATEWAY_TASK_TIMEOUT_MS
    if (c.key?.models != null) input.allow = c.key.models
    const end = access.begin(c)
    const controller = new AbortController()
    // the client going away before the answer ends cancels the task on the serving peer
    reply.raw.once('close', () => {
      end()
      if (!reply.raw.writableFinished) controller.abort()
    })
    return {
      reply,
      signal: controller.signal,
      ...(c.key != null ? { key: c.key } : {}),
      count: (i, o) => { if (c.key != null) keys.count(c.key, i, o) },
      promptTokens: estimateTokens(input.messages ?? [], input.tools ?? [])
    }
  }
  const spec = (req: FastifyRequest, model: unknown): string => resolveModel(model, aliases, caller(req).key?.models, mesh.candidates()).spec

  /** A chat, streamed or whole, in one API's shape. */
  const chat = async (req: FastifyRequest, reply: FastifyReply, input: TaskInput, stream: boolean, wire: (ctx: CallContext) => ChatWire, whole: (o: Parameters<typeof openaiCompletion>[0], u: { input: number, output: number }, w: ReturnType<typeof whereOf>) => Json): Promise<unknown> => {
    const ctx = prepare(req, reply, input)
    const requested = String((req.body as Json).model ?? '')
    if (stream) {
      await streamChat(ctx, mesh, input, wire(ctx), requested)
      return reply
    }
    const { onEvent } = tracker(requested)
    const outcome = await mesh.run(input, { signal: ctx.signal, onEvent })
    const u = usageOf(outcome, ctx.promptTokens)
    ctx.count(u.input, u.output)
    const where = whereOf(outcome)
    return await reply.headers(smeshHeaders(where)).send(whole(outcome, u, where))
  }

  // ---- Ollama
  const ollama = { config: { api: 'ollama' as Api } }
  app.get('/', ollama, async (_req, reply) => await reply.type('text/plain; charset=utf-8').send('Ollama is running'))
  // every GET answers HEAD too (fastify's exposeHeadRoutes): /, /api/version, /api/tags
  app.get('/api/version', ollama, async () => ({ version: OLLAMA_API_VERSION }))
  app.get('/api/tags', ollama, async (req) => ollamaTags(models(req)))
  app.get('/api/ps', ollama, async (req) => ollamaPs(models(req)))
  app.post('/api/show', ollama, async (req) => {
    const b = object(req.body, 'body')
    return ollamaShow(find(req, b.model ?? b.name))
  })
  app.post('/api/chat', ollama, async (req, reply) => {
    const b = object(req.body, 'body')
    const { input, stream } = ollamaChat(b, spec(req, b.model))
    if ((input.messages ?? []).length === 0) return ollamaLoaded(String(b.model), false, b.keep_alive)
    return await chat(req, reply, input, stream, ctx => ollamaWire(false, o => usageOf(o, ctx.promptTokens)), (o, u, w) => ollamaChatResponse(o, u, w, false))
  })
  app.post('/api/generate', ollama, async (req, reply) => {
    const b = object(req.body, 'body')
    const { input, stream, load } = ollamaGenerate(b, spec(req, b.model))
    if (load) return ollamaLoaded(String(b.model), true, b.keep_alive)
    return await chat(req, reply, input, stream, ctx => ollamaWire(true, o => usageOf(o, ctx.promptTokens)), (o, u, w) => ollamaChatResponse(o, u, w, true))
  })
  const embed = async (req: FastifyRequest, reply: FastifyReply, inputs: string[], model: unknown, extra: { truncate?: boolean, keepAlive?: string } = {}): Promise<{ outcome: Awaited<ReturnType<GatewayMesh['embed']>>, where: ReturnType<typeof whereOf> }> => {
    const input: TaskInput = { model: spec(req, model), messages: inputs.map(content => ({ role: 'user', content })) }
    const ctx = prepare(req, reply, input)
    const outcome = await mesh.embed({ inputs, model: input.model, residency: input.residency, client: input.client, ...(input.allow != null ? { allow: input.allow } : {}), ...extra }, { signal: ctx.signal })
    ctx.count(outcome.inputTokens > 0 ? outcome.inputTokens : ctx.promptTokens, 0)
    const where = whereOf(outcome)
    reply.headers(smeshHeaders(where))
    return { outcome, where }
  }
  app.post('/api/embed', ollama, async (req, reply) => {
    const b = object(req.body, 'body')
    if (b.dimensions != null) throw new GatewayError('unsupported', 'dimensions is not supported: the mesh returns each model\'s own vectors')
    const { outcome, where } = await embed(req, reply, embedInputs(b.input, 'input'), b.model, typeof b.truncate === 'boolean' ? { truncate: b.truncate } : {})
    return { model: outcome.model, embeddings: outcome.vectors.map(v => [...v]), total_duration: Math.round(outcome.totalMs * 1e6), load_duration: 0, prompt_eval_count: outcome.inputTokens, smesh: where }
  })
  app.post('/api/embeddings', ollama, async (req, reply) => {
    const b = object(req.body, 'body')
    const { outcome } = await embed(req, reply, [String(b.prompt ?? '')], b.model)
    return { embedding: [...(outcome.vectors[0] ?? [])] }
  })
  const refuse = async (): Promise<never> => { throw new GatewayError('forbidden', REFUSED, { code: 'model_management_refused' }) }
  for (const path of ['/api/pull', '/api/push', '/api/create', '/api/copy']) app.post(path, ollama, refuse)
  app.delete('/api/delete', ollama, refuse)
  app.route({ method: ['HEAD', 'POST'], url: '/api/blobs/:digest', config: { api: 'ollama' }, handler: refuse })

  // ---- OpenAI, and the model list both APIs share
  const openai = { config: { api: 'openai' as Api } }
  const anthropicAsks = (req: FastifyRequest): boolean => req.headers['anthropic-version'] != null
  app.get('/v1/models', async (req) => anthropicAsks(req) ? anthropicModels(models(req)) : openaiModels(models(req)))
  app.get('/v1/models/*', async (req) => {
    // the router has decoded the path already
    const m = find(req, (req.params as { '*': string })['*'])
    return anthropicAsks(req) ? anthropicModel(m) : openaiModel(m)
  })
  app.post('/v1/chat/completions', openai, async (req, reply) => {
    const b = object(req.body, 'body')
    const { input, stream, includeUsage } = openaiChat(b, spec(req, b.model))
    return await chat(req, reply, input, stream, ctx => openaiWire(includeUsage, o => usageOf(o, ctx.promptTokens)), openaiCompletion)
  })
  app.post('/v1/embeddings', openai, async (req, reply) => {
    const b = object(req.body, 'body')
    if (b.encoding_format != null && b.encoding_format !== 'float' && b.encoding_format !== 'base64') throw new GatewayError('invalid', 'encoding_format must be float or base64', { param: 'encoding_format' })
    if (b.dimensions != null) throw new GatewayError('unsupported', 'dimensions is not supported: the mesh returns each model\'s own vectors (ask for a model of the size you need)', { param: 'dimensions' })
    const { outcome, where } = await embed(req, reply, embedInputs(b.input, 'input'), b.model)
    return openaiEmbeddings(outcome.vectors, outcome.model, outcome.inputTokens, b.encoding_format, where)
  })

  // ---- Anthropic
  const anthropic = { config: { api: 'anthropic' as Api } }
  app.post('/v1/messages', anthropic, async (req, reply) => {
    const b = object(req.body, 'body')
    const { input, stream } = anthropicChat(b, spec(req, b.model))
    return await chat(req, reply, input, stream, ctx => anthropicWire(ctx.promptTokens, o => usageOf(o, ctx.promptTokens)), anthropicMessage)
  })
  app.post('/v1/messages/count_tokens', anthropic, async (req) => anthropicCountTokens(object(req.body, 'body')))
}
