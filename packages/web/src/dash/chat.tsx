import { useEffect, useRef, useState } from 'preact/hooks'
import { applyRunEvent, duration } from './model.js'
import type { DashApi } from './api.js'
import type { LiveState } from './live.js'
import type { RunEvent, Turn } from './model.js'
import type { SessionSummary, SessionView } from '@smesh/bus'

/**
 * Chat through the node's router (the one the gateway uses): the answer
 * streams as it comes, the serving device named, and a handoff marked where
 * the answer moved to another device. With a session, the exchange is added
 * to it, and earlier messages are the context.
 */
export function ChatView ({ live, api }: { live: LiveState, api: DashApi }) {
  const [turns, setTurns] = useState<Turn[]>([])
  const [prompt, setPrompt] = useState('')
  const [model, setModel] = useState('best')
  const [residency, setResidency] = useState('')
  const [session, setSession] = useState('')
  const [sessions, setSessions] = useState<SessionSummary[]>([])
  const [error, setError] = useState<string>()
  const running = useRef<AbortController | undefined>(undefined)
  const busy = turns.some(t => t.status === 'waiting' || t.status === 'streaming')

  const loadSessions = (): void => { api.get<SessionSummary[]>('/v1/sessions').then(setSessions, (err: Error) => { setError(err.message) }) }
  useEffect(loadSessions, [api])
  useEffect(() => () => { running.current?.abort() }, [])

  const pick = (id: string): void => {
    setSession(id)
    setTurns([])
    if (id === '') return
    api.get<SessionView>(`/v1/sessions/show?id=${id}`).then(v => {
      const out: Turn[] = []
      for (const m of v.messages) {
        if (m.role === 'user') out.push({ prompt: m.content, parts: [], status: 'done' })
        else if (m.role === 'assistant' && out.length > 0) (out[out.length - 1] as Turn).parts.push({ device: m.peer ?? '', model: m.model ?? '', text: m.content })
      }
      setTurns(out)
    }, (err: Error) => { setError(err.message) })
  }

  const newSession = (): void => {
    const title = prompt.trim().slice(0, 60) || 'dashboard chat'
    api.post<{ id: string }>('/v1/sessions/open', { title }).then(s => { loadSessions(); setSession(s.id); setTurns([]) }, (err: Error) => { setError(err.message) })
  }

  const send = (e: Event): void => {
    e.preventDefault()
    const text = prompt.trim()
    if (text === '' || busy) return
    setPrompt('')
    setError(undefined)
    const index = turns.length
    setTurns(ts => [...ts, { prompt: text, parts: [], status: 'waiting' }])
    const update = (ev: RunEvent): void => { setTurns(ts => ts.map((t, i) => i === index ? applyRunEvent(t, ev) : t)) }
    const controller = new AbortController()
    running.current = controller
    const body = { prompt: text, ...(model.trim() !== '' ? { model: model.trim() } : {}), ...(residency !== '' ? { residency } : {}), ...(session !== '' ? { session } : {}) }
    api.stream('/v1/run', body, (o) => { update(o as RunEvent) }, controller.signal).catch((err: Error) => {
      update({ type: 'error', error: { message: controller.signal.aborted ? 'stopped' : err.message } })
    })
  }

  const models = [...new Set(live.models?.models.map(m => m.model) ?? [])]
  return (
    <section>
      <h2>Chat</h2>
      <div class='row'>
        <label>Model<input list='model-names' value={model} onInput={(e) => { setModel(e.currentTarget.value) }} aria-label='Model spec' /></label>
        <datalist id='model-names'><option value='best' />{models.map(m => <option key={m} value={m} />)}</datalist>
        <label>Residency
          <select value={residency} onChange={(e) => { setResidency(e.currentTarget.value) }} aria-label='Residency'>
            <option value=''>node default</option><option value='local'>local (this device)</option><option value='mesh'>mesh (no cloud)</option><option value='cloud'>cloud allowed</option>
          </select>
        </label>
        <label>Session
          <select value={session} onChange={(e) => { pick(e.currentTarget.value) }} aria-label='Session'>
            <option value=''>none (one-off)</option>
            {sessions.map(s => <option key={s.id} value={s.id}>{s.title !== '' ? s.title : s.id.slice(0, 12)}</option>)}
          </select>
        </label>
        <button type='button' class='secondary' onClick={newSession}>New session</button>
      </div>
      <ol class='turns' data-testid='chat'>
        {turns.map((t, i) => (
          <li key={i} data-testid='turn' data-status={t.status}>
            <p class='q'>{t.prompt}</p>
            {t.parts.map((p, j) => (
              <div key={j}>
                {p.handoff != null && <mark data-testid='handoff'>handed off from {p.handoff.from} ({p.handoff.reason}): {p.device} goes on</mark>}
                {(j === 0 || p.handoff != null) && p.device !== '' && <span class='served' data-testid='served-by'>{p.device}{p.model !== '' ? ` · ${p.model}` : ''}</span>}
                <span class='a'>{p.text}</span>
              </div>
            ))}
            {t.status === 'waiting' && <p class='quiet'>Routing…</p>}
            {t.status === 'done' && t.totalMs != null && <p class='quiet'>{duration(t.totalMs)}</p>}
            {t.error != null && <p class='error'>{t.error}</p>}
          </li>
        ))}
      </ol>
      <form onSubmit={send}>
        <label>Ask the mesh<textarea rows={3} value={prompt} onInput={(e) => { setPrompt(e.currentTarget.value) }} aria-label='Prompt' /></label>
        <div class='row'>
          <button type='submit' disabled={busy}>Send</button>
          {busy && <button type='button' class='secondary' onClick={() => { running.current?.abort() }}>Stop</button>}
        </div>
      </form>
      {error != null && <p class='error'>{error}</p>}
    </section>
  )
}
