/** What a lease allows. `read` is implied by membership: a member may connect and sync. */
export const SCOPES = ['read', 'write', 'task.submit', 'task.serve', 'admin'] as const
export type Scope = typeof SCOPES[number]

export const DEFAULT_SCOPES: Scope[] = ['read', 'write', 'task.submit', 'task.serve']

export function isScope (s: unknown): s is Scope {
  return typeof s === 'string' && (SCOPES as readonly string[]).includes(s)
}

/** Parses a comma-separated scope list; `read` is always included. */
export function parseScopes (text: string): Scope[] {
  const list = text.split(',').map(s => s.trim()).filter(s => s !== '')
  const bad = list.filter(s => !isScope(s))
  if (bad.length > 0) throw new RangeError(`unknown scope${bad.length > 1 ? 's' : ''} ${bad.map(s => JSON.stringify(s)).join(', ')}: scopes are ${SCOPES.join(', ')}`)
  return [...new Set<Scope>(['read', ...(list as Scope[])])]
}

/**
 * The scope a bus entry of `kind` needs from its author. Membership records
 * and policy changes need `admin`; the ledger kinds (a refusal, a request
 * for approval) any member may write; tasks need `task.submit` or
 * `task.serve`; everything else needs `write`.
 */
export function scopeForKind (kind: string): Scope | undefined {
  if (kind.startsWith('member.') || kind === 'policy.set' || kind === 'policy.approve') return 'admin'
  if (kind === 'policy.deny' || kind === 'policy.ask') return undefined
  if (kind === 'task.result' || kind === 'task.serve') return 'task.serve'
  if (kind.startsWith('task.')) return 'task.submit'
  return 'write'
}
