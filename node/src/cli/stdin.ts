import { CliError } from './cli-error.js'

/** Reads all of stdin as UTF-8, refusing more than `max` bytes of the `what` with `hint`. */
export async function readStdin (what: string, max: number, hint: string): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const c of process.stdin) {
    size += (c as Buffer).byteLength
    if (size > max) throw new CliError(`the ${what} on stdin is over ${max} bytes`, hint, 2)
    chunks.push(c as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}
