import { checkSize } from '../bus/limits.js'
import { Advert, SignedAdvert, TaskFrame, TaskRequest } from './task.js'
import type { Uint8ArrayList } from 'uint8arraylist'

type Bytes = Uint8Array | Uint8ArrayList

/** The task protocol id. */
export const TASK_PROTOCOL = '/smesh/task/1.0.0'
export const TASK_VERSION = 1
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
/** A task request: the prompt and its history. Providers cap the input further. */
export const MAX_TASK_REQUEST_BYTES = 1024 * 1024
/** One frame of the answer. */
export const MAX_TASK_FRAME_BYTES = 64 * 1024

export function decodeSignedAdvert (buf: Bytes): SignedAdvert {
  checkSize(buf, MAX_SIGNED_ADVERT_BYTES, 'signed advert')
  return SignedAdvert.decode(buf)
}

export function decodeAdvert (buf: Bytes): Advert {
  checkSize(buf, MAX_SIGNED_ADVERT_BYTES, 'advert')
  return Advert.decode(buf, { limits: { providers: MAX_ADVERT_PROVIDERS, providers$: { models: MAX_ADVERT_MODELS } } })
}

export function decodeTaskRequest (buf: Bytes): TaskRequest {
  checkSize(buf, MAX_TASK_REQUEST_BYTES, 'task request')
  return TaskRequest.decode(buf, { limits: { messages: MAX_TASK_MESSAGES } })
}

export function decodeTaskFrame (buf: Bytes): TaskFrame {
  checkSize(buf, MAX_TASK_FRAME_BYTES, 'task frame')
  return TaskFrame.decode(buf)
}
