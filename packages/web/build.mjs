// Bundles the phone's page (app.js, index.html, app.css) and the dashboard
// (dash.js, dash.html, dash.css) into dist/app/, every
// asset the node serves: no CDN, nothing fetched from elsewhere. Run after
// `tsc -b` (the workspace packages resolve to their built dist/).
import { build } from 'esbuild'
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const here = dirname(fileURLToPath(import.meta.url))
const out = join(here, 'dist', 'app')
await mkdir(out, { recursive: true })
const common = {
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
}
// the phone's page, and the dashboard (served on the control API under /dashboard/)
const bundles = [['phone', 'app.js'], ['dash', 'dash.js']]
for (const [dir, file] of bundles) {
  const result = await build({ ...common, entryPoints: [join(here, 'src', dir, 'main.tsx')], outfile: join(out, file) })
  const js = await readFile(join(out, file))
  process.stdout.write(`web: dist/app/${file} ${(js.byteLength / 1024).toFixed(0)} KiB, ${(gzipSync(js).byteLength / 1024).toFixed(0)} KiB gzipped (${Object.keys(result.metafile.inputs).length} modules)\n`)
}
for (const f of ['index.html', 'dash.html']) await copyFile(join(here, 'static', f), join(out, f))
// the views both pages share (graph, tables) are styled once
const shared = await readFile(join(here, 'static', 'views.css'), 'utf8')
for (const f of ['app.css', 'dash.css']) await writeFile(join(out, f), (await readFile(join(here, 'static', f), 'utf8')) + '\n' + shared)
