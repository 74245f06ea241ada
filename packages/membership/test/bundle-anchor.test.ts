import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { verifyBundleFile } from '@smesh/bus'
import { MeshAnchor } from '../src/anchor.js'
import type { BundleVector } from './vectors/bundles.js'

// the compiled test is packages/membership/dist/test/bundle-anchor.test.js
const { vectors } = JSON.parse(readFileSync(new URL('../../../../protocols/membership/vectors/bundles.json', import.meta.url), 'utf8')) as { vectors: BundleVector[] }

describe('golden bundle vectors (protocols/membership/vectors/bundles.json): a bundle proves what it claims, against the trust anchor the verifier names', () => {
  let dir = ''
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'smesh-bundles-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('hold a valid case and a refusal for every reason the spec names', () => {
    const reasons = new Set(vectors.map(v => v.verdict))
    for (const r of ['ok', 'magic', 'manifest', 'version', 'mesh', 'signature', 'link', 'hlc', 'head', 'truncated', 'evidence', 'trailing', 'not-member', 'revoked', 'expired', 'scope', 'policy', 'exporter']) assert.ok(reasons.has(r), r)
  })

  for (const [i, v] of vectors.entries()) {
    it(`${v.name}: ${v.verdict}`, async () => {
      const file = join(dir, `${i}.bundle`)
      await writeFile(file, Buffer.from(v.bundle, 'base64'))
      const anchor = v.anchor != null ? new MeshAnchor(v.anchor.mesh, v.anchor.root, v.anchor.exporter) : undefined
      const r = await verifyBundleFile(file, { anchor })
      assert.equal(r.ok ? 'ok' : r.firstFailure?.reason, v.verdict, r.firstFailure?.message)
      assert.equal(r.anchored, v.anchor != null)
      if (v.absent != null) assert.equal(r.absent.length, v.absent)
      if (r.ok) {
        assert.ok(r.proven.length >= 2)
        assert.ok(r.unproven.length >= 1, 'a report always says what it cannot prove')
        if (v.anchor == null) assert.match(r.unproven.join('\n'), /anyone can make a bundle/)
        else assert.match(r.proven.join('\n'), /held a lease of the mesh/)
      } else {
        assert.deepEqual([r.proven, r.unproven], [[], []], 'an invalid bundle proves nothing')
      }
    })
  }
})
