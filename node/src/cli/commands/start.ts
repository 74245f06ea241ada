import { runNode } from '../../daemon.js'
import { reportError } from '../report-error.js'
import { progress } from '../progress.js'
import type { RunningNode } from '../../daemon.js'
import { flagSettings } from '../setting-flags.js'
import type { Command } from 'commander'

/** `smesh start`: run a node in the foreground; stop cleanly on SIGINT/SIGTERM. */
export async function runStart (dataDir: string, opts: Record<string, unknown>, cmd: Command): Promise<void> {
  const flags = flagSettings(opts, cmd)
  const running = await runNode(dataDir, flags)
  const id = running.identity.peerId.toString()
  const addrs = running.node.getMultiaddrs().map(ma => ma.toString())
  process.stdout.write([
    `smesh node "${running.config.name}" started in mesh "${running.config.meshName}" (${running.config.mesh})`,
    `peer id      ${id}`,
    ...(addrs.length === 0 ? ['listening    no address announced (check --interface and --listen)'] : addrs.map((a, i) => `${i === 0 ? 'listening   ' : '            '} ${a}`)),
    `control API  ${running.apiUrl}${running.apiSocket != null ? ` and ${running.apiSocket}` : ''}`,
    `gateway      ${running.gatewayUrl != null ? `${running.gatewayUrl} (OpenAI ${running.gatewayUrl}/v1, Ollama and Anthropic ${running.gatewayUrl}; keys: smesh keys create NAME)` : 'off'}`,
    `data dir     ${dataDir}`,
    `discovery    ${running.config.mdns ? 'mDNS on' : 'mDNS off'}${running.config.peers.length > 0 ? `, ${running.config.peers.length} static peer(s)` : ''}`,
    ''
  ].join('\n'))

  showCatchUp(running)

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
    // damage found while running (the read-back, or a read): the node stops, as it would have refused to start
    const onDamaged = (err: Error): void => {
      const code = reportError(err)
      running.stop().then(() => { process.exitCode = code; resolve() }, (stopErr) => {
        reportError(stopErr)
        process.exitCode = code
        resolve()
      })
    }
    if (running.bus.storeDamage != null) onDamaged(running.bus.storeDamage)
    else running.bus.addEventListener('store:damaged', (evt) => { onDamaged(evt.detail) }, { once: true })
  })
}

/** On a terminal: a progress line while the bus catches up from a peer, and one line when it is done. */
function showCatchUp (running: RunningNode): void {
  if (process.stderr.isTTY !== true) return
  const bars = new Map<string, ReturnType<typeof progress>>()
  running.replication.addEventListener('sync:progress', (evt) => {
    const { peer, done, total } = evt.detail
    if (total < 100) return
    let bar = bars.get(peer)
    if (bar == null) {
      bar = progress(`catching up from ${peer.slice(-8)}: entries`)
      bars.set(peer, bar)
    }
    bar.update(done, total)
  })
  running.replication.addEventListener('sync:done', (evt) => {
    const { peer, received, forks, ms } = evt.detail
    bars.get(peer)?.end()
    bars.delete(peer)
    if (received >= 100 || forks > 0) {
      process.stderr.write(`bus: ${received.toLocaleString('en-US')} entries from ${peer.slice(-8)} in ${(ms / 1000).toFixed(1)} s${forks > 0 ? `, ${forks} fork(s) found` : ''}\n`)
    }
  })
}
