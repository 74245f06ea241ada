import { lacks } from './needs.js'
import { residencyAllows, specMatch } from './spec.js'
import type { Candidate } from './catalog.js'
import type { Needs } from './needs.js'
import type { Capability } from '@smesh/inference'
import type { ModelSpec, Residency, TierPolicy } from './spec.js'

export interface RankInput {
  spec: ModelSpec
  residency: Residency
  policy: TierPolicy
  /** Tasks this router already sent to each peer and has not seen end. */
  inFlight: (peer: string) => number
  /** 0..1 per `peer/provider`. */
  reliability: (key: string) => number
  /** The breaker of `peer/provider` is open. */
  broken: (key: string) => boolean
  /** This router saw `peer/provider` rate-limit until then (before its advert says so). */
  cooldown: (key: string) => number
  now: number
  /** What the task asks of a model (capabilities, context, protocol); none: a chat of text. */
  needs?: Needs
  /** Only this model (and digest, if given): later batches of one embedding request. */
  pin?: { model: string, digest: string }
  /** Only models that also meet this spec (a gateway key limited to some models). */
  allow?: ModelSpec
  /** The mesh policy's verdict on sending the task to a candidate (task.model, task.cloud); none: allowed. */
  governed?: (c: Candidate) => 'allow' | 'ask' | 'block'
}

export interface Ranked {
  candidate: Candidate
  score: number
}

/** Why nothing could be chosen, for the error the user sees. */
export interface Excluded {
  /** Candidates of the model the residency forbids. */
  residency: Candidate[]
  /** Candidates of the model cooling down after a rate limit, and the soonest end. */
  cooling: Candidate[]
  coolingUntil: number
  broken: Candidate[]
  /** Candidates of the model that cannot do what the task asks, and what each lacks. */
  unable: Array<{ candidate: Candidate, lacks: Capability | 'context' }>
  /** Candidates on nodes whose task protocol (1.0.0) cannot carry the task. */
  protocol: Candidate[]
  /** Candidates the mesh policy blocks for this device. */
  policy: Candidate[]
}

export const candidateKey = (c: { peer: string, provider: string }): string => `${c.peer}/${c.provider}`

/**
 * Scores every candidate that meets the model spec and the residency, best
 * first. The model match dominates (a preference list's order is kept);
 * then the tier policy, a model already in memory, free capacity, the
 * router's trust in the candidate, measured speed and the round trip. Ties
 * break on peer, provider and model names, so every node ranks alike.
 */
export function rank (candidates: Candidate[], input: RankInput): { ranked: Ranked[], excluded: Excluded } {
  const excluded: Excluded = { residency: [], cooling: [], coolingUntil: Infinity, broken: [], unable: [], protocol: [], policy: [] }
  const ranked: Ranked[] = []
  for (const c of candidates) {
    const match = specMatch(input.spec, { name: c.model, family: c.family, tier: c.tier })
    if (match === 0) continue
    if (input.pin != null && (c.model !== input.pin.model || (input.pin.digest !== '' && c.digest !== input.pin.digest))) continue
    if (input.allow != null && specMatch(input.allow, { name: c.model, family: c.family, tier: c.tier }) === 0) continue
    if (!c.connected && !c.self) continue
    if (input.needs != null) {
      // a node of 1.0.0 cannot carry the task, whatever its model does (its advert says nothing of that)
      if (input.needs.v11 && !c.self && !c.protocols.includes('1.1.0')) {
        excluded.protocol.push(c)
        continue
      }
      const missing = lacks(input.needs, c)
      if (missing != null) {
        excluded.unable.push({ candidate: c, lacks: missing })
        continue
      }
    }
    if (!residencyAllows(input.residency, c.tier, c.self)) {
      excluded.residency.push(c)
      continue
    }
    const verdict = input.governed?.(c) ?? 'allow'
    if (verdict === 'block') {
      excluded.policy.push(c)
      continue
    }
    const key = candidateKey(c)
    const until = Math.max(c.cooldownUntil, input.cooldown(key))
    if (until > input.now) {
      excluded.cooling.push(c)
      excluded.coolingUntil = Math.min(excluded.coolingUntil, until)
      continue
    }
    if (input.broken(key)) {
      excluded.broken.push(c)
      continue
    }
    const preferredTier = input.policy === 'local-first' ? 'local' : 'cloud'
    // this node's queue already holds its own tasks; a peer's advert shows them within a second
    const load = (c.self ? c.queue : Math.max(c.queue, input.inFlight(c.peer))) / c.concurrency
    let score = match * 1000
    score += c.tier === preferredTier ? 200 : 0
    score += c.loaded ? 100 : 0
    score -= Math.min(load, 4) * 40
    score += input.reliability(key) * 60
    score += Math.min(c.tokensPerS, 200) * 0.1
    score -= Math.min(c.rttMs ?? 50, 50) * 0.2
    // one that needs an admin's approval comes after every equal one that does not
    score -= verdict === 'ask' ? 500 : 0
    ranked.push({ candidate: c, score })
  }
  ranked.sort((a, b) => b.score - a.score ||
    cmp(a.candidate.peer, b.candidate.peer) || cmp(a.candidate.provider, b.candidate.provider) || cmp(a.candidate.model, b.candidate.model))
  return { ranked, excluded }
}

function cmp (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
