/**
 * Builds the golden bundle vectors of protocols/membership/vectors/bundles.json:
 * small meshes written by devices that sign whatever they are told (no
 * admission of their own), packed into bundles byte by byte as the bus spec
 * (section 6) lays them out, each with the trust anchor to check it against
 * and the verdict every implementation must reach. Run after a build:
 * `npm run vectors -w @smesh/membership`. Signatures are hedged ML-DSA-65, so
 * a new run makes other bytes with the same verdicts.
 */
import { writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { ml_dsa65 as mlDsa65 } from '@noble/post-quantum/ml-dsa.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { BUNDLE_MAGIC, BUNDLE_VERSION, BUS_BUNDLE_CONTEXT, BundleManifest, ForkProof, IdentityBinding } from '@smesh/protocols'
import { createSigner, decodeEntry, signEntry } from '@smesh/bus'
import { createBinding, encodeBinding } from '@smesh/identity'
import * as lp from 'it-length-prefixed'
import { MEMBER_KINDS } from '../../src/kinds.js'
import { POLICY_GRACE_MS } from '../../src/policy.js'
import { body, makeDevice, rogueBus } from '../fixtures.js'
import type { Device } from '../fixtures.js'
import type { Bus, BusEntry } from '@smesh/bus'

export interface BundleVector {
  name: string
  /** The trust anchor the verifier names; null: checked without one. */
  anchor: { mesh: string, root: string, exporter?: string } | null
  /** The bundle file, base64. */
  bundle: string
  /** ok, or the reason of the first failure. */
  verdict: string
  /** For valid bundles: how many admitted devices have no chain in it. */
  absent?: number
}

const MESH = '5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e'
const T = Date.UTC(2026, 10, 1)

/** Chains written at a fixed pace of time: every device's clock starts at T and moves 10 ms per entry. */
class World {
  now = T
  readonly clock = (): number => this.now
  readonly buses = new Map<string, Bus>()

  async bus (d: Device): Promise<Bus> {
    let b = this.buses.get(d.author)
    if (b == null) {
      b = await rogueBus(d, this.clock)
      this.buses.set(d.author, b)
    }
    return b
  }

  async write (d: Device, kind: string, v: unknown): Promise<BusEntry> {
    this.now += 10
    return await (await this.bus(d)).append(kind, typeof v === 'string' ? new TextEncoder().encode(v) : body(v))
  }

  async chain (d: Device): Promise<BusEntry[]> {
    const b = await this.bus(d)
    const out: BusEntry[] = []
    for await (const raws of b.store.chain(d.author, b.head(d.author)?.seq ?? 0n)) {
      for (const raw of raws) out.push(decodeEntry(raw))
    }
    return out
  }

  async close (): Promise<void> { await Promise.all([...this.buses.values()].map(async b => { await b.close() })) }
}

const lease = (d: Device, name: string, scopes: string[], issuedAt: number, ms = 30 * 86_400_000): Record<string, unknown> =>
  ({ device: d.author, peerId: d.peerId, name, scopes, issuedAt, expiresAt: issuedAt + ms, renew: true, leaseMs: ms })

/** The bundle's bytes: magic, manifest (signed by `by`), chains, nothing else; `tweak` may change the manifest before it is signed. */
async function pack (chains: BusEntry[][], by: Device, opts: { createdAt?: number, binding?: Uint8Array, tweak?: (m: BundleManifest) => void, trailing?: Uint8Array } = {}): Promise<string> {
  const heads = chains.filter(c => c.length > 0).map(c => c[c.length - 1] as BusEntry)
  const m: BundleManifest = {
    version: BUNDLE_VERSION,
    mesh: MESH,
    createdAt: BigInt(opts.createdAt ?? T + 3_600_000),
    exporterBinding: (opts.binding ?? by.binding) as Uint8Array<ArrayBuffer>,
    heads: heads.map(h => ({ author: h.entry.author as Uint8Array<ArrayBuffer>, seq: h.seq, hash: Buffer.from(h.hashHex, 'hex') as unknown as Uint8Array<ArrayBuffer> })),
    entryCount: heads.reduce((n, h) => n + h.seq, 0n),
    evidenceCount: 0n,
    evidence: [],
    signature: new Uint8Array(0) as Uint8Array<ArrayBuffer>
  }
  opts.tweak?.(m)
  m.signature = await createSigner(by.seed).sign(BundleManifest.encode({ ...m, signature: new Uint8Array(0) as Uint8Array<ArrayBuffer> }), new TextEncoder().encode(BUS_BUNDLE_CONTEXT)) as Uint8Array<ArrayBuffer>
  const parts: Uint8Array[] = [BUNDLE_MAGIC, lp.encode.single(BundleManifest.encode(m)).subarray()]
  for (const c of chains) for (const e of c) parts.push(lp.encode.single(e.bytes).subarray())
  if (opts.trailing != null) parts.push(opts.trailing)
  return Buffer.concat(parts).toString('base64')
}

/** A binding of `d`'s ML-DSA key to a libp2p key of another type (one key type is allowed: Ed25519). */
async function secpBinding (d: Device): Promise<Uint8Array> {
  const pq = mlDsa65.keygen(d.seed)
  return encodeBinding(await createBinding(await generateKeyPair('secp256k1'), pq))
}

export async function buildBundleVectors (): Promise<BundleVector[]> {
  const w = new World()
  const [root, laptop, phone, reader, stranger] = await Promise.all([makeDevice(), makeDevice(), makeDevice(), makeDevice(), makeDevice()])
  const anchor = { mesh: MESH, root: root.author }
  try {
    await w.write(root, MEMBER_KINDS.admit, lease(laptop, 'laptop', ['read', 'write', 'task.submit', 'admin'], w.now))
    await w.write(root, MEMBER_KINDS.admit, lease(phone, 'phone', ['read', 'write'], w.now))
    await w.write(laptop, MEMBER_KINDS.admit, lease(reader, 'reader', ['read'], w.now))
    for (let i = 0; i < 6; i++) await w.write(laptop, 'memory.put', { key: `notes/${i}`, value: i })
    await w.write(phone, 'memory.put', { key: 'phone/1', value: 'hello' })
    const good = [await w.chain(root), await w.chain(laptop), await w.chain(phone)]
    const [rootC, laptopC, phoneC] = good as [BusEntry[], BusEntry[], BusEntry[]]
    const out: BundleVector[] = []
    const add = async (name: string, verdict: string, bundle: Promise<string> | string, a: BundleVector['anchor'] = anchor, absent?: number): Promise<void> => {
      out.push({ name, anchor: a, bundle: await bundle, verdict, ...(absent != null ? { absent } : {}) })
    }
    await add('a whole mesh, exported by a member', 'ok', pack(good, laptop), anchor, 1)
    await add('the same bundle checked with the exporter named', 'ok', pack(good, laptop), { ...anchor, exporter: laptop.author }, 1)
    await add('the same bundle, another exporter named', 'exporter', pack(good, laptop), { ...anchor, exporter: phone.author })
    await add('checked with no trust anchor: consistent, proving nothing of its mesh', 'ok', pack(good, stranger), null)
    await add('the last five entries of a chain dropped, the manifest re-signed by a key never in the mesh', 'exporter', pack([rootC, laptopC.slice(0, -5), phoneC], stranger))
    await add('a whole chain left out, the manifest re-signed by a key never in the mesh', 'exporter', pack([rootC, laptopC], stranger))
    await add('a whole chain left out by a member: valid, the device is reported absent', 'ok', pack([rootC, laptopC], laptop), anchor, 2)
    await add('the last entry cut off under the original signature', 'truncated', (async () => {
      const b = Buffer.from(await pack(good, laptop), 'base64')
      const cut = lp.encode.single((phoneC[phoneC.length - 1] as BusEntry).bytes).byteLength
      return b.subarray(0, b.byteLength - cut).toString('base64')
    })())
    await add('the wrong root key named', 'not-member', pack(good, laptop), { mesh: MESH, root: stranger.author })
    await add('the wrong mesh named', 'mesh', pack(good, laptop), { mesh: 'ab'.repeat(16), root: root.author })
    await add('a manifest head of seq 0 and an empty chain', 'manifest', pack(good, laptop, { tweak: m => { m.heads.push({ author: Buffer.from(stranger.author, 'hex') as unknown as Uint8Array<ArrayBuffer>, seq: 0n, hash: new Uint8Array(32) as Uint8Array<ArrayBuffer> }) } }))
    await add('an exporter binding in a non-canonical encoding (a field written twice)', 'manifest', (async () => {
      const b = IdentityBinding.decode(laptop.binding)
      const extra = IdentityBinding.encode({ ...b, peerPublicKey: new Uint8Array(0), pqPublicKey: new Uint8Array(0), peerSignature: new Uint8Array(0), pqSignature: new Uint8Array(0), version: 1 })
      return await pack(good, laptop, { binding: new Uint8Array([...laptop.binding, ...extra]) })
    })())
    await add('an exporter binding of a secp256k1 libp2p key', 'manifest', (async () => await pack(good, laptop, { binding: await secpBinding(laptop) }))())
    await add('data after the last record', 'trailing', pack(good, laptop, { trailing: new Uint8Array([1, 0]) }))
    await add('not a bundle (the magic changed)', 'magic', (async () => {
      const b = Buffer.from(await pack(good, laptop), 'base64')
      b[7] = 0x32
      return b.toString('base64')
    })())
    await add('a manifest of version 2, validly signed', 'version', pack(good, laptop, { tweak: m => { m.version = 2 } }))
    await add('a manifest naming another head than the chain ends in', 'head', pack(good, laptop, { tweak: m => { (m.heads[1] as { hash: Uint8Array }).hash = Buffer.from((laptopC[3] as BusEntry).hashHex, 'hex') } }))
    await add('a fork proof that proves nothing (one entry twice)', 'evidence', (async () => {
      const proof = ForkProof.encode({ entryA: (phoneC[0] as BusEntry).bytes as Uint8Array<ArrayBuffer>, entryB: (phoneC[0] as BusEntry).bytes as Uint8Array<ArrayBuffer> })
      return await pack(good, laptop, { tweak: m => { m.evidenceCount = 1n; m.evidence = [sha256(proof) as Uint8Array<ArrayBuffer>] }, trailing: lp.encode.single(proof).subarray() })
    })())
    await add('an entry that links to no entry of its chain', 'link', (async () => {
      const first = phoneC[0] as BusEntry
      const stray = await signEntry(createSigner(phone.seed), first.entry.author, { kind: 'memory.put', body: body({ key: 'phone/2', value: 2 }), hlc: { ms: first.hlc.ms + 1n, counter: 0 }, seq: 2n, prev: new Uint8Array(32).fill(7), binding: phone.binding })
      return await pack([rootC, laptopC, [first, stray]], laptop)
    })())
    await add('a forged signature (one byte of a signed body changed)', 'signature', (async () => {
      const b = Buffer.from(await pack(good, laptop), 'base64')
      const at = b.indexOf(Buffer.from('"notes/3"'))
      b[at + 7] = '4'.charCodeAt(0)
      return b.toString('base64')
    })())

    // faults in what the chains say, each in a mesh of its own
    const scenario = async (name: string, verdict: string, make: (w: World, r: Device) => Promise<{ chains: BusEntry[][], by: Device, createdAt?: number }>): Promise<void> => {
      const sw = new World()
      const r = await makeDevice()
      try {
        const { chains, by, createdAt } = await make(sw, r)
        await add(name, verdict, pack(chains, by, { createdAt }), { mesh: MESH, root: r.author })
      } finally {
        await sw.close()
      }
    }
    await scenario('a stranger that admits itself', 'not-member', async (sw, r) => {
      const s = await makeDevice()
      await sw.write(r, 'memory.put', { key: 'root/1', value: 1 })
      await sw.write(s, MEMBER_KINDS.admit, lease(s, 'me', ['read', 'write', 'admin'], sw.now))
      await sw.write(s, 'memory.put', { key: 'mine', value: 1 })
      return { chains: [await sw.chain(r), await sw.chain(s)], by: r }
    })
    await scenario('an entry after the revocation\'s cut-off', 'revoked', async (sw, r) => {
      const d = await makeDevice()
      await sw.write(r, MEMBER_KINDS.admit, lease(d, 'd', ['read', 'write'], sw.now))
      await sw.write(d, 'memory.put', { key: 'a', value: 1 })
      await sw.write(r, MEMBER_KINDS.revoke, { device: d.author, peerId: d.peerId, cutoffSeq: '1' })
      await sw.write(d, 'memory.put', { key: 'b', value: 2 })
      return { chains: [await sw.chain(r), await sw.chain(d)], by: r }
    })
    await scenario('a read-only device writes memory', 'scope', async (sw, r) => {
      const d = await makeDevice()
      await sw.write(r, MEMBER_KINDS.admit, lease(d, 'd', ['read'], sw.now))
      await sw.write(d, 'memory.put', { key: 'a', value: 1 })
      return { chains: [await sw.chain(r), await sw.chain(d)], by: r }
    })
    await scenario('an entry dated after its author\'s lease expired', 'expired', async (sw, r) => {
      const d = await makeDevice()
      await sw.write(r, MEMBER_KINDS.admit, lease(d, 'd', ['read', 'write'], sw.now, 1_000))
      sw.now += 5_000
      await sw.write(d, 'memory.put', { key: 'a', value: 1 })
      return { chains: [await sw.chain(r), await sw.chain(d)], by: r }
    })
    await scenario('an entry the policy in force blocked', 'policy', async (sw, r) => {
      const d = await makeDevice()
      await sw.write(r, MEMBER_KINDS.admit, lease(d, 'd', ['read', 'write'], sw.now))
      await sw.write(r, MEMBER_KINDS.policySet, { rules: [{ action: 'memory.write', subject: 'secrets/*', effect: 'block' }] })
      sw.now += POLICY_GRACE_MS
      await sw.write(d, 'memory.put', { key: 'secrets/x', value: 'bypass' })
      return { chains: [await sw.chain(r), await sw.chain(d)], by: r }
    })
    await scenario('an entry citing an approval the bundle does not hold', 'policy', async (sw, r) => {
      const d = await makeDevice()
      await sw.write(r, MEMBER_KINDS.admit, lease(d, 'd', ['read', 'write'], sw.now))
      await sw.write(r, MEMBER_KINDS.policySet, { rules: [{ action: 'memory.write', subject: 'shared/*', effect: 'ask' }] })
      sw.now += POLICY_GRACE_MS
      await sw.write(d, 'memory.put', { key: 'shared/x', value: 1, approvals: ['00112233445566778899aabbccddeeff'] })
      return { chains: [await sw.chain(r), await sw.chain(d)], by: r }
    })
    await scenario('an approved ask, cited: valid', 'ok', async (sw, r) => {
      const d = await makeDevice()
      const id = '00112233445566778899aabbccddeeff'
      await sw.write(r, MEMBER_KINDS.admit, lease(d, 'd', ['read', 'write'], sw.now))
      await sw.write(r, MEMBER_KINDS.policySet, { rules: [{ action: 'memory.write', subject: 'shared/*', effect: 'ask' }] })
      sw.now += POLICY_GRACE_MS
      await sw.write(d, MEMBER_KINDS.policyAsk, { action: 'memory.write', subject: 'shared/x', device: d.author, id, expiresAt: sw.now + 600_000 })
      await sw.write(r, MEMBER_KINDS.policyApprove, { id, approved: true })
      await sw.write(d, 'memory.put', { key: 'shared/x', value: 1, approvals: [id] })
      return { chains: [await sw.chain(r), await sw.chain(d)], by: d }
    })
    await scenario('exported by a device revoked before the export', 'exporter', async (sw, r) => {
      const d = await makeDevice()
      await sw.write(r, MEMBER_KINDS.admit, lease(d, 'd', ['read', 'write'], sw.now))
      await sw.write(r, MEMBER_KINDS.revoke, { device: d.author, peerId: d.peerId, cutoffSeq: '0' })
      return { chains: [await sw.chain(r)], by: d, createdAt: sw.now + 1_000 }
    })
    await scenario('an author\'s clock going back along its chain', 'hlc', async (sw, r) => {
      await sw.write(r, 'memory.put', { key: 'a', value: 1 })
      // a node's own clock never goes back: the second entry is signed by hand, dated before the first
      const first = (await sw.chain(r))[0] as BusEntry
      const back = await signEntry(createSigner(r.seed), first.entry.author, { kind: 'memory.put', body: body({ key: 'b', value: 2 }), hlc: { ms: first.hlc.ms - 1n, counter: 0 }, seq: 2n, prev: first.hash, binding: r.binding })
      return { chains: [[first, back]], by: r }
    })
    return out
  } finally {
    await w.close()
  }
}

export function renderBundleVectors (vectors: BundleVector[]): string {
  return JSON.stringify({
    description: 'Bundles (protocols/bus/SPEC.md section 6) with the trust anchor to check them against (the mesh id and the root admin key, and an expected exporter where given; null: no anchor) and the verdict: ok, or the reason of the first failure. absent: admitted devices with no chain in a valid bundle. Keys and signatures come from random seeds; a new run of the generator makes other bytes with the same verdicts.',
    vectors
  }, null, 2) + '\n'
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = new URL('../../../../../protocols/membership/vectors/bundles.json', import.meta.url)
  await writeFile(target, renderBundleVectors(await buildBundleVectors()))
  process.stdout.write(`wrote ${fileURLToPath(target)}\n`)
}
