import { hostname } from 'node:os'
import { DEFAULT_EXCLUDED_INTERFACES, DEFAULT_MAX_MDNS_PEERS, DEFAULT_TCP_PORT } from '@smesh/mesh/constants'

/** Default port of the control API (TCP, 127.0.0.1 only). */
export const DEFAULT_API_PORT = DEFAULT_TCP_PORT + 1
/** Default port of the AI-client gateway (Ollama's is 11434). */
export const DEFAULT_GATEWAY_PORT = 11435
/** Default WebSockets port of the node (browser devices dial it). */
export const DEFAULT_WS_PORT = DEFAULT_TCP_PORT + 2
/** Default port of the page phones join by. */
export const DEFAULT_WEB_PORT = 7380

export const DEFAULTS = {
  name: () => hostname().replace(/[^\p{L}\p{N} ._'-]/gu, '-').slice(0, 63) || 'smesh-node',
  /** TCP for nodes, WebSockets for browser devices (a phone's page), both behind the network key and Noise. */
  listen: [`/ip4/0.0.0.0/tcp/${DEFAULT_TCP_PORT}`, `/ip4/0.0.0.0/tcp/${DEFAULT_WS_PORT}/ws`],
  mdns: true,
  excludeInterfaces: DEFAULT_EXCLUDED_INTERFACES,
  maxMdnsPeers: DEFAULT_MAX_MDNS_PEERS,
  apiHost: '127.0.0.1',
  apiPort: DEFAULT_API_PORT,
  logLevel: 'info' as const,
  ollamaUrl: 'http://127.0.0.1:11434',
  /** Tasks stay on the mesh's own devices unless a task or the config allows a cloud. */
  residency: 'mesh' as const,
  tierPolicy: 'local-first' as const,
  taskConcurrency: 4,
  maxInputChars: 200_000,
  maxTokens: 4096,
  /** The AI-client gateway: beside Ollama's 11434, on loopback unless configured. */
  gatewayListen: `127.0.0.1:${DEFAULT_GATEWAY_PORT}`,
  gatewayMaxBodyBytes: 8 * 1024 * 1024,
  gatewayMaxStreams: 256,
  gatewayMaxStreamsPerKey: 64,
  webPort: DEFAULT_WEB_PORT
}
