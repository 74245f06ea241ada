import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { answerOf, applyRunEvent, attempts, countdown, duration, filterEntries, graphOf, mergeEntries, namesOf } from '../src/dash/model.js'
import type { RunEvent, Turn } from '../src/dash/model.js'

const topology = {
  nodes: [
    { peerId: 'A', name: 'desk', self: true, heard: true, lastSeenMs: null },
    { peerId: 'B', name: 'laptop', self: false, heard: true, lastSeenMs: 100 },
    { peerId: 'C', name: 'nas', self: false, heard: false, lastSeenMs: null }
  ],
  links: [
    { a: 'A', b: 'B', rttMs: 1.5, stale: false, reportedBy: ['A'] },
    { a: 'B', b: 'C', rttMs: null, stale: true, reportedBy: ['B'] }
  ]
}
const row = (peer: string, model: string, tier: string, warm: boolean): any => ({ peer, model, tier, warm })

describe('the dashboard\'s view logic', () => {
  it('draws each device with its tier badges and warm models, and links with RTT and staleness', () => {
    const g = graphOf(topology, { models: [row('B', 'qwen3:8b', 'local', true), row('B', 'claude', 'cloud', false), row('B', 'llama', 'local', false)] })
    assert.deepEqual(g.nodes.map(n => [n.name, n.self, n.heard, n.tiers.join('+'), n.warm.join('+')]), [['desk', true, true, '', ''], ['laptop', false, true, 'cloud+local', 'qwen3:8b'], ['nas', false, false, '', '']])
    assert.deepEqual(g.links, [{ source: 'A', target: 'B', rttMs: 1.5, stale: false }, { source: 'B', target: 'C', rttMs: null, stale: true }])
  })

  it('leaves revoked devices and their links out of the graph; no topology yet is an empty graph', () => {
    const g = graphOf(topology, undefined, [{ peerId: 'C', status: 'revoked', kind: 'node' }, { peerId: 'B', status: 'active', kind: 'browser' }])
    assert.deepEqual(g.nodes.map(n => n.name), ['desk', 'laptop'])
    assert.equal(g.nodes[1]?.kind, 'browser')
    assert.equal(g.links.length, 1)
    assert.deepEqual(graphOf(undefined), { nodes: [], links: [] })
  })

  it('counts a cooldown down, and shows nothing once it is over', () => {
    const now = Date.parse('2026-12-01T12:00:00Z')
    assert.equal(countdown('2026-12-01T12:00:12.2Z', now), '13 s')
    assert.equal(countdown('2026-12-01T12:03:05Z', now), '3 min 5 s')
    assert.equal(countdown('2026-12-01T14:30:00Z', now), '2 h 30 min')
    assert.equal(countdown('2026-12-01T11:59:00Z', now), '')
    assert.equal(countdown(null, now), '')
    assert.equal(countdown('not a time', now), '')
  })

  it('writes durations as people read them', () => {
    assert.deepEqual([duration(850), duration(2400), duration(180_000), duration(5_400_000), duration(null)], ['850 ms', '2.4 s', '3 min', '1.5 h', '-'])
  })

  it('lists where a task went: each handoff with its reason, then who served it or how it ended', () => {
    const handoffs = [{ from: '12D3KooWabcdefghijk', fromDevice: 'nas', reason: 'connection', partialChars: 4 }, { from: '12D3KooWxyz0123456789', fromDevice: '', reason: 'rate-limited', partialChars: 0 }]
    assert.deepEqual(attempts({ handoffs, device: 'laptop', status: 'done' }), [
      { device: 'nas', outcome: 'moved on: connection after 4 chars' },
      { device: '12D3KooWxyz0', outcome: 'moved on: rate-limited' },
      { device: 'laptop', outcome: 'served' }
    ])
    assert.deepEqual(attempts({ handoffs: [], status: 'failed', error: { code: 'no-candidate', message: 'nothing can run it' } }), [{ device: '-', outcome: 'failed: nothing can run it' }])
  })

  it('filters the log by kind (exact, or a prefix ending in a dot) and by author id, prefix or device name', () => {
    const e = [
      { kind: 'memory.put', author: 'aa11', peerId: 'P1', hash: '1' },
      { kind: 'task.request', author: 'bb22', peerId: 'P2', hash: '2' },
      { kind: 'task.done', author: 'bb22', peerId: 'P2', hash: '3' }
    ]
    const names = new Map([['P2', 'Laptop']])
    assert.deepEqual(filterEntries(e, { kind: 'task.', author: '' }).map(x => x.hash), ['2', '3'])
    assert.deepEqual(filterEntries(e, { kind: 'task', author: '' }).map(x => x.hash), [])
    assert.deepEqual(filterEntries(e, { kind: '', author: 'aa' }).map(x => x.hash), ['1'])
    assert.deepEqual(filterEntries(e, { kind: 'task.done', author: 'laptop' }, names).map(x => x.hash), ['3'])
    assert.deepEqual(filterEntries(e, { kind: '', author: 'P1' }).map(x => x.hash), ['1'])
  })

  it('merges arriving entries newest first, once each, up to a bound', () => {
    const list = [{ hash: 'b' }, { hash: 'a' }]
    assert.deepEqual(mergeEntries(list, [{ hash: 'b' }, { hash: 'c' }, { hash: 'd' }]).map(x => x.hash), ['d', 'c', 'b', 'a'])
    assert.equal(mergeEntries([], Array.from({ length: 700 }, (_, i) => ({ hash: String(i) }))).length, 500)
  })

  it('names devices by presence first, then members, then the topology', () => {
    const names = namesOf([{ peerId: 'A', name: 'desk-now' }], [{ peerId: 'A', name: 'desk-old' }, { peerId: 'B', name: 'phone' }, { peerId: '', name: 'x' }], { nodes: [{ peerId: 'C', name: 'nas' }] as any })
    assert.deepEqual([...names.entries()].sort(), [['A', 'desk-now'], ['B', 'phone'], ['C', 'nas']])
  })

  it('turns a task\'s event stream into an answer in pieces, a handoff marked where it moved', () => {
    const events: RunEvent[] = [
      { type: 'assign', device: 'nas', model: 'llama', peer: 'N' },
      { type: 'text', text: 'The ' },
      { type: 'text', text: 'mesh ' },
      { type: 'handoff', handoff: { from: 'N', fromDevice: 'nas', reason: 'connection' } },
      { type: 'assign', device: 'laptop', model: 'llama', peer: 'L' },
      { type: 'text', text: 'answers.' },
      { type: 'done', result: { device: 'laptop', model: 'llama', totalMs: 1200 } }
    ]
    let t: Turn = { prompt: 'q', parts: [], status: 'waiting' }
    const statuses: string[] = []
    for (const e of events) {
      t = applyRunEvent(t, e)
      statuses.push(t.status)
    }
    assert.deepEqual(statuses, ['streaming', 'streaming', 'streaming', 'streaming', 'streaming', 'streaming', 'done'])
    assert.deepEqual(t.parts, [
      { device: 'nas', model: 'llama', text: 'The mesh ' },
      { device: 'laptop', model: 'llama', text: 'answers.', handoff: { from: 'nas', reason: 'connection' } }
    ])
    assert.equal(answerOf(t), 'The mesh answers.')
    assert.equal(t.totalMs, 1200)
  })

  it('a retry before any text stays one piece on the device that answers; an error ends the turn with its hint', () => {
    let t: Turn = { prompt: 'q', parts: [], status: 'waiting' }
    t = applyRunEvent(t, { type: 'assign', device: 'nas', model: 'm', peer: 'N' })
    t = applyRunEvent(t, { type: 'retry', device: 'nas', code: 'busy' })
    t = applyRunEvent(t, { type: 'assign', device: 'laptop', model: 'm', peer: 'L' })
    assert.deepEqual(t.parts, [{ device: 'laptop', model: 'm', text: '' }])
    t = applyRunEvent(t, { type: 'error', error: { message: 'no device can run it', hint: 'start a model' } })
    assert.equal(t.status, 'failed')
    assert.equal(t.error, 'no device can run it (start a model)')
  })
})
