import { globMatch } from '@smesh/bus'
import { parseModelSpec, residencyAllows, sameModel, specMatch } from '@smesh/tasks'
import { GatewayError } from './errors.js'
import type { Capability } from '@smesh/inference'
import type { Candidate, ModelSpec, Residency } from '@smesh/tasks'

/** Where a model runs: one device's provider. */
export interface Placement {
  device: string
  peer: string
  provider: string
  tier: string
  warm: boolean
}

/** A model of the mesh as the gateway lists it: once, with every place it runs. */
export interface MeshModel {
  name: string
  family: string
  digest: string
  sizeBytes: number
  quantization: string
  /** The longest context of its copies (0 = unknown). */
  contextLength: number
  /** From the model file, where a device has it (embedded models); 0 = unknown. */
  parameters: number
  embeddingLength: number
  capabilities: Capability[]
  /** In memory somewhere. */
  loaded: boolean
  /** A spec the router resolves (best, best-local), not one model. */
  spec: boolean
  where: Placement[]
}

/** The specs listed beside the models: the router picks the model. */
export const SPECS = ['best', 'best-local'] as const

/**
 * What the mesh can run within a residency (and a key's model spec), each
 * model once, then the specs best and best-local with the union of what
 * their models can do.
 */
export function meshModels (candidates: Candidate[], residency: Residency, keySpec?: ModelSpec): MeshModel[] {
  const byName = new Map<string, MeshModel>()
  for (const c of candidates) {
    if (!residencyAllows(residency, c.tier, c.self)) continue
    if (keySpec != null && specMatch(keySpec, { name: c.model, family: c.family, tier: c.tier }) === 0) continue
    const key = [...byName.keys()].find(k => sameModel(k, c.model)) ?? c.model
    let m = byName.get(key)
    if (m == null) {
      m = { name: c.model, family: c.family, digest: c.digest, sizeBytes: c.sizeBytes, quantization: c.quantization, contextLength: 0, parameters: c.parameters, embeddingLength: c.embeddingLength, capabilities: [], loaded: false, spec: false, where: [] }
      byName.set(key, m)
    }
    m.contextLength = Math.max(m.contextLength, c.contextLength)
    m.parameters ||= c.parameters
    m.embeddingLength ||= c.embeddingLength
    m.capabilities = [...new Set([...m.capabilities, ...c.capabilities])]
    m.loaded ||= c.loaded
    m.where.push({ device: c.device, peer: c.peer, provider: c.provider, tier: c.tier, warm: c.loaded })
  }
  const models = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name))
  const chat = models.filter(m => m.capabilities.includes('completion'))
  const specs = SPECS.map((name): MeshModel => {
    const of = name === 'best-local' ? chat.filter(m => m.where.some(w => w.tier === 'local')) : chat
    return {
      name, family: 'smesh', digest: '', sizeBytes: 0, quantization: '', parameters: 0, embeddingLength: 0, spec: true, where: [],
      contextLength: Math.max(0, ...of.map(m => m.contextLength)),
      capabilities: [...new Set(of.flatMap(m => m.capabilities))].filter(c => c !== 'embedding'),
      loaded: of.some(m => m.loaded)
    }
  })
  return [...models, ...specs.filter(s => s.capabilities.length > 0)]
}

/**
 * The model spec a request's model name stands for: a configured alias
 * (`"claude-*": "best"`; Ollama's `:latest` is tried both ways), else the
 * name itself, which may be a spec (a list, family:NAME, best, best-local).
 * A key limited to a spec is refused a named model outside it here (the
 * router holds every candidate to the key's spec as well).
 */
export function resolveModel (requested: unknown, aliases: Record<string, string>, keySpec: string | undefined, candidates: Candidate[]): { spec: string, alias?: string } {
  if (typeof requested !== 'string' || requested.trim() === '') throw new GatewayError('invalid', 'the request names no model', { param: 'model' })
  const name = requested.trim()
  if (name.length > 2000) throw new GatewayError('invalid', 'the model name is over 2000 characters', { param: 'model' })
  const bare = name.replace(/:latest$/, '')
  const alias = Object.keys(aliases).find(p => globMatch(p, name) || globMatch(p, bare))
  const wanted = alias != null ? aliases[alias] as string : name
  const result = { spec: wanted, ...(alias != null ? { alias } : {}) }
  if (keySpec == null) return result
  const allowed = parseModelSpec(keySpec)
  const asked = parseModelSpec(wanted)
  // a list that ends with best falls back to the key's own models: nothing to refuse here
  const names = asked.kind === 'exact' ? [asked.name] : asked.kind === 'prefer' && asked.fallback == null ? asked.names : []
  if (names.length > 0 && !names.some(n => candidates.some(c => sameModel(c.model, n) && specMatch(allowed, { name: c.model, family: c.family, tier: c.tier }) > 0))) {
    throw new GatewayError('forbidden', `this key may use only the models of ${keySpec}, not ${wanted}`, { code: 'model_not_allowed' })
  }
  return result
}

const RESIDENCY_ORDER: Residency[] = ['local', 'mesh', 'cloud']

/**
 * A request's residency: its header, else the key's, else the node's; never
 * wider than the key's, or than the node's for a key without one (a key
 * made with `--residency cloud` is what lets a client reach the cloud when
 * the node says mesh).
 */
export function resolveResidency (header: unknown, keyResidency: Residency | undefined, nodeResidency: Residency): Residency {
  const ceiling = keyResidency ?? nodeResidency
  if (header == null || header === '') return ceiling
  const r = String(header).trim().toLowerCase()
  if (!(RESIDENCY_ORDER as string[]).includes(r)) throw new GatewayError('invalid', `X-Smesh-Residency must be local, mesh or cloud, not ${JSON.stringify(r.slice(0, 20))}`)
  if (RESIDENCY_ORDER.indexOf(r as Residency) > RESIDENCY_ORDER.indexOf(ceiling)) {
    throw new GatewayError('residency', keyResidency != null
      ? `this key allows residency ${keyResidency} at most, and the request asks ${r}`
      : `this node allows residency ${nodeResidency} at most for keys made without --residency, and the request asks ${r} (make a key with smesh keys create NAME --residency ${r})`, { code: 'residency' })
  }
  return r as Residency
}
