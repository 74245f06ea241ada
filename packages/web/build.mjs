// Bundles the phone's page into dist/app/ (app.js, index.html, app.css), every
// asset the node serves: no CDN, nothing fetched from elsewhere. Run after
// `tsc -b` (the workspace packages resolve to their built dist/).
import { build } from 'esbuild'
import { copyFile, mkdir, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const here = dirname(fileURLToPath(import.meta.url))
const out = join(here, 'dist', 'app')
await mkdir(out, { recursive: true })
const result = await build({
  entryPoints: [join(here, 'src', 'phone', 'main.tsx')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome110', 'firefox115', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: false,
  legalComments: 'eof',
  define: { 'process.env.NODE_ENV': '"production"' },
  metafile: true,
  logLevel: 'warning'
})
for (const f of ['index.html', 'app.css']) await copyFile(join(here, 'static', f), join(out, f))
const js = await readFile(join(out, 'app.js'))
process.stdout.write(`web: dist/app/app.js ${(js.byteLength / 1024).toFixed(0)} KiB, ${(gzipSync(js).byteLength / 1024).toFixed(0)} KiB gzipped (${Object.keys(result.metafile.inputs).length} modules)\n`)
