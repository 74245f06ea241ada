import { multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'
import { PROVIDER_KINDS } from '@smesh/inference'

/**
 * Every setting of a node, in one place: its config.json field and schema,
 * the SMESH_* variable and the `smesh start` flag that set it (if any). The
 * config schema, the environment reader, the start flags and the help text
 * are all made from this table.
 */
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

export const httpUrl = z.string().max(2048).refine(u => {
  try {
    return ['http:', 'https:'].includes(new URL(u).protocol)
  } catch {
    return false
  }
}, { error: 'must be an http:// or https:// URL' })

/** HOST:PORT (an IPv6 host in brackets), or "off". */
const listenAddress = z.union([z.literal('off'), z.string().max(300).regex(/^(\[[0-9a-fA-F:.]+\]|[0-9.]+|localhost):\d{1,5}$/, {
  error: 'must be HOST:PORT with an IP address, e.g. 127.0.0.1:11435 or 0.0.0.0:11435 ([::1]:11435 for IPv6), or "off"'
})])
const hostName = z.string().regex(/^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/, { error: 'must be a host name such as desk.local (optionally with :PORT)' })
const origin = z.string().max(300).regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9a-fA-F:.]+\](:\d{1,5})?$/, { error: 'must be an origin such as http://localhost:3000 (scheme, host and port; no path)' })
const modelSpec = z.string().min(1).max(2000)

/** A provider in config.json. Its key stays on this node: give `apiKeyEnv` (the variable holding it) rather than `apiKey`. */
export const ProviderSettingSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,31}$/, { error: 'must be 1-32 lower-case letters, digits, ".", "_" or "-"' }),
  kind: z.enum(PROVIDER_KINDS),
  url: httpUrl.optional(),
  apiKey: z.string().min(1).max(4096).optional(),
  apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]{0,127}$/, { error: 'must be an environment variable name' }).optional(),
  /** openai-compatible servers: on the LAN (local, the default) or hosted (cloud). */
  tier: z.enum(['local', 'cloud']).optional(),
  /** What the provider's models can do beyond chat, where its API does not say (OpenAI-compatible servers). */
  capabilities: z.array(z.enum(['tools', 'vision', 'embedding', 'json'])).max(8).optional(),
  /** The context length of its models, where its API does not say. */
  contextLength: z.int().min(256).max(100_000_000).optional(),
  // the embedded provider (kind llama) only:
  /** Its models directory (default <data dir>/models). */
  dir: z.string().min(1).max(1024).optional(),
  /** CPU threads per model (default: the cores less one). */
  threads: z.int().min(1).max(256).optional(),
  gpu: z.enum(['auto', 'none', 'cuda', 'vulkan', 'metal']).optional(),
  /** Layers on the GPU: auto (as many as fit), max, or a number. */
  gpuLayers: z.union([z.literal('auto'), z.literal('max'), z.int().min(0).max(100_000)]).optional(),
  /** Largest context a model gets (default 8192, or its trained context if smaller). */
  contextSize: z.int().min(64).max(10_000_000).optional(),
  /** Requests one model runs at once; more wait in its queue (maxQueue), then are refused as busy. */
  parallel: z.int().min(1).max(64).optional(),
  maxQueue: z.int().min(0).max(1024).optional(),
  /** Models in memory at once. */
  maxLoaded: z.int().min(1).max(64).optional(),
  /** How long a model stays in memory after its last task: 30s, 5m, 1h. */
  keepAlive: z.string().regex(/^\d{1,6}(ms|s|m|h)$/, { error: 'must be a duration such as 30s, 5m or 1h' }).optional(),
  /** mesh: its models serve the mesh (default); local: this device's own tasks only. */
  offer: z.enum(['mesh', 'local']).optional(),
  /** Models served to this device's own tasks only. */
  localModels: z.array(z.string().min(1).max(64)).max(256).optional()
}).superRefine((p, ctx) => {
  const llamaOnly = ['dir', 'threads', 'gpu', 'gpuLayers', 'contextSize', 'parallel', 'maxQueue', 'maxLoaded', 'keepAlive', 'offer', 'localModels'] as const
  if (p.kind !== 'llama') {
    for (const k of llamaOnly) if (p[k] != null) ctx.addIssue({ code: 'custom', path: [k], message: `only the embedded provider (kind llama) takes ${k}` })
  } else {
    for (const k of ['url', 'apiKey', 'apiKeyEnv', 'tier', 'capabilities', 'contextLength'] as const) if (p[k] != null) ctx.addIssue({ code: 'custom', path: [k], message: `the embedded provider (kind llama) takes no ${k}: its models' files say what they can do` })
  }
})
export type ProviderSetting = z.infer<typeof ProviderSettingSchema>

type EnvKind = 'string' | 'list' | 'bool' | 'int'

