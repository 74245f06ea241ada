import { useState } from 'preact/hooks'
import { attempts, countdown, duration } from './model.js'
import type { LiveState } from './live.js'
import type { EntryView } from '@smesh/bus'

/** The mesh-wide table of `smesh models`. */
export function ModelsView ({ live, now }: { live: Pick<LiveState, 'models'>, now: number }) {
  const rows = live.models?.models ?? []
  return (
    <section>
      <h2>Models</h2>
      {rows.length === 0
        ? <p class='quiet'>No device of the mesh offers a model yet.</p>
        : (
          <div class='scroll'>
            <table data-testid='models-table'>
              <thead><tr><th>Model</th><th>Device</th><th>Provider</th><th>Tier</th><th>Warm</th><th>Queue</th><th>Tokens/s</th><th>Cooldown</th></tr></thead>
              <tbody>
                {rows.map(m => (
                  <tr key={`${m.peer}/${m.provider}/${m.model}`}>
                    <td>{m.model}</td><td>{m.device}{m.self ? ' (this node)' : ''}</td><td>{m.provider}</td><td>{m.tier}</td>
                    <td>{m.warm ? 'yes' : ''}</td><td>{m.queue}/{m.concurrency}</td><td>{m.tokensPerS > 0 ? m.tokensPerS.toFixed(1) : '-'}</td>
                    <td>{countdown(m.cooldownUntil, now)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          )}
      {live.models?.providers.some(p => p.error != null) === true && (
        <ul class='error'>{live.models.providers.filter(p => p.error != null).map(p => <li key={p.name}>{p.name}: {p.error}</li>)}</ul>
      )}
    </section>
  )
}

/** Recent tasks: where each attempt went and why it moved on; with `records`, a task's signed records on click. */
export function TasksView ({ live, records }: { live: Pick<LiveState, 'tasks'>, records?: (task: string) => Promise<EntryView[]> }) {
  const [open, setOpen] = useState<{ task: string, records?: EntryView[], error?: string }>()
  const show = (task: string): void => {
    if (records == null) return
    setOpen({ task })
    records(task).then(r => { setOpen({ task, records: r }) }, (err: Error) => { setOpen({ task, error: err.message }) })
  }
  const tasks = live.tasks ?? []
  return (
    <section>
      <h2>Tasks</h2>
      {tasks.length === 0
        ? <p class='quiet'>No task on the bus yet.</p>
        : (
          <div class='scroll'>
            <table data-testid='tasks'>
              <thead><tr><th>When</th><th>Model</th><th>Residency</th><th>Attempts</th><th>Served by</th><th>First token</th><th>Total</th><th>Tokens</th></tr></thead>
              <tbody>
                {tasks.map(t => (
                  <tr key={t.task} class={open?.task === t.task ? 'selected' : ''} onClick={() => { show(t.task) }} {...(records != null ? { role: 'button' } : {})}>
                    <td>{new Date(t.requestedAt).toLocaleTimeString()}</td>
                    <td>{t.servedModel ?? t.model}</td><td>{t.residency}</td>
                    <td>{attempts(t).map((a, i) => <div key={i}>{a.device}: {a.outcome}</div>)}</td>
                    <td>{t.device ?? '-'}</td><td>{duration(t.firstTokenMs)}</td><td>{duration(t.totalMs)}</td><td>{t.outputTokens ?? '-'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          )}
      {open != null && (
        <div class='details' data-testid='task-records'>
          <h3>Records of task <code>{open.task.slice(0, 16)}</code></h3>
          {open.error != null && <p class='error'>{open.error}</p>}
          {open.records == null && open.error == null && <p class='quiet'>Reading…</p>}
          {open.records?.map(r => <EntryCard key={r.hash} e={r} />)}
        </div>
      )}
    </section>
  )
}

/** One signed entry, whole. */
export function EntryCard ({ e }: { e: EntryView & { truncated?: true } }) {
  return (
    <details class='entry'>
      <summary><b>{e.kind}</b> <span class='quiet'>#{e.seq} by {e.peerId === 'self' ? 'this node' : e.peerId.slice(0, 16)} at {new Date(e.time).toLocaleTimeString()}, {e.size} bytes</span></summary>
      <dl>
        <dt>Hash</dt><dd><code>{e.hash}</code></dd>
        <dt>Author</dt><dd><code>{e.author}</code></dd>
        <dt>Prev</dt><dd><code>{e.prev}</code></dd>
        <dt>HLC</dt><dd><code>{e.hlc.ms}.{e.hlc.counter}</code></dd>
      </dl>
      <pre>{typeof e.body === 'string' ? e.body : JSON.stringify(e.body, null, 2)}</pre>
      {e.truncated === true && <p class='quiet'>The preview is cut; the whole entry is in smesh bus log --json.</p>}
    </details>
  )
}
