import { isIP } from 'node:net'
import { availableParallelism } from 'node:os'
import { AnthropicProvider, GeminiProvider, OllamaProvider, OpenAIProvider } from '@smesh/inference'
import { LlamaProvider } from '@smesh/llama'
import { keepAliveMs } from '@smesh/tasks'
import { ConfigError } from '../errors.js'
import type { Limits, Provider, Tier } from '@smesh/inference'
import type { InferenceConfig, ProviderSetting } from '../config/schema.js'

export { PROVIDER_ENV_VARS } from './env.js'

/** A server on this device or a private network is `local`; any other host is taken for a cloud. */
export function tierOfUrl (url: string): Tier {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '')
  if (host === 'localhost' || host.endsWith('.local') || host.endsWith('.lan')) return 'local'
  if (isIP(host) === 4) {
    const [a = 0, b = 0] = host.split('.').map(Number)
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || (a === 169 && b === 254) ? 'local' : 'cloud'
  }
  if (isIP(host) === 6) return host === '::1' || /^f[cd]/i.test(host) || /^fe80/i.test(host) ? 'local' : 'cloud'
  return 'cloud'
}

function keyOf (p: ProviderSetting, env: NodeJS.ProcessEnv): string | undefined {
  if (p.apiKey != null) return p.apiKey
  if (p.apiKeyEnv != null) {
    const v = env[p.apiKeyEnv]
    if (v == null || v === '') throw new ConfigError(`provider "${p.name}": the variable ${p.apiKeyEnv} named by apiKeyEnv is not set`, `export ${p.apiKeyEnv}=... before starting the node`)
    return v
  }
  return undefined
}

/** The embedded provider: models of `dir`, run by llama.cpp in this process with at most cores - 1 threads (the node keeps a core). */
function embedded (p: ProviderSetting, modelsDir: string | null, limits: Limits, onInvalid?: (model: string, reason: string) => void): Provider {
  const dir = p.dir ?? modelsDir
  if (dir == null) throw new ConfigError(`provider "${p.name}" (llama) needs a dir`, 'give the directory of its .gguf files')
  const keep = p.keepAlive != null ? keepAliveMs(p.keepAlive) : undefined
  return new LlamaProvider({
    name: p.name,
    dir,
    limits,
    offer: p.offer ?? 'mesh',
    localModels: p.localModels,
    onInvalid,
    settings: {
      threads: p.threads ?? Math.max(1, availableParallelism() - 1),
      ...(p.gpu != null ? { gpu: p.gpu } : {}),
      ...(p.gpuLayers != null ? { gpuLayers: p.gpuLayers } : {}),
      ...(p.contextSize != null ? { contextSize: p.contextSize } : {}),
      ...(p.parallel != null ? { parallel: p.parallel } : {}),
      ...(p.maxQueue != null ? { maxQueue: p.maxQueue } : {}),
      ...(p.maxLoaded != null ? { maxLoaded: p.maxLoaded } : {}),
      ...(keep != null ? { keepAliveMs: keep } : {})
    }
  })
}

function build (p: ProviderSetting, env: NodeJS.ProcessEnv, limits: Limits, modelsDir: string | null, onInvalid?: (model: string, reason: string) => void): Provider {
  const key = keyOf(p, env)
  switch (p.kind) {
    case 'ollama':
      return new OllamaProvider({ name: p.name, url: p.url, tier: p.tier ?? (p.url != null ? tierOfUrl(p.url) : 'local'), limits })
    case 'openai':
      if (p.url == null) throw new ConfigError(`provider "${p.name}" (openai) needs a url`, 'for example http://127.0.0.1:8080/v1 (llama.cpp server)')
      return new OpenAIProvider({ name: p.name, baseURL: p.url, apiKey: key, tier: p.tier ?? tierOfUrl(p.url), limits })
    case 'anthropic':
      if (key == null) throw new ConfigError(`provider "${p.name}" (anthropic) has no key`, 'set apiKeyEnv to the variable holding it (or SMESH_ANTHROPIC_API_KEY)')
      return new AnthropicProvider({ name: p.name, apiKey: key, baseURL: p.url, limits })
    case 'gemini':
      if (key == null) throw new ConfigError(`provider "${p.name}" (gemini) has no key`, 'set apiKeyEnv to the variable holding it (or SMESH_GEMINI_API_KEY)')
      return new GeminiProvider({ name: p.name, apiKey: key, baseURL: p.url, limits })
    case 'llama':
      return embedded(p, modelsDir, limits, onInvalid)
  }
}

/**
 * This node's providers: Ollama at its URL (unless off), those of
 * config.json, the embedded one (GGUF files in <data dir>/models, unless
 * `llama` is false), and those the SMESH_* variables add (claude, gemini,
 * openai). Names must be unique.
 */
export function buildProviders (config: InferenceConfig, env: NodeJS.ProcessEnv, onInvalid?: (model: string, reason: string) => void): Provider[] {
  const limits: Limits = { maxInputChars: config.maxInputChars, maxTokens: config.maxTokens }
  const settings: ProviderSetting[] = []
  if (config.ollamaUrl != null) settings.push({ name: 'ollama', kind: 'ollama', url: config.ollamaUrl })
  settings.push(...config.providers)
  // the embedded provider, unless off or one is configured by hand
  if (config.modelsDir != null && !config.providers.some(p => p.kind === 'llama')) settings.push({ name: 'llama', kind: 'llama' })
  const fromEnv = (name: string): string | undefined => env[name] != null && env[name] !== '' ? env[name] : undefined
  if (fromEnv('SMESH_ANTHROPIC_API_KEY') != null) settings.push({ name: 'claude', kind: 'anthropic', apiKeyEnv: 'SMESH_ANTHROPIC_API_KEY', url: fromEnv('SMESH_ANTHROPIC_URL') })
  if (fromEnv('SMESH_GEMINI_API_KEY') != null) settings.push({ name: 'gemini', kind: 'gemini', apiKeyEnv: 'SMESH_GEMINI_API_KEY', url: fromEnv('SMESH_GEMINI_URL') })
  const openaiUrl = fromEnv('SMESH_OPENAI_URL')
  if (openaiUrl != null) {
    const tier = fromEnv('SMESH_OPENAI_TIER')
    if (tier != null && tier !== 'local' && tier !== 'cloud') throw new ConfigError(`SMESH_OPENAI_TIER must be local or cloud, not ${JSON.stringify(tier.slice(0, 20))}`)
    try {
      tierOfUrl(openaiUrl)
    } catch {
      throw new ConfigError('SMESH_OPENAI_URL must be an http:// or https:// URL', 'for example http://127.0.0.1:8080/v1')
    }
    settings.push({ name: 'openai', kind: 'openai', url: openaiUrl, ...(fromEnv('SMESH_OPENAI_API_KEY') != null ? { apiKeyEnv: 'SMESH_OPENAI_API_KEY' } : {}), ...(tier != null ? { tier: tier as Tier } : {}) })
  }
  const seen = new Set<string>()
  for (const s of settings) {
    if (seen.has(s.name)) throw new ConfigError(`two providers are named "${s.name}"`, 'give each provider in config.json a name of its own')
    seen.add(s.name)
  }
  return settings.map(s => build(s, env, limits, config.modelsDir, onInvalid))
}
