import { lazyClient } from './sdk.js'
import { ProviderError, httpError, transportError } from './errors.js'
import { Reply, applyLimits, argumentsObject, base64, finishReasonOf, systemPrompt, toolNames } from './limits.js'
import { DEFAULT_LIMITS } from './types.js'
import type { Capability, ChatMessage, ChatOptions, ChatRequest, ChatResult, EmbedRequest, EmbedResult, Limits, ModelInfo, Provider } from './types.js'
import type { Content, FunctionCallingConfigMode, GenerateContentConfig, GoogleGenAI, Part } from '@google/genai'

export interface GeminiProviderInit {
  name?: string
  /** GEMINI_API_KEY or the node's config; it stays on this node. */
  apiKey: string
  baseURL?: string
  limits?: Limits
}

/** Gemini's errors carry the JSON body in the message; a 429 names its retry delay in RetryInfo. */
function fail (name: string, err: any, signal?: AbortSignal): ProviderError {
  if (err instanceof ProviderError) return err
  if (typeof err?.status === 'number') {
    const delay = /"retryDelay":\s*"(\d+(?:\.\d+)?)s"/.exec(String(err.message ?? ''))
    const status = /"status":\s*"([A-Z_]+)"/.exec(String(err.message ?? ''))?.[1] ?? ''
    return httpError(name, err.status, delay != null ? Math.round(Number(delay[1]) * 1000) : undefined, status)
  }
  return transportError(name, err, signal)
}

/** Gemini's turns: role "model" for the assistant, function calls and responses as parts, images inline. */
export function geminiContents (messages: ChatMessage[]): Content[] {
  const names = toolNames(messages)
  const out: Content[] = []
  for (const m of messages) {
    if (m.role === 'system') continue
    const parts: Part[] = []
    if (m.role === 'tool') {
      parts.push({ functionResponse: { name: names.get(m) ?? 'tool', response: { result: m.content } } })
    } else {
      if (m.content !== '') parts.push({ text: m.content })
      for (const i of m.images ?? []) parts.push({ inlineData: { mimeType: i.mimeType, data: base64(i.data) } })
      for (const c of m.toolCalls ?? []) parts.push({ functionCall: { name: c.name, args: argumentsObject(c.arguments) } })
    }
    const role = m.role === 'assistant' ? 'model' : 'user'
    const last = out[out.length - 1]
    if (last != null && last.role === role) last.parts = [...(last.parts ?? []), ...parts]
    else out.push({ role, parts: parts.length === 0 ? [{ text: '' }] : parts })
  }
  return out
}

function geminiToolConfig (req: ChatRequest): Pick<GenerateContentConfig, 'tools' | 'toolConfig'> {
  if (req.tools == null || req.tools.length === 0) return {}
  const c = req.toolChoice
  // the enum's values, as strings: the SDK itself is loaded only when a request is sent
  const mode = (c === 'none' ? 'NONE' : c === 'required' || typeof c === 'object' ? 'ANY' : 'AUTO') as FunctionCallingConfigMode
  return {
    tools: [{ functionDeclarations: req.tools.map(t => ({ name: t.name, ...(t.description != null ? { description: t.description } : {}), parametersJsonSchema: t.parameters })) }],
    toolConfig: { functionCallingConfig: { mode, ...(typeof c === 'object' ? { allowedFunctionNames: [c.name] } : {}) } }
  }
}

/** Google Gemini, through the official `@google/genai` SDK. */
export class GeminiProvider implements Provider {
  readonly kind = 'gemini'
  readonly tier = 'cloud'
  readonly name: string
  private readonly client: () => Promise<GoogleGenAI>
  private readonly limits: Limits

  constructor (init: GeminiProviderInit) {
    this.name = init.name ?? 'gemini'
    this.client = lazyClient(async () => {
      const { GoogleGenAI } = await import('@google/genai')
      return new GoogleGenAI({ apiKey: init.apiKey, httpOptions: { ...(init.baseURL != null ? { baseUrl: init.baseURL } : {}), retryOptions: { attempts: 1 } } as any })
    })
    this.limits = init.limits ?? DEFAULT_LIMITS
  }

