#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=1
// A node idles for days: a 1 MB young generation keeps its RSS about 20 MB
// lower at no CPU cost (measured: see README, Benchmarks), and two malloc
// arenas instead of one per thread another 3 MB. V8 takes the flag and glibc
// the variable only at process start, so they are here and in bootstrap/smesh.
// a reader that went away (smesh bus log | head) ends the command quietly
process.stdout.on('error', (err) => { if (err.code === 'EPIPE') process.exit(0); throw err })
import { main } from '../dist/src/cli/main.js'

await main(process.argv)
