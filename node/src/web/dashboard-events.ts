import { entryView } from '@smesh/bus'
import type { Bus, BusEntry, EntryView } from '@smesh/bus'

/** A view the dashboard keeps live: computed again every `everyMs`, or soon after a trigger; sent only when it changed. */
export interface DashboardTopic {
  view: () => unknown | Promise<unknown>
  everyMs: number
}

export interface DashboardEventsInit {
  topics: Record<string, DashboardTopic>
  bus: Bus
  /** Events that change topics at once (a peer joined, pruned or left). */
  triggers: Array<{ target: EventTarget, events: string[], topics: string[] }>
  /** Which topics a new bus entry of a kind changes. */
  topicsOfKind: (kind: string) => string[]
}

/** An entry of the live log, with its body cut to a preview (the log endpoint has it whole). */
export type LiveEntry = Omit<EntryView, 'body'> & { body: unknown, truncated?: true }

/** Most entries queued for one page; past it the page is told to read the log again (`gap`). */
const MAX_QUEUED_ENTRIES = 200
const MAX_PREVIEW = 600
/** Bursts of new entries are coalesced for this long before the views they change are computed again (a task's records, a bulk write). */
const ENTRY_DEBOUNCE_MS = 250
const HEARTBEAT_MS = 15_000
const TICK_MS = 1_000

interface Client {
  dirty: Set<string>
  /** The JSON last sent of each topic. */
  sent: Map<string, string>
  sentAt: Map<string, number>
  entries: LiveEntry[]
  gap: boolean
  /** Whether the page's session is still on: a stream ends with its session. */
  live: () => boolean
  wake?: () => void
}

/** `p`'s value, or undefined as soon as `signal` aborts (a view that hangs does not keep a closed page's stream). */
async function abortable <T> (p: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return undefined
  let off: (() => void) | undefined
  const aborted = new Promise<undefined>(resolve => {
    const on = (): void => { resolve(undefined) }
    signal.addEventListener('abort', on, { once: true })
    off = () => { signal.removeEventListener('abort', on) }
  })
  try {
    return await Promise.race([p, aborted])
  } finally {
    off?.()
  }
}

export function liveEntry (e: BusEntry, label: string): LiveEntry {
  const v = entryView(e, label)
  const text = JSON.stringify(v.body)
  if (text.length <= MAX_PREVIEW) return v
  return { ...v, body: text.slice(0, MAX_PREVIEW) + '…', truncated: true }
}

/**
 * The dashboard's live feed: Server-Sent Events of the views that changed
 * and of new bus entries. Each page pulls at its own pace (the stream is an
 * async generator, written only as fast as the socket drains): while a tab is
 * slow, its changes collapse into "the latest of each view" and at most 200
 * queued entries, so a slow tab never slows the node or grows its memory.
 * Nothing runs while no page is open.
 */
export class DashboardEvents {
  private readonly clients = new Set<Client>()
  private readonly cache = new Map<string, { at: number, json: Promise<string> }>()
  private timer?: ReturnType<typeof setInterval>
  private pending = new Set<string>()
  private debounce?: ReturnType<typeof setTimeout>
  private debounceAt = Infinity
  private readonly listeners: Array<() => void> = []

  constructor (private readonly init: DashboardEventsInit) {}

  get pages (): number {
    return this.clients.size
  }

  /** The SSE stream of one page, until `signal` aborts or `live` says its session ended. */
  async * stream (signal: AbortSignal, live: () => boolean = () => true): AsyncGenerator<string> {
    const client: Client = { dirty: new Set(Object.keys(this.init.topics)), sent: new Map(), sentAt: new Map(), entries: [], gap: false, live }
    this.add(client)
    const onAbort = (): void => { client.wake?.() }
    signal.addEventListener('abort', onAbort)
    let entriesLast = false
    try {
      yield 'retry: 2000\n\n'
      while (!signal.aborted && client.live()) {
        if (client.gap) {
          client.gap = false
          yield 'event: gap\ndata: {}\n\n'
          continue
        }
        // entries and views take turns: a busy bus never starves the views
        if (client.entries.length > 0 && !entriesLast) {
          entriesLast = true
          const batch = client.entries.splice(0)
          yield `event: entries\ndata: ${JSON.stringify(batch)}\n\n`
          continue
        }
        entriesLast = false
        const topic = client.dirty.values().next().value
        if (topic != null) {
          client.dirty.delete(topic)
          client.sentAt.set(topic, Date.now())
          const json = await abortable(this.viewJson(topic), signal)
          if (json == null) return
          if (json !== client.sent.get(topic)) {
            client.sent.set(topic, json)
            yield `event: ${topic}\ndata: ${json}\n\n`
          }
          continue
        }
        if (client.entries.length > 0) continue
        let heartbeat: ReturnType<typeof setTimeout> | undefined
        const woken = await new Promise<boolean>(resolve => {
          client.wake = () => { resolve(true) }
          heartbeat = setTimeout(() => { resolve(false) }, HEARTBEAT_MS)
        })
        clearTimeout(heartbeat)
        client.wake = undefined
        if (!woken && !signal.aborted) yield ': ping\n\n'
      }
    } finally {
      signal.removeEventListener('abort', onAbort)
      this.remove(client)
    }
  }

