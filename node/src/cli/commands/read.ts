import { apiGet } from '../../api/client.js'
import { formatDot, formatId, formatPeers, formatStatus, formatTopology } from '../format.js'
import type { IdView, StatusView } from '../../daemon.js'
import type { PeerView, Topology } from '@smesh/mesh'

/** The read commands: fetch one endpoint of the running node and print it. */
export async function runRead (name: string, endpoint: string, dataDir: string, opts: Record<string, unknown>): Promise<void> {
  const body = await apiGet<unknown>(dataDir, endpoint)
  if (opts.json === true) {
    process.stdout.write(JSON.stringify(body, null, 2) + '\n')
    return
  }
  let text: string
  switch (name) {
    case 'id': text = formatId(body as IdView); break
    case 'peers': text = formatPeers(body as PeerView[]); break
    case 'status': text = formatStatus(body as StatusView); break
    case 'topology': {
      const id = await apiGet<IdView>(dataDir, '/v1/id')
      text = opts.dot === true ? formatDot(body as Topology, id.meshName) : formatTopology(body as Topology, id.meshName)
      break
    }
    default: throw new Error(`unknown read command ${name}`)
  }
  process.stdout.write(text + '\n')
}
