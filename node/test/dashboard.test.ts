import assert from 'node:assert/strict'
import { request } from 'node:http'
import { describe, it } from 'node:test'
import { startControlApi } from '../src/api/server.js'
import { DashboardEvents } from '../src/web/dashboard-events.js'
import { DASHBOARD_SESSION_MS, DashboardLoginError, DashboardSessions, LOGIN_LINK_TTL_MS } from '../src/web/dashboard-sessions.js'
import type { Bus } from '@smesh/bus'

interface Reply { status: number, body: any, headers: Record<string, string | string[] | undefined> }

async function call (port: number, method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Reply> {
  const text = body === undefined ? undefined : JSON.stringify(body)
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...(text != null ? { 'content-type': 'application/json' } : {}), ...headers }, setHost: false, agent: false }, (res) => {
      let data = ''
      res.on('data', (d: Buffer) => { data += d.toString() })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: String(res.headers['content-type']).startsWith('application/json') && data !== '' ? JSON.parse(data) : data, headers: res.headers }) })
    })
    req.on('error', reject)
    req.end(text)
  })
}

describe('dashboard logins', () => {
  it('a link works once and for 5 minutes; a session lasts 12 hours; ending all ends them and spends open links', () => {
    let now = 1_000_000
    const s = new DashboardSessions(() => now)
    const a = s.createLink()
    const { id, session } = s.exchange(a.secret)
    assert.equal(s.session(id), session)
    assert.throws(() => s.exchange(a.secret), DashboardLoginError)
    const late = s.createLink()
    now += LOGIN_LINK_TTL_MS
    assert.throws(() => s.exchange(late.secret), /already used or has expired/)
    assert.throws(() => s.exchange('short'), /malformed/)
    assert.equal(s.csrfMatches(session, session.csrf), true)
    assert.equal(s.csrfMatches(session, session.csrf.slice(1)), false)
    assert.equal(s.csrfMatches(session, undefined), false)
    now += DASHBOARD_SESSION_MS
    assert.equal(s.session(id), undefined, 'expired')
    const open = s.createLink()
    s.exchange(s.createLink().secret)
    assert.equal(s.endAll(), 1)
    assert.throws(() => s.exchange(open.secret), DashboardLoginError)
  })

  it('the control API takes the cookie only with the session\'s token, from its own origin and Host', async () => {
    const sessions = new DashboardSessions()
    const api = await startControlApi({ host: '127.0.0.1', port: 0, dashboard: sessions, routes: { '/v1/echo': { GET: () => ({ ok: true }), POST: () => ({ changed: true }) } } })
    try {
      const port = Number(new URL(api.url).port)
      const origin = `http://127.0.0.1:${port}`
      const login = await call(port, 'POST', '/v1/dashboard/login', { origin }, { secret: sessions.createLink().secret })
      assert.equal(login.status, 200)
      const setCookie = String(login.headers['set-cookie'])
      assert.match(setCookie, new RegExp(`^smesh_dash_${port}=[\\w-]+; Max-Age=43200; Path=/; HttpOnly; SameSite=Strict$`))
      const cookie = setCookie.split(';')[0] as string
      const csrf = login.body.csrf as string
      assert.equal((await call(port, 'GET', '/v1/echo', { cookie, 'x-smesh-csrf': csrf })).status, 200)
      assert.equal((await call(port, 'GET', '/v1/echo', { cookie })).status, 403, 'the cookie alone (a browser sends it to every port of 127.0.0.1) reads nothing')
      assert.equal((await call(port, 'GET', `/v1/dashboard/events?csrf=${csrf}`, { cookie })).status, 404, 'the token in the query is taken for the live feed only (no such route here)')
      assert.equal((await call(port, 'GET', `/v1/echo?csrf=${csrf}`, { cookie })).status, 403)
      assert.equal((await call(port, 'POST', '/v1/echo', { cookie, origin }, {})).status, 403, 'no token')
      assert.equal((await call(port, 'POST', '/v1/echo', { cookie, origin, 'x-smesh-csrf': 'wrong' }, {})).status, 403)
      assert.equal((await call(port, 'POST', '/v1/echo', { cookie, origin, 'x-smesh-csrf': csrf }, {})).body.changed, true)
      assert.equal((await call(port, 'GET', '/v1/echo', { cookie, 'x-smesh-csrf': csrf, origin: 'http://evil.example' })).status, 403, 'another origin')
      assert.equal((await call(port, 'GET', '/v1/echo', { cookie, 'x-smesh-csrf': csrf, 'sec-fetch-site': 'cross-site' })).status, 403)
      assert.equal((await call(port, 'GET', '/v1/echo', { cookie, 'x-smesh-csrf': csrf, host: `evil.example:${port}` })).status, 403, 'DNS rebinding')
      assert.equal((await call(port, 'GET', '/v1/echo', { cookie: `smesh_dash_${port}=forged` })).status, 401)
      assert.equal((await call(port, 'GET', '/v1/echo')).status, 401)
      assert.equal((await call(port, 'GET', '/v1/echo', { authorization: `Bearer ${api.token}` })).status, 200, 'the CLI\'s token still works')
      const page = await call(port, 'GET', '/dashboard/')
      assert.equal((await call(port, 'GET', '/dashboard/', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' })).status, page.status, 'the page (no secret in it) opens from a link anywhere')
      assert.equal((await call(port, 'GET', '/v1/echo', { cookie, 'x-smesh-csrf': csrf, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' })).status, 403, 'but no data does')
      assert.equal((await call(port, 'GET', '/dashboard/../v1/echo', { cookie, 'x-smesh-csrf': csrf, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' })).status, 403, 'nor a path that only looks like the page')
      assert.match(String(page.headers['content-security-policy']), /default-src 'none'; script-src 'self'.*connect-src 'self'/)
      const out = await call(port, 'POST', '/v1/dashboard/logout', { cookie, origin, 'x-smesh-csrf': csrf }, {})
      assert.match(String(out.headers['set-cookie']), /Max-Age=0/)
      assert.equal((await call(port, 'GET', '/v1/echo', { cookie, 'x-smesh-csrf': csrf })).status, 401, 'logged out')
    } finally {
      await api.close()
    }
  })
})

describe('the dashboard\'s live feed', () => {
  const fakeBus = (): Bus => Object.assign(new EventTarget(), { peerLabel: () => 'self' }) as unknown as Bus

  it('sends each view once and again only when it changed; a slow reader gets the latest view, not a queue', async () => {
    let count = 0
    let value = 'a'
    const events = new DashboardEvents({ topics: { v: { view: () => { count++; return { value } }, everyMs: 1000 } }, bus: fakeBus(), triggers: [], topicsOfKind: () => [] })
    const controller = new AbortController()
    const stream = events.stream(controller.signal)
    assert.equal((await stream.next()).value, 'retry: 2000\n\n')
    assert.equal((await stream.next()).value, 'event: v\ndata: {"value":"a"}\n\n')
    assert.equal(events.pages, 1)
    // nothing is read for 3 s (a tab in the background): the view changes twice meanwhile
    await new Promise(resolve => setTimeout(resolve, 1500))
    value = 'b'
    await new Promise(resolve => setTimeout(resolve, 1500))
    value = 'c'
    const next = await stream.next()
    assert.equal(next.value, 'event: v\ndata: {"value":"c"}\n\n', 'the latest, once: the unchanged ticks and the missed value were never queued')
    assert.ok(count <= 5, `the view was computed ${count} times in 3 s`)
    controller.abort()
    await stream.return(undefined)
    assert.equal(events.pages, 0)
  })

  it('queues at most 200 entries for a page that does not read, then tells it to read the log again', async () => {
    const bus = fakeBus()
    const events = new DashboardEvents({ topics: {}, bus, triggers: [], topicsOfKind: () => [] })
    const controller = new AbortController()
    const stream = events.stream(controller.signal)
    await stream.next()
    const entry = (i: number): unknown => ({ hashHex: String(i), authorHex: 'aa', seq: BigInt(i), hlc: { ms: 1n, counter: 0 }, bytes: new Uint8Array(10), entry: { kind: 'memory.put', body: new TextEncoder().encode('{}'), prev: new Uint8Array(0) } })
    const pending = stream.next()
    bus.dispatchEvent(new CustomEvent('bus:entry', { detail: { entry: entry(0) } }))
    assert.match(String((await pending).value), /^event: entries\ndata: \[\{"hash":"0"/)
    for (let i = 1; i <= 250; i++) bus.dispatchEvent(new CustomEvent('bus:entry', { detail: { entry: entry(i) } }))
    assert.equal((await stream.next()).value, 'event: gap\ndata: {}\n\n')
    const rest = JSON.parse(String((await stream.next()).value).split('data: ')[1] as string) as unknown[]
    assert.equal(rest.length, 50, 'the entries after the gap')
    controller.abort()
    await stream.return(undefined)
  })
})
