import assert from 'node:assert/strict'
import { request } from 'node:http'
import { after, describe, it } from 'node:test'
import { PAGE_CSP, PageServer, listenHosts } from '../src/web/page-server.js'

async function get (port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number, headers: Record<string, unknown>, body: string }> {
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => { body += d.toString() })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body }) })
    })
    req.on('error', reject)
    req.end()
  })
}

describe('the page phones join by', () => {
  const server = new PageServer({ hosts: ['127.0.0.1'], port: 0, wanted: async () => true })
  after(async () => { await server.stop() })

  it('serves the bundled page under a strict Content-Security-Policy, and nothing else', async () => {
    const port = await server.ensure()
    const page = await get(port, '/')
    assert.equal(page.status, 200)
    assert.match(String(page.headers['content-type']), /^text\/html/)
    assert.equal(page.headers['content-security-policy'], PAGE_CSP)
    assert.match(PAGE_CSP, /default-src 'none'/)
    assert.doesNotMatch(PAGE_CSP, /unsafe-inline|'unsafe-eval'|https?:/)
    assert.equal(page.headers['referrer-policy'], 'no-referrer')
    assert.match(page.body, /<script type="module" src="\/app.js">/)
    const js = await get(port, '/app.js')
    assert.equal(js.status, 200)
    assert.ok(js.body.length > 10_000)
    assert.equal((await get(port, '/../../etc/passwd')).status, 404)
    assert.equal((await get(port, '/mesh.json')).status, 404)
    assert.equal((await get(port, '/', {}, 'POST')).status, 405)
  })

  it('answers only under an address of its own, not another site\'s name (DNS rebinding)', async () => {
    const port = await server.ensure()
    assert.equal((await get(port, '/', { host: 'attacker.example:7380' })).status, 421)
    assert.equal((await get(port, '/', { host: `192.168.1.5:${port}` })).status, 200)
    assert.equal((await get(port, '/', { host: 'desk.local' })).status, 200)
  })

  it('takes its hosts from the listen addresses: a wildcard alone when there is one', () => {
    assert.deepEqual(listenHosts(['/ip4/0.0.0.0/tcp/7370', '/ip4/0.0.0.0/tcp/7372/ws']), ['0.0.0.0'])
    assert.deepEqual(listenHosts(['/ip4/10.0.0.5/tcp/7370', '/ip4/10.0.0.5/tcp/7372/ws', '/ip4/127.0.0.1/tcp/1']), ['10.0.0.5', '127.0.0.1'])
    assert.deepEqual(listenHosts(['/ip4/10.0.0.5/tcp/0', '/ip4/0.0.0.0/tcp/1/ws']), ['0.0.0.0'])
  })
})
