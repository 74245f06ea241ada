import { estimateTextTokens, estimateTokens } from '@smesh/inference'
import type { Capability, ChatMessage, ChatRequest } from '@smesh/inference'

/** What a chat asks beyond its messages, as it travels to the serving node. */
export type ChatParams = Pick<ChatRequest, 'maxTokens' | 'temperature' | 'topP' | 'seed' | 'stop' | 'tools' | 'toolChoice' | 'format' | 'options' | 'keepAlive'>

/** What a task asks of the model that serves it, and of the protocol that carries it. */
export interface Needs {
  kind: 'chat' | 'embed'
  /** Every one of these. */
  capabilities: Capability[]
  /** Only task protocol 1.1.0 can carry it (tools, tool messages, images, structured output, embeddings). */
  v11: boolean
  /** Estimated prompt tokens: a model whose context is smaller is not asked. */
  tokens: number
}

const WHAT: Record<Capability, string> = {
  completion: 'chat',
  tools: 'call tools',
  vision: 'take images',
  embedding: 'make embeddings',
  json: 'hold its output to JSON'
}

/** "take images", for errors ("... does not take images"). */
export function describeCapability (c: Capability): string {
  return WHAT[c]
}

export function chatNeeds (messages: ChatMessage[], p: ChatParams): Needs {
  const caps: Capability[] = ['completion']
  const tools = p.tools != null && p.tools.length > 0
  if (tools && p.toolChoice !== 'none') caps.push('tools')
  const images = messages.some(m => (m.images?.length ?? 0) > 0)
  if (images) caps.push('vision')
  if (p.format != null) caps.push('json')
  const toolTurns = messages.some(m => m.role === 'tool' || (m.toolCalls?.length ?? 0) > 0)
  return { kind: 'chat', capabilities: caps, v11: tools || images || toolTurns || p.format != null, tokens: estimateTokens(messages, p.tools ?? []) }
}

export function embedNeeds (inputs: string[]): Needs {
  // each input must fit the model's context, not all of them together
  return { kind: 'embed', capabilities: ['embedding'], v11: true, tokens: inputs.reduce((m, i) => Math.max(m, estimateTextTokens(i)), 0) }
}

/** Whether a model with these capabilities and context can serve what a task needs; the first thing it lacks, if not. */
export function lacks (needs: Needs, model: { capabilities: readonly Capability[], contextLength: number }): Capability | 'context' | undefined {
  for (const c of needs.capabilities) if (!model.capabilities.includes(c)) return c
  if (model.contextLength > 0 && needs.tokens > model.contextLength) return 'context'
  return undefined
}
