import { spawn } from 'node:child_process'
import { apiPost } from '../../api/client.js'

const out = (s: string): void => { process.stdout.write(s + '\n') }

/** The platform's "open this URL in the default browser" command. */
function opener (): { cmd: string, args: string[] } {
  if (process.platform === 'darwin') return { cmd: 'open', args: [] }
  if (process.platform === 'win32') return { cmd: 'cmd', args: ['/c', 'start', '""'] }
  return { cmd: 'xdg-open', args: [] }
}

/** Opens `url` in the default browser; false when there is no browser to open it with. */
async function openInBrowser (url: string): Promise<boolean> {
  const { cmd, args } = opener()
  return await new Promise<boolean>(resolve => {
    const child = spawn(cmd, [...args, url], { stdio: 'ignore', detached: true })
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
  const opened = opts.open !== false && await openInBrowser(link.url)
  out(link.url)
  process.stderr.write(opened
    ? 'opened the dashboard in your browser; the link above works once, for 5 minutes\n'
    : 'open this link in a browser on this machine: it works once, for 5 minutes (smesh dashboard --logout-all ends every session)\n')
}
