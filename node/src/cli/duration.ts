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
