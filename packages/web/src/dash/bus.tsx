import { useEffect, useMemo, useState } from 'preact/hooks'
import { EntryCard } from './tables.js'
import { ago, bytes, filterEntries, namesOf } from './model.js'
import type { DashApi } from './api.js'
import type { LiveState } from './live.js'
import type { MemoryItem } from '@smesh/bus'

/** The bus: status, sync per peer, heads with fork marks, and the live log. */
export function BusView ({ live, now }: { live: LiveState, now: number }) {
  const [kind, setKind] = useState('')
  const [author, setAuthor] = useState('')
  const names = useMemo(() => namesOf(live.peers, live.members, live.topology), [live.peers, live.members, live.topology])
  const shown = filterEntries(live.entries, { kind, author }, names).slice(0, 200)
  const s = live.busStatus
  const kinds = [...new Set(live.entries.map(e => e.kind))].sort()
  return (
    <section>
      <h2>Bus</h2>
      {s != null && (
        <dl>
          <dt>Entries</dt><dd>{s.entries} by {s.authors} authors ({s.ownEntries} of them this node's)</dd>
          <dt>Chain</dt><dd>{s.chainConfirmed ? 'confirmed' : 'not confirmed yet'}{s.forks > 0 ? <span class='error'>, {s.forks} forks</span> : ''}</dd>
          <dt>Disk</dt><dd>{bytes(s.diskBytes)}{s.held.entries > 0 ? `, ${s.held.entries} entries held beyond gaps` : ''}</dd>
        </dl>
      )}
      <h3>Sync per peer</h3>
      <div class='scroll'>
        <table data-testid='sync'>
          <thead><tr><th>Peer</th><th>State</th><th>Last sync</th><th>Score</th></tr></thead>
          <tbody>{(s?.peers ?? []).map(p => <tr key={p.peer}><td>{names.get(p.peer) ?? p.peer.slice(0, 16)}</td><td>{syncState(p)}</td><td>{ago(lastSync(p), now)}</td><td>{p.score?.toFixed(1) ?? '-'}</td></tr>)}</tbody>
        </table>
      </div>
      <h3>Heads</h3>
      <div class='scroll'>
        <table data-testid='heads'>
          <thead><tr><th>Author</th><th>Device</th><th>Seq</th><th>Head</th><th></th></tr></thead>
          <tbody>{(live.heads ?? []).map(h => <tr key={h.author}><td><code>{h.author.slice(0, 16)}</code></td><td>{h.peerId === 'self' ? 'this node' : names.get(h.peerId) ?? h.peerId.slice(0, 12)}</td><td>{h.seq}</td><td><code>{h.head.slice(0, 16)}</code></td><td>{h.forked ? <span class='error' title={`forked at seq ${String(h.forkedAt)}`}>fork at {h.forkedAt}</span> : ''}</td></tr>)}</tbody>
        </table>
      </div>
      <h3>Live log</h3>
      <div class='row'>
        <label>Kind<input list='kinds' value={kind} onInput={(e) => { setKind(e.currentTarget.value) }} placeholder='memory.put, or task. for all tasks' aria-label='Filter by kind' /></label>
        <datalist id='kinds'>{kinds.map(k => <option key={k} value={k} />)}</datalist>
        <label>Author<input value={author} onInput={(e) => { setAuthor(e.currentTarget.value) }} placeholder='id prefix or device name' aria-label='Filter by author' /></label>
      </div>
      <div data-testid='log'>{shown.map(e => <EntryCard key={e.hash} e={e} />)}</div>
      {shown.length === 0 && <p class='quiet'>No entry matches yet.</p>}
    </section>
  )
}

type Sync = NonNullable<LiveState['busStatus']>['peers'][number]
const syncState = (p: Sync): string => p.syncing ? 'syncing' : p.lastError != null ? `error: ${p.lastError}` : `in sync (${p.received} received${p.rejected > 0 ? `, ${p.rejected} refused` : ''})`
const lastSync = (p: Sync): number | null => p.lastSyncAt


/** The shared memory: browse by prefix, set and remove keys (the policy gate applies: a held write shows as waiting). */
export function MemoryView ({ live, api }: { live: LiveState, api: DashApi }) {
  const [prefix, setPrefix] = useState('')
  const [rows, setRows] = useState<MemoryItem[]>([])
  const [pending, setPending] = useState<string>()
  const [key, setKey] = useState('')
  const [value, setValue] = useState('')
  const [note, setNote] = useState<{ text: string, kind: 'ok' | 'error' | 'waiting' }>()
  const memoryEntries = live.entries.filter(e => e.kind.startsWith('memory.')).length
  useEffect(() => {
    api.get<MemoryItem[]>(`/v1/memory/list?prefix=${encodeURIComponent(prefix)}&limit=500`).then(setRows, () => {})
  }, [api, prefix, memoryEntries])
  const set = (e: Event): void => {
    e.preventDefault()
    // JSON when it parses (a number, an object), else the text itself
    const v = ((): unknown => { try { return JSON.parse(value) } catch { return value } })()
    setPending(key)
    setNote({ text: `setting ${key}…`, kind: 'ok' })
    // a write the policy holds for an admin returns only once one decides: meanwhile it shows as waiting
    api.post('/v1/memory/set', { key, value: v }).then(() => { setNote({ text: `${key} set`, kind: 'ok' }) }, (err: { message: string, hint?: string }) => {
      setNote({ text: `${err.message}${err.hint != null ? ` (${err.hint})` : ''}`, kind: 'error' })
    }).finally(() => { setPending(undefined) })
  }
  const remove = (k: string): void => {
    api.post('/v1/memory/rm', { key: k }).then(() => { setNote({ text: `${k} removed`, kind: 'ok' }) }, (err: Error) => { setNote({ text: err.message, kind: 'error' }) })
  }
  const canWrite = live.mesh?.scopes.includes('write') ?? true
  const ask = pending != null ? live.approvals?.find(a => a.action === 'memory.write' && a.subject === pending && a.device === live.mesh?.device) : undefined
  return (
    <section>
      <h2>Memory</h2>
      <label>Prefix<input value={prefix} onInput={(e) => { setPrefix(e.currentTarget.value) }} aria-label='Key prefix' placeholder='notes/' /></label>
      <div class='scroll'>
        <table data-testid='memory'>
          <thead><tr><th>Key</th><th>Value</th><th>Written</th><th></th></tr></thead>
          <tbody>{rows.map(r => <tr key={r.key} data-key={r.key}><td><code>{r.key}</code></td><td class='value'>{typeof r.value === 'string' ? r.value : JSON.stringify(r.value)}</td><td>{r.time != null ? new Date(r.time).toLocaleString() : ''}</td><td>{canWrite && <button type='button' class='link' onClick={() => { remove(r.key) }}>remove</button>}</td></tr>)}</tbody>
        </table>
      </div>
      {canWrite
        ? (
          <form onSubmit={set} class='inline'>
            <label>Key<input value={key} onInput={(e) => { setKey(e.currentTarget.value) }} aria-label='Memory key' required /></label>
            <label>Value<input value={value} onInput={(e) => { setValue(e.currentTarget.value) }} aria-label='Memory value' /></label>
            <button type='submit'>Set</button>
          </form>
          )
        : <p class='quiet'>This device's lease has no write scope: the memory is read-only here.</p>}
      {ask != null && <p class='waiting' data-testid='memory-waiting'>{pending} waits for an admin's approval (request {ask.id}): approve it under Members, or with smesh approve {ask.id}</p>}
      {note != null && ask == null && <p class={note.kind === 'error' ? 'error' : note.kind === 'waiting' ? 'waiting' : 'quiet'} data-testid='memory-note'>{note.text}</p>}
    </section>
  )
}
