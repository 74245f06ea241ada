import { KINDS, exportBundle, memoryGet, memoryList, memoryRemove, memorySet, queryLog, sessionAppend, sessionList, sessionOpen, sessionShow, verifyStore, entryView, InvalidBodyError, SESSION_ROLES } from '@smesh/bus'
import { body, count, query, str } from './params.js'
import { StreamResponse } from './server.js'
import type { RouteContext, RouteHandler } from './server.js'
import type { Bus, BusEntry, BusReplication, PeerSyncView, ReadBackView, SessionRole, StoreCheckReport, StoreDamage } from '@smesh/bus'

/** GET /v1/bus/status. */
export interface BusStatusView {
  author: string
  chainConfirmed: boolean
  authors: number
  entries: number
  ownEntries: number
  forks: number
  /** Entries held beyond gaps, waiting for the entries before them. */
  held: { entries: number, bytes: number }
  diskBytes: number
  peers: Array<PeerSyncView & { score: number | null }>
  /** Entries dropped by the gossip rate limit, by author (sync fetches them at this node's pace). */
  throttled: Record<string, number>
  /** The store read back on open (every entry decoded and hashed against its key), and what it found missing. */
  /** checked: the read-back's report once done; readBack: where it is (running, done, damaged, stopped); damaged: damage a read found while running. */
  store: { checked: StoreCheckReport | null, readBack: ReadBackView | null, damaged: string | null, damage: StoreDamage | null }
}

export interface BusRoutesInit {
  bus: Bus
  replication: BusReplication
  mesh: string
}

/** Yields JSON lines: one per new entry matching the filter, until the client goes away. */
async function * follow (bus: Bus, ctx: RouteContext): AsyncGenerator<string> {
  const author = query(ctx, 'author')
  const kind = query(ctx, 'kind')
  const queue: Array<{ e: BusEntry, at: number }> = []
  let queuedBytes = 0
  let wake: (() => void) | undefined
  let overflow = false
  const onEntry = (evt: CustomEvent<{ entry: BusEntry }>): void => {
    const e = evt.detail.entry
    if ((author != null && !e.authorHex.startsWith(author)) || (kind != null && e.entry.kind !== kind)) return
    // when this node stored the entry, as high-resolution wall-clock ms (comparable across processes of one machine)
    if (queue.length >= 10_000 || queuedBytes > 32 * 1024 * 1024) overflow = true
    else {
      queue.push({ e, at: performance.timeOrigin + performance.now() })
      queuedBytes += e.bytes.byteLength
    }
    wake?.()
  }
  bus.addEventListener('bus:entry', onEntry)
  const onAbort = (): void => { wake?.() }
  ctx.signal.addEventListener('abort', onAbort)
  try {
    yield '\n' // headers and a first byte out at once: the client knows it is following
    while (!ctx.signal.aborted) {
      const item = queue.shift()
      if (item != null) {
        const { e, at } = item
        queuedBytes -= e.bytes.byteLength
        yield JSON.stringify({ ...entryView(e, bus.peerLabel(e.authorHex)), at }) + '\n'
        continue
      }
      if (overflow) {
        yield JSON.stringify({ error: 'the reader fell more than 10,000 entries (or 32 MiB) behind; follow again' }) + '\n'
        return
      }
      let heartbeat: ReturnType<typeof setTimeout> | undefined
      await new Promise<void>(resolve => {
        wake = resolve
        heartbeat = setTimeout(resolve, 15_000) // a heartbeat line keeps idle connections honest
      })
      // a pending heartbeat would keep a stopping node alive for up to 15 s
      clearTimeout(heartbeat)
      wake = undefined
      if (queue.length === 0 && !ctx.signal.aborted) yield '\n'
    }
  } finally {
    bus.removeEventListener('bus:entry', onEntry)
    ctx.signal.removeEventListener('abort', onAbort)
  }
}

/** Runs a full verification, yielding progress lines and then the report. */
async function * verifyLines (bus: Bus, ctx: RouteContext): AsyncGenerator<string> {
  const lines: string[] = []
  let wake: (() => void) | undefined
  let last = 0
  const run = verifyStore(bus, {
    all: query(ctx, 'all') === '1',
    signal: ctx.signal,
    onProgress: (done, total) => {
      const now = Date.now()
      if (now - last < 250 && done < total) return
      last = now
      lines.push(JSON.stringify({ progress: { done, total } }) + '\n')
      wake?.()
    }
  }).then(report => { lines.push(JSON.stringify({ report }) + '\n') }, (err: Error) => { lines.push(JSON.stringify({ error: err.message }) + '\n') })
  let finished = false
  void run.finally(() => { finished = true; wake?.() })
  while (true) {
    const line = lines.shift()
    if (line != null) {
      yield line
      continue
    }
    if (finished) return
    await new Promise<void>(resolve => { wake = resolve })
    wake = undefined
  }
}

