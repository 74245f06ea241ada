import { ResidencyError, TaskFailedError } from './errors.js'
import { describeCapability } from './needs.js'
import { BREAKER_OPEN_MS } from './reliability.js'
import type { Needs } from './needs.js'
import type { Excluded } from './score.js'
import type { ModelSpec, Residency } from './spec.js'

export interface NoCandidateInput {
  task: string
  /** The spec as the user wrote it. */
  model: string
  spec: ModelSpec
  residency: Residency
  needs: Needs
  excluded: Excluded
  /** The last attempt's error, if any candidate was tried. */
  last?: TaskFailedError
  /** Every candidate was tried. */
  triedAll: boolean
  now: number
}

/** How the user refers to the spec in an error: "llama3.2:3b", "any of qwen3:8b, llama3.2:3b", "a model". */
function what (spec: ModelSpec, model: string): string {
  switch (spec.kind) {
    case 'exact': return model
    case 'prefer': return `any of ${spec.names.join(', ')}${spec.fallback != null ? `, or ${spec.fallback.tier === 'local' ? 'a local model' : 'any model'}` : ''}`
    case 'family': return `a model of family ${spec.family}`
    default: return spec.tier === 'local' ? 'a local model' : 'a model'
  }
}

/**
 * Why no candidate is left for a task, in the words a user needs: every
 * provider cooling down, the residency forbidding every place that could run
 * it (fail closed), a paused circuit breaker, devices too old for what the
 * task carries, no model that can do what it asks (tools, images, JSON,
 * embeddings) or hold the prompt, or nothing in the mesh at all.
 */
export function noCandidate (i: NoCandidateInput): TaskFailedError {
  const { excluded, last } = i
  const name = what(i.spec, i.model)
  if (i.triedAll && last != null) return new TaskFailedError(last.code, `every candidate for ${i.model} failed; the last said: ${last.message}`, last.retryAfterMs)
  if (excluded.cooling.length > 0) {
    const wait = Math.max(0, excluded.coolingUntil - i.now)
    return new TaskFailedError('rate-limit', `every provider of ${i.model} is cooling down after a rate limit (the first is free again in ${Math.ceil(wait / 1000)} s)`, wait)
  }
  if (excluded.residency.length > 0) {
    const where = [...new Set(excluded.residency.map(c => c.tier === 'cloud' ? `cloud provider ${c.provider} on ${c.device}` : `${c.device}`))].slice(0, 4).join(', ')
    return new ResidencyError(`task ${i.task.slice(0, 8)}: residency ${i.residency} forbids every place that could run ${i.model} (${where}); nothing was sent there`)
  }
  if (excluded.policy.length > 0) {
    const where = [...new Set(excluded.policy.map(c => c.tier === 'cloud' ? `cloud provider ${c.provider} on ${c.device}` : `${c.model} on ${c.device}`))].slice(0, 4).join(', ')
    return new TaskFailedError('not-allowed', `task ${i.task.slice(0, 8)}: the mesh policy blocks every place this device could run ${i.model} (${where}); nothing was sent there`, undefined, { hint: 'see the rules with smesh policy show; an admin changes them with smesh policy set' })
  }
  if (excluded.broken.length > 0) return new TaskFailedError('no-candidate', `every candidate for ${i.model} failed recently and is paused (circuit breaker)`, BREAKER_OPEN_MS, { hint: 'try again in a minute; see the node\'s log for the failures' })
  if (excluded.protocol.length > 0) {
    const devices = [...new Set(excluded.protocol.map(c => c.device))].slice(0, 4).join(', ')
    return new TaskFailedError('unsupported', `the devices with ${name} (${devices}) run an older smesh (task protocol 1.0.0) that cannot carry tools, images, JSON output or embeddings`, undefined, { hint: 'update smesh on those devices, or ask without tools, images or a response format' })
  }
  if (excluded.unable.length > 0) {
    const context = excluded.unable.filter(u => u.lacks === 'context')
    if (context.length === excluded.unable.length) {
      const largest = Math.max(...context.map(u => u.candidate.contextLength))
      return new TaskFailedError('too-large', `the prompt (about ${i.needs.tokens} tokens) is longer than the context of ${name === 'a model' ? 'every model of the mesh' : `every model that is ${name}`} (the largest holds ${largest} tokens)`, undefined, { hint: 'shorten the conversation, or run a model with a longer context' })
    }
    const missing = excluded.unable.find(u => u.lacks !== 'context')?.lacks as Exclude<typeof excluded.unable[number]['lacks'], 'context'>
    const models = [...new Set(excluded.unable.map(u => u.candidate.model))].slice(0, 4).join(', ')
    return new TaskFailedError('unsupported', `no model of the mesh that is ${name} can ${describeCapability(missing)} (${models} cannot)`, undefined, {
      hint: missing === 'embedding' ? 'pull an embedding model on a device (ollama pull nomic-embed-text) and name it' : `name a model that can ${describeCapability(missing)} (see smesh models --json: capabilities), or ask without that part`
    })
  }
  if (last != null) return new TaskFailedError(last.code, `no further candidate for ${i.model}; the last said: ${last.message}`, last.retryAfterMs)
  if (i.spec.kind === 'best') {
    return new TaskFailedError('no-candidate', i.spec.tier === 'local' ? 'no device of the mesh offers a local model yet' : `no device of the mesh offers any model${i.needs.kind === 'embed' ? ' that makes embeddings' : ''} yet`, undefined, {
      hint: 'start Ollama on a device (or point SMESH_OLLAMA_URL at one), or give a device a cloud key (SMESH_ANTHROPIC_API_KEY, SMESH_GEMINI_API_KEY); smesh models shows what the mesh can run'
    })
  }
  return new TaskFailedError('no-candidate', `no device of the mesh has ${name}`, undefined, { hint: 'see what the mesh can run with `smesh models`, pull the model on a device, or name another' })
}
