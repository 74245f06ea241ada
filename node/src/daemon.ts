import { rm } from 'node:fs/promises'
import { encodeBinding, ensureDataDir, formatFingerprint, loadOrCreateIdentity, replaceSecretFile } from '@smesh/identity'
import { createMeshNode, isLoopback, webSocketAddrs } from '@smesh/mesh'
import { WS_CAPABILITY, encodeWsCapability, parseWsCapability } from '@smesh/protocols'
import { busGossipOptions, busReplication, encodeJsonBody, openBus } from '@smesh/bus'
import { InviteStore, MEMBER_KINDS, Membership, PolicyGate, governance, readMeshConfig, swarmKey } from '@smesh/membership'
import { peerIdFromString } from '@libp2p/peer-id'
import { meshRoutes } from './api/mesh-routes.js'
import { JoinListener } from './mesh/join-listener.js'
import { PageServer, listenHosts, readWebTls } from './web/page-server.js'
import { DeviceProtocols } from './mesh/device-protocols.js'
import { AskServer } from './mesh/ask-server.js'
import { PushServer } from './mesh/push-server.js'
import { TaskService } from './inference/service.js'
import { taskRoutes } from './api/task-routes.js'
import { gatewayRoutes } from './api/gateway-routes.js'
import { KeyStore, startGateway } from '@smesh/gateway'
import { busRoutes } from './api/bus-routes.js'
import { startControlApi } from './api/server.js'
import { dashboardRoutes } from './api/dashboard-routes.js'
import { DashboardSessions } from './web/dashboard-sessions.js'
import type { RouteHandler } from './api/server.js'
import { resolveConfig } from './config/load.js'
import { acquireLock } from './lock.js'
import { createNodeLogger } from './logger.js'
import { PortInUseError } from './errors.js'
import { startHealth } from './health.js'
import type { HealthView } from './health.js'
import { files } from './paths.js'
import { SOFTWARE, VERSION } from './version.js'
import type { ApiInfo } from './api/client.js'
import type { ResolvedConfig, Settings } from './config/schema.js'
import type { MeshConfig } from '@smesh/membership'
import type { Identity } from '@smesh/identity'
import type { Bus, BusReplication } from '@smesh/bus'
import type { MeshNode, PeerView, Topology } from '@smesh/mesh'
import type { Gateway } from '@smesh/gateway'

export interface RunningNode {
  config: NodeConfig
  tasks: TaskService
  identity: Identity
  meshConfig: MeshConfig
  membership: Membership
  node: MeshNode
  bus: Bus
  replication: BusReplication
  apiUrl: string
  apiSocket?: string
  /** The AI-client gateway's URL, when on. */
  gatewayUrl?: string
  stop: () => Promise<void>
}

/** The resolved settings and the mesh this data dir belongs to. */
export type NodeConfig = ResolvedConfig & { mesh: string, meshName: string }

/** How long a peer that flooded the bus is refused. */
const FLOOD_BAN_MS = 60_000

/**
 * How long a revoked device's connections stay open after the revocation
 * arrives: long enough for the member.revoke entry (gossiped at once) to
 * reach the device, so that it learns it was revoked. Nothing it sends in
 * that time is taken: the bus, the task server and the gater refuse it already.
 */
const REVOKE_GRACE_MS = 300

/** How often an admin node looks for leases to renew. */
const RENEW_INTERVAL_MS = 60_000

export interface IdView {
  peerId: string
  name: string
  /** Mesh id. */
  mesh: string
  meshName: string
  version: string
  listenAddrs: string[]
  pqFingerprint: string
  pqFingerprintShort: string
}

export interface StatusView extends IdView {
  pid: number
  uptimeMs: number
  startedAt: number
  dataDir: string
  mdns: boolean
  staticPeers: string[]
  peers: { known: number, connected: number }
  /** Open libp2p connections, to listed peers or not. */
  connections: number
  api: { url: string, socket?: string }
  /** The AI-client gateway's URL (OpenAI, Ollama and Anthropic APIs), null when off. */
  gateway: string | null
  /** This device's lease: active, expired, revoked, root; null until learned. */
  membership: { status: string | null, scopes: string[] }
  memory: { rssBytes: number, heapUsedBytes: number }
  /** Event-loop delay over the last 10 s; peers whose clocks are off. */
  health: HealthView
  /** mDNS: peers held (at most maxMdnsPeers) and answers of new peers ignored while full; null with mDNS off. */
  discovery: { mdnsPeers: number, mdnsRefused: number } | null
}

