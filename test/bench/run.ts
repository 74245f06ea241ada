import { cpus, release } from 'node:os'
import { parseArgs } from 'node:util'
import { netnsUnavailable } from '../src/harness/exec.js'
import { benchBusAppend } from './bus-append.js'
import { benchBusCatchup } from './bus-catchup.js'
import { benchBusLatency, benchBusThroughput } from './bus-replication.js'
import { benchBusSize } from './bus-size.js'
import { benchBusVerify } from './bus-verify.js'
import { benchDiscovery } from './discovery.js'
import { benchIdle } from './idle.js'
import { benchAdvert } from './advert.js'
import { benchBusScale } from './bus-scale.js'
import { benchPrune } from './prune.js'
import { benchMeshJoin, benchMeshPnet, benchMeshRevoke } from './mesh.js'
import { benchRoutingFailover, benchRoutingOverhead } from './routing.js'
import { benchRoutingLoad } from './routing-load.js'
import { benchRoutingSeries } from './routing-series.js'
import { benchGatewayLoad, benchGatewayOverhead, benchGatewayThroughput } from './gateway.js'
import { benchFaults, benchFuzz } from './faults.js'
import { benchPhone } from './phone.js'
import { benchDashboardIdle, benchDashboardJoin } from './dashboard.js'
import { benchLlama } from './llama.js'

/**
 * Runs the benchmarks and prints one JSON object on stdout.
 *   npm run bench                         # discovery, prune, idle
 *   npm run bench -- --only discovery --reps 5
 *   npm run bench -- --only bus           # every bus benchmark
 *   npm run bench -- --only bus-latency,bus-size --bus-entries 100
 *   npm run bench -- --only mesh           # join time, revocation, pnet handshake
 *   npm run bench -- --only routing        # mesh hop overhead, failover, routing under load
 *   npm run bench -- --only routing-series # 1,000 tasks in a row from two nodes: router CPU and bus growth per hundred (--series-tasks)
 *   npm run bench -- --only gateway        # gateway overhead per API, 200 streams, tokens/s
 *   npm run bench -- --only faults         # the reliability matrix, long: network rows 60 s each, 1,000 kill cycles
 *   npm run bench -- --only phone          # 10 phone joins, 10 minutes of use, the phone's link down 10 s
 *   npm run bench -- --only dashboard      # 10 joins onto an open dashboard's graph; an open dashboard's cost on 5 nodes, 60 s
 *   npm run bench -- --only llama          # the embedded provider: tokens/s direct, through smesh run and the gateway; load; event loop while generating; idle
 *   npm run bench -- --only advert         # building the advert of 16 providers x 128 models: fresh and cached
 *   npm run bench -- --only bus-scale      # a node over a bus of 10,000 and 100,000 entries: start, RSS, reads (--scale-sizes)
 *   npm run bench -- --only fuzz           # every decoder, 1,000,000 inputs each (run node with --expose-gc)
 */
