import { useMemo, useState } from 'preact/hooks'
import { MeshGraph } from './graph.js'
import { ago, duration, graphOf } from './model.js'
import type { LiveState } from './live.js'

/** What the graph and its details read: the dashboard's live state, or the views a phone reads from its node. */
export type TopologyData = Pick<LiveState, 'topology' | 'models' | 'members' | 'peers' | 'status'>

/** The mesh's graph, and the details of the device clicked. */
export function TopologyView ({ live, now }: { live: TopologyData, now: number }) {
  const [selected, setSelected] = useState<string>()
  const graph = useMemo(() => graphOf(live.topology, live.models, live.members), [live.topology, live.models, live.members])
  const node = graph.nodes.find(n => n.id === selected)
  return (
    <section>
      <h2>Topology</h2>
      <p class='quiet'>{graph.nodes.length} devices, {graph.links.length} links. Drag to pan, scroll to zoom, click a device for its details. Badges: L local, M mesh, C cloud models.</p>
      <MeshGraph graph={graph} selected={selected} onSelect={setSelected} />
      {node != null && <DeviceDetails id={node.id} live={live} now={now} />}
    </section>
  )
}

function DeviceDetails ({ id, live, now }: { id: string, live: TopologyData, now: number }) {
  const peer = live.peers?.find(p => p.peerId === id)
  const member = live.members?.find(m => m.peerId === id)
  // the node the page is served by; a phone has no status of it, and shows what presence gives
  const self = live.topology?.self === id && live.status != null
  const models = live.models?.models.filter(m => m.peer === id) ?? []
  const name = self ? live.status?.name : peer?.name ?? member?.name ?? live.topology?.nodes.find(n => n.peerId === id)?.name ?? id.slice(0, 12)
  return (
    <div class='details' data-testid='device-details'>
      <h3>{name}{live.topology?.self === id ? ' (this node)' : ''}</h3>
      <dl>
        <dt>PeerId</dt><dd><code>{id}</code></dd>
        <dt>Fingerprint</dt><dd><code>{self ? live.status?.pqFingerprint : peer == null ? '-' : peer.pqFingerprint !== '' ? peer.pqFingerprint : 'not verified yet'}</code></dd>
        <dt>Uptime</dt><dd>{self ? duration(now - (live.status?.startedAt ?? now)) : peer != null ? duration(now - peer.upSince) : '-'}</dd>
        {!self && <><dt>Last heard</dt><dd>{peer?.connected === true ? 'now' : ago(peer?.lastSeenAt, now)}</dd></>}
        <dt>Addresses</dt><dd>{(self ? live.status?.listenAddrs : peer?.addrs)?.map(a => <div key={a}><code>{a}</code></div>) ?? '-'}</dd>
        <dt>Lease</dt><dd>{member != null ? `${member.status}, ${member.scopes.join(', ')}${member.expiresAt != null ? `, expires ${new Date(member.expiresAt).toLocaleString()}` : ''}` : 'not known to this node'}</dd>
        <dt>Models</dt>
        <dd>{models.length === 0 ? 'none advertised' : models.map(m => <div key={`${m.provider}/${m.model}`}>{m.model} <span class='quiet'>({m.provider}, {m.tier}{m.warm ? ', warm' : ''}{m.contextLength > 0 ? `, ctx ${m.contextLength}` : ''})</span></div>)}</dd>
      </dl>
    </div>
  )
}
