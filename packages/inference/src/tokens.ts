import type { ChatMessage, ToolDef } from './types.js'

/** Tokens an image costs in an estimate (Claude counts about (w x h) / 750, at most about 1,600). */
const IMAGE_TOKENS = 800
/** Tokens each message costs beyond its text (role, separators). */
const MESSAGE_TOKENS = 4

/**
 * An estimate of the tokens a text takes, without the model's tokenizer:
 * about four characters a token for ASCII text (English, code), about one
 * and a half for other scripts (one CJK character is often a token). It is
 * an estimate, within about 20 % for English prose; used to keep a prompt
 * from a model whose context cannot hold it, and by count_tokens.
 */
export function estimateTextTokens (text: string): number {
  let ascii = 0
  let other = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) ascii++
    // a surrogate pair is one character
    else if (c < 0xdc00 || c > 0xdfff) other++
  }
  return Math.ceil(ascii / 4 + other / 1.5)
}

/** An estimate of the prompt tokens of a chat: messages, images, tool calls and tool definitions. */
export function estimateTokens (messages: ChatMessage[], tools: ToolDef[] = []): number {
  let n = 0
  for (const m of messages) {
    n += MESSAGE_TOKENS + estimateTextTokens(m.content) + (m.images?.length ?? 0) * IMAGE_TOKENS
    for (const c of m.toolCalls ?? []) n += MESSAGE_TOKENS + estimateTextTokens(c.name) + estimateTextTokens(c.arguments)
  }
  for (const t of tools) n += 8 + estimateTextTokens(t.name) + estimateTextTokens(t.description ?? '') + estimateTextTokens(JSON.stringify(t.parameters))
  return n
}
