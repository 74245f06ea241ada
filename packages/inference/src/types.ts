/** Where a provider's model runs: on a device of the mesh, or at a cloud vendor. */
export type Tier = 'local' | 'cloud'
export type ProviderKind = 'ollama' | 'openai' | 'anthropic' | 'gemini'

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

export interface ChatRequest {
  model: string
  messages: ChatMessage[]
  /** Capped by the provider's configured limit. */
  maxTokens?: number
  temperature?: number
}

export interface ChatUsage {
  inputTokens: number
  outputTokens: number
}

export interface ChatResult {
  text: string
  model: string
  finishReason: string
  usage: ChatUsage
  /** From the request to the first token, and to the end. */
  firstTokenMs: number | null
  totalMs: number
}

export interface ChatOptions {
  signal?: AbortSignal
  /** Each piece of text as it arrives. */
  onText?: (text: string) => void
}

export interface ModelInfo {
  name: string
  digest?: string
  family?: string
  sizeBytes?: number
  quantization?: string
  contextLength?: number
  /** In memory now (Ollama's `ps`); cloud models count as loaded. */
  loaded: boolean
}

/**
 * Chat-style inference from one backend. Only listing and chat are here:
 * model management (pull, delete, create, push) is not reachable through it.
 */
export interface Provider {
  readonly name: string
  readonly kind: ProviderKind
  readonly tier: Tier
  models: (options?: { signal?: AbortSignal }) => Promise<ModelInfo[]>
  chat: (request: ChatRequest, options?: ChatOptions) => Promise<ChatResult>
}

export interface Limits {
  /** Longest prompt (all messages' content), in characters. */
  maxInputChars: number
  /** Most tokens a reply may ask for. */
  maxTokens: number
}

export const DEFAULT_LIMITS: Limits = { maxInputChars: 200_000, maxTokens: 4096 }
