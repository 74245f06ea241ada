import { runNode } from '../../daemon.js'
import { reportError } from '../report-error.js'
import type { Settings } from '../../config/schema.js'
import type { Command } from 'commander'

const FLAG_NAMES: Partial<Record<keyof Settings, string>> = {
  name: '--name',
  mesh: '--mesh',
  listen: '--listen',
  peers: '--peer',
  bootstrapFile: '--bootstrap',
  mdns: '--no-mdns',
  interfaces: '--interface',
  excludeInterfaces: '--exclude-interface',
  maxMdnsPeers: '--max-mdns-peers',
  apiPort: '--api-port',
  apiSocket: '--api-socket',
  logLevel: '--log-level'
}

/** `smesh start`: run a node in the foreground; stop cleanly on SIGINT/SIGTERM. */
export async function runStart (dataDir: string, opts: Record<string, unknown>, cmd: Command): Promise<void> {
  const { readFlags } = await import('../../config/load.js')
  const flags = readFlags({
    name: opts.name,
    mesh: opts.mesh,
    listen: opts.listen,
    peers: opts.peer,
    bootstrapFile: opts.bootstrap,
    mdns: cmd.getOptionValueSource('mdns') === 'cli' ? opts.mdns : undefined,
    interfaces: opts.interface,
    excludeInterfaces: opts.excludeInterface,
    maxMdnsPeers: opts.maxMdnsPeers,
    apiPort: opts.apiPort,
    apiSocket: opts.apiSocket,
    logLevel: opts.logLevel
  }, FLAG_NAMES)
  const running = await runNode(dataDir, flags)
  const id = running.identity.peerId.toString()
  const addrs = running.node.getMultiaddrs().map(ma => ma.toString())
  process.stdout.write([
    `smesh node "${running.config.name}" started in mesh "${running.config.mesh}"`,
    `peer id      ${id}`,
    ...(addrs.length === 0 ? ['listening    no address announced (check --interface and --listen)'] : addrs.map((a, i) => `${i === 0 ? 'listening   ' : '            '} ${a}`)),
    `control API  ${running.apiUrl}${running.apiSocket != null ? ` and ${running.apiSocket}` : ''}`,
    `data dir     ${dataDir}`,
    `discovery    ${running.config.mdns ? 'mDNS on' : 'mDNS off'}${running.config.peers.length > 0 ? `, ${running.config.peers.length} static peer(s)` : ''}`,
    ''
  ].join('\n'))

  await new Promise<void>((resolve) => {
    let signals = 0
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++
      if (signals > 1) {
        process.stderr.write(`smesh: second ${signal}, exiting without a clean stop\n`)
        process.exit(130)
      }
      process.stderr.write(`smesh: ${signal} received, stopping\n`)
      running.stop().then(resolve, (err) => {
        process.exitCode = reportError(err)
        resolve()
      })
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  })
}
