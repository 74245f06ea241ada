import { GatewayError } from './errors.js'
import type { ImagePart, OutputFormat, ToolDef } from '@smesh/inference'

/**
 * Readers of request fields: each names the field and what it must be, so
 * that every API's 400 says exactly what is wrong.
 */
export type Json = Record<string, unknown>

const bad = (param: string, what: string): GatewayError => new GatewayError('invalid', `${param} ${what}`, { param })

export function object (v: unknown, param: string): Json {
  if (v == null || typeof v !== 'object' || Array.isArray(v)) throw bad(param, 'must be a JSON object')
  return v as Json
}

export function optString (v: unknown, param: string, max = 1_000_000): string | undefined {
  if (v == null) return undefined
  if (typeof v !== 'string') throw bad(param, 'must be a string')
  if (v.length > max) throw bad(param, `is over ${max} characters`)
  return v
}

export function optNumber (v: unknown, param: string, min: number, max: number): number | undefined {
  if (v == null) return undefined
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw bad(param, `must be a number from ${min} to ${max}`)
  return v
}

export function optInt (v: unknown, param: string, min: number, max: number): number | undefined {
  const n = optNumber(v, param, min, max)
  if (n != null && !Number.isInteger(n)) throw bad(param, 'must be a whole number')
  return n
}

export function optBool (v: unknown, param: string): boolean | undefined {
  if (v == null) return undefined
  if (typeof v !== 'boolean') throw bad(param, 'must be true or false')
  return v
}

export function array (v: unknown, param: string, max: number): unknown[] {
  if (!Array.isArray(v)) throw bad(param, 'must be a list')
  if (v.length > max) throw new GatewayError('too-large', `${param} has ${v.length} items, over the limit of ${max}`, { param })
  return v
}

/** Stop sequences: a string or a list of strings. */
export function stops (v: unknown, param: string): string[] | undefined {
  if (v == null) return undefined
  const list = typeof v === 'string' ? [v] : array(v, param, 16)
  return list.map((s, i) => {
    if (typeof s !== 'string' || s === '' || s.length > 200) throw bad(`${param}[${i}]`, 'must be a string of 1-200 characters')
    return s
  })
}

export const MAX_TOOLS = 128
export const MAX_MESSAGES = 512

const TOOL_NAME = /^[A-Za-z0-9_.-]{1,64}$/

export function toolDef (name: unknown, description: unknown, parameters: unknown, param: string): ToolDef {
  if (typeof name !== 'string' || !TOOL_NAME.test(name)) throw bad(`${param}.name`, 'must be 1-64 letters, digits, "_", "." or "-"')
  const desc = optString(description, `${param}.description`, 100_000)
  const params = parameters == null ? { type: 'object', properties: {} } : object(parameters, `${param}.parameters`)
  return { name, ...(desc != null && desc !== '' ? { description: desc } : {}), parameters: params }
}

/** A JSON schema asked for as the answer's format. */
export function schemaFormat (schema: unknown, name: unknown, strict: unknown, param: string): OutputFormat {
  return { type: 'json_schema', schema: object(schema, param), ...(typeof name === 'string' && name !== '' ? { name: name.slice(0, 64) } : {}), ...(typeof strict === 'boolean' ? { strict } : {}) }
}

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp'])
/** Largest image, decoded. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024

/** The image type its first bytes say. */
function sniff (b: Buffer): string | undefined {
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47) return 'image/png'
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg'
  if (b.length >= 6 && b.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif'
  if (b.length >= 12 && b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp'
  return undefined
}

/**
 * An image given as base64 (Ollama's images, Anthropic's base64 source) or a
 * data: URL (OpenAI's image_url). Remote URLs are refused: a node never
 * fetches what a request points at.
 */
export function image (v: unknown, param: string, mediaType?: string): ImagePart {
  if (typeof v !== 'string' || v === '') throw bad(param, 'must be an image as base64 or a data: URL')
  let data = v
  let declared = mediaType
  if (/^https?:\/\//i.test(v)) throw new GatewayError('invalid', `${param}: images must be sent inline (a data: URL or base64); the mesh does not fetch image URLs`, { param })
  const m = /^data:([\w/+.-]+);base64,(.*)$/s.exec(v)
  if (m != null) {
    declared = m[1]
    data = m[2] as string
  }
  if (data.length > MAX_IMAGE_BYTES * 4 / 3 + 4) throw new GatewayError('too-large', `${param} is over ${MAX_IMAGE_BYTES} bytes`, { param })
  if (!/^[A-Za-z0-9+/=\s_-]*$/.test(data)) throw bad(param, 'is not base64')
  const bytes = Buffer.from(data, 'base64')
  const type = sniff(bytes)
  if (type == null || !IMAGE_TYPES.has(type)) throw bad(param, 'is not a PNG, JPEG, GIF or WebP image')
  if (declared != null && declared !== type && !(declared === 'image/jpg' && type === 'image/jpeg')) throw bad(param, `says ${declared} but holds ${type}`)
  return { mimeType: type, data: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) }
}

/** A tool call's arguments as a value, for the APIs that send them as one: {} when the model wrote no valid JSON. */
export function argumentsValue (args: string): unknown {
  try {
    return JSON.parse(args)
  } catch {
    return {}
  }
}
