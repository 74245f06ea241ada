import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ml_dsa65 as mlDsa65 } from '@noble/post-quantum/ml-dsa.js'
import { BINDING_CONTEXT, createBinding, decodeBinding, encodeBinding, loadOrCreateIdentity, verifyBinding } from '../src/index.js'

const dirs: string[] = []
async function tmp (): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'smesh-identity-'))
  dirs.push(d)
  return d
}
after(async () => { await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) })) })

describe('identity', () => {
  it('is created on first load with private modes, and the same on the next', async () => {
    const dir = join(await tmp(), 'data')
    const a = await loadOrCreateIdentity(dir)
    assert.equal(a.created, true)
    assert.equal((await stat(dir)).mode & 0o777, 0o700)
    assert.equal((await stat(join(dir, 'identity'))).mode & 0o777, 0o700)
    for (const f of ['libp2p.key', 'mldsa65.seed', 'binding.pb']) {
      assert.equal((await stat(join(dir, 'identity', f))).mode & 0o777, 0o600, f)
    }
    const b = await loadOrCreateIdentity(dir)
    assert.equal(b.created, false)
    assert.ok(b.peerId.equals(a.peerId))
    assert.deepEqual(b.pq.publicKey, a.pq.publicKey)
    assert.equal(b.pqFingerprint, a.pqFingerprint)
    assert.equal(a.pq.publicKey.byteLength, 1952)
  })

  it('the binding ties the ML-DSA key to the PeerId and the reverse', async () => {
    const dir = await tmp()
    const id = await loadOrCreateIdentity(dir)
    const bound = await verifyBinding(decodeBinding(await readFile(join(dir, 'identity', 'binding.pb'))))
    assert.ok(bound.equals(id.peerId))
    assert.deepEqual(id.binding.pqPublicKey, id.pq.publicKey)
    // a signature by the ML-DSA key can be checked against the key in the binding
    const msg = new TextEncoder().encode('a bus entry')
    const sig = mlDsa65.sign(msg, id.pq.secretKey)
    assert.ok(mlDsa65.verify(sig, msg, id.binding.pqPublicKey))
  })

  it('rejects a binding whose ML-DSA key was swapped for another', async () => {
    const peerKey = await generateKeyPair('Ed25519')
    const pq = mlDsa65.keygen(new Uint8Array(32).fill(1))
    const other = mlDsa65.keygen(new Uint8Array(32).fill(2))
    const binding = await createBinding(peerKey, pq, 1_700_000_000_000)
    assert.ok((await verifyBinding(binding)).equals(peerIdFromPrivateKey(peerKey)))
    await assert.rejects(verifyBinding({ ...binding, pqPublicKey: other.publicKey }), { name: 'InvalidBindingError' })
  })

  it('rejects a binding re-signed by another libp2p key', async () => {
    const pq = mlDsa65.keygen(new Uint8Array(32).fill(3))
    const a = await createBinding(await generateKeyPair('Ed25519'), pq)
    const b = await createBinding(await generateKeyPair('Ed25519'), pq)
    await assert.rejects(verifyBinding({ ...a, peerSignature: b.peerSignature }), /libp2p key signature of the binding does not verify/)
    await assert.rejects(verifyBinding({ ...a, pqSignature: new Uint8Array(10) }), /ML-DSA-65 signature of the binding does not verify/)
    // a libp2p signature of any length but 64 is a refused binding, not a TypeError from the library (found by the fuzzer)
    for (const n of [0, 63, 65, 128]) {
      await assert.rejects(verifyBinding({ ...a, peerSignature: new Uint8Array(n) }), { name: 'InvalidBindingError', message: new RegExp(`is ${n} bytes, not the 64 of an Ed25519 signature`) })
    }
  })

  it('uses ML-DSA context separation: a signature without the context does not verify as a binding', async () => {
    const peerKey = await generateKeyPair('Ed25519')
    const pq = mlDsa65.keygen(new Uint8Array(32).fill(4))
    const binding = await createBinding(peerKey, pq)
    const { bindingSignable } = await import('../src/binding.js')
    const plain = mlDsa65.sign(bindingSignable(binding), pq.secretKey)
    await assert.rejects(verifyBinding({ ...binding, pqSignature: plain }), /ML-DSA-65 signature/)
    assert.equal(BINDING_CONTEXT, 'smesh/identity/binding/v1')
  })

  it('rejects unknown versions and algorithms with a typed error', async () => {
    const binding = await createBinding(await generateKeyPair('Ed25519'), mlDsa65.keygen(new Uint8Array(32).fill(5)))
    await assert.rejects(verifyBinding({ ...binding, version: 2 }), /unknown binding version 2/)
    await assert.rejects(verifyBinding({ ...binding, pqAlgorithm: 9 }), /unknown post-quantum algorithm 9/)
    assert.throws(() => decodeBinding(new Uint8Array(9000)), /exceeds the 8192 byte limit/)
    const round = decodeBinding(encodeBinding(binding))
    assert.deepEqual(round.pqPublicKey, binding.pqPublicKey)
  })

  it('creation is atomic: leftovers of a crashed creation are cleared, never read', async () => {
    const dir = await tmp()
    const { mkdir, writeFile, readdir } = await import('node:fs/promises')
    await mkdir(join(dir, 'identity.tmp-deadbeef'), { mode: 0o700 })
    await writeFile(join(dir, 'identity.tmp-deadbeef', 'libp2p.key'), 'half-written')
    await loadOrCreateIdentity(dir)
    assert.deepEqual((await readdir(dir)).filter(n => n.startsWith('identity')), ['identity'])
  })
})