/** The control API's bus, memory and session endpoints. */
export function busRoutes ({ bus, replication, mesh }: BusRoutesInit): Record<string, RouteHandler | Partial<Record<'GET' | 'POST', RouteHandler>>> {
  return {
    '/v1/bus/heads': () => bus.authorViews(),
    '/v1/bus/status': async (): Promise<BusStatusView> => {
      const heads = bus.heads()
      const forks = await bus.store.forks()
      return {
        author: bus.authorHex,
        chainConfirmed: bus.chainConfirmed,
        authors: heads.length,
        entries: heads.reduce((n, h) => n + Number(h.seq), 0),
        ownEntries: Number(bus.head(bus.authorHex)?.seq ?? 0n),
        forks: forks.length,
        held: bus.heldStats(),
        diskBytes: await bus.store.storage.size(),
        peers: replication.syncViews().map(v => ({ ...v, score: replication.score(v.peer) })),
        throttled: replication.throttledCounts(),
        store: { checked: bus.storeCheck ?? null, readBack: bus.readBack?.status() ?? null, damaged: bus.storeDamage?.message ?? null, damage: bus.damage ?? null }
      }
    },
    '/v1/bus/log': async (ctx) => await queryLog(bus, {
      author: query(ctx, 'author'),
      kind: query(ctx, 'kind'),
      limit: count(ctx, 'limit'),
      before: query(ctx, 'before')
    }),
    '/v1/bus/follow': (ctx) => new StreamResponse('application/x-ndjson', follow(bus, ctx)),
    '/v1/bus/verify': (ctx) => new StreamResponse('application/x-ndjson', verifyLines(bus, ctx)),
    '/v1/bus/export': async (ctx) => {
      const plan = await exportBundle(bus, { mesh, signal: ctx.signal })
      return new StreamResponse('application/octet-stream', plan.bytes, { 'x-smesh-entries': String(plan.entries), 'x-smesh-evidence': String(plan.evidence) })
    },
    // not tied to the request: a rebuild given up half way would leave the views short until the next start
    '/v1/bus/reindex': { POST: async () => ({ entries: await bus.rebuildViews() }) },
    '/v1/bus/append': {
      POST: async (ctx) => {
        const b = body(ctx)
        const kind = str(b.kind, 'kind') as string
        let bytes: Uint8Array
        if (typeof b.bodyBase64 === 'string') bytes = new Uint8Array(Buffer.from(b.bodyBase64, 'base64'))
        else bytes = new TextEncoder().encode(JSON.stringify(b.body ?? {}))
        const e = await bus.append(kind, bytes, { signal: ctx.signal })
        return entryView(e, 'self')
      }
    },
    '/v1/memory/get': async (ctx) => await memoryGet(bus, str(query(ctx, 'key'), 'key') as string),
    '/v1/memory/list': async (ctx) => await memoryList(bus, query(ctx, 'prefix') ?? '', count(ctx, 'limit') ?? 10_000),
    '/v1/memory/set': {
      POST: async (ctx) => {
        const b = body(ctx)
        const key = str(b.key, 'key') as string
        return await memorySet(bus, key, b.value, { signal: ctx.signal })
      }
    },
    '/v1/memory/rm': {
      POST: async (ctx) => {
        const key = str(body(ctx).key, 'key') as string
        return await memoryRemove(bus, key, { signal: ctx.signal })
      }
    },
    '/v1/sessions': async () => await sessionList(bus),
    '/v1/sessions/show': async (ctx) => await sessionShow(bus, str(query(ctx, 'id'), 'id') as string),
    '/v1/sessions/open': {
      POST: async (ctx) => {
        const title = str(body(ctx).title, 'title', false)
        return await sessionOpen(bus, title, { signal: ctx.signal })
      }
    },
    '/v1/sessions/append': {
      POST: async (ctx) => {
        const b = body(ctx)
        const role = str(b.role ?? 'user', 'role') as string
        if (!(SESSION_ROLES as readonly string[]).includes(role)) throw new InvalidBodyError(`role must be one of ${SESSION_ROLES.join(', ')}`)
        return await sessionAppend(bus, str(b.session, 'session') as string, { role: role as SessionRole, content: str(b.content, 'content') as string, model: str(b.model, 'model', false) }, { signal: ctx.signal })
      }
    }
  }
}

export { KINDS }
