import { stat } from 'node:fs/promises'
import { verifyBundleFile } from '@smesh/bus'
import { formatBundleReport } from '../format-bus.js'
import { progress } from '../progress.js'
import { CliError } from '../cli-error.js'
import { verifyExitCode } from './bus.js'

/** `smesh verify FILE`: checks an exported bundle with no node and no network. */
export async function runVerifyBundle (file: string, opts: { fast?: boolean, json?: boolean }): Promise<void> {
  const info = await stat(file).catch((err: any) => {
    throw new CliError(`cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : String(err.code ?? err.message)}`, 'give the path of a bundle made by `smesh bus export FILE`', 1)
  })
  if (!info.isFile()) throw new CliError(`${file} is not a file`, 'give the path of a bundle made by `smesh bus export FILE`', 1)
  const bar = progress(opts.fast === true ? 'verifying links' : 'verifying every signature')
  const report = await verifyBundleFile(file, { fast: opts.fast, onProgress: bar.update })
  bar.end()
  process.stdout.write((opts.json === true ? JSON.stringify(report, null, 2) : formatBundleReport(report)) + '\n')
  process.exitCode = verifyExitCode(report.ok, report.firstFailure != null ? 1 : 0, report.forks.length)
}
