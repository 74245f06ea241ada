import { useEffect, useState } from 'preact/hooks'
import { mergeEntries } from './model.js'
import type { DashApi } from './api.js'
import type { BusStatusView, MemberRow, MeshView, ModelsView, StatusView } from '@smesh/node'
import type { PeerView, Topology } from '@smesh/mesh'
import type { TaskView } from '@smesh/tasks'
import type { AuthorView, EntryView } from '@smesh/bus'
import type { PendingAsk } from '@smesh/membership'
import type { KeyView } from '@smesh/gateway'

/** What the node's live feed (/v1/dashboard/events) keeps current. */
export interface LiveState {
  topology?: Topology
  /** As /v1/peers, with `upSince` (epoch ms, to 10 s) for `uptimeMs`, and no last-heard time while connected. */
  peers?: Array<Omit<PeerView, 'uptimeMs' | 'lastSeenMs' | 'lastSeenAt'> & { upSince: number, lastSeenAt: number | null }>
  members?: MemberRow[]
  models?: ModelsView
  approvals?: PendingAsk[]
  busStatus?: BusStatusView
  heads?: AuthorView[]
  tasks?: TaskView[]
  mesh?: MeshView
  status?: StatusView & { cpu: number }
  keys?: KeyView[]
  /** The newest entries, newest first. */
  entries: Array<EntryView & { truncated?: true }>
  /** `live` while the feed is open, `reconnecting` while the browser retries, `ended` when the session is over. */
  connection: 'connecting' | 'live' | 'reconnecting' | 'ended'
  /** Bumped whenever the node says the page missed entries: views that read the log read it again. */
  gaps: number
}

const TOPICS = ['topology', 'peers', 'members', 'models', 'approvals', 'busStatus', 'heads', 'tasks', 'mesh', 'status', 'keys'] as const

/** The live state, from one EventSource (the browser reconnects it by itself). */
export function useLive (api: DashApi): LiveState {
  const [state, setState] = useState<LiveState>({ entries: [], connection: 'connecting', gaps: 0 })
  useEffect(() => {
    const es = new EventSource(api.eventsUrl)
    const set = (patch: (s: LiveState) => Partial<LiveState>): void => { setState(s => ({ ...s, ...patch(s) })) }
    es.onopen = () => { set(() => ({ connection: 'live' })) }
    es.onerror = () => {
      // a closed EventSource is one the node refused (the session ended); otherwise the browser retries
      if (es.readyState === EventSource.CLOSED) set(() => ({ connection: 'ended' }))
      else {
        set(() => ({ connection: 'reconnecting' }))
        void api.get('/v1/dashboard/session').catch((err: { status?: number }) => {
          if (err.status === 401 || err.status === 403) { es.close(); set(() => ({ connection: 'ended' })) }
        })
      }
    }
    for (const t of TOPICS) es.addEventListener(t, (e) => { const v = JSON.parse((e as MessageEvent<string>).data); set(() => ({ [t]: v })) })
    es.addEventListener('entries', (e) => {
      const arrived = JSON.parse((e as MessageEvent<string>).data) as LiveState['entries']
      set(s => ({ entries: mergeEntries(s.entries, arrived) }))
    })
    const reload = (): void => {
      void api.get<LiveState['entries']>('/v1/bus/log?limit=200').then(list => { set(s => ({ entries: mergeEntries(s.entries, list.slice().reverse()), gaps: s.gaps + 1 })) }, () => {})
    }
    es.addEventListener('gap', reload)
    reload()
    return () => { es.close() }
  }, [api])
  return state
}
