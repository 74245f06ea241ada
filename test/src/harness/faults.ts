import { execFile, execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { onCleanup } from './cleanup.js'
import { netnsUnavailable, required } from './exec.js'
import type { Host, Lan } from './lan.js'

const SWITCH = fileURLToPath(new URL('../../../fixtures/impair.py', import.meta.url))

/** Where Debian puts libfaketime. */
export const LIBFAKETIME = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1'].find(p => existsSync(p))

/** Why the fault tests cannot run here (they need the namespace harness, iptables, ethtool, python3), or undefined. */
export function faultsUnavailable (): string | undefined {
  const ns = netnsUnavailable()
  if (ns != null) return ns
  for (const [cmd, pkg] of [['iptables', 'iptables'], ['ethtool', 'ethtool'], ['python3', 'python3'], ['tc', 'iproute2']]) {
    try {
      execFileSync('sh', ['-c', `command -v ${cmd as string} || test -x /usr/sbin/${cmd as string}`], { stdio: 'ignore' })
    } catch {
      return required(`needs ${cmd as string} (apt-get install ${pkg as string}; bootstrap/test.sh does it)`)
    }
  }
  if (LIBFAKETIME == null) return required('needs libfaketime (apt-get install faketime)')
  return undefined
}

/** Runs a command inside one of the test's namespaces; throws with its stderr. */
export async function nsExec (ns: string, cmd: string, ...args: string[]): Promise<string> {
  return await new Promise((resolve, reject) => {
    execFile('ip', ['netns', 'exec', ns, cmd, ...args], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err != null) reject(new Error(`${cmd} ${args.join(' ')} in ${ns} failed: ${stderr.trim() || err.message}`))
      else resolve(stdout)
    })
  })
}

export interface Impairment {
  delayMs?: number
  jitterMs?: number
  /** Probabilities, 0..1, per frame. */
  loss?: number
  dup?: number
  reorder?: number
  corrupt?: number
  /** Loss of multicast frames only (mDNS). */
  mcastLoss?: number
}

export interface SwitchCounters { in: number, inBytes: number, mcastBytes: number, out: number, dropped: number, mcastDropped: number, duplicated: number, reordered: number, corrupted: number, cut: number }

/**
 * The faulty switch of a LAN made with `{ faulty: true }`: a userspace
 * learning switch (test/fixtures/impair.py) in the LAN's bridge namespace
 * that delays, jitters, reorders, duplicates, corrupts and drops frames as
 * told (this kernel has no netem), and splits the LAN into groups.
 */
export class FaultySwitch {
  private constructor (private readonly child: ReturnType<typeof spawn>, private readonly lines: string[], private readonly out: () => string, private readonly exited: Promise<void>) {}

  static async start (lan: Lan): Promise<FaultySwitch> {
    const child = spawn('ip', ['netns', 'exec', lan.bridgeNs, 'python3', SWITCH, ...lan.hosts.map(h => h.port)], { stdio: ['pipe', 'pipe', 'pipe'] })
    const unregister = onCleanup(() => { if (child.exitCode == null) child.kill('SIGKILL') })
    let out = ''
    let err = ''
    const lines: string[] = []
    child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
    const exited = new Promise<void>(resolve => child.once('exit', () => { unregister(); resolve() }))
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (d: Buffer) => {
        err += d.toString()
        for (const l of d.toString().split('\n')) if (l.trim() !== '') lines.push(l.trim())
        if (err.includes('ready')) resolve()
      })
      child.once('exit', (code) => { reject(new Error(`the faulty switch exited (${String(code)}): ${err}`)) })
    })
    const sw = new FaultySwitch(child, lines, () => out, exited)
    lan.faulty = { partition: async (groups) => { await sw.send({ groups }) } }
    return sw
  }

  private async send (v: unknown): Promise<void> {
    const acks = this.lines.filter(l => l === 'ok').length
    this.child.stdin?.write(JSON.stringify(v) + '\n')
    const deadline = Date.now() + 5_000
    while (this.lines.filter(l => l === 'ok').length <= acks) {
      if (Date.now() > deadline) throw new Error('the faulty switch did not take the setting')
      await new Promise(resolve => setTimeout(resolve, 5))
    }
  }

  /** Replaces the named settings (the others stay). */
  async set (i: Impairment): Promise<void> { await this.send(i) }

  /** Every fault off. */
  async clear (): Promise<void> { await this.send({ delayMs: 0, jitterMs: 0, loss: 0, dup: 0, reorder: 0, corrupt: 0, mcastLoss: 0, groups: [] }) }

  async stop (): Promise<SwitchCounters> {
    this.child.kill('SIGTERM')
    await this.exited
    return JSON.parse(this.out().trim().split('\n').pop() ?? '{}') as SwitchCounters
  }
}

/** Random loss of a share of a host's packets, both ways (iptables' statistic match, inside its namespace); `multicast` only: mDNS alone. */
export async function hostLoss (host: Host, probability: number, options: { multicast?: boolean } = {}): Promise<void> {
  const match = options.multicast === true ? ['-d', '224.0.0.0/4'] : []
  await nsExec(host.ns, 'iptables', '-A', 'INPUT', ...(options.multicast === true ? ['-m', 'pkttype', '--pkt-type', 'multicast'] : []), '-m', 'statistic', '--mode', 'random', '--probability', String(probability), '-j', 'DROP')
  await nsExec(host.ns, 'iptables', '-A', 'OUTPUT', ...match, '-m', 'statistic', '--mode', 'random', '--probability', String(probability), '-j', 'DROP')
}

/** A rate limit on a host's link (tc tbf on its eth0). */
export async function hostRate (host: Host, kbit: number): Promise<void> {
  await nsExec(host.ns, 'tc', 'qdisc', 'replace', 'dev', 'eth0', 'root', 'tbf', 'rate', `${kbit}kbit`, 'burst', '32kbit', 'latency', '400ms')
}

/** Removes a host's iptables rules and qdisc. */
export async function clearHost (host: Host): Promise<void> {
  await nsExec(host.ns, 'iptables', '-F')
  await nsExec(host.ns, 'tc', 'qdisc', 'del', 'dev', 'eth0', 'root').catch(() => {})
}