const BUS = ['bus-append', 'bus-latency', 'bus-throughput', 'bus-catchup', 'bus-verify', 'bus-size']
const MESH = ['mesh-join', 'mesh-revoke', 'mesh-pnet']
const ROUTING = ['routing-overhead', 'routing-failover', 'routing-load', 'routing-series']
const GATEWAY = ['gateway-overhead', 'gateway-load', 'gateway-throughput']
const DASHBOARD = ['dashboard-join', 'dashboard-idle']
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    reps: { type: 'string', default: '5' },
    'prune-reps': { type: 'string', default: '3' },
    'idle-seconds': { type: 'string', default: '60' },
    /** Mesh sizes of the discovery benchmark, and nodes of the idle one: the growth curve is --discovery-sizes 4,8,16,32 --idle-nodes 32. */
    'discovery-sizes': { type: 'string', default: '3,5,8' },
    'idle-nodes': { type: 'string', default: '3' },
    /** Bus sizes (entries) of bus-scale. */
    'scale-sizes': { type: 'string', default: '10000,100000' },
    /** A directory where bus-scale keeps each bus it built, to copy on later runs (a million entries take minutes to sign). */
    'scale-cache': { type: 'string' },
    /** Length of each timed phase of bus-append, and of the raw verify rate in bus-catchup. */
    'bus-seconds': { type: 'string', default: '2' },
    /** Entries written in bus-latency and bus-size. */
    'bus-entries': { type: 'string', default: '400' },
    /** Total offered entries/s of the bus-throughput steps. */
    'bus-steps': { type: 'string', default: '50,100,200,300,400,600' },
    'bus-step-seconds': { type: 'string', default: '8' },
    'bus-catchup-entries': { type: 'string', default: '10000' },
    'bus-catchup-reps': { type: 'string', default: '3' },
    'bus-verify-entries': { type: 'string', default: '100000' },
    /** Devices joined in mesh-join, revocations in mesh-revoke. */
    'mesh-reps': { type: 'string', default: '5' },
    'pnet-dials': { type: 'string', default: '200' },
    /** Sequential tasks of routing-overhead (each way). */
    'routing-tasks': { type: 'string', default: '200' },
    /** 429 failovers and killed peers in routing-failover. */
    'routing-reps': { type: 'string', default: '5' },
    /** Tasks started at once in routing-load. */
    'routing-concurrent': { type: 'string', default: '100' },
    /** Tasks in a row of routing-series. */
    'series-tasks': { type: 'string', default: '1000' },
    /** Rounds of gateway-overhead (each path once a round), streams of gateway-load, seconds per case of gateway-throughput. */
    'gateway-rounds': { type: 'string', default: '200' },
    'gateway-clients': { type: 'string', default: '200' },
    'gateway-seconds': { type: 'string', default: '8' },
    /** Seconds of each network fault row, kill cycles, row 2's write rates (entries/s a node), fuzz inputs per decoder. */
    'faults-seconds': { type: 'string', default: '60' },
    'kill-cycles': { type: 'string', default: '1000' },
    'lossy-rates': { type: 'string', default: '0.5,1,2' },
    'fuzz-inputs': { type: 'string', default: '1000000' },
    /** Phone joins, minutes of use, seconds the phone's link is down. */
    'phone-joins': { type: 'string', default: '10' },
    'phone-minutes': { type: 'string', default: '10' },
    'phone-drop-seconds': { type: 'string', default: '10' },
    /** Joins onto the dashboard's graph, seconds of each phase of dashboard-idle. */
    'dashboard-joins': { type: 'string', default: '10' },
    'dashboard-seconds': { type: 'string', default: '60' },
    /** Tasks each way, seconds of unbroken generation, seconds idle, of the llama benchmark. */
    'llama-reps': { type: 'string', default: '20' },
    'llama-load-seconds': { type: 'string', default: '15' },
    'llama-idle-seconds': { type: 'string', default: '30' }
  }
})
const why = netnsUnavailable()
if (why != null) {
  process.stderr.write(`smesh bench: ${why}\n`)
  process.exit(1)
}
const only = new Set((values.only ?? 'discovery,prune,idle').split(',').flatMap(n => n === 'bus' ? BUS : n === 'mesh' ? MESH : n === 'routing' ? ROUTING : n === 'gateway' ? GATEWAY : n === 'dashboard' ? DASHBOARD : [n]))
const known = new Set(['discovery', 'prune', 'idle', 'advert', 'bus-scale', 'faults', 'fuzz', 'phone', 'llama', ...BUS, ...MESH, ...ROUTING, ...GATEWAY, ...DASHBOARD])
const unknown = [...only].filter(n => !known.has(n))
if (unknown.length > 0) {
  process.stderr.write(`smesh bench: unknown benchmark ${unknown.join(', ')} (known: ${[...known].join(', ')}, bus = all bus-*, mesh = all mesh-*, routing = all routing-*, gateway = all gateway-*, dashboard = all dashboard-*)\n`)
  process.exit(2)
}
const num = (name: keyof typeof values): number => Number(values[name])
const results: Record<string, unknown> = {}
let failed = 0
/** Runs one benchmark; a failure is reported in its place (and the exit code), and the others still run and print. */
async function run (name: string, fn: () => Promise<unknown>): Promise<void> {
  if (!only.has(name)) return
  try {
    results[name] = await fn()
  } catch (err: any) {
    failed++
    results[name] = { error: String(err?.message ?? err).slice(0, 2000) }
    process.stderr.write(`smesh bench: ${name} failed: ${String(err?.stack ?? err)}\n`)
  }
}
await run('discovery', async () => await benchDiscovery((values['discovery-sizes'] ?? '').split(',').map(Number), num('reps')))
await run('prune', async () => await benchPrune(num('prune-reps')))
await run('idle', async () => await benchIdle(num('idle-nodes'), num('idle-seconds')))
await run('advert', async () => await benchAdvert({ providers: 16, models: 128, reps: 20 }))
await run('bus-scale', async () => await benchBusScale((values['scale-sizes'] ?? '').split(',').map(Number), values['scale-cache']))
await run('bus-append', async () => await benchBusAppend({ seconds: num('bus-seconds'), bodyBytes: 1024, inFlight: 64, apiConcurrency: 32 }))
await run('bus-latency', async () => await benchBusLatency({ nodes: 5, entries: num('bus-entries'), perSec: 20, bodyBytes: 1024 }))
await run('bus-throughput', async () => await benchBusThroughput({ nodes: 5, steps: (values['bus-steps'] ?? '').split(',').map(Number), stepSeconds: num('bus-step-seconds'), bodyBytes: 1024, p99LimitMs: 100 }))
await run('bus-catchup', async () => await benchBusCatchup({ entries: num('bus-catchup-entries'), reps: num('bus-catchup-reps'), bodyBytes: 1024, verifySeconds: num('bus-seconds') }))
await run('bus-verify', async () => await benchBusVerify({ entries: num('bus-verify-entries'), authors: 4, bodyBytes: 256 }))
await run('bus-size', async () => await benchBusSize({ nodes: 5, entries: num('bus-entries'), perSec: 40, bodyBytes: 1024 }))
await run('mesh-join', async () => await benchMeshJoin(num('mesh-reps')))
await run('mesh-revoke', async () => await benchMeshRevoke(num('mesh-reps')))
await run('mesh-pnet', async () => await benchMeshPnet(num('pnet-dials')))
await run('routing-overhead', async () => await benchRoutingOverhead(num('routing-tasks')))
await run('routing-failover', async () => await benchRoutingFailover(num('routing-reps')))
await run('routing-load', async () => await benchRoutingLoad(num('routing-concurrent')))
await run('routing-series', async () => await benchRoutingSeries(num('series-tasks')))
await run('gateway-overhead', async () => await benchGatewayOverhead(num('gateway-rounds')))
await run('gateway-load', async () => await benchGatewayLoad(num('gateway-clients')))
await run('gateway-throughput', async () => await benchGatewayThroughput(num('gateway-seconds')))
await run('faults', async () => await benchFaults({ seconds: num('faults-seconds'), killCycles: num('kill-cycles'), rates: (values['lossy-rates'] ?? '').split(',').map(Number) }))
await run('fuzz', async () => await benchFuzz(num('fuzz-inputs')))
await run('dashboard-join', async () => await benchDashboardJoin(num('dashboard-joins')))
await run('dashboard-idle', async () => await benchDashboardIdle(num('dashboard-seconds')))
await run('llama', async () => await benchLlama({ reps: num('llama-reps'), loadSeconds: num('llama-load-seconds'), idleSeconds: num('llama-idle-seconds') }))
await run('phone', async () => await benchPhone({ joins: num('phone-joins'), useMinutes: num('phone-minutes'), dropSeconds: num('phone-drop-seconds') }))
process.stdout.write(JSON.stringify({
  date: new Date().toISOString(),
  machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, kernel: release() },
  results
}, null, 2) + '\n')
if (failed > 0) process.exitCode = 1
