import { InvalidTaskError } from './errors.js'

/** Where a task may run: this device only; any mesh device's local model; or a cloud provider too. */
export type Residency = 'local' | 'mesh' | 'cloud'
export const RESIDENCIES: readonly Residency[] = ['local', 'mesh', 'cloud']

/** Prefer local models (then cloud), or the best model whatever its tier. */
export type TierPolicy = 'local-first' | 'quality-first'
export const TIER_POLICIES: readonly TierPolicy[] = ['local-first', 'quality-first']

/**
 * Which model a task wants:
 * - `exact`: one model name;
 * - `prefer`: names in order, the first that can run wins;
 * - `family`: any model of a family (`family:llama`);
 * - `best`: the best the mesh can reach (`best`, or no --model at all).
 */
export type ModelSpec =
  | { kind: 'exact', name: string }
  /** `fallback`: the list ends with best or best-local (any model, after the named ones). */
  | { kind: 'prefer', names: string[], fallback?: { tier?: 'local' } }
  | { kind: 'family', family: string }
  | { kind: 'best', tier?: 'local' }

const MODEL_NAME = /^[\w.:/@+-]{1,200}$/
const MAX_PREFERENCES = 16

export function parseResidency (s: string): Residency {
  if ((RESIDENCIES as readonly string[]).includes(s)) return s as Residency
  throw new InvalidTaskError(`unknown residency ${JSON.stringify(s.slice(0, 40))}`, 'residency is local (this device only), mesh (any mesh device, never a cloud) or cloud (cloud providers allowed)')
}

export function parseTierPolicy (s: string): TierPolicy {
  if ((TIER_POLICIES as readonly string[]).includes(s)) return s as TierPolicy
  throw new InvalidTaskError(`unknown tier policy ${JSON.stringify(s.slice(0, 40))}`, 'the policy is local-first or quality-first')
}

/** Parses --model: `NAME`, `NAME1,NAME2,...` (which may end with best or best-local), `family:FAMILY`, `best` or `best-local` (Ollama's `:latest` tag on the last two is ignored). */
export function parseModelSpec (text: string | undefined): ModelSpec {
  const t = (text ?? '').trim()
  if (t === '' || t === 'best' || t === 'best:latest') return { kind: 'best' }
  if (t === 'best-local' || t === 'best-local:latest') return { kind: 'best', tier: 'local' }
  const bad = (what: string): never => {
    throw new InvalidTaskError(`invalid model ${JSON.stringify(what.slice(0, 60))}`, 'give a model name (llama3.2:3b), a preference list (qwen3:8b,llama3.2:3b), family:NAME, best or best-local')
  }
  if (t.startsWith('family:')) {
    const family = t.slice('family:'.length)
    if (!/^[\w.-]{1,64}$/.test(family)) bad(t)
    return { kind: 'family', family }
  }
  const names = t.split(',').map(s => s.trim()).filter(s => s !== '')
  if (names.length === 0 || names.length > MAX_PREFERENCES) bad(t)
  // best or best-local may close a list: any model, after the named ones
  const lastName = (names[names.length - 1] as string).replace(/:latest$/, '')
  const fallback = names.length > 1 && (lastName === 'best' || lastName === 'best-local') ? (lastName === 'best-local' ? { tier: 'local' as const } : {}) : undefined
  if (fallback != null) names.pop()
  for (const n of names) if (!MODEL_NAME.test(n) || ['best', 'best-local'].includes(n.replace(/:latest$/, ''))) bad(n)
  if (fallback != null) return { kind: 'prefer', names, fallback }
  return names.length === 1 ? { kind: 'exact', name: names[0] as string } : { kind: 'prefer', names }
}

export function formatModelSpec (spec: ModelSpec): string {
  switch (spec.kind) {
    case 'exact': return spec.name
    case 'prefer': return [...spec.names, ...(spec.fallback != null ? [spec.fallback.tier === 'local' ? 'best-local' : 'best'] : [])].join(',')
    case 'family': return `family:${spec.family}`
    default: return spec.tier === 'local' ? 'best-local' : 'best'
  }
}

/**
 * How well a model meets the spec: 0 = not at all; higher is better. A
 * preference list ranks its first name highest.
 */
export function specMatch (spec: ModelSpec, model: { name: string, family?: string, tier?: 'local' | 'cloud' }): number {
  switch (spec.kind) {
    case 'exact': return sameModel(spec.name, model.name) ? 1 : 0
    case 'prefer': {
      const i = spec.names.findIndex(n => sameModel(n, model.name))
      if (i >= 0) return spec.names.length - i + 1
      return spec.fallback != null && (spec.fallback.tier == null || model.tier === spec.fallback.tier) ? 1 : 0
    }
    case 'family': return (model.family ?? '').toLowerCase() === spec.family.toLowerCase() || model.name.toLowerCase().startsWith(spec.family.toLowerCase()) ? 1 : 0
    default: return spec.tier == null || model.tier === spec.tier ? 1 : 0
  }
}

/** Ollama names a model without a tag `NAME:latest`. */
export function sameModel (a: string, b: string): boolean {
  const norm = (s: string): string => s.includes(':') ? s : `${s}:latest`
  return a === b || norm(a) === norm(b)
}

/** Whether a provider of `tier` on this device (`self`) or another may serve a task of `residency`. */
export function residencyAllows (residency: Residency, tier: 'local' | 'cloud', self: boolean): boolean {
  if (residency === 'local') return self && tier === 'local'
  if (residency === 'mesh') return tier === 'local'
  return true
}
