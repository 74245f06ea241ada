import assert from 'node:assert/strict'
import { required } from './harness/exec.js'
import { createHash } from 'node:crypto'
import { chmod, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { spawnSync } from 'node:child_process'
import { before, describe, it } from 'node:test'
import { SMESH_BIN, SmeshProcess, cleanEnv, runCli } from './harness/smesh-process.js'
import { tempDir } from './harness/tmp.js'

const BASE = ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0']

/** Every file under `dir` with its mode and SHA-256: a before/after picture. */
async function snapshot (dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      if (e.isDirectory()) {
        await walk(p)
      } else if (e.isFile()) {
        const mode = ((await stat(p)).mode & 0o777).toString(8)
        out[relative(dir, p)] = `${mode} ${createHash('sha256').update(await readFile(p)).digest('hex')}`
      }
    }
  }
  await walk(dir)
  return out
}

async function startFails (dataDir: string, extra: string[] = [], env?: NodeJS.ProcessEnv): Promise<{ code: number | null, stderr: string }> {
  const r = await runCli(['start', '--data-dir', dataDir, ...BASE, ...extra], { env: cleanEnv(env), timeoutMs: 20_000 })
  assert.notEqual(r.code, 0, `start should fail; stdout: ${r.stdout}`)
  assert.doesNotMatch(r.stdout, /started/)
  return { code: r.code, stderr: r.stderr }
}

