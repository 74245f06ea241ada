export { LOG_LEVELS, ProviderSettingSchema, SETTINGS, SettingsSchema, ENV_SETTINGS } from './settings.js'
export type { LogLevel, ProviderSetting, Settings, SettingKey } from './settings.js'
import type { LogLevel, ProviderSetting } from './settings.js'

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
  /** The AI-client gateway; null when off. */
  gateway: GatewayConfig | null
  /** The page phones join by; null when off. */
  web: WebConfig | null
}

export interface WebConfig {
  port: number
  /** PEM files (resolved paths) of the certificate and key for HTTPS and wss://; none: plain HTTP and ws:// on the LAN. */
  tls?: { certFile: string, keyFile: string }
  /** Up whatever the invites and members; otherwise only while a phone invite is open or a browser device is a member. */
  stay: boolean
}

export interface GatewayConfig {
  host: string
  port: number
  /** Loopback clients need no key. */
  openLoopback: boolean
  /** Names a request's Host may carry besides the gateway's own addresses. */
  hosts: string[]
  corsOrigins: string[]
  maxBodyBytes: number
  maxStreams: number
  maxStreamsPerKey: number
  /** Client model names (globs) to mesh model specs. */
  aliases: Record<string, string>
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
  /** The models directory of the embedded provider (<data dir>/models); null: no embedded provider unless providers lists one. */
  modelsDir: string | null
}

