import { useEffect, useState } from 'preact/hooks'
import { login } from './api.js'
import { useLive } from './live.js'
import { TopologyView } from './topology.js'
import { ModelsView, TasksView } from './tables.js'
import { ChatView } from './chat.js'
import { BusView, MemoryView } from './bus.js'
import { MembersView } from './members.js'
import { NodeView } from './node-view.js'
import type { DashApi } from './api.js'

const TABS = ['topology', 'models', 'tasks', 'chat', 'bus', 'memory', 'members', 'node'] as const
type Tab = typeof TABS[number]
const LABELS: Record<Tab, string> = { topology: 'Topology', models: 'Models', tasks: 'Tasks', chat: 'Chat', bus: 'Bus', memory: 'Memory', members: 'Members', node: 'Node' }

const tabOf = (hash: string): Tab => (TABS as readonly string[]).includes(hash.slice(1)) ? hash.slice(1) as Tab : 'topology'

export function App () {
  const [api, setApi] = useState<DashApi>()
  const [error, setError] = useState<{ message: string, hint?: string }>()
  useEffect(() => {
    login().then(setApi, (err: { message: string, hint?: string }) => { setError({ message: err.message, ...(err.hint != null ? { hint: err.hint } : {}) }) })
  }, [])
  if (error != null) {
    return (
      <main class='narrow' data-testid='login-error'>
        <h1>smesh dashboard</h1>
        <p class='error'>{error.message}</p>
        {error.hint != null && <p class='hint'>{error.hint}</p>}
      </main>
    )
  }
  if (api == null) return <main class='narrow'><p class='quiet'>Logging in…</p></main>
  return <Dashboard api={api} />
}

function Dashboard ({ api }: { api: DashApi }) {
  const live = useLive(api)
  const [tab, setTab] = useState<Tab>(tabOf(location.hash))
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    const t = setInterval(() => { setNow(Date.now()) }, 1_000)
    const onHash = (): void => { setTab(tabOf(location.hash)) }
    addEventListener('hashchange', onHash)
    return () => { clearInterval(t); removeEventListener('hashchange', onHash) }
  }, [])
  const waiting = live.approvals?.length ?? 0
  return (
    <div class='dash'>
      <header>
        <h1>{live.mesh?.name ?? 'smesh'} <span class='quiet'>on {live.status?.name ?? '…'}</span></h1>
        <span class={`conn ${live.connection}`} data-testid='connection'>{live.connection}</span>
        <button type='button' class='link' onClick={() => { void api.logout().finally(() => { location.reload() }) }}>log out</button>
      </header>
      <nav>
        {TABS.map(t => <a key={t} href={`#${t}`} class={t === tab ? 'active' : ''} aria-current={t === tab ? 'page' : undefined}>{LABELS[t]}{t === 'members' && waiting > 0 ? ` (${waiting})` : ''}</a>)}
      </nav>
      {live.connection === 'ended' && <p class='error' data-testid='session-ended'>The session has ended: run smesh dashboard for a new login link.</p>}
      <main>
        {tab === 'topology' && <TopologyView live={live} now={now} />}
        {tab === 'models' && <ModelsView live={live} now={now} />}
        {tab === 'tasks' && <TasksView live={live} records={async (task) => await api.get(`/v1/tasks/records?task=${encodeURIComponent(task)}`)} />}
        {tab === 'chat' && <ChatView live={live} api={api} />}
        {tab === 'bus' && <BusView live={live} now={now} />}
        {tab === 'memory' && <MemoryView live={live} api={api} />}
        {tab === 'members' && <MembersView live={live} api={api} now={now} />}
        {tab === 'node' && <NodeView live={live} api={api} now={now} />}
      </main>
    </div>
  )
}