describe('start-up errors: clear messages, nothing overwritten', { timeout: 120_000 }, () => {
  describe('bad configuration', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['not JSON', '{"listen": [', /config file .*config\.json is not valid JSON/],
      ['a bad multiaddr', '{"listen": ["tcp://0.0.0.0:7370"]}', /config file .*config\.json: field "listen\[0\]": must be a multiaddr/],
      ['a wrong type', '{"mdns": "sometimes"}', /field "mdns": .*boolean/i],
      ['an unknown field', '{"lisen": ["/ip4/0.0.0.0/tcp/7370"]}', /unknown field "lisen"/],
      ['a port out of range', '{"apiPort": 70000}', /field "apiPort": .*65535/],
      ['a bad log level', '{"logLevel": "loud"}', /field "logLevel": /],
      ['the retired "mesh" field (a mesh comes from smesh init or join now)', '{"mesh": "home"}', /unknown field "mesh"/]
    ]
    for (const [what, text, message] of cases) {
      it(`config.json with ${what} stops the node and names the problem`, async () => {
        const dir = tempDir()
        await writeFile(join(dir, 'config.json'), text)
        const before = await snapshot(dir)
        const { code, stderr } = await startFails(dir)
        assert.equal(code, 78)
        assert.match(stderr, message)
        assert.match(stderr, /^hint: /m)
        assert.deepEqual(await snapshot(dir), before, 'nothing in the data dir changed (no identity was created)')
      })
    }

    it('a data dir of no mesh is refused with what to do (init or join), and nothing is created in it', async () => {
      const dir = tempDir()
      const before = await snapshot(dir)
      const { code, stderr } = await startFails(dir)
      assert.equal(code, 78)
      assert.match(stderr, /belongs to no mesh yet/)
      assert.match(stderr, /hint: create a mesh with: smesh init .* or join one .*smesh join TOKEN/)
      assert.deepEqual(await snapshot(dir), before, 'no identity, no store, no log')
    })

    it('a bad environment variable or flag is named', async () => {
      const dir = tempDir()
      let r = await startFails(dir, [], { SMESH_API_PORT: 'eighty' })
      assert.equal(r.code, 78)
      assert.match(r.stderr, /environment: SMESH_API_PORT: /)
      r = await startFails(dir, [], { SMESH_LISTEN: '/ip4/127.0.0.1/tcp/0,nonsense' })
      assert.match(r.stderr, /SMESH_LISTEN \(\[1\]\): must be a multiaddr/)
      r = await startFails(dir, ['--peer', 'localhost:7370'])
      assert.match(r.stderr, /command line: --peer \(value \[0\]\): must be a multiaddr/)
      r = await startFails(dir, ['--max-mdns-peers', '0'])
      assert.match(r.stderr, /--max-mdns-peers: /)
    })

    it('flags win over the environment, which wins over config.json', async () => {
      const dir = tempDir()
      await writeFile(join(dir, 'config.json'), JSON.stringify({ name: 'from-file', logLevel: 'warn', mdns: false, listen: ['/ip4/127.0.0.1/tcp/0'] }))
      const p = await SmeshProcess.start({ dataDir: dir, name: 'from-flag', env: cleanEnv({ SMESH_NAME: 'from-env', SMESH_LOG_LEVEL: 'info' }) })
      try {
        const s = await p.status()
        assert.equal(s.name, 'from-flag')
        // SMESH_LOG_LEVEL=info wins over "warn" in config.json: the info line is logged
        assert.match(await readFile(join(dir, 'logs', 'smesh.log'), 'utf8'), /"event":"node:start"/)
        assert.equal(s.mdns, false)
      } finally {
        await p.stop()
      }
    })

    it('a bootstrap file with a bad line names the file and line', async () => {
      const dir = tempDir()
      const list = join(dir, 'peers.txt')
      await writeFile(list, '# home server\n/ip4/127.0.0.1/tcp/7370\n\nnot-an-address\n')
      const r = await startFails(dir, ['--bootstrap', list])
      assert.match(r.stderr, /bootstrap file .*peers\.txt, line 4: "not-an-address" must be a multiaddr/)
    })
  })

  describe('unwritable data dir', () => {
    it('a data dir below a regular file', async () => {
      const dir = tempDir()
      await writeFile(join(dir, 'file'), 'x')
      const r = await startFails(join(dir, 'file', 'data'))
      assert.match(r.stderr, /data directory .*file\/data cannot be created \(ENOTDIR\)/)
      assert.match(r.stderr, /hint: choose a writable directory with --data-dir/)
      assert.equal(await readFile(join(dir, 'file'), 'utf8'), 'x')
    })

    const unshare = spawnSync('unshare', ['--mount', '--propagation', 'private', 'true']).status === 0
    it('a data dir on a read-only file system', { skip: required(unshare ? undefined : 'needs root and unshare(1) for a private read-only mount') }, async () => {
      const dir = tempDir()
      await mkdir(join(dir, 'ro'))
      // the read-only mount exists only in a private mount namespace of this one command
      const script = `mount -t tmpfs -o ro,size=1m tmpfs "$1" && exec "$2" start --data-dir "$1" ${BASE.join(' ')}`
      const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', join(dir, 'ro'), SMESH_BIN], { encoding: 'utf8', timeout: 20_000, env: cleanEnv() })
      assert.equal(r.status, 1, r.stderr)
      assert.match(r.stderr, /data directory .*ro is not writable \(EROFS\)/)
    })
  })

  describe('key files', () => {
    let template: string
    let peerId: string
    before(async () => {
      template = tempDir()
      const p = await SmeshProcess.start({ dataDir: template, args: BASE })
      peerId = (await p.id()).peerId
      await p.stop()
    })

    async function copyOfIdentity (): Promise<string> {
      const dir = tempDir()
      await mkdir(join(dir, 'identity'), { mode: 0o700 })
      for (const f of ['libp2p.key', 'mldsa65.seed', 'binding.pb']) {
        await writeFile(join(dir, 'identity', f), await readFile(join(template, 'identity', f)), { mode: 0o600 })
      }
      await writeFile(join(dir, 'mesh.json'), await readFile(join(template, 'mesh.json')), { mode: 0o600 })
      return dir
    }

    async function corrupt (file: string, change: (b: Buffer) => Buffer, message: RegExp): Promise<void> {
      const dir = await copyOfIdentity()
      const path = join(dir, 'identity', file)
      await writeFile(path, change(await readFile(path)), { mode: 0o600 })
      const before = await snapshot(dir)
      const r = await startFails(dir)
      assert.equal(r.code, 1)
      assert.match(r.stderr, message)
      assert.match(r.stderr, /hint: restore the identity directory from a backup; the node changed nothing/)
      assert.deepEqual(await snapshot(dir), before, `${file}: nothing overwritten`)
    }

    it('the copied identity itself is good (control)', async () => {
      const dir = await copyOfIdentity()
      const p = await SmeshProcess.start({ dataDir: dir, args: BASE })
      assert.equal((await p.id()).peerId, peerId)
      await p.stop()
    })

    it('a truncated ML-DSA seed', async () => {
      await corrupt('mldsa65.seed', b => b.subarray(0, 31), /mldsa65\.seed is corrupt: 31 bytes, expected a 32-byte ML-DSA-65 seed/)
    })
    it('a changed ML-DSA seed', async () => {
      await corrupt('mldsa65.seed', b => { const c = Buffer.from(b); c[5] = (c[5] ?? 0) ^ 1; return c }, /mldsa65\.seed is corrupt: its ML-DSA-65 public key is not the one in binding\.pb/)
    })
    it('a libp2p key that is not a key', async () => {
      await corrupt('libp2p.key', () => Buffer.from('garbage that is not protobuf'), /libp2p\.key is corrupt/)
    })
    it('a changed libp2p key', async () => {
      await corrupt('libp2p.key', b => { const c = Buffer.from(b); c[10] = (c[10] ?? 0) ^ 0x80; return c }, /libp2p\.key is corrupt/)
    })
    it('a binding with a flipped bit', async () => {
      await corrupt('binding.pb', b => { const c = Buffer.from(b); c[c.length - 100] = (c[c.length - 100] ?? 0) ^ 4; return c }, /binding\.pb is corrupt: .*(signature|does not verify)/)
    })

    it('a key file readable by others stops the node, and its mode is left alone', async () => {
      const dir = await copyOfIdentity()
      await chmod(join(dir, 'identity', 'libp2p.key'), 0o644)
      const before = await snapshot(dir)
      const r = await startFails(dir)
      assert.match(r.stderr, /libp2p\.key has mode 0644, wider than 0600/)
      assert.match(r.stderr, /hint: .*chmod 0600 .*libp2p\.key/)
      assert.deepEqual(await snapshot(dir), before)
    })

    it('an identity directory readable by others stops the node', async () => {
      const dir = await copyOfIdentity()
      await chmod(join(dir, 'identity'), 0o755)
      const before = await snapshot(dir)
      const r = await startFails(dir)
      assert.equal(r.code, 1)
      assert.match(r.stderr, /identity has mode 0755, wider than 0700/)
      assert.deepEqual(await snapshot(dir), before)
    })

    it('an identity path that is a file is named, and left alone', async () => {
      const dir = tempDir()
      await writeFile(join(dir, 'identity'), 'not a directory', { mode: 0o600 })
      await writeFile(join(dir, 'mesh.json'), await readFile(join(template, 'mesh.json')), { mode: 0o600 })
      const before = await snapshot(dir)
      const r = await startFails(dir)
      assert.equal(r.code, 1)
      assert.match(r.stderr, /identity cannot be read \(a path component is not a directory\)/)
      assert.deepEqual(await snapshot(dir), before)
    })

    it('a missing key file is reported, not silently replaced', async () => {
      const dir = await copyOfIdentity()
      await rm(join(dir, 'identity', 'binding.pb'))
      const before = await snapshot(dir)
      const r = await startFails(dir)
      assert.match(r.stderr, /identity in .* is incomplete: missing binding\.pb/)
      assert.deepEqual(await snapshot(dir), before)
    })
  })
})
