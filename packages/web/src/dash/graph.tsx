import { forceCenter, forceCollide, forceLink, forceManyBody, forceSimulation } from 'd3-force'
import { select } from 'd3-selection'
import { zoom, zoomIdentity } from 'd3-zoom'
import { useEffect, useRef, useState } from 'preact/hooks'
import type { Simulation, SimulationLinkDatum, SimulationNodeDatum } from 'd3-force'
import type { Graph, GraphNode } from './model.js'

type SimNode = GraphNode & SimulationNodeDatum
type SimLink = SimulationLinkDatum<SimNode> & { rttMs: number | null, stale: boolean, key: string }

const W = 800
const H = 480

/**
 * The mesh as a force-directed graph (d3-force), zoomed and panned with
 * d3-zoom. Nodes keep their place when the graph changes: only a device that
 * is new starts from the middle.
 */
export function MeshGraph ({ graph, selected, onSelect }: { graph: Graph, selected: string | undefined, onSelect: (id: string | undefined) => void }) {
  const svg = useRef<SVGSVGElement>(null)
  const sim = useRef<Simulation<SimNode, SimLink> | undefined>(undefined)
  const nodes = useRef(new Map<string, SimNode>())
  const [, redraw] = useState(0)
  const [transform, setTransform] = useState(zoomIdentity)
  const shape = useRef('')

  useEffect(() => {
    // it settles in about 90 ticks (1.5 s): a graph that keeps moving cannot be clicked
    const s = forceSimulation<SimNode, SimLink>().alphaDecay(0.05)
      .force('charge', forceManyBody().strength(-600))
      .force('center', forceCenter(W / 2, H / 2))
      .force('collide', forceCollide(48))
      .force('link', forceLink<SimNode, SimLink>().id(d => d.id).distance(200))
    let frame = 0
    s.on('tick', () => {
      if (frame !== 0) return
      frame = requestAnimationFrame(() => { frame = 0; redraw(n => n + 1) })
    })
    sim.current = s
    const z = zoom<SVGSVGElement, unknown>().scaleExtent([0.3, 4]).on('zoom', (e: { transform: typeof zoomIdentity }) => { setTransform(e.transform) })
    if (svg.current != null) select(svg.current).call(z)
    return () => { s.stop(); cancelAnimationFrame(frame) }
  }, [])

  useEffect(() => {
    const s = sim.current
    if (s == null) return
    const next = new Map<string, SimNode>()
    for (const n of graph.nodes) {
      const old = nodes.current.get(n.id)
      next.set(n.id, old != null ? Object.assign(old, n) : { ...n, x: W / 2 + (Math.random() - 0.5) * 40, y: H / 2 + (Math.random() - 0.5) * 40 })
    }
    nodes.current = next
    const links: SimLink[] = graph.links.map(l => ({ source: l.source, target: l.target, rttMs: l.rttMs, stale: l.stale, key: `${l.source}-${l.target}` }))
    s.nodes([...next.values()])
    s.force<ReturnType<typeof forceLink<SimNode, SimLink>>>('link')?.links(links)
    // a device or a link that came or went moves the graph again; a new RTT only relabels it
    const now = [...next.keys()].sort().join() + '|' + links.map(l => l.key).sort().join()
    if (now !== shape.current) s.alpha(Math.max(s.alpha(), 0.5)).restart()
    shape.current = now
    redraw(n => n + 1)
  }, [graph])

  const links = (sim.current?.force<ReturnType<typeof forceLink<SimNode, SimLink>>>('link')?.links() ?? []) as SimLink[]
  return (
    <svg ref={svg} class='graph' viewBox={`0 0 ${W} ${H}`} role='img' aria-label={`mesh topology: ${graph.nodes.length} devices, ${graph.links.length} links`} data-testid='topology'>
      <g transform={transform.toString()}>
        {links.map(l => {
          const a = l.source as SimNode
          const b = l.target as SimNode
          if (a.x == null || b.x == null) return null
          return (
            <g key={l.key} class={l.stale ? 'link stale' : 'link'} data-testid='graph-link'>
              <line x1={a.x} y1={a.y} x2={b.x} y2={b.y} />
              <text x={(a.x + (b.x ?? 0)) / 2} y={((a.y ?? 0) + (b.y ?? 0)) / 2 - 4}>{l.stale ? 'stale' : l.rttMs == null ? '' : l.rttMs < 1 ? '<1 ms' : `${Number(l.rttMs.toPrecision(2))} ms`}</text>
            </g>
          )
        })}
        {[...nodes.current.values()].map(n => (
          <g key={n.id} class={`node${n.self ? ' self' : ''}${n.heard ? '' : ' unheard'}${selected === n.id ? ' selected' : ''}`} transform={`translate(${n.x ?? 0},${n.y ?? 0})`}
            data-testid='device' data-name={n.name} role='button' tabIndex={0} aria-label={`${n.name}${n.self ? ' (this node)' : ''}`}
            onClick={() => { onSelect(selected === n.id ? undefined : n.id) }}
            onKeyDown={(e) => { if (e.key === 'Enter') onSelect(n.id) }}>
            <circle r={n.self ? 26 : 22} />
            <text class='name' y={n.self ? 42 : 38}>{n.name}{n.self ? ' (this node)' : ''}</text>
            <text class='badges' y={4}>{n.kind === 'browser' ? '📱' : n.tiers.map(t => t[0]?.toUpperCase()).join('')}</text>
            {n.warm.length > 0 && <text class='warm' y={n.self ? 56 : 52}>{n.warm.slice(0, 2).join(', ')}{n.warm.length > 2 ? ` +${n.warm.length - 2}` : ''}</text>}
          </g>
        ))}
      </g>
    </svg>
  )
}
