import { checkSize } from '../bus/limits.js'
import { Advert, SignedAdvert, TaskFrame, TaskRequest } from './task.js'
import type { Uint8ArrayList } from 'uint8arraylist'

type Bytes = Uint8Array | Uint8ArrayList

/**
 * The task protocol ids, newest first. 1.1.0 (request version 2) adds tools,
 * tool calls and results, images, structured output, stop sequences, top_p,
 * seed, backend options and embeddings; 1.0.0 (version 1) carries chat text.
 */
export const TASK_PROTOCOL = '/smesh/task/1.1.0'
export const TASK_PROTOCOL_V1 = '/smesh/task/1.0.0'
export const TASK_VERSION = 2
export const TASK_VERSION_V1 = 1
/** The versions a node of this build serves, as adverts list them. */
export const TASK_PROTOCOL_VERSIONS = ['1.1.0', '1.0.0'] as const
export const ADVERT_VERSION = 1
/** The presence capability that carries a node's SignedAdvert. */
export const ADVERT_CAPABILITY = 'inference/1'
/** ML-DSA-65 context string of advert signatures. */
export const ADVERT_CONTEXT = new TextEncoder().encode('smesh/advert/1')

export const MAX_ADVERT_PROVIDERS = 16
export const MAX_ADVERT_MODELS = 128
/** A signed advert rides in a presence beacon (32 KiB in all). */
export const MAX_SIGNED_ADVERT_BYTES = 24 * 1024
/** Most messages of one task (history included). */
export const MAX_TASK_MESSAGES = 512
/** A 1.0.0 task request: the prompt and its history. Providers cap the input further. */
export const MAX_TASK_REQUEST_BYTES_V1 = 1024 * 1024
/** A 1.1.0 task request: with images, up to 8 MiB. */
export const MAX_TASK_REQUEST_BYTES = 8 * 1024 * 1024
/** Tools one request may define, tool calls one message may hold, images one message may carry, stop sequences. */
export const MAX_TASK_TOOLS = 128
export const MAX_TASK_TOOL_CALLS = 64
export const MAX_TASK_IMAGES = 16
export const MAX_TASK_STOP = 16
/** Texts one embedding task may carry. */
export const MAX_EMBED_INPUTS = 256
/** Capabilities one advertised model may list, task protocol versions one advert may name. */
export const MAX_ADVERT_CAPABILITIES = 8
export const MAX_ADVERT_PROTOCOLS = 8
/** One frame of the answer. */
export const MAX_TASK_FRAME_BYTES = 64 * 1024

export function decodeSignedAdvert (buf: Bytes): SignedAdvert {
  checkSize(buf, MAX_SIGNED_ADVERT_BYTES, 'signed advert')
  return SignedAdvert.decode(buf)
}

export function decodeAdvert (buf: Bytes): Advert {
  checkSize(buf, MAX_SIGNED_ADVERT_BYTES, 'advert')
  return Advert.decode(buf, { limits: { providers: MAX_ADVERT_PROVIDERS, protocols: MAX_ADVERT_PROTOCOLS, providers$: { models: MAX_ADVERT_MODELS, models$: { capabilities: MAX_ADVERT_CAPABILITIES } } } })
}

/** A task request of either version; `maxBytes` is the limit of the protocol it came on. */
export function decodeTaskRequest (buf: Bytes, maxBytes = MAX_TASK_REQUEST_BYTES): TaskRequest {
  checkSize(buf, maxBytes, 'task request')
  return TaskRequest.decode(buf, {
    limits: {
      messages: MAX_TASK_MESSAGES,
      messages$: { images: MAX_TASK_IMAGES, toolCalls: MAX_TASK_TOOL_CALLS },
      tools: MAX_TASK_TOOLS,
      stop: MAX_TASK_STOP,
      inputs: MAX_EMBED_INPUTS
    }
  })
}

export function decodeTaskFrame (buf: Bytes): TaskFrame {
  checkSize(buf, MAX_TASK_FRAME_BYTES, 'task frame')
  return TaskFrame.decode(buf)
}
