import { useEffect, useState } from 'preact/hooks'
import { TopologyView } from '../dash/topology.js'
import { ModelsView, TasksView } from '../dash/tables.js'
import { readView } from './read.js'
import type { TopologyData } from '../dash/topology.js'
import type { LiveState } from '../dash/live.js'
import type { Libp2p } from '@libp2p/interface'
import type { PeerView } from '@smesh/mesh'

const REFRESH_MS = 5_000

/** A node's /v1/peers rows as the dashboard's views take them (a start time instead of an uptime). */
export function dashPeers (peers: PeerView[], now: number): NonNullable<LiveState['peers']> {
  return peers.map(({ uptimeMs, ...p }) => ({ ...p, upSince: now - uptimeMs }))
}

/**
 * The dashboard's mesh views on the phone (one app, two ways in): the
 * topology graph, the models and the recent tasks, read from the node this
 * page is connected to over the read protocol, again every 5 s while the
 * page is visible.
 */
export function MeshViews ({ conn }: { conn: { peer: Libp2p, node: string } | undefined }) {
  const [data, setData] = useState<TopologyData & Pick<LiveState, 'tasks'>>({})
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    if (conn == null) return
    let stopped = false
    const read = async (): Promise<void> => {
      if (document.visibilityState !== 'visible') return
      // one view at a time: the page's other reads (chat, memory) and the node's notices keep their room
      const topology = await readView<LiveState['topology']>(conn.peer, conn.node, 'topology')
      const models = await readView<LiveState['models']>(conn.peer, conn.node, 'models')
      const members = await readView<LiveState['members']>(conn.peer, conn.node, 'members')
      const peers = await readView<PeerView[]>(conn.peer, conn.node, 'peers')
      const tasks = await readView<LiveState['tasks']>(conn.peer, conn.node, 'tasks')
      const at = Date.now()
      if (!stopped) {
        setData({ topology, models, members, peers: dashPeers(peers, at), tasks: tasks?.slice(0, 20) })
        setNow(at)
      }
    }
    void read().catch(() => {})
    const t = setInterval(() => { void read().catch(() => {}) }, REFRESH_MS)
    return () => { stopped = true; clearInterval(t) }
  }, [conn])
  if (data.topology == null) return null
  return (
    <section class='mesh' data-testid='mesh-views'>
      <TopologyView live={data} now={now} />
      <ModelsView live={data} now={now} />
      <TasksView live={data} />
    </section>
  )
}
