import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'node:test'

const RUN = fileURLToPath(new URL('../../independent/run.mjs', import.meta.url))

/**
 * test/independent/ is a second verifier written from the specs alone
 * (protocols/bus/SPEC.md, protocols/membership/SPEC.md and the .proto files,
 * without reading smesh's code): its own protobuf, framing, base58, glob and
 * policy code, with the noble ML-DSA and Ed25519. It must reach the verdict
 * of every golden vector (bundles, policy verdicts, entries).
 */
describe('an implementation written from the specs alone agrees with every golden vector', () => {
  it('bundles, governance verdicts and entries: no disagreement', async (t) => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [RUN], { timeout: 120_000 }, (err, stdout, stderr) => {
        if (err != null && stdout === '') reject(new Error(`${err.message}\n${stderr}`))
        else resolve(stdout)
      })
    })
    const r = JSON.parse(out) as Record<string, { total: number, agree: number, disagree: unknown[] }>
    for (const [set, v] of Object.entries(r)) {
      t.diagnostic(`${set}: ${v.agree}/${v.total} agree`)
      assert.deepEqual(v.disagree, [], set)
      assert.ok(v.total > 0 && v.agree === v.total, set)
    }
    assert.deepEqual(Object.keys(r).sort(), ['bundles', 'entries', 'policy'])
  })
})
