import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContextOptions, Page } from 'playwright-core'
import type { SmeshProcess } from './smesh-process.js'

/** Where the README's screenshots of the dashboard are kept (the test run takes them). */
export const SCREENSHOTS = fileURLToPath(new URL('../../../../packages/web/screenshots/', import.meta.url))

/** A desktop browser window, light or dark. */
export const DESKTOP = { viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 }

/** A one-time login link of `node`'s dashboard, from `smesh dashboard --no-open --json` as a user runs it. */
export async function dashboardLink (node: SmeshProcess): Promise<string> {
  const r = await node.cli(['dashboard', '--no-open', '--json'])
  if (r.code !== 0) throw new Error(`smesh dashboard failed (${String(r.code)}): ${r.stderr}`)
  return (JSON.parse(r.stdout) as { url: string }).url
}

/** Opens `node`'s dashboard in a new browser context (its own cookies) of `browser`, logged in through a fresh link. */
export async function openDashboard (browser: Browser, node: SmeshProcess, options: { colorScheme?: 'light' | 'dark', screen?: BrowserContextOptions } = {}): Promise<Page> {
  const context = await browser.newContext({ ...(options.screen ?? DESKTOP), colorScheme: options.colorScheme ?? 'light' })
  const page = await context.newPage()
  await page.goto(await dashboardLink(node))
  await page.getByTestId('connection').filter({ hasText: 'live' }).waitFor({ timeout: 15_000 })
  return page
}

/** The device names the dashboard's topology graph draws, sorted. */
export async function graphNames (page: Page): Promise<string[]> {
  return (await page.getByTestId('device').evaluateAll(els => els.map(e => e.getAttribute('data-name') ?? ''))).sort()
}

export async function showTab (page: Page, tab: string): Promise<void> {
  await page.locator(`nav a[href="#${tab}"]`).click()
}

/** Saves a screenshot of the page for the README (packages/web/screenshots/NAME.png). */
export async function screenshot (page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: false })
}
