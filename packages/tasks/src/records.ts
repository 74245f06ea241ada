import { createHash } from 'node:crypto'
import type { EmbedRunResult, RunResult } from './executor.js'
import type { ChatMessage } from '@smesh/inference'

/**
 * Bus records a task leaves. The submitting node writes the request, each
 * assignment and handoff, and how it ended (done, fail, or deny when the
 * residency forbade every candidate); the serving node signs what it served
 * (task.result). No record holds the prompt or the answer: only hashes and
 * sizes, unless the task runs in a session the user keeps.
 */
export const TASK_KINDS = {
  request: 'task.request',
  assign: 'task.assign',
  handoff: 'task.handoff',
  deny: 'task.deny',
  done: 'task.done',
  fail: 'task.fail',
  result: 'task.result'
} as const

export interface RequestRecord { task: string, kind?: 'chat' | 'embed', promptSha256: string, promptChars: number, messages?: number, inputs?: number, tools?: number, images?: number, model: string, residency: string, policy: string, client?: string, session?: string, onBehalfOf?: string }
export interface AssignRecord { task: string, attempt: number, peer: string, device: string, provider: string, model: string, tier: string, score: number }
export interface HandoffRecord { task: string, from: string, fromDevice: string, reason: string, message: string, partialChars: number, partialSha256: string }
export interface DenyRecord { task: string, residency: string, model: string, reason: string, forbidden: Array<{ peer: string, provider: string, tier: string }> }
export interface DoneRecord { task: string, kind?: 'embed', peer: string, device: string, provider: string, model: string, digest: string, tier: string, firstTokenMs: number | null, totalMs: number, inputTokens: number, outputTokens: number, handoffs: number, chars: number, finishReason?: string, toolCalls?: number, stopSequence?: string, inputs?: number, dimensions?: number }
export interface FailRecord { task: string, code: string, message: string, attempts: number }
export interface ResultRecord { task: string, submitter: string, kind?: 'embed', provider: string, model: string, digest: string, tier: string, firstTokenMs: number | null, totalMs: number, inputTokens: number, outputTokens: number, finishReason: string, toolCalls?: number, inputs?: number }

/** The task.result a serving node signs for what it ran: a chat, or an embedding batch. */
export function resultRecord (task: string, submitter: string, r: RunResult | EmbedRunResult): ResultRecord {
  if ('vectors' in r) return { task, submitter, kind: 'embed', provider: r.provider, model: r.model, digest: r.digest, tier: r.tier, firstTokenMs: null, totalMs: r.totalMs, inputTokens: r.inputTokens, outputTokens: 0, finishReason: 'stop', inputs: r.vectors.length }
  return { task, submitter, provider: r.provider, model: r.model, digest: r.digest, tier: r.tier, firstTokenMs: r.firstTokenMs, totalMs: r.totalMs, inputTokens: r.inputTokens, outputTokens: r.outputTokens, finishReason: r.finishReason, ...(r.toolCalls.length > 0 ? { toolCalls: r.toolCalls.length } : {}) }
}

export function sha256Hex (text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** The hash that stands for a prompt on the bus: of the messages as JSON. */
export function promptHash (messages: ChatMessage[]): string {
  return sha256Hex(JSON.stringify(messages.map(m => [m.role, m.content])))
}
