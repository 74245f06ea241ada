import { useEffect, useRef, useState } from 'preact/hooks'
import { ask } from './ask.js'
import { readView } from './read.js'
import type { Libp2p } from '@libp2p/interface'
import type { AskEvent } from '@smesh/protocols'

interface SessionRow { id: string, title: string }
interface SessionMessage { role: string, content: string }
interface Served { device: string, model: string, tier: string }
/** One exchange: the question, the answer as it streams, where it ran, and any handoff where it happened. */
interface Turn {
  prompt: string
  parts: Array<{ text: string } | { handoff: string }>
  served?: Served
  error?: string
  running: boolean
}

function answerText (t: Turn): string {
  return t.parts.map(p => 'text' in p ? p.text : '').join('')
}

interface Conn { peer: Libp2p, node: string }
interface Pending { text: string, session: string, history: Array<{ role: 'user' | 'assistant', content: string }> }

/**
 * Chat through the mesh: a model spec and residency, a session to continue
 * or none; Stop cancels on the serving device. It stays on the page while
 * the connection comes and goes: a question whose connection was lost before
 * any answer came is asked again once the page is connected again.
 */
export function Chat ({ conn, onLost }: { conn?: Conn, onLost: () => void }) {
  const [model, setModel] = useState('best')
  const [residency, setResidency] = useState('')
  const [session, setSession] = useState('')
  const [sessions, setSessions] = useState<SessionRow[]>([])
  const [prompt, setPrompt] = useState('')
  const [turns, setTurns] = useState<Turn[]>([])
  /** The chosen session's messages so far (from the node), shown above this page's turns. */
  const [earlier, setEarlier] = useState<SessionMessage[]>([])
  const stop = useRef<AbortController | undefined>(undefined)
  const latest = useRef<Conn | undefined>(conn)
  latest.current = conn
  const pending = useRef<Pending | undefined>(undefined)
  const running = turns[turns.length - 1]?.running === true

  useEffect(() => {
    if (conn == null) return
    readView<SessionRow[]>(conn.peer, conn.node, 'sessions').then(setSessions, () => {})
    const q = pending.current
    pending.current = undefined
    if (q != null) void run(q)
  }, [conn])

  const update = (fn: (t: Turn) => Turn): void => {
    setTurns(ts => ts.length === 0 ? ts : [...ts.slice(0, -1), fn(ts[ts.length - 1] as Turn)])
  }
  const onEvent = (e: AskEvent): void => {
    if (e.type === 'text') update(t => ({ ...t, parts: [...t.parts, { text: e.text }] }))
    else if (e.type === 'assign') update(t => ({ ...t, served: { device: e.device, model: e.model, tier: e.tier } }))
    else if (e.type === 'handoff') update(t => ({ ...t, parts: [...t.parts, { handoff: e.message }] }))
    else if (e.type === 'done') update(t => ({ ...t, running: false, served: { device: e.device, model: e.model, tier: e.tier } }))
    else if (e.type === 'error') update(t => ({ ...t, running: false, error: `${e.message}${e.hint !== '' ? ` (${e.hint})` : ''}` }))
  }
  const choose = async (id: string): Promise<void> => {
    setSession(id)
    setTurns([])
    const c = latest.current
    setEarlier(id === '' || c == null ? [] : (await readView<{ messages: SessionMessage[] }>(c.peer, c.node, 'sessions', id).catch(() => ({ messages: [] }))).messages)
  }
  const run = async (q: Pending): Promise<void> => {
    const c = latest.current
    if (c == null) {
      pending.current = q
      return
    }
    const controller = new AbortController()
    stop.current = controller
    let answered = false
    try {
      await ask(c.peer, c.node, { prompt: q.text, model, ...(residency !== '' ? { residency } : {}), ...(q.session !== '' ? { session: q.session } : { history: q.history }) }, (e) => {
        answered ||= e.type !== 'assign'
        onEvent(e)
      }, controller.signal)
    } catch (err) {
      // asked again only when nothing can have been written for it: no answer yet, and no session (the node adds
      // the question to a session before it routes, so asking again there would add it twice)
      if (!controller.signal.aborted && !answered && q.session === '' && pending.current == null) {
        // the connection went (the Wi-Fi dropped, the node died): asked again once connected, the question is not lost
        pending.current = q
        update(t => ({ ...t, parts: [], served: undefined }))
        onLost()
        return
      }
      update(t => ({ ...t, running: false, ...(controller.signal.aborted ? { error: 'stopped' } : { error: err instanceof Error ? err.message : String(err) }) }))
    } finally {
      stop.current = undefined
    }
  }
  /** Stop: the answer in progress is cancelled on the serving device; a question waiting for the connection is dropped. */
  const stopNow = (): void => {
    if (stop.current != null) {
      stop.current.abort()
      return
    }
    if (pending.current != null) {
      pending.current = undefined
      update(t => ({ ...t, running: false, error: 'stopped' }))
    }
  }
  const send = async (): Promise<void> => {
    const text = prompt.trim()
    if (text === '' || running) return
    const history = session !== '' ? [] : turns.filter(t => t.error == null && !t.running).flatMap(t => [{ role: 'user' as const, content: t.prompt }, { role: 'assistant' as const, content: answerText(t) }])
    setPrompt('')
    setTurns(ts => [...ts, { prompt: text, parts: [], running: true }])
    await run({ text, session, history })
  }

  return (
    <section class="chat">
      <h2>Ask the mesh</h2>
      <div class="row">
        <label>Model <input data-testid="model" value={model} onInput={(e) => { setModel((e.target as HTMLInputElement).value) }} /></label>
        <label>Where
          <select data-testid="residency" value={residency} onChange={(e) => { setResidency((e.target as HTMLSelectElement).value) }}>
            <option value="">the node's default</option>
            <option value="local">this mesh's devices, no cloud</option>
            <option value="mesh">the mesh</option>
            <option value="cloud">cloud allowed</option>
          </select>
        </label>
      </div>
      <label>Session
        <select data-testid="session" value={session} disabled={running} onChange={(e) => { void choose((e.target as HTMLSelectElement).value) }}>
          <option value="">a new chat (kept on this page)</option>
          {sessions.map(s => <option key={s.id} value={s.id}>{s.title === '' ? s.id.slice(0, 8) : s.title}</option>)}
        </select>
      </label>
      {earlier.length > 0 && (
        <ol class="earlier" data-testid="earlier">
          {earlier.map((m, i) => <li key={i} class={m.role}>{m.content}</li>)}
        </ol>
      )}
      <ol class="turns" data-testid="turns">
        {turns.map((t, i) => (
          <li key={i}>
            <p class="q">{t.prompt}</p>
            <p class="a" data-testid="answer">{t.parts.map((p, j) => 'text' in p ? <span key={j}>{p.text}</span> : <mark key={j} data-testid="handoff">↪ {p.handoff}</mark>)}</p>
            {t.running && t.served == null && conn == null && <p class="quiet" data-testid="waiting">waiting for the mesh…</p>}
            {t.served != null && <p class="quiet" data-testid="served">{t.running ? 'answering: ' : 'answered by '}{t.served.device} · {t.served.model} · {t.served.tier}</p>}
            {t.error != null && <p class="error" data-testid="ask-error">{t.error}</p>}
          </li>
        ))}
      </ol>
      <form onSubmit={(e) => { e.preventDefault(); void send() }}>
        <textarea data-testid="prompt" rows={3} value={prompt} placeholder="Ask…" onInput={(e) => { setPrompt((e.target as HTMLTextAreaElement).value) }} />
        {!running
          ? <button type="submit" disabled={conn == null}>Send</button>
          : <button type="button" onClick={() => { stopNow() }}>Stop</button>}
      </form>
    </section>
  )
}
