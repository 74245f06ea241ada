import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { PeerView } from '@smesh/mesh'
import type { pino } from 'pino'

/** A peer's clock further from this node's than this is reported (logs, status): HLC order then favours the fast clock. */
export const CLOCK_WARN_MS = 30_000
const WINDOW_MS = 10_000

export interface HealthView {
  /** Event-loop delay over the last 10 s window (ms): how long work waited for this node's thread. */
  eventLoop: { p50Ms: number, p99Ms: number, maxMs: number }
  /** Peers whose wall clock is more than a second from this node's, the largest first. */
  clockSkew: Array<{ name: string, peerId: string, offsetMs: number }>
}

/**
 * A node's own health figures: its event-loop delay and its peers' clocks.
 * A clock far off is logged once per peer (the HLC keeps every chain in
 * order, but last-writer-wins then favours the device whose clock runs fast).
 */
export function startHealth (peers: () => PeerView[], log: pino.Logger): { view: () => HealthView, stop: () => void } {
  const histogram = monitorEventLoopDelay({ resolution: 10 })
  histogram.enable()
  let last = { p50Ms: 0, p99Ms: 0, maxMs: 0 }
  // the histogram's samples are the interval between checks: the delay is what exceeds the 10 ms resolution
  const ms = (ns: number): number => Math.max(0, Math.round((ns / 1e6 - 10) * 10) / 10)
  const snapshot = (): HealthView['eventLoop'] => histogram.count === 0 ? last : { p50Ms: ms(histogram.percentile(50)), p99Ms: ms(histogram.percentile(99)), maxMs: ms(histogram.max) }
  // the last full window: what a caller sees is never a window just begun
  const view = (): HealthView['eventLoop'] => last.maxMs === 0 ? snapshot() : last
  const window = setInterval(() => {
    last = snapshot()
    histogram.reset()
  }, WINDOW_MS)
  window.unref()
  const warned = new Set<string>()
  const clocks = setInterval(() => {
    for (const p of peers()) {
      const off = p.clockOffsetMs
      const key = `${p.peerId}:${Math.sign(off ?? 0)}`
      if (off == null || Math.abs(off) < CLOCK_WARN_MS || warned.has(key)) continue
      warned.add(key)
      log.warn({ event: 'clock:skew', peer: p.peerId, name: p.name, offsetMs: off }, `the clock of ${p.name !== '' ? p.name : p.peerId} runs ${Math.round(Math.abs(off) / 1000)} s ${off > 0 ? 'ahead of' : 'behind'} this node's: entries keep their order, but the device with the fast clock wins concurrent memory writes; set its time (NTP)`)
    }
  }, 5_000)
  clocks.unref()
  return {
    view: () => ({
      eventLoop: view(),
      clockSkew: peers().filter(p => p.clockOffsetMs != null && Math.abs(p.clockOffsetMs) >= 1_000).map(p => ({ name: p.name, peerId: p.peerId, offsetMs: p.clockOffsetMs as number })).sort((a, b) => Math.abs(b.offsetMs) - Math.abs(a.offsetMs))
    }),
    stop: () => {
      clearInterval(window)
      clearInterval(clocks)
      histogram.disable()
    }
  }
}
