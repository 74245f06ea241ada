import { useEffect, useState } from 'preact/hooks'
import { ago, bytes, duration } from './model.js'
import type { DashApi } from './api.js'
import type { LiveState } from './live.js'
import type { LogLine } from '@smesh/node'
import type { KeyView } from '@smesh/gateway'

/** This node: status, resources, gateway keys, the tail of its log. */
export function NodeView ({ live, api, now }: { live: LiveState, api: DashApi, now: number }) {
  const s = live.status
  return (
    <section>
      <h2>Node</h2>
      {s != null && (
        <dl data-testid='node-status'>
          <dt>Name</dt><dd>{s.name} <span class='quiet'>({s.version})</span></dd>
          <dt>PeerId</dt><dd><code>{s.peerId}</code></dd>
          <dt>Fingerprint</dt><dd><code>{s.pqFingerprintShort}</code></dd>
          <dt>Uptime</dt><dd>{duration(now - s.startedAt)}</dd>
          <dt>Peers</dt><dd>{s.peers.connected} connected of {s.peers.known} known, {s.connections} connections</dd>
          <dt>Memory</dt><dd>{bytes(s.memory.rssBytes)} resident, {bytes(s.memory.heapUsedBytes)} heap</dd>
          <dt>CPU</dt><dd>{(s.cpu * 100).toFixed(1)} % of a core</dd>
          <dt>Bus on disk</dt><dd>{live.busStatus != null ? bytes(live.busStatus.diskBytes) : '-'}</dd>
          <dt>Gateway</dt><dd>{s.gateway ?? 'off'}</dd>
          <dt>Data dir</dt><dd><code>{s.dataDir}</code></dd>
          <dt>Listening</dt><dd>{s.listenAddrs.map(a => <div key={a}><code>{a}</code></div>)}</dd>
        </dl>
      )}
      <Keys live={live} api={api} now={now} />
      <Logs api={api} />
    </section>
  )
}

function Keys ({ live, api, now }: { live: LiveState, api: DashApi, now: number }) {
  const [name, setName] = useState('')
  const [created, setCreated] = useState<{ name: string, key: string }>()
  const [error, setError] = useState<string>()
  // after a change the list is read at once; the live feed's next copy replaces it
  const [fresh, setFresh] = useState<KeyView[]>()
  useEffect(() => { setFresh(undefined) }, [live.keys])
  const reread = (): void => { api.get<KeyView[]>('/v1/gateway/keys').then(setFresh, () => {}) }
  const create = (e: Event): void => {
    e.preventDefault()
    api.post<{ key: string }>('/v1/gateway/keys', { name }).then(r => { setCreated({ name, key: r.key }); setName(''); setError(undefined); reread() }, (err: Error) => { setError(err.message) })
  }
  const revoke = (n: string): void => { api.post('/v1/gateway/keys/revoke', { name: n }).then(() => { setError(undefined); reread() }, (err: Error) => { setError(err.message) }) }
  return (
    <>
      <h3>Gateway keys</h3>
      <div class='scroll'>
        <table data-testid='keys'>
          <thead><tr><th>Name</th><th>Key</th><th>Status</th><th>Last used</th><th>Requests</th><th></th></tr></thead>
          <tbody>{(fresh ?? live.keys ?? []).map(k => <tr key={k.name}><td>{k.name}</td><td><code>{k.prefix}…</code></td><td>{k.status}</td><td>{ago(k.lastUsedAt, now)}</td><td>{k.requests}</td><td>{k.status === 'active' && <button type='button' class='link danger' onClick={() => { revoke(k.name) }}>revoke</button>}</td></tr>)}</tbody>
        </table>
      </div>
      <form onSubmit={create} class='inline'>
        <label>Name<input value={name} onInput={(e) => { setName(e.currentTarget.value) }} aria-label='Key name' required /></label>
        <button type='submit'>Create key</button>
      </form>
      {created != null && <p data-testid='new-key'>Key <b>{created.name}</b>, shown this once: <code>{created.key}</code></p>}
      {error != null && <p class='error'>{error}</p>}
    </>
  )
}

function Logs ({ api }: { api: DashApi }) {
  const [lines, setLines] = useState<LogLine[]>([])
  useEffect(() => {
    let stop = false
    const read = (): void => { api.get<LogLine[]>('/v1/logs?lines=60').then(l => { if (!stop) setLines(l) }, () => {}) }
    read()
    const t = setInterval(() => { if (document.visibilityState === 'visible') read() }, 5_000)
    return () => { stop = true; clearInterval(t) }
  }, [api])
  return (
    <>
      <h3>Log</h3>
      <pre class='log' data-testid='logs'>{lines.map(l => `${new Date(l.time).toLocaleTimeString()} ${l.level.padEnd(5)} ${l.msg}${l.fields !== '' ? `  ${l.fields}` : ''}`).join('\n')}</pre>
    </>
  )
}
