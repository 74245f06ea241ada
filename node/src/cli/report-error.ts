/**
 * The one place where errors become output: `smesh: <message>` and, where the
 * error carries one, `hint: <what to do>`, on stderr. Returns the exit code.
 */
export function reportError (err: unknown): number {
  const e = err as { message?: string, hint?: string, exitCode?: number, name?: string }
  const message = e?.message ?? String(err)
  process.stderr.write(`smesh: ${message}\n`)
  if (e?.hint != null) {
    if (e.hint !== '') process.stderr.write(`hint: ${e.hint}\n`)
  } else {
    process.stderr.write('hint: this is unexpected; run again with --log-level debug and report the log\n')
  }
  return typeof e?.exitCode === 'number' ? e.exitCode : 1
}