function portInUse (err: any, what: string, address: string, hint: string): PortInUseError | undefined {
  const text = `${err?.code ?? ''} ${err?.message ?? ''} ${err?.cause?.message ?? ''} ${(err?.errors ?? []).map((e: any) => e?.message).join(' ')}`
  return text.includes('EADDRINUSE') ? new PortInUseError(what, address, hint, { cause: err }) : undefined
}

/**
 * Starts a node: data dir, config, lock, identity, libp2p, control API.
 * Every step that can fail does so before anything on disk is changed by a
 * later one; a failure undoes what was started.
 */
export async function runNode (dataDir: string, flags: Settings, env: NodeJS.ProcessEnv = process.env): Promise<RunningNode> {
  await ensureDataDir(dataDir)
  const resolved = await resolveConfig(dataDir, env, flags)
  // a data dir of no mesh is refused before anything is created in it
  const meshConfig = await readMeshConfig(dataDir)
  const config: NodeConfig = { ...resolved, mesh: meshConfig.id, meshName: meshConfig.name }
  const releaseLock = await acquireLock(dataDir)
  const cleanups: Array<() => Promise<void> | void> = [releaseLock]
  // every cleanup runs even when an earlier one fails; the first failure is rethrown
  const undo = async (): Promise<void> => {
    let first: unknown
    for (const fn of cleanups.reverse()) {
      try {
        await fn()
      } catch (err) {
        first ??= err
      }
    }
    if (first !== undefined) throw first
  }
  try {
    // the identity is checked before the log file exists: a bad one changes nothing on disk
    const identity = await loadOrCreateIdentity(dataDir)
    const logger = createNodeLogger(dataDir, config.logLevel)
    cleanups.push(async () => { await logger.close() })
    if (identity.created) logger.log.info({ peerId: identity.peerId.toString() }, 'created a new identity')

    const self = identity.pqFingerprint
    /** Peers cut off for flooding, until when. */
    const bans = new Map<string, number>()
    const banned = (peerId: string): boolean => (bans.get(peerId) ?? 0) > Date.now()
    let learning = (): boolean => false
    const membership = new Membership({ mesh: meshConfig, self, learning: () => learning() })
    // the governance gate is a rule of the bus: every entry, this node's and its peers', is judged by the lease and the policy in force
    const gate = new PolicyGate(membership, self)
    const { admission, authorizer } = governance(membership, gate, self)
    const bus = await openBus(dataDir, identity, { newChain: env.SMESH_BUS_NEW_CHAIN === '1', admission })
    cleanups.push(async () => { await bus.close() })
    await membership.start(bus)
    learning = () => !bus.chainConfirmed
    cleanups.push(() => { membership.stop() })
    await gate.start(bus)
    cleanups.push(() => { gate.stop() })
    // every writer on this node (an API route, the router, the task server, the gateway) passes here before signing
    bus.authorizer = authorizer
    const invites = new InviteStore(dataDir)
    bus.addEventListener('store:checked', (evt) => {
      const r = evt.detail
      logger.log.info({ event: 'bus:checked', ...r }, `bus store read back: ${r.entries} entries of ${r.authors} authors intact (${r.ms} ms, in the background)${r.viewsStale ? '; the memory view did not match, derived again' : ''}`)
    })
    bus.addEventListener('store:damaged', (evt) => {
      logger.log.error({ event: 'bus:store-damaged', problem: evt.detail.problem }, `${evt.detail.message}; hint: ${evt.detail.hint}`)
    })
    if (bus.damage != null) {
      logger.log.warn({ event: 'bus:damaged', lostOwnEntries: bus.damage.lostOwnEntries }, bus.damage.message)
    } else if (!bus.chainConfirmed) {
      logger.log.warn({ event: 'bus:unconfirmed' }, 'the bus store is new but this node\'s key is not: it will sign nothing until a peer has shown it its own chain')
    }
    const tasks = new TaskService({ identity, name: config.name, config: config.inference, env, bus, membership, gate, log: logger.log })
    cleanups.push(async () => { await tasks.stop() })
    const gossip = busGossipOptions(config.mesh)
    const networkKey = swarmKey(meshConfig)

    // with HTTPS for the phone's page, browser devices need wss://: the WebSockets listen addresses take TLS
    const webTls = config.web?.tls != null ? await readWebTls(config.web.tls) : undefined
    const listen = webTls != null ? config.listen.map(a => a.replace(/\/ws$/, '/tls/ws')) : config.listen
    const node = await createMeshNode({
      privateKey: identity.privateKey,
      mesh: config.mesh,
      name: config.name,
      software: SOFTWARE,
      binding: encodeBinding(identity.binding),
      listen,
      ...(webTls != null ? { wsTls: webTls } : {}),
      // the node that admitted this device is dialed too: it brings the membership
      peers: [...new Set([...config.peers, ...(meshConfig.introducer?.addrs ?? [])])],
      networkKey,
      allowPeer: (peerId) => !banned(peerId) && membership.allowsPeer(peerId),
      mdns: config.mdns,
      interfaces: config.interfaces,
      excludeInterfaces: config.excludeInterfaces,
      maxMdnsPeers: config.maxMdnsPeers,
      logger: logger.components,
      topics: gossip.topics,
      msgIdFn: gossip.msgIdFn,
      topicScoreParams: gossip.topicScoreParams,
      // the WebSockets addresses ride in a capability: nodes do not dial them, browser devices learn them
      capabilities: () => [...tasks.capabilities(), { name: WS_CAPABILITY, value: encodeWsCapability(webSocketAddrs(node)) }],
      services: { bus: busReplication({ bus, mesh: config.mesh }) }
    })
    const replication = (node.services as unknown as { bus: BusReplication }).bus
    /** Every address of this node: what nodes dial, and the WebSockets ones browser devices dial. */
    const ownAddrs = (): string[] => [...node.getMultiaddrs().map(ma => ma.toString()), ...webSocketAddrs(node)]
    const startedAt = Date.now()
    try {
      await node.start()
    } catch (err: any) {
      throw portInUse(err, 'libp2p listen', config.listen.join(', '), 'another program (or smesh node) uses it: stop it, or choose another with --listen /ip4/0.0.0.0/tcp/PORT') ?? err
    }
    cleanups.push(async () => { await node.stop() })
    await tasks.start(node)
    const reachable = node.getMultiaddrs().filter(ma => !isLoopback(ma))
    if (config.interfaces.length > 0 && reachable.length === 0) {
      logger.log.warn({ interfaces: config.interfaces }, 'no address of the chosen --interface is announced: nodes on the LAN cannot reach this one; check the names with `ip addr`')
    }
    const presence = node.services.presence
    const health = startHealth(() => presence.peers(), logger.log)
    const lan = (node.services as { lanDiscovery?: { size: number, refusals: number } }).lanDiscovery
    cleanups.push(() => { health.stop() })
    // the read and notice protocols of browser devices (set up once the control API's routes exist)
    const browsers: { protocols?: DeviceProtocols } = {}
    membership.addEventListener('member:cut', (evt) => {
      const { device, peerId, status } = evt.detail
      if (peerId === identity.peerId.toString() || device === self) {
        logger.log.error({ event: 'member:self-cut', device, status }, status === 'revoked'
          ? 'this device was revoked by an admin of the mesh: every node refuses it now (smesh mesh shows it); to come back it needs a new identity and an invite'
          : 'this device\'s lease expired: every node refuses it now; ask an admin for a new invite')
        return
      }
      logger.log.warn({ event: 'member:cut', device, peerId, status }, status === 'revoked' ? 'a device was revoked: its connections are closed' : 'a device\'s lease expired: its connections are closed')
      // it is no longer listed at once; its connections close a moment later, so the revocation reaches it first
      presence.forget(peerId, status)
      // a browser device holds no bus: it is told, over its connection, before the connection closes
      const told = membership.lease(device)?.kind === 'browser'
        ? browsers.protocols?.notify(peerId, status === 'revoked' ? 'revoked' : 'expired', status === 'revoked' ? 'an admin of the mesh removed this device' : 'this device\'s lease expired') ?? Promise.resolve()
        : Promise.resolve()
      const t = setTimeout(() => {
        void told.finally(() => {
          try {
            node.hangUp(peerIdFromString(peerId)).catch(() => {})
          } catch {
            // not a valid PeerId: nothing to close
          }
        })
      }, status === 'revoked' ? REVOKE_GRACE_MS : 0)
      t.unref()
    })
    membership.addEventListener('member:admit', (evt) => {
      logger.log.info({ event: 'member:admit', device: evt.detail.device, peerId: evt.detail.peerId }, 'a device was admitted (or its lease renewed)')
      presence.admitted(evt.detail.peerId)
    })
    const joinListener = new JoinListener({
      mesh: meshConfig,
      bus,
      membership,
      invites,
      privateKey: identity.privateKey,
      networkKey,
      nodeListen: config.listen,
      ...(webTls != null ? { wsTls: webTls } : {}),
      addrs: ownAddrs,
      logger: logger.components,
      onJoined: (j) => { logger.log.info({ event: 'member:join', device: j.device, peerId: j.peerId, name: j.name, invite: j.inviteId }, 'a device joined with an invite') },
      onError: (err) => { logger.log.warn({ err }, 'a join attempt failed') }
    })
    cleanups.push(async () => { await joinListener.close() })
    if ((await invites.open()).length > 0 && membership.has(self, 'admin')) await joinListener.ensure()
    const web = config.web
    const pageServer = web == null
      ? undefined
      : new PageServer({
        hosts: listenHosts(config.listen),
        port: web.port,
        ...(webTls != null ? { tls: webTls } : {}),
        // a bookmarked page must load again while a browser device is a member
        wanted: async () => web.stay || (await invites.open()).some(i => i.phone === true) || membership.list().some(m => m.kind === 'browser' && m.status === 'active'),
        onError: (err) => { logger.log.warn({ err }, 'the phone page server failed') }
      })
    if (pageServer != null) {
      cleanups.push(async () => { await pageServer.stop() })
      if (await pageServer.wanted()) {
        await pageServer.ensure().catch((err: Error) => { logger.log.warn({ err }, `the page phones join by is not served: ${err.message}`) })
      }
    }
    const renew = async (): Promise<void> => {
      if (!membership.has(self, 'admin')) return
      for (const lease of membership.due()) {
        const now = Date.now()
        await bus.append(MEMBER_KINDS.admit, encodeJsonBody({ ...lease, issuedAt: now, expiresAt: now + lease.leaseMs }))
        logger.log.info({ event: 'member:renew', device: lease.device }, 'renewed a device\'s lease')
      }
    }
    // leases end and devices are revoked while connections stay open: each is checked again every few seconds
    const sweepTimer = setInterval(() => {
      for (const c of node.getConnections()) {
        if (!membership.allowsPeer(c.remotePeer.toString())) c.abort(new Error('the peer is not a member of the mesh'))
      }
    }, 5_000)
    sweepTimer.unref()
    cleanups.push(() => { clearInterval(sweepTimer) })
    const renewTimer = setInterval(() => { renew().catch((err) => { logger.log.warn({ err }, 'renewing leases failed') }) }, RENEW_INTERVAL_MS)
    renewTimer.unref()
    cleanups.push(() => { clearInterval(renewTimer) })
    presence.addEventListener('presence:join', (evt) => {
      logger.log.info({ event: 'peer:join', peerId: evt.detail.peerId }, 'peer joined')
    })
    replication.addEventListener('bus:reject', (evt) => {
      logger.log.warn({ event: 'bus:reject', ...evt.detail }, 'refused an entry from a peer')
    })
    replication.addEventListener('bus:flood', (evt) => {
      const { peer, author, dropped, unverified } = evt.detail
      bans.set(peer, Date.now() + FLOOD_BAN_MS)
      logger.log.warn({ event: 'bus:flood', peer, author, dropped, unverified, banMs: FLOOD_BAN_MS }, 'a peer floods the bus far above the rate limit: its connections are closed and refused for a while')
      // aborted, not hung up: a graceful close waits up to a second for the streams to end, and
      // meanwhile the flooder's gossip keeps coming in and is read, decoded and dropped
      for (const conn of node.getConnections(peerIdFromString(peer))) conn.abort(new Error('flooding the bus: cut off'))
      // gossipsub recomputes a peer's score once a heartbeat: the penalty shows a moment later
      setTimeout(() => { logger.log.warn({ event: 'bus:flood-score', peer, score: replication.score(peer) }, 'score of the peer that flooded') }, 1_500).unref()
    })
    replication.addEventListener('bus:throttle', (evt) => {
      logger.log.warn({ event: 'bus:throttle', ...evt.detail }, 'an author sends entries faster than the gossip rate limit: the excess is dropped')
    })
    replication.addEventListener('sync:done', (evt) => {
      const { peer, received, forks, ms } = evt.detail
      if (received > 0 || forks > 0) logger.log.info({ event: 'bus:sync', peer, received, forks, ms: Math.round(ms) }, 'synced the bus with a peer')
    })
    bus.addEventListener('bus:fork', (evt) => {
      logger.log.warn({ event: 'bus:fork', author: evt.detail.authorHex, seq: evt.detail.seq.toString() }, 'an author signed two different entries with one seq (fork): evidence kept')
    })
    presence.addEventListener('presence:leave', (evt) => {
      logger.log.info({ event: 'peer:leave', peerId: evt.detail.peerId, name: evt.detail.name, reason: evt.detail.reason }, 'peer removed: no longer a member')
    })
    presence.addEventListener('presence:prune', (evt) => {
      const { peerId, name, silentMs } = evt.detail
      logger.log.info({ event: 'peer:prune', peerId, name, silentMs: Math.round(silentMs) }, 'peer pruned after silence')
    })

    const keys = new KeyStore(files.gatewayKeys(dataDir))
    await keys.open()
    cleanups.push(async () => { await keys.close() })
    let gateway: Gateway | undefined
    if (config.gateway != null) {
      const g = config.gateway
      gateway = await startGateway({ config: g, keys, mesh: tasks.gatewayMesh(), log: logger.log.child({ component: 'gateway' }) }).catch((err: any) => {
        throw portInUse(err, 'gateway', `${g.host}:${g.port}`, 'another program uses it (a second smesh node on this machine?): choose another with --gateway-listen 127.0.0.1:PORT, or turn the gateway off with --gateway-listen off') ?? err
      })
      const started = gateway
      cleanups.push(async () => { await started.close() })
    }

    const idView = (): IdView => ({
      peerId: identity.peerId.toString(),
      name: config.name,
      mesh: config.mesh,
      meshName: config.meshName,
      version: VERSION,
      listenAddrs: node.getMultiaddrs().map(ma => ma.toString()),
      pqFingerprint: identity.pqFingerprint,
      pqFingerprintShort: formatFingerprint(identity.pqFingerprint)
    })
    const routes: Record<string, RouteHandler | Partial<Record<'GET' | 'POST', RouteHandler>>> = {
        ...busRoutes({
          bus,
          replication,
          mesh: config.mesh
        }),
        ...meshRoutes({ mesh: meshConfig, bus, membership, gate, invites, joinListener, pageServer, nodeAddrs: ownAddrs, connectedTo: (peerId) => node.getConnections().some(c => c.remotePeer.toString() === peerId), peers: () => presence.peers(), self: { peerId: identity.peerId.toString(), name: config.name } }),
        ...taskRoutes({ tasks, bus }),
        ...gatewayRoutes(keys),
        '/v1/id': () => idView(),
        '/v1/peers': (): PeerView[] => presence.peers(),
        '/v1/topology': (): Topology => presence.topology(),
        '/v1/status': (): StatusView => {
          const peers = presence.peers()
          const mem = process.memoryUsage()
          return {
            ...idView(),
            pid: process.pid,
            uptimeMs: Date.now() - startedAt,
            startedAt,
            dataDir,
            mdns: config.mdns,
            staticPeers: config.peers,
            peers: { known: peers.length, connected: peers.filter(p => p.connected).length },
            connections: node.getConnections().filter(c => c.status === 'open').length,
            api: { url: api.url, socket: api.socket },
            gateway: gateway?.url ?? null,
            membership: { status: membership.status(self) ?? null, scopes: membership.scopesOf(self) },
            memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed },
            health: health.view(),
            discovery: lan != null ? { mdnsPeers: lan.size, mdnsRefused: lan.refusals } : null
          }
        }
    }
    const dashboardSessions = new DashboardSessions()
    let apiUrl = ''
    const dash = dashboardRoutes({ sessions: dashboardSessions, bus, routes, presence, apiUrl: () => apiUrl, logFile: files.log(dataDir) })
    Object.assign(routes, dash.routes)
    const deviceStop = new AbortController()
    cleanups.push(() => { deviceStop.abort() })
    browsers.protocols = new DeviceProtocols({
      node,
      membership,
      gate,
      routes,
      wsOf: (peerId) => parseWsCapability(presence.capability(peerId, WS_CAPABILITY)?.value),
      head: async (author) => {
        const h = bus.head(author)
        const e = h == null ? undefined : await bus.store.entry(h.hashHex)
        return h == null || e == null ? undefined : { seq: h.seq.toString(), hash: h.hashHex, hlcMs: e.hlc.ms.toString(), hlcCounter: e.hlc.counter }
      },
      log: logger.log,
      signal: deviceStop.signal
    })
    await browsers.protocols.start()
    await new AskServer({ node, bus, membership, gate, mesh: tasks.gatewayMesh(), log: logger.log, signal: deviceStop.signal }).start()
    await new PushServer({ node, bus, replication, membership, log: logger.log, signal: deviceStop.signal }).start()
    const api = await startControlApi({
      host: config.apiHost,
      port: config.apiPort,
      socket: config.apiSocket,
      onError: (err) => { logger.log.error({ err }, 'control API handler failed') },
      routes,
      dashboard: dashboardSessions
    }).catch((err: any) => {
      throw portInUse(err, 'control API', `${config.apiHost}:${config.apiPort}`, 'another node on this machine uses it: give this one --api-port 0 (any free port) or another port') ?? err
    })
    cleanups.push(async () => { await api.close() })
    apiUrl = api.url
    cleanups.push(async () => {
      await rm(files.apiInfo(dataDir), { force: true })
      await rm(files.apiToken(dataDir), { force: true })
    })
    await replaceSecretFile(files.apiToken(dataDir), api.token + '\n')
    const info: ApiInfo = { pid: process.pid, url: api.url, socket: api.socket, peerId: identity.peerId.toString() }
    await replaceSecretFile(files.apiInfo(dataDir), JSON.stringify(info) + '\n')
    logger.log.info({ event: 'node:start', peerId: identity.peerId.toString(), listen: idView().listenAddrs, api: api.url, gateway: gateway?.url ?? null, mesh: config.mesh }, 'node started')

    let stopping: Promise<void> | undefined
    return {
      config,
      tasks,
      identity,
      meshConfig,
      membership,
      node,
      bus,
      replication,
      apiUrl: api.url,
      apiSocket: api.socket,
      ...(gateway != null ? { gatewayUrl: gateway.url } : {}),
      stop: async () => {
        stopping ??= (async () => {
          logger.log.info({ event: 'node:stop' }, 'node stopping')
          await undo()
        })()
        await stopping
      }
    }
  } catch (err) {
    // the start failure is what the user needs to see; a cleanup failure after it would hide it
    await undo().catch(() => {})
    throw err
  }
}
