import { CliError } from './cli-error.js'

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** Parses "90s", "30m", "24h", "7d" (or a sum like "1d12h") into milliseconds. */
export function parseDuration (text: string, flag: string): number {
  const t = text.trim()
  const parts = [...t.matchAll(/(\d+)([smhd])/g)]
  if (parts.length === 0 || parts.map(p => p[0]).join('') !== t) {
    throw new CliError(`${flag}: ${JSON.stringify(text)} is not a duration`, `write it like 90s, 30m, 24h or 7d`, 2)
  }
  return parts.reduce((ms, p) => ms + Number(p[1]) * (UNITS[p[2] as string] as number), 0)
}

export function formatDuration (ms: number): string {
  if (ms <= 0) return '0s'
  const d = Math.floor(ms / 86_400_000)
  const h = Math.floor((ms % 86_400_000) / 3_600_000)
  const m = Math.floor((ms % 3_600_000) / 60_000)
  const s = Math.floor((ms % 60_000) / 1000)
  return [d > 0 ? `${d}d` : '', h > 0 ? `${h}h` : '', m > 0 && d === 0 ? `${m}m` : '', s > 0 && d === 0 && h === 0 ? `${s}s` : ''].join('') || '<1s'
}
