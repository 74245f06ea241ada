import { ProviderError, Reply } from '@smesh/inference'
import type { ChatMessage, ChatRequest, ChatResult, ChatOptions } from '@smesh/inference'
import type { ChatHistoryItem, ChatModelFunctionCall, ChatModelFunctions, LlamaChat, LlamaGrammar, LlamaModel, Llama } from 'node-llama-cpp'

/** Tokens a message's framing (role markers, separators) takes beyond its text, at most, in common templates. */
const FRAME_TOKENS = 8

/**
 * The messages as node-llama-cpp's chat history: system and user turns, the
 * model's turns with the tool calls they made and each call's result (the
 * tool message answering it).
 */
export function chatHistory (messages: ChatMessage[]): ChatHistoryItem[] {
  const results = new Map<string, string>()
  for (const m of messages) if (m.role === 'tool' && m.toolCallId != null) results.set(m.toolCallId, m.content)
  const out: ChatHistoryItem[] = []
  for (const m of messages) {
    if (m.role === 'system') out.push({ type: 'system', text: m.content })
    else if (m.role === 'user') out.push({ type: 'user', text: m.content })
    else if (m.role === 'assistant') {
      const calls: ChatModelFunctionCall[] = (m.toolCalls ?? []).map(c => ({ type: 'functionCall', name: c.name, params: parseArgs(c.arguments), result: results.get(c.id) ?? '' }))
      out.push({ type: 'model', response: [...(m.content !== '' ? [m.content] : []), ...calls] })
    } else if (m.toolCallId == null || !messages.some(a => a.toolCalls?.some(c => c.id === m.toolCallId))) {
      // a tool result answering no call in the history: given to the model as text
      out.push({ type: 'user', text: `Result of ${m.name ?? 'a tool'}: ${m.content}` })
    }
  }
  // the history must end with a user (or system) turn for the model to answer
  if (out.at(-1)?.type !== 'model') out.push({ type: 'model', response: [] })
  return out
}

function parseArgs (args: string): unknown {
  try {
    return JSON.parse(args)
  } catch {
    return {}
  }
}

/** Tokens the prompt takes: each message's text through the model's own tokenizer, with its framing. */
export function promptTokens (model: LlamaModel, messages: ChatMessage[]): number {
  let n = 0
  for (const m of messages) {
    n += model.tokenize(m.content).length + FRAME_TOKENS
    for (const c of m.toolCalls ?? []) n += model.tokenize(c.name + c.arguments).length
  }
  return n
}

/** The prompt's tokens as the model sees it: the history through its chat template, tool definitions included. */
function contextTokens (init: GenerateInit, history: ChatHistoryItem[], functions: ChatModelFunctions | undefined, messages: ChatMessage[]): number {
  try {
    const state = init.chat.chatWrapper.generateContextState({ chatHistory: history, ...(functions != null ? { availableFunctions: functions } : {}) })
    return state.contextText.tokenize(init.model.tokenizer).length
  } catch {
    return promptTokens(init.model, messages)
  }
}

export interface GenerateInit {
  provider: string
  llama: Llama
  model: LlamaModel
  chat: LlamaChat
  contextSize: number
  /** The request's tokens, after the provider's limits. */
  maxTokens: number
  /** The model's template takes tools. */
  tools: boolean
}

async function grammarOf (init: GenerateInit, req: ChatRequest): Promise<LlamaGrammar | undefined> {
  if (req.format == null) return undefined
  try {
    return req.format.type === 'json' ? await init.llama.getGrammarFor('json') : await init.llama.createGrammarForJsonSchema(req.format.schema as any)
  } catch (err) {
    throw new ProviderError('bad-request', init.provider, `the JSON schema cannot be held to: ${String((err as Error)?.message ?? err).slice(0, 160)}`)
  }
}

function functionsOf (req: ChatRequest): ChatModelFunctions | undefined {
  if (req.tools == null || req.tools.length === 0 || req.toolChoice === 'none') return undefined
  const tools = typeof req.toolChoice === 'object' ? req.tools.filter(t => t.name === (req.toolChoice as { name: string }).name) : req.tools
  return Object.fromEntries(tools.map(t => [t.name, { ...(t.description != null ? { description: t.description } : {}), params: t.parameters as any }]))
}

/** One chat on a leased sequence: streamed text, stop strings, the token limit, JSON output, tools, abort at once. */
export async function generate (init: GenerateInit, req: ChatRequest, options: ChatOptions): Promise<ChatResult> {
  const { signal } = options
  if (req.tools != null && req.tools.length > 0 && req.toolChoice !== 'none' && !init.tools) {
    throw new ProviderError('bad-request', init.provider, `${req.model}'s chat template takes no tools`)
  }
  const grammar = await grammarOf(init, req)
  const functions = grammar == null && init.tools ? functionsOf(req) : undefined
  const history = chatHistory(req.messages)
  const used = contextTokens(init, history, functions, req.messages)
  // llama.cpp would shift the context and drop the prompt's start without a word: refused instead
  if (used + 1 > init.contextSize) {
    throw new ProviderError('too-large', init.provider, `the prompt is ${used} tokens, longer than the context of ${req.model} (${init.contextSize} tokens)`)
  }
  const reply = new Reply(req.model, 'stop', options.onText, options.onToolCall)
  let out = 0
  const meter = init.chat.sequence.tokenMeter
  const sampledBefore = meter.usedOutputTokens
  try {
    const r = await init.chat.generateResponse(history, {
      signal,
      stopOnAbortSignal: false,
      maxTokens: Math.max(1, Math.min(init.maxTokens, init.contextSize - used)),
      ...(req.temperature != null ? { temperature: req.temperature } : {}),
      ...(req.topP != null ? { topP: req.topP } : {}),
      ...(req.seed != null ? { seed: req.seed } : {}),
      ...(req.stop != null && req.stop.length > 0 ? { customStopTriggers: req.stop } : {}),
      onToken: (tokens: unknown[]) => { out += tokens.length },
      onTextChunk: (text: string) => { reply.add(text) },
      ...(grammar != null ? { grammar } : {}),
      ...(functions != null ? { functions, maxParallelFunctionCalls: 4 } : {})
    } as any)
    const stop = r.metadata.stopReason
    for (const c of (r.functionCalls ?? []) as Array<{ functionName: string, params: unknown }>) reply.call(c.functionName, JSON.stringify(c.params ?? {}))
    reply.finishReason = stop === 'maxTokens' ? 'length' : stop === 'functionCalls' ? 'tool_calls' : 'stop'
    if (r.metadata.stopReason === 'customStopTrigger') {
      const trigger = (r.metadata as { customStopTrigger: Array<string | unknown> }).customStopTrigger.filter((x): x is string => typeof x === 'string').join('')
      reply.stopSequence = req.stop?.find(s => s === trigger) ?? trigger
    }
  } catch (err: any) {
    if (signal?.aborted === true || err?.name === 'AbortError') throw new ProviderError('aborted', init.provider, 'the request was cancelled')
    throw new ProviderError('server', init.provider, `generation failed: ${String(err?.message ?? err).slice(0, 200)}`)
  }
  // the sequence's meter counts every sampled token, a final one held back from the text included
  reply.usage = { inputTokens: used, outputTokens: Math.max(out, meter.usedOutputTokens - sampledBefore) }
  return reply.result(signal)
}
