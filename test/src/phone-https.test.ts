import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { chromiumUnavailable, launchIn } from './harness/browser.js'
import { netnsUnavailable, required } from './harness/exec.js'
import { Lan, listOwnNamespaces } from './harness/lan.js'
import { PHONE, joinFromPage, phoneLink, stored } from './harness/phone.js'
import { SmeshProcess, waitFor } from './harness/smesh-process.js'
import { tempDir } from './harness/tmp.js'
import type { Browser } from 'playwright-core'
import type { MemberRow } from '@smesh/node'

const WEB_CERT = fileURLToPath(new URL('../../../bootstrap/web-cert.sh', import.meta.url))

function opensslUnavailable (): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' })
    return undefined
  } catch {
    return required('needs openssl (as root: apt-get install openssl)')
  }
}

const skip = netnsUnavailable() ?? chromiumUnavailable() ?? opensslUnavailable()

/** base64 SHA-256 of a certificate's public key: what Chromium trusts with --ignore-certificate-errors-spki-list. */
function spki (certFile: string): string {
  const pub = execFileSync('openssl', ['x509', '-in', certFile, '-pubkey', '-noout'])
  const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: pub })
  return execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: der }).toString('base64')
}

/**
 * HTTPS for the phone's page: bootstrap/web-cert.sh makes a mesh-local CA
 * and the node's certificate; the node serves the page over HTTPS and its
 * WebSockets over TLS; a browser that trusts the CA joins over wss://.
 */
describe('the phone\'s page over HTTPS, with a certificate from a mesh-local CA', { skip, timeout: 180_000 }, () => {
  let lan: Lan
  let desk: SmeshProcess
  let browser: Browser
  let dir: string

  before(async () => {
    lan = await Lan.create(2)
    const [h0, h1] = lan.hosts as [typeof lan.hosts[0], typeof lan.hosts[0]]
    dir = tempDir('smesh-desk')
    execFileSync('bash', [WEB_CERT, dir, h0.ip], { stdio: 'ignore' })
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ webTlsCert: 'web.crt', webTlsKey: 'web.key' }))
    desk = await SmeshProcess.start({ ns: h0.ns, name: 'desk', dataDir: dir })
    // the phone accepts the node's certificate: Chromium here takes no CA from the test, so it pins the
    // certificate's key instead (the stand-in for installing web-ca.crt on a phone); a browser without it is refused below
    browser = await launchIn(h1.ns, [`--ignore-certificate-errors-spki-list=${spki(join(dir, 'web.crt'))}`])
  })
  after(async () => {
    await browser?.close()
    await desk?.stop()
    await lan?.destroy()
    assert.deepEqual(await listOwnNamespaces(), [], 'the harness left namespaces behind')
  })

  it('the link is https, and the page joins and connects to the node over wss://', async () => {
    const link = await phoneLink(desk)
    assert.match(link, new RegExp(`^https://${lan.hosts[0]?.ip as string}:7380/#`))
    const context = await browser.newContext(PHONE)
    const page = await context.newPage()
    await joinFromPage(page, link, 'secure-phone')
    await waitFor(async () => /^Connected to /.test(await page.getByTestId('link').textContent() ?? ''), { timeoutMs: 15_000, what: 'the phone to connect over wss://' })
    const row = (await desk.api<MemberRow[]>('/v1/members')).find(m => m.name === 'secure-phone')
    assert.equal(row?.kind, 'browser')
    assert.equal(row?.connected, true)
    // what the page keeps to connect again: the node's wss:// addresses only
    const { addrs } = await stored(page)
    assert.ok(addrs.length > 0 && addrs.every(a => a.includes('/tls/ws/')), `the page dials wss:// only (${addrs.join(', ')})`)
    await context.close()
  })

  it('a browser that does not trust the CA is refused the page', async () => {
    const other = await launchIn(lan.hosts[1]?.ns as string)
    try {
      const page = await other.newPage()
      await assert.rejects(page.goto(`https://${lan.hosts[0]?.ip as string}:7380/`), /ERR_CERT_AUTHORITY_INVALID/)
    } finally {
      await other.close()
    }
  })
})
