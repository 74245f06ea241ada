import { readFile, stat } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import { ConfigError } from '../errors.js'
import { files } from '../paths.js'
import { DEFAULTS } from './defaults.js'
import { ENV_SETTINGS, SettingsSchema } from './schema.js'
import type { GatewayConfig, ResolvedConfig, Settings, WebConfig } from './schema.js'
import type { z } from 'zod'

const MAX_CONFIG_BYTES = 1024 * 1024
const MAX_BOOTSTRAP_BYTES = 1024 * 1024
const MAX_BOOTSTRAP_PEERS = 256

/** Settings from flags, already named the way config.json names them. */
export type FlagSettings = Partial<Record<keyof Settings, unknown>>

function describeIssues (error: z.ZodError, name: (path: PropertyKey[]) => string): string {
  return error.issues.map(issue => {
    if (issue.code === 'unrecognized_keys') {
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map(k => JSON.stringify(k)).join(', ')}`
    }
    return `${name(issue.path)}: ${issue.message}`
  }).join('; ')
}

function fieldPath (path: PropertyKey[]): string {
  return path.reduce<string>((out, p) => typeof p === 'number' ? `${out}[${p}]` : (out === '' ? String(p) : `${out}.${String(p)}`), '')
}

/** Reads and validates `<dataDir>/config.json`; a missing file is an empty layer. */
export async function readConfigFile (dataDir: string): Promise<Settings> {
  const path = files.config(dataDir)
  let text: string
  try {
    const info = await stat(path)
    if (info.size > MAX_CONFIG_BYTES) {
      throw new ConfigError(`config file ${path} is ${info.size} bytes, over the ${MAX_CONFIG_BYTES} byte limit`)
    }
    text = await readFile(path, 'utf8')
  } catch (err: any) {
    if (err.code === 'ENOENT') return {}
    if (err instanceof ConfigError) throw err
    throw new ConfigError(`config file ${path} cannot be read (${err.code ?? err.message})`, 'check its permissions', { cause: err })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err: any) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${err.message}`, 'fix the JSON syntax; the node changed nothing', { cause: err })
  }
  const parsed = SettingsSchema.safeParse(json)
  if (!parsed.success) {
    throw new ConfigError(`config file ${path}: ${describeIssues(parsed.error, p => `field "${fieldPath(p)}"`)}`)
  }
  return parsed.data
}

/** The environment variables that set a config field. */
export const ENV_VARS = Object.keys(ENV_SETTINGS)

function convert (raw: string, kind: 'string' | 'list' | 'bool' | 'int'): unknown {
  switch (kind) {
    case 'list': return raw.split(',').map(s => s.trim()).filter(s => s !== '')
    case 'bool': return ({ 1: true, true: true, yes: true, on: true, 0: false, false: false, no: false, off: false } as Record<string, boolean>)[raw.toLowerCase()] ?? raw
    case 'int': return /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw
    default: return raw
  }
}

/** Reads the SMESH_* variables into a settings layer, validating each. */
export function readEnv (env: NodeJS.ProcessEnv): Settings {
  const layer: Record<string, unknown> = {}
  const byKey: Record<string, string> = {}
  for (const [name, { key, kind }] of Object.entries(ENV_SETTINGS)) {
    const raw = env[name]
    if (raw == null || raw === '') continue
    layer[key] = convert(raw, kind)
    byKey[key] = name
  }
  const parsed = SettingsSchema.safeParse(layer)
  if (!parsed.success) {
    throw new ConfigError(`environment: ${describeIssues(parsed.error, p => `${byKey[String(p[0])] ?? String(p[0])}${fieldPath(p.slice(1)) === '' ? '' : ` (${fieldPath(p.slice(1))})`}`)}`)
  }
  return parsed.data
}

/** Validates the flag layer; errors name the flag. */
export function readFlags (flags: FlagSettings, flagNames: Partial<Record<keyof Settings, string>>): Settings {
  const layer = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined))
  const parsed = SettingsSchema.safeParse(layer)
  if (!parsed.success) {
    throw new ConfigError(`command line: ${describeIssues(parsed.error, p => {
      const key = String(p[0]) as keyof Settings
      return `${flagNames[key] ?? key}${p.length > 1 ? ` (value ${fieldPath(p.slice(1))})` : ''}`
    })}`)
  }
  return parsed.data
}

/** Reads a bootstrap list: one multiaddr per line, `#` starts a comment. */
export async function readBootstrapFile (path: string): Promise<string[]> {
  let text: string
  try {
    const info = await stat(path)
    if (info.size > MAX_BOOTSTRAP_BYTES) throw new ConfigError(`bootstrap file ${path} is over the ${MAX_BOOTSTRAP_BYTES} byte limit`)
    text = await readFile(path, 'utf8')
  } catch (err: any) {
    if (err instanceof ConfigError) throw err
    throw new ConfigError(`bootstrap file ${path} cannot be read (${err.code ?? err.message})`, 'check the path given by --bootstrap, SMESH_BOOTSTRAP_FILE or "bootstrapFile"', { cause: err })
  }
  const out: string[] = []
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/#.*/, '').trim()
    if (line === '') continue
    const parsed = SettingsSchema.shape.peers.safeParse([line])
    if (!parsed.success) {
      throw new ConfigError(`bootstrap file ${path}, line ${i + 1}: ${JSON.stringify(line)} must be a multiaddr, for example /ip4/192.168.1.20/tcp/7370`)
    }
    out.push(line)
  }
  if (out.length > MAX_BOOTSTRAP_PEERS) throw new ConfigError(`bootstrap file ${path} lists ${out.length} peers, over the limit of ${MAX_BOOTSTRAP_PEERS}`)
  return out
}

