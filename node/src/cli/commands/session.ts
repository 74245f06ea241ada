import { apiGet, apiPost } from '../../api/client.js'
import { formatSession, formatSessions } from '../format-bus.js'
import type { EntryView, SessionSummary, SessionView } from '@smesh/bus'

const out = (s: string): void => { process.stdout.write(s + '\n') }

export async function runSessionOpen (dataDir: string, title: string | undefined, opts: { json?: boolean }): Promise<void> {
  const s = await apiPost<SessionSummary>(dataDir, '/v1/sessions/open', title != null ? { title } : {})
  out(opts.json === true ? JSON.stringify(s, null, 2) : s.id)
}

export async function runSessionAppend (dataDir: string, id: string, text: string[], opts: { role?: string, model?: string, json?: boolean }): Promise<void> {
  const e = await apiPost<EntryView>(dataDir, '/v1/sessions/append', { session: id, role: opts.role ?? 'user', content: text.join(' '), model: opts.model })
  out(opts.json === true ? JSON.stringify(e, null, 2) : `appended to session ${id} (entry ${e.seq}, ${e.hash.slice(0, 12)})`)
}

export async function runSessionShow (dataDir: string, id: string, opts: { json?: boolean }): Promise<void> {
  const s = await apiGet<SessionView>(dataDir, `/v1/sessions/show?id=${encodeURIComponent(id)}`)
  out(opts.json === true ? JSON.stringify(s, null, 2) : formatSession(s))
}

export async function runSessionList (dataDir: string, opts: { json?: boolean }): Promise<void> {
  const list = await apiGet<SessionSummary[]>(dataDir, '/v1/sessions')
  out(opts.json === true ? JSON.stringify(list, null, 2) : formatSessions(list))
}