interface SettingDef {
  schema: z.ZodType
  /** The variable that sets it, and how its text is read. */
  env?: readonly [string, EnvKind]
  /** The `smesh start` / `smesh join` flag: commander's flags string and its help. */
  flag?: { flags: string, help: string, repeatable?: boolean, number?: boolean, choices?: readonly string[] }
}

const setting = <S extends z.ZodType>(schema: S, more: Omit<SettingDef, 'schema'> = {}): SettingDef & { schema: S } => ({ schema, ...more })

export const SETTINGS = {
  name: setting(z.string().regex(/^[\p{L}\p{N} ._'-]{1,63}$/u, { error: 'must be 1-63 letters, digits, spaces, ".", "_", "\'" or "-"' }), {
    env: ['SMESH_NAME', 'string'],
    flag: { flags: '--name <name>', help: 'device name shown to peers (env SMESH_NAME; default: host name)' }
  }),
  listen: setting(z.array(multiaddrString).min(1).max(16), {
    env: ['SMESH_LISTEN', 'list'],
    flag: { flags: '--listen <multiaddr>', help: 'address to listen on, repeatable (env SMESH_LISTEN, comma-separated; default /ip4/0.0.0.0/tcp/7370)', repeatable: true }
  }),
  peers: setting(z.array(multiaddrString).max(256), {
    env: ['SMESH_PEERS', 'list'],
    flag: { flags: '--peer <multiaddr>', help: 'static peer to dial and keep dialing, repeatable (env SMESH_PEERS, comma-separated)', repeatable: true }
  }),
  bootstrapFile: setting(z.string().min(1), {
    env: ['SMESH_BOOTSTRAP_FILE', 'string'],
    flag: { flags: '--bootstrap <file>', help: 'file of static peers, one multiaddr per line, # for comments (env SMESH_BOOTSTRAP_FILE)' }
  }),
  mdns: setting(z.boolean(), {
    env: ['SMESH_MDNS', 'bool'],
    flag: { flags: '--no-mdns', help: 'turn off LAN discovery by mDNS (env SMESH_MDNS=0)' }
  }),
  interfaces: setting(z.array(interfaceName).max(32), {
    env: ['SMESH_INTERFACES', 'list'],
    flag: { flags: '--interface <name>', help: 'announce only addresses of this interface (glob, e.g. "en*"), repeatable (env SMESH_INTERFACES)', repeatable: true }
  }),
  excludeInterfaces: setting(z.array(interfaceName).max(64), {
    env: ['SMESH_EXCLUDE_INTERFACES', 'list'],
    flag: { flags: '--exclude-interface <name>', help: 'never announce or dial the subnet of this interface, repeatable; replaces the default list of container bridges (docker*, br-*, veth*, ...) (env SMESH_EXCLUDE_INTERFACES)', repeatable: true }
  }),
  maxMdnsPeers: setting(z.int().min(1).max(1024), {
    env: ['SMESH_MAX_MDNS_PEERS', 'int'],
    flag: { flags: '--max-mdns-peers <n>', help: 'most peers kept from mDNS (env SMESH_MAX_MDNS_PEERS; default 64)', number: true }
  }),
  apiHost: setting(z.string().refine(h => h === '127.0.0.1' || h === '::1', { error: 'must be 127.0.0.1 or ::1: the control API listens on loopback only' })),
  apiPort: setting(z.int().min(0).max(65535), {
    env: ['SMESH_API_PORT', 'int'],
    flag: { flags: '--api-port <port>', help: 'control API port on 127.0.0.1, 0 for any free port (env SMESH_API_PORT; default 7371)', number: true }
  }),
  apiSocket: setting(z.string().min(1), {
    env: ['SMESH_API_SOCKET', 'string'],
    flag: { flags: '--api-socket <path>', help: 'also serve the control API on this Unix socket (env SMESH_API_SOCKET)' }
  }),
  logLevel: setting(z.enum(LOG_LEVELS), {
    env: ['SMESH_LOG_LEVEL', 'string'],
    flag: { flags: '--log-level <level>', help: 'log level (env SMESH_LOG_LEVEL; default info)', choices: LOG_LEVELS }
  }),
  /** The local Ollama server; "off" for none. */
  ollamaUrl: setting(z.union([z.literal('off'), httpUrl]), { env: ['SMESH_OLLAMA_URL', 'string'] }),
  /** Where tasks may run unless a task says otherwise. */
  residency: setting(z.enum(['local', 'mesh', 'cloud']), { env: ['SMESH_RESIDENCY', 'string'] }),
  tierPolicy: setting(z.enum(['local-first', 'quality-first']), { env: ['SMESH_TIER_POLICY', 'string'] }),
  /** Tasks this node runs at once. */
  taskConcurrency: setting(z.int().min(1).max(256), { env: ['SMESH_TASK_CONCURRENCY', 'int'] }),
  /** Longest prompt this node runs, in characters, and most tokens per answer. */
  maxInputChars: setting(z.int().min(1).max(10_000_000), { env: ['SMESH_MAX_INPUT_CHARS', 'int'] }),
  maxTokens: setting(z.int().min(1).max(1_000_000), { env: ['SMESH_MAX_TOKENS', 'int'] }),
  providers: setting(z.array(ProviderSettingSchema).max(16)),
  /** The embedded provider (GGUF models in <data dir>/models, run by llama.cpp in the node); false: none. A provider of kind llama in providers replaces it. */
  llama: setting(z.boolean(), { env: ['SMESH_LLAMA', 'bool'] }),
  /** The AI-client gateway (OpenAI, Ollama and Anthropic APIs): HOST:PORT, or off. */
  gatewayListen: setting(listenAddress, {
    env: ['SMESH_GATEWAY_LISTEN', 'string'],
    flag: { flags: '--gateway-listen <host:port>', help: 'where the AI-client gateway (OpenAI, Ollama, Anthropic APIs) listens, or "off" (env SMESH_GATEWAY_LISTEN; default 127.0.0.1:11435)' }
  }),
  /** The page phones join by (`smesh invite --phone`): its TCP port on the node's listen hosts, 0 for any free one, or off. */
  webPort: setting(z.union([z.literal('off'), z.coerce.number().int().min(0).max(65535)], { error: 'must be a port number (0-65535) or "off"' }), {
    env: ['SMESH_WEB_PORT', 'string'],
    flag: { flags: '--web-port <port>', help: 'port of the page phones join by, 0 for any free one, or "off" (env SMESH_WEB_PORT; default 7380); it is up while phone invites are open or a browser device is a member' }
  }),
  /** HTTPS for the phone's page (and wss:// for browser devices): PEM files of a certificate for the node's LAN address, and its key. */
  webTlsCert: setting(z.string().min(1).max(4096), { env: ['SMESH_WEB_TLS_CERT', 'string'] }),
  webTlsKey: setting(z.string().min(1).max(4096), { env: ['SMESH_WEB_TLS_KEY', 'string'] }),
  /** Keep the page up even when no phone invite is open and no browser device is a member. */
  webStay: setting(z.boolean(), { env: ['SMESH_WEB_STAY', 'bool'] }),
  /** Clients on this machine may use the gateway without a key (never applies to other addresses). */
  gatewayOpenLoopback: setting(z.boolean(), { env: ['SMESH_GATEWAY_OPEN_LOOPBACK', 'bool'] }),
  /** Host names (besides the gateway's own addresses) that requests may name in their Host header. */
  gatewayHosts: setting(z.array(hostName).max(32), { env: ['SMESH_GATEWAY_HOSTS', 'list'] }),
  /** Browser origins allowed to call the gateway (CORS). */
  gatewayCorsOrigins: setting(z.array(origin).max(32), { env: ['SMESH_GATEWAY_CORS_ORIGINS', 'list'] }),
  /** Largest request body the gateway reads. */
  gatewayMaxBodyBytes: setting(z.int().min(1024).max(64 * 1024 * 1024), { env: ['SMESH_GATEWAY_MAX_BODY_BYTES', 'int'] }),
  /** Responses in progress at once, in all and per key. */
  gatewayMaxStreams: setting(z.int().min(1).max(100_000), { env: ['SMESH_GATEWAY_MAX_STREAMS', 'int'] }),
  gatewayMaxStreamsPerKey: setting(z.int().min(1).max(100_000), { env: ['SMESH_GATEWAY_MAX_STREAMS_PER_KEY', 'int'] }),
  /** Model names clients ask for, mapped to the mesh's model spec ("claude-*": "best"); globs with "*". */
  modelAliases: setting(z.record(z.string().regex(/^[\w.:/@*+-]{1,200}$/, { error: 'alias names are model names, "*" as a wildcard' }), modelSpec).refine(r => Object.keys(r).length <= 256, { error: 'at most 256 aliases' }))
} satisfies Record<string, SettingDef>

export type SettingKey = keyof typeof SETTINGS

/** Every setting, as it may appear in config.json. All optional: what is missing comes from the next layer or the defaults. */
export type Settings = { [K in SettingKey]?: z.infer<typeof SETTINGS[K]['schema']> }

export const SettingsSchema = z.strictObject(Object.fromEntries(Object.entries(SETTINGS).map(([k, d]) => [k, d.schema.optional()]))) as unknown as z.ZodType<Settings> & { shape: { [K in SettingKey]: z.ZodType } }

/** The environment variables that set a config field, by name. */
export const ENV_SETTINGS: Record<string, { key: SettingKey, kind: EnvKind }> = Object.fromEntries(
  Object.entries(SETTINGS as Record<SettingKey, SettingDef>).filter(([, d]) => d.env != null).map(([k, d]) => [d.env?.[0] as string, { key: k as SettingKey, kind: d.env?.[1] as EnvKind }])
)
