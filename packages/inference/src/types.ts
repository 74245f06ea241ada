/** Where a provider's model runs: on a device of the mesh, or at a cloud vendor. */
export type Tier = 'local' | 'cloud'
/** Every kind of provider, in one place: the config schema, the advert and the node's factory all read this list. */
export const PROVIDER_KINDS = ['ollama', 'openai', 'anthropic', 'gemini', 'llama'] as const
/** `llama`: GGUF models run in the node's own process (node-llama-cpp). */
export type ProviderKind = typeof PROVIDER_KINDS[number]

/**
 * What a model can do. `completion`: chat; `tools`: tool (function) calls;
 * `vision`: image input; `embedding`: embeddings; `json`: output held to
 * JSON or a JSON schema.
 */
export type Capability = 'completion' | 'tools' | 'vision' | 'embedding' | 'json'
export const CAPABILITIES: readonly Capability[] = ['completion', 'tools', 'vision', 'embedding', 'json']

export interface ImagePart {
  /** image/png, image/jpeg, image/gif or image/webp. */
  mimeType: string
  data: Uint8Array
}

/** A call of a tool the request defined, as the model made it; `arguments` is JSON text. */
export interface ToolCall {
  id: string
  name: string
  arguments: string
}

export interface ToolDef {
  name: string
  description?: string
  /** A JSON schema of the arguments. */
  parameters: Record<string, unknown>
}

/** `auto` (the model decides), `none`, `required` (some tool), or one tool by name. */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string }

/** Output held to JSON (`json`), or to a JSON schema. */
export type OutputFormat = { type: 'json' } | { type: 'json_schema', schema: Record<string, unknown>, name?: string, strict?: boolean }

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool'
  content: string
  /** Images with a user message (models with `vision`). */
  images?: ImagePart[]
  /** Tool calls an assistant message made. */
  toolCalls?: ToolCall[]
  /** A tool message: the call it answers, and the tool's name. */
  toolCallId?: string
  name?: string
}

/** Options a backend takes beyond the common ones (Ollama's `options`: top_k, num_ctx, ...), passed on as they are. */
export type BackendOptions = Record<string, number | string | boolean | string[]>

export interface ChatRequest {
  model: string
  messages: ChatMessage[]
  /** Capped by the provider's configured limit. */
  maxTokens?: number
  temperature?: number
  topP?: number
  seed?: number
  stop?: string[]
  tools?: ToolDef[]
  toolChoice?: ToolChoice
  format?: OutputFormat
  options?: BackendOptions
  /** Ollama's keep_alive: how long the model stays in memory after the request ("5m", "0", seconds). */
  keepAlive?: string
}

export interface ChatUsage {
  inputTokens: number
  outputTokens: number
}

/** Why an answer ended: its natural end (or a stop sequence), the token limit, or tool calls to run. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter'

export interface ChatResult {
  text: string
  toolCalls: ToolCall[]
  model: string
  finishReason: FinishReason
  /** The stop sequence that ended the answer, where the backend says. */
  stopSequence?: string
  usage: ChatUsage
  /** From the request to the first token, and to the end. */
  firstTokenMs: number | null
  totalMs: number
}

export interface ChatOptions {
  signal?: AbortSignal
  /** Each piece of text as it arrives. */
  onText?: (text: string) => void
  /** Each tool call once it is complete (never a part of one). */
  onToolCall?: (call: ToolCall) => void
}

export interface EmbedRequest {
  model: string
  inputs: string[]
  /** Ollama's truncate and keep_alive, passed on. */
  truncate?: boolean
  keepAlive?: string
}

export interface EmbedResult {
  model: string
  /** One vector per input, in order. */
  vectors: Float32Array[]
  inputTokens: number
  totalMs: number
}

export interface ModelInfo {
  name: string
  digest?: string
  family?: string
  sizeBytes?: number
  quantization?: string
  contextLength?: number
  /** What the model can do; chat models have `completion`. */
  capabilities: Capability[]
  /** In memory now (Ollama's `ps`); cloud models count as loaded. */
  loaded: boolean
  /** Parameters, as the model file says (embedded models). */
  parameters?: number
  /** Length of the model's embedding vectors. */
  embeddingLength?: number
  /** The file carries a chat template. */
  chatTemplate?: boolean
  /** Served to this device's own tasks only: never advertised, a peer's task is refused. */
  localOnly?: boolean
}

/**
 * Inference from one backend. Only listing, chat and embeddings are here:
 * model management (pull, delete, create, push) is not reachable through it.
 */
export interface Provider {
  readonly name: string
  readonly kind: ProviderKind
  readonly tier: Tier
  models: (options?: { signal?: AbortSignal }) => Promise<ModelInfo[]>
  chat: (request: ChatRequest, options?: ChatOptions) => Promise<ChatResult>
  /** Absent where the backend has no embeddings. */
  embed?: (request: EmbedRequest, options?: { signal?: AbortSignal }) => Promise<EmbedResult>
  /** Frees what the provider holds (embedded models in memory); called when the node stops. */
  close?: () => Promise<void>
}

export interface Limits {
  /** Longest prompt (all messages' content), in characters. */
  maxInputChars: number
  /** Most tokens a reply may ask for. */
  maxTokens: number
}

export const DEFAULT_LIMITS: Limits = { maxInputChars: 200_000, maxTokens: 4096 }
