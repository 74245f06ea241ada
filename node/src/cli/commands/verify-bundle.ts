import { stat } from 'node:fs/promises'
import { verifyBundleFile } from '@smesh/bus'
import { MeshAnchor, readMeshConfigIfAny } from '@smesh/membership'
import { formatBundleReport } from '../format-bus.js'
import { progress } from '../progress.js'
import { CliError } from '../cli-error.js'
import { verifyExitCode } from './bus.js'

export interface VerifyBundleFlags {
  fast?: boolean
  json?: boolean
  mesh?: string
  root?: string
  exporter?: string
  /** false with --no-anchor */
  anchor?: boolean
  dataDir: string
}

/** A key as people paste it: 64 hex digits, perhaps grouped with colons or spaces. */
function keyOf (flag: string, text: string): string {
  const hex = text.replace(/[\s:]/g, '').toLowerCase()
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new CliError(`${flag} must be a device key of 64 hex digits, not ${JSON.stringify(text.slice(0, 80))}`, 'smesh mesh prints the mesh id and the root key on a device of the mesh', 2)
  return hex
}

/** The trust anchor: the flags, else the mesh of the data dir (a device of the mesh), else none. */
async function anchorOf (flags: VerifyBundleFlags): Promise<{ anchor?: MeshAnchor, source: string }> {
  if (flags.anchor === false) return { source: 'none (--no-anchor)' }
  if ((flags.mesh == null) !== (flags.root == null)) throw new CliError('--mesh and --root go together: the mesh id and its root admin\'s key', 'smesh mesh prints both on a device of the mesh', 2)
  const exporter = flags.exporter != null ? keyOf('--exporter', flags.exporter) : undefined
  if (flags.mesh != null && flags.root != null) {
    if (!/^[0-9a-f]{32}$/.test(flags.mesh)) throw new CliError(`--mesh must be a mesh id of 32 hex digits, not ${JSON.stringify(flags.mesh.slice(0, 80))}`, 'smesh mesh prints it', 2)
    return { anchor: new MeshAnchor(flags.mesh, keyOf('--root', flags.root), exporter), source: 'the mesh and root key you named' }
  }
  const own = await readMeshConfigIfAny(flags.dataDir).catch(() => undefined)
  if (own != null) return { anchor: new MeshAnchor(own.id, own.root, exporter), source: `this device's mesh "${own.name}" (${flags.dataDir})` }
  if (exporter != null) throw new CliError('--exporter needs a trust anchor: --mesh and --root, or a data dir of the mesh', 'smesh mesh prints the mesh id and the root key', 2)
  return { source: 'none: no --mesh and --root, and no mesh in the data dir' }
}

/** `smesh verify FILE`: checks an exported bundle with no node and no network. */
export async function runVerifyBundle (file: string, flags: VerifyBundleFlags): Promise<void> {
  const info = await stat(file).catch((err: any) => {
    throw new CliError(`cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : String(err.code ?? err.message)}`, 'give the path of a bundle made by `smesh bus export FILE`', 1)
  })
  if (!info.isFile()) throw new CliError(`${file} is not a file`, 'give the path of a bundle made by `smesh bus export FILE`', 1)
  const { anchor, source } = await anchorOf(flags)
  const bar = progress(flags.fast === true ? 'verifying links' : 'verifying every signature')
  const report = await verifyBundleFile(file, { fast: flags.fast, anchor, onProgress: bar.update })
  bar.end()
  process.stdout.write((flags.json === true ? JSON.stringify({ ...report, anchorSource: source }, null, 2) : formatBundleReport(report, source)) + '\n')
  process.exitCode = verifyExitCode(report.ok, report.firstFailure != null ? 1 : 0, report.forks.length)
}
