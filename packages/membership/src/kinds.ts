import { InvalidBodyError, encodeJsonBody, jsonObjectBody } from '@smesh/bus'
import { isScope } from './scopes.js'
import type { Scope } from './scopes.js'

export const MEMBER_KINDS = {
  admit: 'member.admit',
  revoke: 'member.revoke',
  policySet: 'policy.set',
  policyDeny: 'policy.deny',
  policyAsk: 'policy.ask',
  policyApprove: 'policy.approve'
} as const

const HEX64 = /^[0-9a-f]{64}$/
const MAX_NAME = 63

/** A membership lease: signed by an admin as the body of its `member.admit` entry. */
export interface AdmitBody {
  /** The device's bus author id: SHA-256 of its ML-DSA-65 public key. */
  device: string
  peerId: string
  name: string
  scopes: Scope[]
  issuedAt: number
  expiresAt: number
  /** Whether admins renew the lease while the device is a member. */
  renew: boolean
  /** Lease length, used for renewals. */
  leaseMs: number
  /** What kind of device: absent for a smesh node, `browser` for a browser page (a phone). */
  kind?: string
  /** For a browser: which one, for people ("Chrome 156 on Android"). */
  agent?: string
}

export interface RevokeBody {
  device: string
  peerId: string
  /** The last seq of the device's chain the revoking admin held: later entries are refused everywhere. */
  cutoffSeq: string
  reason?: string
}

export type PolicyEffect = 'allow' | 'ask' | 'block'
export interface PolicyRule {
  /** Action class, `*` matches any run of characters: `memory.write`, `task.cloud`. */
  action: string
  /** What the action touches (a memory key, a model): a glob, default `*`. */
  subject?: string
  /** A device's author id (or a prefix of 8+ hex digits) or name; default any. */
  device?: string
  effect: PolicyEffect
}
export interface PolicySetBody { rules: PolicyRule[] }

export interface ActionRequest {
  action: string
  subject: string
  /** Author id of the device acting. */
  device: string
}
export interface PolicyDenyBody extends ActionRequest { rule: number, reason: string }
export interface PolicyAskBody extends ActionRequest { id: string, expiresAt: number }
export interface PolicyApproveBody { id: string, approved: boolean }

/** What a peer sees when a membership or policy body is refused. */
const HINT = 'the bodies of member.* and policy.* entries are specified in protocols/membership/SPEC.md'
function fail (message: string): never {
  throw new InvalidBodyError(message, HINT)
}

function obj (v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${what} must be a JSON object`)
  return v as Record<string, unknown>
}
function str (o: Record<string, unknown>, f: string, max: number, pattern?: RegExp): string {
  const v = o[f]
  if (typeof v !== 'string' || v.length > max || (pattern != null && !pattern.test(v))) fail(`field ${f} is missing or invalid`)
  return v
}
function int (o: Record<string, unknown>, f: string): number {
  const v = o[f]
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(`field ${f} must be a non-negative integer`)
  return v
}

function parseJson (body: Uint8Array, kind: string): Record<string, unknown> {
  return jsonObjectBody(kind, body, HINT)
}

export function parseAdmit (body: Uint8Array): AdmitBody {
  const o = parseJson(body, MEMBER_KINDS.admit)
  const scopes = o.scopes
  if (!Array.isArray(scopes) || scopes.length > 8 || !scopes.every(isScope)) fail('field scopes is missing or invalid')
  return {
    device: str(o, 'device', 64, HEX64),
    peerId: str(o, 'peerId', 128),
    name: str(o, 'name', MAX_NAME),
    scopes: scopes as Scope[],
    issuedAt: int(o, 'issuedAt'),
    expiresAt: int(o, 'expiresAt'),
    renew: o.renew === true,
    leaseMs: int(o, 'leaseMs'),
    ...(o.kind !== undefined ? { kind: str(o, 'kind', 16, /^[a-z]+$/) } : {}),
    ...(o.agent !== undefined ? { agent: str(o, 'agent', MAX_NAME) } : {})
  }
}

export function parseRevoke (body: Uint8Array): RevokeBody {
  const o = parseJson(body, MEMBER_KINDS.revoke)
  return { device: str(o, 'device', 64, HEX64), peerId: str(o, 'peerId', 128), cutoffSeq: str(o, 'cutoffSeq', 20, /^\d+$/), ...(typeof o.reason === 'string' ? { reason: o.reason.slice(0, 200) } : {}) }
}

const EFFECTS = ['allow', 'ask', 'block']
export const MAX_POLICY_RULES = 256

export function checkRules (v: unknown): PolicyRule[] {
  if (!Array.isArray(v) || v.length > MAX_POLICY_RULES) fail(`rules must be a list of at most ${MAX_POLICY_RULES} rules`)
  return v.map((r, i) => {
    const o = obj(r, `rule ${i + 1}`)
    const unknown = Object.keys(o).filter(k => !['action', 'subject', 'device', 'effect'].includes(k))
    if (unknown.length > 0) fail(`rule ${i + 1}: unknown field ${unknown.join(', ')}`)
    if (!EFFECTS.includes(o.effect as string)) fail(`rule ${i + 1}: effect must be allow, ask or block`)
    const rule: PolicyRule = { action: str(o, 'action', 100, /^[a-z*][a-z0-9.*-]*$/), effect: o.effect as PolicyEffect }
    if (o.subject !== undefined) rule.subject = str(o, 'subject', 512)
    if (o.device !== undefined) rule.device = str(o, 'device', 64)
    return rule
  })
}

export function parsePolicySet (body: Uint8Array): PolicySetBody {
  return { rules: checkRules(parseJson(body, MEMBER_KINDS.policySet).rules) }
}

function parseRequest (o: Record<string, unknown>): ActionRequest {
  return { action: str(o, 'action', 100), subject: str(o, 'subject', 512), device: str(o, 'device', 64, HEX64) }
}
export function parseAsk (body: Uint8Array): PolicyAskBody {
  const o = parseJson(body, MEMBER_KINDS.policyAsk)
  return { ...parseRequest(o), id: str(o, 'id', 32, /^[0-9a-f]{16,32}$/), expiresAt: int(o, 'expiresAt') }
}
export function parseApprove (body: Uint8Array): PolicyApproveBody {
  const o = parseJson(body, MEMBER_KINDS.policyApprove)
  return { id: str(o, 'id', 32, /^[0-9a-f]{16,32}$/), approved: o.approved === true }
}
export function parseDeny (body: Uint8Array): PolicyDenyBody {
  const o = parseJson(body, MEMBER_KINDS.policyDeny)
  return { ...parseRequest(o), rule: int(o, 'rule'), reason: str(o, 'reason', 200) }
}

export const encodeBody = encodeJsonBody