  async models (options: { signal?: AbortSignal } = {}): Promise<ModelInfo[]> {
    try {
      const out: ModelInfo[] = []
      const pager = await (await this.client()).models.list({ config: { abortSignal: options.signal } })
      for await (const m of pager) {
        const actions = m.supportedActions ?? ['generateContent']
        const capabilities: Capability[] = [
          ...(actions.includes('generateContent') ? ['completion', 'tools', 'vision', 'json'] as const : []),
          ...(actions.includes('embedContent') ? ['embedding'] as const : [])
        ]
        out.push({ name: (m.name ?? '').replace(/^models\//, ''), contextLength: m.inputTokenLimit, loaded: true, capabilities })
      }
      return out
    } catch (err) {
      throw fail(this.name, err, options.signal)
    }
  }

  async chat (req: ChatRequest, options: ChatOptions = {}): Promise<ChatResult> {
    const maxTokens = applyLimits(this.name, req, this.limits)
    const reply = new Reply(req.model, 'stop', options.onText, options.onToolCall)
    const { signal } = options
    const system = systemPrompt(req.messages)
    try {
      const stream = await (await this.client()).models.generateContentStream({
        model: req.model,
        contents: geminiContents(req.messages),
        config: {
          maxOutputTokens: maxTokens,
          abortSignal: signal,
          ...(system !== '' ? { systemInstruction: system } : {}),
          ...(req.temperature != null ? { temperature: req.temperature } : {}),
          ...(req.topP != null ? { topP: req.topP } : {}),
          ...(req.seed != null ? { seed: req.seed } : {}),
          ...(req.stop != null && req.stop.length > 0 ? { stopSequences: req.stop } : {}),
          ...(typeof req.options?.presence_penalty === 'number' ? { presencePenalty: req.options.presence_penalty } : {}),
          ...(typeof req.options?.frequency_penalty === 'number' ? { frequencyPenalty: req.options.frequency_penalty } : {}),
          ...(req.format != null ? { responseMimeType: 'application/json', ...(req.format.type === 'json_schema' ? { responseJsonSchema: req.format.schema } : {}) } : {}),
          ...geminiToolConfig(req)
        }
      })
      for await (const chunk of stream) {
        for (const p of chunk.candidates?.[0]?.content?.parts ?? []) {
          if (p.text != null && p.thought !== true) reply.add(p.text)
          if (p.functionCall != null) reply.call(p.functionCall.name ?? '', JSON.stringify(p.functionCall.args ?? {}), p.functionCall.id)
        }
        const finish = chunk.candidates?.[0]?.finishReason
        if (finish != null) reply.finishReason = finishReasonOf(finish === 'MAX_TOKENS' ? 'length' : finish)
        reply.model = chunk.modelVersion ?? reply.model
        const u = chunk.usageMetadata
        if (u != null) reply.usage = { inputTokens: u.promptTokenCount ?? reply.usage.inputTokens, outputTokens: u.candidatesTokenCount ?? reply.usage.outputTokens }
      }
      return reply.result(signal)
    } catch (err) {
      throw fail(this.name, err, signal)
    }
  }

  async embed (req: EmbedRequest, options: { signal?: AbortSignal } = {}): Promise<EmbedResult> {
    const started = performance.now()
    try {
      const r = await (await this.client()).models.embedContent({ model: req.model, contents: req.inputs, config: { abortSignal: options.signal } })
      const vectors = (r.embeddings ?? []).map(e => Float32Array.from(e.values ?? []))
      if (vectors.length !== req.inputs.length) throw new ProviderError('server', this.name, `asked for ${req.inputs.length} embeddings, got ${vectors.length}`)
      return { model: req.model, vectors, inputTokens: 0, totalMs: Math.round((performance.now() - started) * 10) / 10 }
    } catch (err) {
      throw fail(this.name, err, options.signal)
    }
  }
}