/**
 * Applies the layers in order (config file, then SMESH_* env, then flags: flags
 * win) over the defaults and reads the bootstrap list.
 */
export async function resolveConfig (dataDir: string, env: NodeJS.ProcessEnv, flags: Settings): Promise<ResolvedConfig> {
  const fromFile = await readConfigFile(dataDir)
  const fromEnv = readEnv(env)
  const s: Settings = { ...fromFile, ...fromEnv, ...flags }
  let bootstrapFile = s.bootstrapFile
  if (bootstrapFile != null && !isAbsolute(bootstrapFile)) {
    bootstrapFile = resolve(fromFile.bootstrapFile === bootstrapFile ? dataDir : process.cwd(), bootstrapFile)
  }
  const bootstrapPeers = bootstrapFile == null ? [] : await readBootstrapFile(bootstrapFile)
  return {
    dataDir,
    name: s.name ?? DEFAULTS.name(),
    listen: s.listen ?? DEFAULTS.listen,
    peers: [...new Set([...(s.peers ?? []), ...bootstrapPeers])],
    bootstrapFile,
    mdns: s.mdns ?? DEFAULTS.mdns,
    interfaces: s.interfaces ?? [],
    excludeInterfaces: s.excludeInterfaces ?? DEFAULTS.excludeInterfaces,
    maxMdnsPeers: s.maxMdnsPeers ?? DEFAULTS.maxMdnsPeers,
    apiHost: s.apiHost ?? DEFAULTS.apiHost,
    apiPort: s.apiPort ?? DEFAULTS.apiPort,
    apiSocket: s.apiSocket,
    logLevel: s.logLevel ?? DEFAULTS.logLevel,
    inference: {
      ollamaUrl: s.ollamaUrl === 'off' ? null : (s.ollamaUrl ?? DEFAULTS.ollamaUrl),
      residency: s.residency ?? DEFAULTS.residency,
      tierPolicy: s.tierPolicy ?? DEFAULTS.tierPolicy,
      concurrency: s.taskConcurrency ?? DEFAULTS.taskConcurrency,
      maxInputChars: s.maxInputChars ?? DEFAULTS.maxInputChars,
      maxTokens: s.maxTokens ?? DEFAULTS.maxTokens,
      // an embedded provider's directory is relative to the data dir
      providers: (s.providers ?? []).map(p => p.kind === 'llama' ? { ...p, dir: resolve(dataDir, p.dir ?? 'models') } : p),
      modelsDir: (s.llama ?? true) ? files.models(dataDir) : null
    },
    gateway: gatewayConfig(s),
    web: webConfig(s, dataDir)
  }
}

/** The phone page's settings, or null when it is off. A certificate needs its key, and the other way round. */
function webConfig (s: Settings, dataDir: string): WebConfig | null {
  const port = s.webPort ?? DEFAULTS.webPort
  if (port === 'off') return null
  if ((s.webTlsCert == null) !== (s.webTlsKey == null)) throw new ConfigError(`${s.webTlsCert == null ? 'webTlsKey' : 'webTlsCert'} is set without ${s.webTlsCert == null ? 'webTlsCert' : 'webTlsKey'}: HTTPS for the phone's page needs both the certificate and its key`)
  const tls = s.webTlsCert != null && s.webTlsKey != null ? { certFile: resolve(dataDir, s.webTlsCert), keyFile: resolve(dataDir, s.webTlsKey) } : undefined
  return { port: Number(port), stay: s.webStay ?? false, ...(tls != null ? { tls } : {}) }
}

/** The gateway's settings, or null when it is off. */
function gatewayConfig (s: Settings): GatewayConfig | null {
  const listen = s.gatewayListen ?? DEFAULTS.gatewayListen
  if (listen === 'off') return null
  const i = listen.lastIndexOf(':')
  const host = listen.slice(0, i).replace(/^\[|\]$/g, '')
  const port = Number(listen.slice(i + 1))
  if (port > 65535) throw new ConfigError(`gatewayListen ${listen}: the port must be 0-65535`)
  return {
    host: host === 'localhost' ? '127.0.0.1' : host,
    port,
    openLoopback: s.gatewayOpenLoopback ?? false,
    hosts: s.gatewayHosts ?? [],
    corsOrigins: s.gatewayCorsOrigins ?? [],
    maxBodyBytes: s.gatewayMaxBodyBytes ?? DEFAULTS.gatewayMaxBodyBytes,
    maxStreams: s.gatewayMaxStreams ?? DEFAULTS.gatewayMaxStreams,
    maxStreamsPerKey: s.gatewayMaxStreamsPerKey ?? DEFAULTS.gatewayMaxStreamsPerKey,
    aliases: s.modelAliases ?? {}
  }
}
