import { apiGet, apiPost } from '../../api/client.js'
import { CliError } from '../cli-error.js'
import { parseDuration } from '../duration.js'
import { ago, table } from '../format.js'
import type { KeyView } from '@smesh/gateway'

const out = (s: string): void => { process.stdout.write(s + '\n') }

export function formatKeys (keys: KeyView[], now = Date.now()): string {
  if (keys.length === 0) return 'no gateway keys yet (make one with: smesh keys create NAME)'
  const rows = [['NAME', 'KEY', 'STATUS', 'CREATED', 'LAST USED', 'REQUESTS', 'TOKENS IN', 'TOKENS OUT', 'LIMITS']]
  for (const k of keys) {
    const limits = [k.residency != null ? `residency ${k.residency}` : '', k.models != null ? `models ${k.models}` : '', k.ratePerS != null ? `${k.ratePerS}/s` : '', k.expiresAt != null && k.status === 'active' ? `expires ${new Date(k.expiresAt).toISOString().slice(0, 10)}` : ''].filter(s => s !== '').join(', ')
    rows.push([k.name, `${k.prefix}…`, k.status, ago(now - k.createdAt), k.lastUsedAt != null ? ago(now - k.lastUsedAt) : 'never', String(k.requests), String(k.inputTokens), String(k.outputTokens), limits === '' ? '-' : limits])
  }
  return table(rows)
}

export async function runKeysList (dataDir: string, opts: { json?: boolean }): Promise<void> {
  const keys = await apiGet<KeyView[]>(dataDir, '/v1/gateway/keys')
  out(opts.json === true ? JSON.stringify(keys, null, 2) : formatKeys(keys))
}

/** "5/s", "5", "0.5/s", "300/m": requests per second. */
function parseRate (text: string): number {
  const m = /^(\d+(?:\.\d+)?)(?:\/(s|m|h))?$/.exec(text.trim())
  if (m == null || Number(m[1]) <= 0) throw new CliError(`--rate ${JSON.stringify(text)} is not a rate`, 'write it like 5/s, 300/m or 1000/h', 2)
  return Number(m[1]) / ({ s: 1, m: 60, h: 3600 }[m[2] ?? 's'] as number)
}

export async function runKeysCreate (dataDir: string, name: string, opts: { residency?: string, models?: string, rate?: string, expires?: string, json?: boolean }): Promise<void> {
  const body = {
    name,
    ...(opts.residency != null ? { residency: opts.residency } : {}),
    ...(opts.models != null ? { models: opts.models } : {}),
    ...(opts.rate != null ? { ratePerS: parseRate(opts.rate) } : {}),
    ...(opts.expires != null ? { expiresInMs: parseDuration(opts.expires, '--expires') } : {})
  }
  const r = await apiPost<{ key: string, record: KeyView }>(dataDir, '/v1/gateway/keys', body)
  if (opts.json === true) {
    out(JSON.stringify({ key: r.key, ...r.record }, null, 2))
    return
  }
  out(r.key)
  process.stderr.write(`created gateway key "${name}": shown this once (the node keeps only its hash); give it to the client as its API key\n`)
}

export async function runKeysRevoke (dataDir: string, name: string, opts: { json?: boolean }): Promise<void> {
  const r = await apiPost<KeyView>(dataDir, '/v1/gateway/keys/revoke', { name })
  out(opts.json === true ? JSON.stringify(r, null, 2) : `revoked gateway key "${r.name}": its next request is refused`)
}
