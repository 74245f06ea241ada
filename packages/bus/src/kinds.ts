import { InvalidBodyError } from './errors.js'

/** Kinds with a defined body (UTF-8 JSON). Other kinds are carried as opaque bytes. */
export const KINDS = {
  memoryPut: 'memory.put',
  memoryDel: 'memory.del',
  sessionOpen: 'session.open',
  sessionMessage: 'session.message',
  sessionState: 'session.state'
} as const

export const MAX_MEMORY_KEY = 512
/** `ns/rest`: printable characters, no leading or trailing slash, no empty segment. */
const MEMORY_KEY = /^[^\s/\p{Cc}][^\p{Cc}]*$/u
const SESSION_ID = /^[0-9a-f]{64}$/
export const SESSION_ROLES = ['system', 'user', 'assistant', 'tool', 'note'] as const
export type SessionRole = typeof SESSION_ROLES[number]

export interface MemoryPutBody { key: string, value: unknown }
export interface MemoryDelBody { key: string }
export interface SessionOpenBody { title?: string, meta?: Record<string, unknown> }
export interface SessionMessageBody { session: string, role: SessionRole, content: string, model?: string, peer?: string }
export interface SessionStateBody { session: string, state: Record<string, unknown> }

export function checkMemoryKey (key: unknown): string {
  // a lone surrogate has no UTF-8 form: two such keys would collide once stored
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_MEMORY_KEY || !MEMORY_KEY.test(key) || /\p{Cs}/u.test(key) || key.endsWith('/') || key.includes('//')) {
    throw new InvalidBodyError(`invalid memory key ${JSON.stringify(String(key).slice(0, 80))}`, `keys are 1-${MAX_MEMORY_KEY} printable characters without spaces at the start, namespaced with "/" (e.g. "notes/todo")`)
  }
  return key
}

function isObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function checkSession (v: unknown): string {
  if (typeof v !== 'string' || !SESSION_ID.test(v)) throw new InvalidBodyError('invalid session id: expected 64 hex digits (the hash of its session.open entry)')
  return v
}

function optionalString (o: Record<string, unknown>, field: string, max: number): void {
  if (o[field] !== undefined && (typeof o[field] !== 'string' || o[field].length > max)) {
    throw new InvalidBodyError(`${field} must be a string of at most ${max} characters`)
  }
}

/**
 * Checks the body of a well-known kind and returns it parsed; throws
 * InvalidBodyError. Bodies of other kinds are not looked at (undefined).
 */
export function parseBody (kind: string, body: Uint8Array): unknown {
  if (!(Object.values(KINDS) as string[]).includes(kind)) return undefined
  const v = jsonObjectBody(kind, body)
  switch (kind) {
    case KINDS.memoryPut:
      checkMemoryKey(v.key)
      if (!('value' in v)) throw new InvalidBodyError('a memory.put body needs a value')
      break
    case KINDS.memoryDel:
      checkMemoryKey(v.key)
      break
    case KINDS.sessionOpen:
      optionalString(v, 'title', 200)
      if (v.meta !== undefined && !isObject(v.meta)) throw new InvalidBodyError('session meta must be an object')
      break
    case KINDS.sessionMessage:
      checkSession(v.session)
      if (!(SESSION_ROLES as readonly unknown[]).includes(v.role)) throw new InvalidBodyError(`role must be one of ${SESSION_ROLES.join(', ')}`)
      if (typeof v.content !== 'string') throw new InvalidBodyError('a session.message needs a content string')
      optionalString(v, 'model', 200)
      optionalString(v, 'peer', 100)
      break
    case KINDS.sessionState:
      checkSession(v.session)
      if (!isObject(v.state)) throw new InvalidBodyError('a session.state body needs a state object')
      break
  }
  return v
}

/** The body of an entry of `kind` as a JSON object (UTF-8); throws InvalidBodyError, with `hint` when given. */
export function jsonObjectBody (kind: string, body: Uint8Array, hint?: string): Record<string, unknown> {
  let v: unknown
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body))
  } catch (err: any) {
    throw new InvalidBodyError(`the body of a ${kind} entry is not UTF-8 JSON: ${err.message as string}`, hint)
  }
  if (!isObject(v)) throw new InvalidBodyError(`the body of a ${kind} entry must be a JSON object`, hint)
  return v
}

/** Parses a well-known body without throwing: views skip entries whose body is invalid. */
export function tryParseBody (kind: string, body: Uint8Array): unknown {
  try {
    return parseBody(kind, body)
  } catch {
    return undefined
  }
}

export function encodeJsonBody (value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value))
}
