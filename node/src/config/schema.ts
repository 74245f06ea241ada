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
  logLevel: z.enum(LOG_LEVELS).optional()
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
}

