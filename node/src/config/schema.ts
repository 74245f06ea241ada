import { multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = typeof LOG_LEVELS[number]

function isMultiaddr (s: string): boolean {
  try {
    multiaddr(s)
    return true
  } catch {
    return false
  }
}

const multiaddrString = z.string().refine(isMultiaddr, {
  error: 'must be a multiaddr, for example /ip4/192.168.1.20/tcp/7370'
})
const interfaceName = z.string().regex(/^[A-Za-z0-9_.:*-]{1,32}$/, {
  error: 'must be an interface name such as eth0, or a glob such as "en*"'
})

const httpUrl = z.string().max(2048).refine(u => {
  try {
    return ['http:', 'https:'].includes(new URL(u).protocol)
  } catch {
    return false
  }
}, { error: 'must be an http:// or https:// URL' })

/** A provider in config.json. Its key stays on this node: give `apiKeyEnv` (the variable holding it) rather than `apiKey`. */
export const ProviderSettingSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,31}$/, { error: 'must be 1-32 lower-case letters, digits, ".", "_" or "-"' }),
  kind: z.enum(['ollama', 'openai', 'anthropic', 'gemini']),
  url: httpUrl.optional(),
  apiKey: z.string().min(1).max(4096).optional(),
  apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]{0,127}$/, { error: 'must be an environment variable name' }).optional(),
  /** openai-compatible servers: on the LAN (local, the default) or hosted (cloud). */
  tier: z.enum(['local', 'cloud']).optional()
})
export type ProviderSetting = z.infer<typeof ProviderSettingSchema>

/**
 * Every setting, as it may appear in config.json. All optional: what is
 * missing comes from the next layer (env, then flags) or the defaults.
 */
export const SettingsSchema = z.strictObject({
  name: z.string().regex(/^[\p{L}\p{N} ._'-]{1,63}$/u, {
    error: 'must be 1-63 letters, digits, spaces, ".", "_", "\'" or "-"'
  }).optional(),
  listen: z.array(multiaddrString).min(1).max(16).optional(),
  peers: z.array(multiaddrString).max(256).optional(),
  bootstrapFile: z.string().min(1).optional(),
  mdns: z.boolean().optional(),
  interfaces: z.array(interfaceName).max(32).optional(),
  excludeInterfaces: z.array(interfaceName).max(64).optional(),
  maxMdnsPeers: z.int().min(1).max(1024).optional(),
  apiHost: z.string().refine(h => h === '127.0.0.1' || h === '::1', { error: 'must be 127.0.0.1 or ::1: the control API listens on loopback only' }).optional(),
  apiPort: z.int().min(0).max(65535).optional(),
  apiSocket: z.string().min(1).optional(),
  logLevel: z.enum(LOG_LEVELS).optional(),
  /** The local Ollama server; "off" for none. */
  ollamaUrl: z.union([z.literal('off'), httpUrl]).optional(),
  /** Where tasks may run unless a task says otherwise. */
  residency: z.enum(['local', 'mesh', 'cloud']).optional(),
  tierPolicy: z.enum(['local-first', 'quality-first']).optional(),
  /** Tasks this node runs at once. */
  taskConcurrency: z.int().min(1).max(256).optional(),
  /** Longest prompt this node runs, in characters, and most tokens per answer. */
  maxInputChars: z.int().min(1).max(10_000_000).optional(),
  maxTokens: z.int().min(1).max(1_000_000).optional(),
  providers: z.array(ProviderSettingSchema).max(16).optional()
})

export type Settings = z.infer<typeof SettingsSchema>

/** The settings after all layers are applied, with defaults filled in. */
export interface ResolvedConfig {
  dataDir: string
  name: string
  listen: string[]
  peers: string[]
  bootstrapFile?: string
  mdns: boolean
  interfaces: string[]
  excludeInterfaces: string[]
  maxMdnsPeers: number
  apiHost: string
  apiPort: number
  apiSocket?: string
  logLevel: LogLevel
  inference: InferenceConfig
}

export interface InferenceConfig {
  /** null: no Ollama. */
  ollamaUrl: string | null
  residency: 'local' | 'mesh' | 'cloud'
  tierPolicy: 'local-first' | 'quality-first'
  concurrency: number
  maxInputChars: number
  maxTokens: number
  providers: ProviderSetting[]
}

