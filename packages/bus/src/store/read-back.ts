import { StoreDamagedError } from '../errors.js'
import { checkStore } from './check.js'
import type { StoreCheckReport } from './check.js'
import type { BusStorage } from './storage.js'

/** The read-back's share of the event loop: after a batch that took t ms it waits t x (1 - share) / share. */
export const READ_BACK_SHARE = 0.25

export interface ReadBackView {
  state: 'running' | 'done' | 'damaged' | 'stopped'
  /** Entries read back and hashed so far, of about `total` (the sum of the heads when it started). */
  entries: number
  total: number
  startedAt: string
  /** When done: what was read, and how long it took (paced). */
  report?: StoreCheckReport
  /** When damaged: the first problem found. */
  problem?: string
}

export interface ReadBackInit {
  storage: BusStorage
  total: number
  share?: number
  onDamaged: (err: StoreDamagedError) => void
  onDone: (report: StoreCheckReport) => void
}

/**
 * The whole store read back while the node runs (checkStore, live), paced to a share of the event
 * loop so that a store of a million entries delays no task, sync or API call: the node starts
 * after checking only the ends of its chains (checkStoreEnds), and every read on every path hashes
 * what it reads, so nothing damaged is served before the read-back gets to it.
 */
export class StoreReadBack {
  private readonly abort = new AbortController()
  private readonly share: number
  private view: ReadBackView
  private running?: Promise<void>

  constructor (private readonly init: ReadBackInit) {
    this.share = Math.min(Math.max(init.share ?? READ_BACK_SHARE, 0.01), 1)
    this.view = { state: 'running', entries: 0, total: init.total, startedAt: new Date().toISOString() }
  }

  start (): void {
    if (this.running != null) return
    let mark = performance.now()
    const pace = async (): Promise<void> => {
      this.abort.signal.throwIfAborted()
      const busy = performance.now() - mark
      const wait = busy * (1 - this.share) / this.share
      // a stop ends the wait at once
      const signal = this.abort.signal
      await new Promise<void>(resolve => {
        const done = (): void => { clearTimeout(timer); signal.removeEventListener('abort', done); resolve() }
        const timer = setTimeout(done, Math.max(1, Math.min(wait, 1000)))
        signal.addEventListener('abort', done, { once: true })
      })
      mark = performance.now()
    }
    this.running = checkStore(this.init.storage, { live: true, pace, signal: this.abort.signal, onProgress: (n) => { this.view.entries = n } })
      .then((report) => {
        if (this.abort.signal.aborted) {
          this.view = { ...this.view, state: 'stopped' }
          return
        }
        this.view = { ...this.view, state: 'done', entries: report.entries, report }
        this.init.onDone(report)
      }, (err: unknown) => {
        if (this.abort.signal.aborted) {
          this.view = { ...this.view, state: 'stopped' }
        } else if (err instanceof StoreDamagedError) {
          this.view = { ...this.view, state: 'damaged', problem: err.problem }
          this.init.onDamaged(err)
        } else {
          // not the store's fault (EMFILE, EIO): said, not taken for damage
          this.view = { ...this.view, state: 'stopped', problem: err instanceof Error ? err.message : String(err) }
        }
      })
  }

  /** Ends the read-back (the node stops) and waits for its last read. */
  async stop (): Promise<void> {
    this.abort.abort()
    await this.running
  }

  status (): ReadBackView {
    return { ...this.view }
  }
}
