/**
 * Golden test vectors of the task protocol and adverts, for other
 * implementations to check themselves against: protocols/tasks/vectors/tasks.json.
 * Fixed inputs and a deterministic ML-DSA-65 signature (FIPS 204 with
 * rnd = 32 zero bytes), so running this again gives the same bytes;
 * test/vectors.test.ts checks that it does.
 *
 * Regenerate: `npx tsc -b && npm run vectors -w @smesh/tasks` (from the repo root).
 */
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { ml_dsa65 as mlDsa65 } from '@noble/post-quantum/ml-dsa.js'
import {
  ADVERT_CONTEXT, Advert, MAX_EMBED_INPUTS, MAX_TASK_FRAME_BYTES, MAX_TASK_IMAGES, MAX_TASK_MESSAGES, MAX_TASK_REQUEST_BYTES, MAX_TASK_REQUEST_BYTES_V1,
  MAX_TASK_STOP, MAX_TASK_TOOLS, MAX_TASK_TOOL_CALLS, SignedAdvert, TASK_PROTOCOL, TASK_PROTOCOL_V1, TaskFrame, TaskRequest
} from '@smesh/protocols'
import { toWireRequest } from '../../src/wire.js'
import type { AnyCall } from '../../src/wire.js'

export const VECTORS_URL = new URL('../../../../../protocols/tasks/vectors/tasks.json', import.meta.url)

export interface MessageVector { name: string, protocol?: string, fields: unknown, hex: string, call?: unknown }
export interface Vectors {
  description: Record<string, string>
  protocols: string[]
  limits: Record<string, number>
  requests: MessageVector[]
  invalidRequests: Array<MessageVector & { reason: string }>
  frames: MessageVector[]
  advert: { mlDsaSeed: string, publicKey: string, context: string, fields: unknown, advertHex: string, signatureHex: string, signedAdvertHex: string }
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** Fields in JSON: bytes as hex, 64-bit integers as decimal strings. */
export function jsonFields (v: unknown): unknown {
  if (v instanceof Uint8Array) return { hex: hex(v) }
  if (typeof v === 'bigint') return { int64: v.toString() }
  if (Array.isArray(v)) return v.map(jsonFields)
  if (v != null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonFields(x)]))
  return v
}

/** The reverse of jsonFields. */
export function fromJsonFields (v: unknown): any {
  if (Array.isArray(v)) return v.map(fromJsonFields)
  if (v != null && typeof v === 'object') {
    const o = v as Record<string, unknown>
    if (typeof o.hex === 'string' && Object.keys(o).length === 1) return Uint8Array.from(Buffer.from(o.hex, 'hex'))
    if (typeof o.int64 === 'string' && Object.keys(o).length === 1) return BigInt(o.int64)
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, fromJsonFields(x)]))
  }
  return v
}

const ID = '5f1e0c9a7b3d4e2f8a6c1b0d9e8f7a6b'
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

