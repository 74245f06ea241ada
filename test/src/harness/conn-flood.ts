/**
 * A host flooding a node with TCP connections, for the connection row of
 * the matrix: FLOOD_COUNT connections to FLOOD_HOST:FLOOD_PORT, FLOOD_PARALLEL
 * at a time; half open and say nothing (a half-open handshake), half send
 * garbage; each is held FLOOD_HOLD_MS. Prints a JSON summary.
 */
import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'

const env = process.env
const host = env.FLOOD_HOST as string
const port = Number(env.FLOOD_PORT)
const count = Number(env.FLOOD_COUNT ?? '1000')
const parallel = Number(env.FLOOD_PARALLEL ?? '200')
const holdMs = Number(env.FLOOD_HOLD_MS ?? '3000')
let opened = 0
let refused = 0
let closedByNode = 0
async function one (i: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const s = connect(port, host)
    let mine = false
    s.on('connect', () => {
      opened++
      if (i % 2 === 1) s.write(randomBytes(64))
      setTimeout(() => { mine = true; s.destroy() }, holdMs)
    })
    s.on('error', () => { refused++ })
    s.on('close', () => {
      if (!mine) closedByNode++
      resolve()
    })
  })
}
let next = 0
await Promise.all(Array.from({ length: parallel }, async () => {
  while (next < count) await one(next++)
}))
process.stdout.write(JSON.stringify({ attempts: count, opened, refused, closedByNode }) + '\n')
