import assert from 'node:assert/strict'
import { createPrivateKey, sign as nodeSign } from 'node:crypto'
import { describe, it } from 'node:test'
import { ml_dsa65 as mlDsa65 } from '@noble/post-quantum/ml-dsa.js'
import { mlDsaBackend, mlDsaVerify } from '../src/ml-dsa.js'

const ctx = new TextEncoder().encode('smesh/test/v1')
const msg = new TextEncoder().encode('the bus is identity')
const seed = new Uint8Array(32).map((_, i) => i)
const kp = mlDsa65.keygen(seed)
const native = mlDsaBackend() === 'node'

describe('ML-DSA-65 verification, native and noble', () => {
  it('uses the native backend on Node >= 24', () => {
    const major = Number(process.versions.node.split('.')[0])
    if (major >= 24) assert.equal(mlDsaBackend(), 'node')
  })

  it('both backends accept a noble signature and reject a changed one', () => {
    const sig = mlDsa65.sign(msg, kp.secretKey, { context: ctx })
    for (const use of native ? ['node', 'noble'] as const : ['noble'] as const) {
      assert.equal(mlDsaVerify(kp.publicKey, msg, sig, ctx, use), true, use)
      const bad = new Uint8Array(sig)
      bad[100] = (bad[100] ?? 0) ^ 1
      assert.equal(mlDsaVerify(kp.publicKey, msg, bad, ctx, use), false, `${use}: flipped bit`)
      assert.equal(mlDsaVerify(kp.publicKey, msg, sig, new Uint8Array([1]), use), false, `${use}: other context`)
      assert.equal(mlDsaVerify(kp.publicKey, msg, sig.subarray(0, 10), ctx, use), false, `${use}: short signature`)
      assert.equal(mlDsaVerify(kp.publicKey.subarray(1), msg, sig, ctx, use), false, `${use}: short key`)
    }
  })

  it('noble accepts a signature made by Node from the same seed, and the reverse', { skip: native ? undefined : 'Node has no native ML-DSA here' }, () => {
    const priv = createPrivateKey({ key: Buffer.from(seed), format: 'raw-seed', asymmetricKeyType: 'ml-dsa-65' } as any)
    const nsig = nodeSign(null, msg, { key: priv, context: ctx } as any)
    assert.equal(mlDsaVerify(kp.publicKey, msg, nsig, ctx, 'noble'), true)
    assert.equal(mlDsaVerify(kp.publicKey, msg, nsig, ctx, 'node'), true)
  })
})