export const CALLS: Record<string, { protocol: string, call: AnyCall }> = {
  'chat-1.0.0': {
    protocol: TASK_PROTOCOL_V1,
    call: { kind: 'chat', id: ID, provider: 'ollama', model: 'llama3.2:3b', residency: 'mesh', deadline: 1_767_225_600_000, maxTokens: 256, temperature: 0.5, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Why is the sky blue?' }] }
  },
  'chat-tools-1.1.0': {
    protocol: TASK_PROTOCOL,
    call: {
      kind: 'chat', id: ID, provider: 'ollama', model: 'qwen3:8b', residency: 'mesh', deadline: 1_767_225_600_000,
      messages: [
        { role: 'user', content: 'Weather in Oslo? And what is in the picture?', images: [{ mimeType: 'image/png', data: PNG }] },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
        { role: 'tool', content: '{"temp":-3}', toolCallId: 'call_1', name: 'get_weather' }
      ],
      tools: [{ name: 'get_weather', description: 'The weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
      toolChoice: 'auto', stop: ['\n\nUser:'], topP: 0.75, seed: 7, maxTokens: 512, options: { top_k: 40 }, keepAlive: '5m'
    }
  },
  'chat-json-schema-1.1.0': {
    protocol: TASK_PROTOCOL,
    call: { kind: 'chat', id: ID, provider: 'claude', model: 'claude-sonnet-4-5', residency: 'cloud', messages: [{ role: 'user', content: 'Name a colour.' }], format: { type: 'json_schema', name: 'colour', schema: { type: 'object', properties: { colour: { type: 'string' } }, required: ['colour'] } } }
  },
  'embed-1.1.0': {
    protocol: TASK_PROTOCOL,
    call: { kind: 'embed', id: ID, provider: 'ollama', model: 'nomic-embed-text', residency: 'local', inputs: ['first text', 'second text'], keepAlive: '1m' }
  }
}

function invalid (): Vectors['invalidRequests'] {
  const base = toWireRequest(CALLS['chat-tools-1.1.0']?.call as AnyCall, 2)
  const cases: Array<[string, Partial<TaskRequest>, string]> = [
    ['unknown-version', { version: 3 }, 'protocol'],
    ['bad-id', { id: 'not-hex' }, 'malformed'],
    ['tool-role-on-1.0.0', { ...toWireRequest(CALLS['chat-tools-1.1.0']?.call as AnyCall, 1), messages: [{ role: 'tool', content: 'x', images: [], toolCalls: [], toolCallId: '', name: '' }] }, 'malformed'],
    ['tool-parameters-not-an-object', { tools: [{ name: 'f', description: '', parameters: '[]' }] }, 'malformed'],
    ['unknown-format', { format: 'xml' }, 'malformed'],
    ['image-type', { messages: [{ role: 'user', content: 'x', images: [{ mimeType: 'image/svg+xml', data: PNG }], toolCalls: [], toolCallId: '', name: '' }] }, 'malformed'],
    ['embed-without-inputs', { kind: 'embed', inputs: [] }, 'malformed']
  ]
  return cases.map(([name, over, reason]) => {
    const fields = { ...base, ...over }
    return { name, fields: jsonFields(fields), hex: hex(TaskRequest.encode(fields)), reason }
  })
}

function frames (): MessageVector[] {
  const list: Array<[string, TaskFrame]> = [
    ['text', { text: 'Rayleigh scattering.' }],
    ['tool-call', { text: '', toolCall: { id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}', continued: false } }],
    ['tool-call-first-piece', { text: '', toolCall: { id: 'call_2', name: 'write_file', arguments: '{"path":"a.txt","text":"the first piece', continued: true } }],
    ['embedding', { text: '', embedding: { index: 1, values: [0.5, -0.25, 1] } }],
    ['done', { text: '', done: { peer: '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN', provider: 'ollama', model: 'qwen3:8b', digest: 'sha256:0f1e', tier: 'local', finishReason: 'tool_calls', inputTokens: 31, outputTokens: 12, firstTokenMs: 84.5, totalMs: 412, stopSequence: '', receipt: new Uint8Array(0) } }],
    ['error', { text: '', error: { code: 'unsupported', message: 'qwen3:8b on ollama does not take images', retryAfterMs: 0 } }]
  ]
  return list.map(([name, f]) => ({ name, fields: jsonFields(f), hex: hex(TaskFrame.encode(f)) }))
}

export function buildVectors (): Vectors {
  const seed = Uint8Array.from({ length: 32 }, (_, i) => i + 1)
  const keys = mlDsa65.keygen(seed)
  const advertFields: Advert = {
    version: 1, peer: '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN', issuedAt: 1_767_225_600_000n, expiresAt: 1_767_225_630_000n, queue: 1, concurrency: 4, protocols: ['1.1.0', '1.0.0'],
    providers: [{ name: 'ollama', kind: 'ollama', tier: 'local', cooldownUntil: 0n, tokensPerS: 41.5, models: [{ name: 'qwen3:8b', digest: 'sha256:0f1e', family: 'qwen3', size: 5_225_375_744, quantization: 'Q4_K_M', contextLength: 40960, loaded: true, capabilities: ['completion', 'json', 'tools'], parameters: 0, embeddingLength: 0, chatTemplate: false }] }]
  }
  const advert = Advert.encode(advertFields)
  const signature = mlDsa65.sign(advert, keys.secretKey, { context: ADVERT_CONTEXT, extraEntropy: false })
  return {
    description: {
      framing: 'Every message on a task stream is an unsigned-varint length prefix and a protobuf message (protocols/src/tasks/task.proto). Spec: protocols/tasks/SPEC.md.',
      fields: 'Decoded fields in JSON: bytes as {"hex"}, 64-bit integers as {"int64"} decimal strings. `call` is the request as the serving node reads it (packages/tasks/src/wire.ts fromWireRequest).',
      requests: 'Valid requests: the first message of a stream, on the protocol named.',
      invalidRequests: 'Requests that decode but must be refused, with the error code of the frame the serving node answers with.',
      frames: 'Frames of the answer: text pieces, a whole tool call, one embedding, done, error.',
      advert: 'A SignedAdvert as it rides in a presence beacon: ML-DSA-65 (deterministic, rnd = 32 zero bytes) over the advert bytes with the context string.'
    },
    protocols: [TASK_PROTOCOL, TASK_PROTOCOL_V1],
    limits: { maxRequestBytes: MAX_TASK_REQUEST_BYTES, maxRequestBytesV1: MAX_TASK_REQUEST_BYTES_V1, maxFrameBytes: MAX_TASK_FRAME_BYTES, maxMessages: MAX_TASK_MESSAGES, maxTools: MAX_TASK_TOOLS, maxToolCallsPerMessage: MAX_TASK_TOOL_CALLS, maxImagesPerMessage: MAX_TASK_IMAGES, maxStop: MAX_TASK_STOP, maxEmbedInputs: MAX_EMBED_INPUTS },
    requests: Object.entries(CALLS).map(([name, { protocol, call }]) => {
      const fields = toWireRequest(call, protocol === TASK_PROTOCOL ? 2 : 1)
      return { name, protocol, fields: jsonFields(fields), hex: hex(TaskRequest.encode(fields)), call: jsonFields(call) }
    }),
    invalidRequests: invalid(),
    frames: frames(),
    advert: { mlDsaSeed: hex(seed), publicKey: hex(keys.publicKey), context: new TextDecoder().decode(ADVERT_CONTEXT), fields: jsonFields(advertFields), advertHex: hex(advert), signatureHex: hex(signature), signedAdvertHex: hex(SignedAdvert.encode({ advert, signature })) }
  }
}

export function renderVectors (v: Vectors): string {
  return JSON.stringify(v, null, 2) + '\n'
}

if (process.argv[1] != null && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const path = fileURLToPath(VECTORS_URL)
  mkdirSync(new URL('.', VECTORS_URL), { recursive: true })
  const v = buildVectors()
  writeFileSync(path, renderVectors(v))
  process.stdout.write(`wrote ${path}: ${v.requests.length} requests, ${v.invalidRequests.length} invalid, ${v.frames.length} frames, an advert\n`)
}
