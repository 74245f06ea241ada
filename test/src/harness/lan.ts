import { execFile, execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { isAlive } from '@smesh/node'
import { onCleanup } from './cleanup.js'
import { ip, ipSync } from './exec.js'

/** Every namespace this harness makes is named `smt-<pid>-<random>-...`. */
const PREFIX = 'smt'
const SUBNET = '10.213.7'

export interface Host {
  index: number
  /** Network namespace name. */
  ns: string
  /** The host's address on the LAN. */
  ip: string
  /** Name of the bridge-side veth end (in the bridge namespace). */
  port: string
}


/**
 * Removes namespaces left by an earlier harness process that no longer
 * exists (a run killed with SIGKILL cannot clean up after itself).
 */
export async function removeOrphans (): Promise<string[]> {
  const removed: string[] = []
  for (const line of (await ip('netns', 'list')).split('\n')) {
    const name = line.split(' ')[0] ?? ''
    const m = new RegExp(`^${PREFIX}-(\\d+)-`).exec(name)
    if (m == null || isAlive(Number(m[1]))) continue
    killNamespaceProcesses(name)
    ipSync('netns', 'del', name)
    removed.push(name)
  }
  return removed
}

function killNamespaceProcesses (ns: string): void {
  // processes inside a namespace this harness made were started by it
  try {
    const out = execFileSyncText('ip', ['netns', 'pids', ns])
    for (const pid of out.split('\n').map(Number).filter(n => n > 0)) {
      try { process.kill(pid, 'SIGKILL') } catch { /* already gone */ }
    }
  } catch { /* namespace already gone */ }
}

async function offloadsOff (ns: string, dev: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    execFile('ip', ['netns', 'exec', ns, 'ethtool', '-K', dev, 'tx', 'off', 'rx', 'off', 'tso', 'off', 'gso', 'off', 'gro', 'off'], { timeout: 10_000 }, (err, _out, stderr) => {
      if (err != null) reject(new Error(`ethtool -K ${dev} in ${ns} failed: ${stderr.trim() || err.message}`))
      else resolve()
    })
  })
}

function execFileSyncText (cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', timeout: 10_000 })
}

/**
 * A private LAN inside this machine: one namespace holding a bridge, and N
 * host namespaces each joined to it by a veth pair, with its own address and
 * a multicast route, so mDNS works between hosts and never leaves the LAN.
 * `destroy()` removes everything; it also runs on exit and on signals.
 */
export class Lan {
  readonly id: string
  readonly bridgeNs: string
  readonly hosts: Host[] = []
  private destroyed = false
  private split = false
  private unregister?: () => void
  /** With a faulty switch (harness/faults.ts) in place of the kernel bridge: the ports are its, and its offloads are off. */
  faulty?: { partition: (groups: number[][]) => Promise<void> }

  private constructor (private readonly options: { faulty?: boolean } = {}) {
    this.id = `${PREFIX}-${process.pid}-${randomBytes(3).toString('hex')}`
    this.bridgeNs = `${this.id}-br`
  }

  /** `faulty`: the ports are left for a faulty switch (startFaultySwitch) instead of the kernel bridge. */
  static async create (hostCount: number, options: { faulty?: boolean } = {}): Promise<Lan> {
    if (hostCount < 1 || hostCount > 200) throw new RangeError('a LAN has 1 to 200 hosts')
    await removeOrphans()
    const lan = new Lan(options)
    lan.unregister = onCleanup(() => { lan.destroySync() })
    try {
      await lan.build(hostCount)
    } catch (err) {
      await lan.destroy()
      throw err
    }
    return lan
  }

  private async build (hostCount: number): Promise<void> {
    const br = this.bridgeNs
    await ip('netns', 'add', br)
    await ip('-n', br, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0')
    await ip('-n', br, 'link', 'set', 'br0', 'up')
    for (let i = 0; i < hostCount; i++) await this.addHost()
  }

  /** Adds one more host to the LAN. */
  async addHost (): Promise<Host> {
    const index = this.hosts.length
    const ns = `${this.id}-h${index}`
    const port = `v${index}`
    const addr = `${SUBNET}.${index + 10}`
    await ip('netns', 'add', ns)
    const host: Host = { index, ns, ip: addr, port }
    this.hosts.push(host)
    await ip('-n', this.bridgeNs, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns)
    if (this.options.faulty === true) {
      // a userspace switch forwards the frames: every checksum must be real, and no frame larger than the MTU
      await ip('-n', this.bridgeNs, 'link', 'set', port, 'up')
      await offloadsOff(this.bridgeNs, port)
      await offloadsOff(ns, 'eth0')
    } else {
      await ip('-n', this.bridgeNs, 'link', 'set', port, 'master', 'br0', 'up')
    }
    await ip('-n', ns, 'link', 'set', 'lo', 'up')
    await ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0')
    await ip('-n', ns, 'link', 'set', 'eth0', 'up')
    await ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0')
    return host
  }

  /** Cuts a host off silently: its bridge port goes down, no FIN or RST reaches anyone. */
  async cut (host: Host): Promise<void> {
    await ip('-n', this.bridgeNs, 'link', 'set', host.port, 'down')
  }

  async restore (host: Host): Promise<void> {
    await ip('-n', this.bridgeNs, 'link', 'set', host.port, 'up')
  }

  /**
   * Splits the LAN: `hosts` move to a second bridge, so they reach each
   * other but nobody on the first one (no FIN or RST either way). `heal()`
   * joins them again.
   */
  async partition (hosts: Host[]): Promise<void> {
    if (this.faulty != null) {
      const apart = new Set(hosts.map(h => h.index))
      await this.faulty.partition([this.hosts.filter(h => !apart.has(h.index)).map(h => h.index), [...apart]])
      return
    }
    if (!this.split) {
      await ip('-n', this.bridgeNs, 'link', 'add', 'br1', 'type', 'bridge', 'mcast_snooping', '0')
      await ip('-n', this.bridgeNs, 'link', 'set', 'br1', 'up')
      this.split = true
    }
    for (const h of hosts) await ip('-n', this.bridgeNs, 'link', 'set', h.port, 'master', 'br1')
  }

  async heal (): Promise<void> {
    if (this.faulty != null) {
      await this.faulty.partition([])
      return
    }
    for (const h of this.hosts) await ip('-n', this.bridgeNs, 'link', 'set', h.port, 'master', 'br0')
  }

  /** Kills whatever still runs in the namespaces and deletes them all. */
  async destroy (): Promise<void> {
    this.destroySync()
  }

  destroySync (): void {
    if (this.destroyed) return
    this.destroyed = true
    this.unregister?.()
    for (const h of this.hosts) {
      killNamespaceProcesses(h.ns)
      ipSync('netns', 'del', h.ns)
    }
    killNamespaceProcesses(this.bridgeNs)
    ipSync('netns', 'del', this.bridgeNs)
  }
}

/** Namespaces of this process's harness still present (should be none after destroy). */
export async function listOwnNamespaces (): Promise<string[]> {
  return (await ip('netns', 'list')).split('\n').map(l => l.split(' ')[0] ?? '').filter(n => n.startsWith(`${PREFIX}-${process.pid}-`))
}