  /** A topic's view as JSON, computed at most once a tick however many pages are open. */
  private async viewJson (topic: string): Promise<string> {
    const c = this.cache.get(topic)
    const now = Date.now()
    if (c != null && now - c.at < TICK_MS / 2) return await c.json
    const json = (async () => {
      try {
        return JSON.stringify(await this.init.topics[topic]?.view() ?? null)
      } catch (err: any) {
        return JSON.stringify({ error: String(err?.message ?? err) })
      }
    })()
    this.cache.set(topic, { at: now, json })
    return await json
  }

  private add (client: Client): void {
    this.clients.add(client)
    if (this.clients.size > 1) return
    this.timer = setInterval(() => { this.tick() }, TICK_MS)
    this.timer.unref()
    const onEntry = (evt: CustomEvent<{ entry: BusEntry }>): void => { this.onEntry(evt.detail.entry) }
    this.init.bus.addEventListener('bus:entry', onEntry)
    this.listeners.push(() => { this.init.bus.removeEventListener('bus:entry', onEntry) })
    for (const t of this.init.triggers) {
      // a device that came or went shows at once
      const on = (): void => { this.trigger(t.topics, 0) }
      for (const name of t.events) {
        t.target.addEventListener(name, on)
        this.listeners.push(() => { t.target.removeEventListener(name, on) })
      }
    }
  }

  private remove (client: Client): void {
    this.clients.delete(client)
    if (this.clients.size > 0) return
    clearInterval(this.timer)
    clearTimeout(this.debounce)
    this.debounce = undefined
    this.debounceAt = Infinity
    this.pending.clear()
    for (const off of this.listeners.splice(0)) off()
    this.cache.clear()
  }

  private tick (): void {
    const now = Date.now()
    for (const client of this.clients) {
      if (!client.live()) {
        client.wake?.()
        continue
      }
      let changed = false
      for (const [name, t] of Object.entries(this.init.topics)) {
        if (now - (client.sentAt.get(name) ?? 0) >= t.everyMs - TICK_MS / 2) {
          client.dirty.add(name)
          changed = true
        }
      }
      if (changed) client.wake?.()
    }
  }

  private onEntry (e: BusEntry): void {
    const live = liveEntry(e, this.init.bus.peerLabel(e.authorHex))
    for (const client of this.clients) {
      if (client.entries.length >= MAX_QUEUED_ENTRIES) {
        // the page reads the log again instead of this backlog
        client.entries.length = 0
        client.gap = true
      }
      client.entries.push(live)
      client.wake?.()
    }
    this.trigger(this.init.topicsOfKind(e.entry.kind), ENTRY_DEBOUNCE_MS)
  }

  /** Computes `topics` again within `delayMs` (sooner if an earlier trigger is due sooner) and sends what changed. */
  private trigger (topics: string[], delayMs: number): void {
    for (const t of topics) this.pending.add(t)
    const at = Date.now() + delayMs
    if (this.debounce != null && this.debounceAt <= at) return
    clearTimeout(this.debounce)
    this.debounceAt = at
    this.debounce = setTimeout(() => {
      this.debounce = undefined
      this.debounceAt = Infinity
      const due = [...this.pending]
      this.pending.clear()
      for (const t of due) this.cache.delete(t)
      for (const client of this.clients) {
        for (const t of due) client.dirty.add(t)
        client.wake?.()
      }
    }, delayMs)
  }
}
