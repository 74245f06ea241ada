import { spawn } from 'node:child_process'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { apiPost } from '../../api/client.js'

const out = (s: string): void => { process.stdout.write(s + '\n') }

/** The platform's "open this URL in the default browser" command. */
function opener (): { cmd: string, args: string[] } {
  if (process.platform === 'darwin') return { cmd: 'open', args: [] }
  if (process.platform === 'win32') return { cmd: 'cmd', args: ['/c', 'start', '""'] }
  return { cmd: 'xdg-open', args: [] }
}

/**
 * Opens the login link in the default browser through a file of the data dir
 * (mode 0600) that forwards to it: a link given on the command line of the
 * browser would show its secret to every user of the machine (`ps`).
 */
async function openInBrowser (dataDir: string, url: string): Promise<boolean> {
  const file = join(dataDir, 'dashboard-login.html')
  await rm(file, { force: true })
  await writeFile(file, `<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta http-equiv="refresh" content="0;url=${url}"><title>smesh dashboard</title><a href="${url}">Open the dashboard</a>\n`, { mode: 0o600 })
  const { cmd, args } = opener()
  return await new Promise<boolean>(resolve => {
    const child = spawn(cmd, [...args, pathToFileURL(file).href], { stdio: 'ignore', detached: true })
    child.once('error', () => { resolve(false) })
    child.once('spawn', () => { child.unref(); resolve(true) })
  })
}

export async function runDashboard (dataDir: string, opts: { open?: boolean, logoutAll?: boolean, json?: boolean }): Promise<void> {
  if (opts.logoutAll === true) {
    const r = await apiPost<{ ended: number }>(dataDir, '/v1/dashboard/logout-all', {})
    out(opts.json === true ? JSON.stringify(r) : `ended ${r.ended} dashboard session${r.ended === 1 ? '' : 's'}; every open login link is spent too`)
    return
  }
  const link = await apiPost<{ url: string, expiresAt: number }>(dataDir, '/v1/dashboard/link', {})
  if (opts.json === true) {
    out(JSON.stringify(link))
    return
  }
  const opened = opts.open !== false && await openInBrowser(dataDir, link.url)
  if (opened) {
    process.stderr.write('opened the dashboard in your browser (smesh dashboard --no-open prints the one-time link instead)\n')
    return
  }
  out(link.url)
  process.stderr.write('open this link in a browser on this machine: it works once, for 5 minutes (smesh dashboard --logout-all ends every session)\n')
}
