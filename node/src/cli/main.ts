import { Command, CommanderError, Option } from 'commander'
import { ENV_VARS } from '../config/load.js'
import { PROVIDER_ENV_VARS } from '../inference/env.js'
import { DEFAULT_API_PORT, DEFAULT_GATEWAY_PORT } from '../config/defaults.js'
import { SETTINGS } from '../config/schema.js'
import { settingOptions } from './setting-flags.js'
import { defaultDataDir, resolveDataDir } from '../paths.js'
import { VERSION } from '../version.js'
import { DEFAULT_TCP_PORT } from '@smesh/mesh/constants'
import { reportError } from './report-error.js'


function dataDirOption (): Option {
  return new Option('--data-dir <dir>', `node data directory (env SMESH_DATA_DIR; default ${defaultDataDir()})`)
}

function readCommand (program: Command, name: string, summary: string, endpoint: string, extra?: (c: Command) => Command): void {
  let cmd = program.command(name).description(summary).addOption(dataDirOption()).option('--json', 'print JSON instead of text')
  if (extra != null) cmd = extra(cmd)
  cmd.action(async (opts: Record<string, unknown>) => {
    const { runRead } = await import('./commands/read.js')
    await runRead(name, endpoint, resolveDataDir(opts.dataDir as string | undefined), opts)
  })
}

type Action = (dataDir: string, ...rest: any[]) => Promise<void>

/** A subcommand that talks to the node of --data-dir; `load` imports its implementation on demand. */
function nodeCommand (parent: Command, spec: string, summary: string, load: () => Promise<Action>, extra?: (c: Command) => Command, options?: { isDefault?: boolean }): Command {
  let cmd = parent.command(spec, options).description(summary).addOption(dataDirOption())
  if (extra != null) cmd = extra(cmd)
  cmd.action(async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command
    const opts = command.opts()
    const positional = args.slice(0, command.registeredArguments.length)
    await (await load())(resolveDataDir(opts.dataDir as string | undefined), ...positional, opts)
  })
  return cmd
}

const json = (c: Command): Command => c.option('--json', 'print JSON instead of text')

function addBusCommands (program: Command): void {
  const memory = program.command('memory').description('the shared memory: a key-value view of the bus, the same on every node')
    .addHelpText('after', `
Keys are namespaced with "/" (e.g. notes/todo). The last write wins, by hybrid logical clock, on every node alike.

Examples:
  smesh memory set notes/todo "buy milk"
  echo "a longer value" | smesh memory set notes/long -
  smesh memory list notes/ --json`)
  nodeCommand(memory, 'set <key> [value]', 'set KEY to VALUE (read from stdin when VALUE is "-" or missing); returns once the signed entry is on disk', async () => (await import('./commands/memory.js')).runMemorySet, json)
  nodeCommand(memory, 'get <key>', 'print the value of KEY', async () => (await import('./commands/memory.js')).runMemoryGet, json)
  nodeCommand(memory, 'list [prefix]', 'list keys (starting with PREFIX) and their values', async () => (await import('./commands/memory.js')).runMemoryList, json)
  nodeCommand(memory, 'rm <key>', 'remove KEY (a signed delete entry; the history stays on the bus)', async () => (await import('./commands/memory.js')).runMemoryRm, json)

  const bus = program.command('bus').description('the memory bus: every entry signed (ML-DSA-65) and hash-chained per author, replicated to every node')
  nodeCommand(bus, 'log', 'list entries, newest first', async () => (await import('./commands/bus.js')).runBusLog, c => json(c)
    .option('--author <hex>', 'only entries of this author (hex id or a prefix of it, see smesh bus heads)')
    .option('--kind <kind>', 'only entries of this kind, e.g. memory.put')
    .option('--limit <n>', 'at most this many entries (default 50; 10 with --follow)')
    .option('--follow', 'keep printing new entries as they arrive (Ctrl-C stops)'))
  nodeCommand(bus, 'heads', 'show each author\'s chain: last seq and hash, and whether it forked', async () => (await import('./commands/bus.js')).runBusHeads, json)
  nodeCommand(bus, 'status', 'show the bus: entries, authors, disk use, sync state and score of each peer', async () => (await import('./commands/bus.js')).runBusStatus, json)
  nodeCommand(bus, 'verify', 'verify every chain from the stored bytes: links, keys, signatures; report forks (exit 1 on a failure, 5 on a fork)', async () => (await import('./commands/bus.js')).runBusVerify, c => json(c)
    .option('--all', 'check every entry\'s signature (default: the hash links, and the signatures of each chain\'s first and last entry)'))
  nodeCommand(bus, 'reindex', 'drop the memory and session views and derive them again from the log', async () => (await import('./commands/bus.js')).runBusReindex, json)
  nodeCommand(bus, 'repair', 'with the node stopped: move a damaged store aside (nothing is deleted); the next start relearns every entry from peers, its own chain first', async () => (await import('./commands/bus-repair.js')).runBusRepair, json)
  nodeCommand(bus, 'export <file>', 'write a portable, signed bundle of the whole bus to FILE; anyone can check it offline with smesh verify FILE', async () => (await import('./commands/bus.js')).runBusExport)

  const session = program.command('session').description('sessions: append-only conversations or task records on the bus that any node can continue')
  nodeCommand(session, 'open [title]', 'open a new session; prints its id', async () => (await import('./commands/session.js')).runSessionOpen, json)
  nodeCommand(session, 'append <id> <text...>', 'append a message to session ID (a unique prefix of 8+ digits works)', async () => (await import('./commands/session.js')).runSessionAppend, c => json(c)
    .option('--role <role>', 'system, user, assistant, tool or note (default user)')
    .option('--model <model>', 'the model that wrote it, for assistant messages'))
  nodeCommand(session, 'show <id>', 'print a session\'s messages in order', async () => (await import('./commands/session.js')).runSessionShow, json)
  nodeCommand(session, 'list', 'list sessions', async () => (await import('./commands/session.js')).runSessionList, json)

  program.command('verify <file>')
    .description('verify an exported bundle offline (no node, no network): every signature and hash link, the exporter\'s manifest, and against a trust anchor (the mesh and its root key) every lease, revocation and policy and the exporter\'s membership; exit 0 valid, 1 invalid (naming the first bad entry), 5 valid but proving a fork')
    .option('--mesh <id>', 'the mesh the bundle must be of (smesh mesh shows it)')
    .option('--root <key>', 'the root admin\'s key (64 hex digits; smesh mesh shows it): the trust anchor')
    .option('--exporter <key>', 'the device that must have exported it (its key, 64 hex digits)')
    .option('--no-anchor', 'check only the bundle\'s own signatures and links, not that it is of any mesh')
    .addOption(new Option('--data-dir <dir>', `without --mesh and --root, the mesh of this data directory anchors the check, if it has one (default ${defaultDataDir()})`))
    .option('--fast', 'check hash links and only each chain\'s first and last signature')
    .option('--json', 'print JSON instead of text')
    .action(async (file: string, opts: Record<string, unknown>) => {
      const { runVerifyBundle } = await import('./commands/verify-bundle.js')
      await runVerifyBundle(file, { ...opts, dataDir: resolveDataDir(opts.dataDir as string | undefined) })
    })
}

/** The options of a running node, shared by start and join: one per setting that has a flag. */
function startOptions (cmd: Command): Command {
  cmd.addOption(dataDirOption())
  for (const option of settingOptions()) cmd.addOption(option)
  return cmd
}

export function buildProgram (): Command {
  const program = new Command('smesh')
    .description('A node of a peer-to-peer mesh of your own devices: it finds its peers on the LAN, keeps track of who is alive, shows the mesh, and shares a signed memory bus with every peer.')
    .version(VERSION, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false })
    .addHelpText('after', `
Exit codes: 0 ok, 1 error, 2 usage error, 3 no node running for the data dir, 4 not found,
5 verification found a fork, 6 not allowed (lease scope or mesh policy), 78 bad configuration
(or a data dir of no mesh: smesh init or smesh join).
Run "smesh <command> --help" for a command's options.`)

  startOptions(program.command('start')
    .description('run a node in the foreground until SIGINT or SIGTERM (the data dir must belong to a mesh: smesh init or smesh join)'))
    .addHelpText('after', `
Settings come from <data dir>/config.json, then the environment, then these flags (flags win).
config.json fields: ${Object.keys(SETTINGS).join(', ')}.
Environment: ${ENV_VARS.join(', ')};
cloud and OpenAI-compatible providers: ${PROVIDER_ENV_VARS.join(', ')} (keys never leave this device).
Ports: TCP ${DEFAULT_TCP_PORT} (libp2p), UDP 5353 (mDNS), TCP ${DEFAULT_API_PORT} on 127.0.0.1 (control API),
TCP ${DEFAULT_GATEWAY_PORT} on 127.0.0.1 (AI-client gateway: OpenAI, Ollama and Anthropic APIs).

Examples:
  smesh start
  smesh start --data-dir ./node2 --no-mdns --listen /ip4/127.0.0.1/tcp/7380 --api-port 0 --peer /ip4/127.0.0.1/tcp/7370`)
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const { runStart } = await import('./commands/start.js')
      await runStart(resolveDataDir(opts.dataDir as string | undefined), opts, cmd)
    })

  program.command('init')
    .description('create a new mesh, with this device as its root admin (network key, mesh id); needs no running node')
    .addOption(dataDirOption())
    .option('--name <name>', 'mesh name shown to members (default: "<host> mesh")')
    .option('--start', 'then run the node (as smesh start with its defaults, config.json and SMESH_* settings)')
    .option('--json', 'print JSON instead of text')
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const { runInit } = await import('./commands/mesh.js')
      const dataDir = resolveDataDir(opts.dataDir as string | undefined)
      await runInit(dataDir, opts)
      if (opts.start === true) {
        const { runStart } = await import('./commands/start.js')
        await runStart(dataDir, {}, cmd)
      }
    })

  startOptions(program.command('join <token>')
    .description('join the mesh of a token from smesh invite, then run the node (one step); a refused join changes nothing')
    .option('--no-start', 'only join: write the mesh membership into the data dir and exit')
    .option('--json', 'print the join result as JSON'))
    .action(async (token: string, opts: Record<string, unknown>, cmd: Command) => {
      const { runJoin } = await import('./commands/join.js')
      await runJoin(resolveDataDir(opts.dataDir as string | undefined), token, opts, cmd)
    })

  nodeCommand(program, 'invite', 'print a single-use join token for a new device (admin devices only)', async () => (await import('./commands/mesh.js')).runInvite, c => json(c)
    .option('--scopes <list>', 'comma-separated scopes of the new device: read, write, task.submit, task.serve, admin (default read,write,task.submit,task.serve)')
    .option('--ttl <duration>', 'how long the token works, e.g. 30m, 24h, 7d (default 24h)')
    .option('--lease <duration>', 'length of the device\'s lease (default 30d)')
    .option('--no-renew', 'do not renew the lease: access ends when it expires (a guest device)')
    .option('--qr', 'also print the token as a QR code')
    .option('--phone', 'invite a phone (or any browser): print a QR code of a link its camera opens; default scopes read,write,task.submit'))
  nodeCommand(program, 'members', 'list the mesh\'s devices: scopes, lease status and expiry, last seen', async () => (await import('./commands/mesh.js')).runMembers, json)
  nodeCommand(program, 'mesh', 'show the mesh this node belongs to and this device\'s lease', async () => (await import('./commands/mesh.js')).runMeshShow, json)
  nodeCommand(program, 'revoke <device>', 'revoke a device (id, id prefix, PeerId or name): every node closes its connections and refuses its later entries (admin devices only)', async () => (await import('./commands/mesh.js')).runRevoke, c => json(c)
    .option('--reason <text>', 'why, recorded on the bus'))
  const policy = program.command('policy').description('the governance gate: rules that allow, ask (hold for an admin\'s approval) or block classes of action')
    .addHelpText('after', `
Actions: memory.write (subject: the key), session.write (subject: the session), bus.append (subject: the kind).
A rule: {"action": "memory.write", "subject": "secrets/*", "device": "laptop", "effect": "block"}; "*" matches anything.
Blocked actions are recorded on the bus: smesh bus log --kind policy.deny`)
  nodeCommand(policy, 'show', 'print the rules in force', async () => (await import('./commands/mesh.js')).runPolicyShow, json)
  nodeCommand(policy, 'set <file>', 'replace the rules with those of a JSON file ({"rules": [...]}, - for stdin; admin devices only)', async () => (await import('./commands/mesh.js')).runPolicySet, json)
  nodeCommand(program, 'approvals', 'list actions waiting for an admin\'s approval', async () => (await import('./commands/mesh.js')).runApprovals, json)
  nodeCommand(program, 'approve <id>', 'approve a waiting action (admin devices only)', async () => (await import('./commands/mesh.js')).runApprove, c => json(c)
    .option('--deny', 'decline it instead'))

  nodeCommand(program, 'run [prompt...]', 'run a task on the best device of the mesh that can: the answer streams to stdout, a footer on stderr names who served it', async () => (await import('./commands/tasks.js')).runTask, c => json(c)
    .option('--model <spec>', 'a model name, a preference list (a,b,c: the first available), family:NAME, or best (the default)')
    .option('--residency <where>', 'local (this device only), mesh (any mesh device\'s own model, never a cloud) or cloud (cloud providers allowed); default from config (mesh)')
    .option('--policy <policy>', 'local-first or quality-first (default from config: local-first)')
    .option('--session <id>', 'a session on the bus: its messages are the context, and this exchange is added to it')
    .option('--system <text>', 'a system prompt')
    .option('--max-tokens <n>', 'most tokens of the answer (capped by the serving node)')
    .option('--timeout <seconds>', 'give up after this long')
    .addHelpText('after', `
The prompt is read from stdin when none is given. Ctrl-C cancels the task on the serving device.
Exit codes: 0 done, 1 failed, 2 bad usage, 6 not allowed by the lease, 7 refused by the residency, 130 cancelled.`))
  const keys = program.command('keys').description('API keys of this node\'s AI-client gateway (OpenAI, Ollama and Anthropic APIs)')
    .addHelpText('after', `
A key is shown once, when created; the node stores only its hash. Clients send it as
Authorization: Bearer KEY or x-api-key: KEY. Revoking takes effect at the next request.

Examples:
  smesh keys create openwebui
  smesh keys create laptop-claude --residency mesh --rate 5/s --expires 30d
  smesh keys create scripts --models "qwen3:8b,llama3.2:3b" --json`)
  // `smesh keys` alone lists them
  nodeCommand(keys, 'list', 'list the keys: created, last used, requests, tokens in and out, limits', async () => (await import('./commands/keys.js')).runKeysList, json, { isDefault: true })
  nodeCommand(keys, 'create <name>', 'create a key and print it (once)', async () => (await import('./commands/keys.js')).runKeysCreate, c => json(c)
    .option('--residency <where>', 'local, mesh or cloud: the default of the key\'s requests, and the widest they may ask')
    .option('--models <spec>', 'only models of this spec (a name, a list a,b, family:NAME); best then means the best of them')
    .option('--rate <n/s>', 'at most this many requests a second (bursts of twice that), e.g. 5/s or 300/m')
    .option('--expires <duration>', 'the key stops working after this long, e.g. 30d'))
  nodeCommand(keys, 'revoke <name>', 'revoke a key: its next request is refused', async () => (await import('./commands/keys.js')).runKeysRevoke, json)
  nodeCommand(program, 'models', 'list what the mesh can run: model, device, provider, tier, warm, queue, speed, cooldown', async () => (await import('./commands/tasks.js')).runModels, json)
  nodeCommand(program, 'embed [texts...]', 'embeddings of texts from the best embedding model of the mesh: one JSON array per text (or lines on stdin)', async () => (await import('./commands/tasks.js')).runEmbed, c => json(c)
    .option('--model <spec>', 'a model name, a list a,b, family:NAME, or best (default)')
    .option('--residency <where>', 'local (this device), mesh or cloud'))
  const model = program.command('model').description('the GGUF models this device serves by itself (llama.cpp inside the node): add from a file or URL, list, remove')
  nodeCommand(model, 'add <source>', 'copy a .gguf file or download a URL (resumable, with progress) into the models directory; it is checked before it is offered', async () => (await import('./commands/model.js')).runModelAdd, c => json(c)
    .option('--name <name>', 'the model\'s name on the mesh (default: the file name without .gguf)')
    .option('--sha256 <hex>', 'the SHA-256 the file must have; without it the digest is shown to compare'))
  nodeCommand(model, 'ls', 'list the models of this device: size, architecture, parameters, type, context, embedding length, SHA-256', async () => (await import('./commands/model.js')).runModelList, json, { isDefault: true })
  nodeCommand(model, 'rm <name>', 'remove a model from this device', async () => (await import('./commands/model.js')).runModelRemove, json)
  nodeCommand(program, 'tasks', 'list recent tasks from the bus: where each ran, how fast, handoffs, failures', async () => (await import('./commands/tasks.js')).runTasks, c => json(c)
    .option('--limit <n>', 'how many (default 20)'))
  nodeCommand(program, 'dashboard', 'open the dashboard of this node in the browser: a one-time login link to the page the node serves on its control API', async () => (await import('./commands/dashboard.js')).runDashboard, c => json(c)
    .option('--no-open', 'print the link only')
    .option('--logout-all', 'end every dashboard session (and spend every open link)'))
  readCommand(program, 'id', 'show this node\'s PeerId, name, listen addresses and ML-DSA-65 key fingerprint', '/v1/id')
  readCommand(program, 'peers', 'list the peers this node hears: name, PeerId, address, connected, RTT, last heard', '/v1/peers')
  readCommand(program, 'topology', 'show the whole mesh: every node and who is connected to whom, with RTTs', '/v1/topology',
    c => c.option('--dot', 'print Graphviz DOT (e.g. smesh topology --dot | dot -Tsvg > mesh.svg)'))
  readCommand(program, 'status', 'show the node\'s health: uptime, peers, listen addresses, data dir', '/v1/status')
  addBusCommands(program)
  return program
}

export async function main (argv: string[]): Promise<void> {
  const program = buildProgram()
  program.exitOverride()
  try {
    await program.parseAsync(argv)
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2
      return
    }
    process.exitCode = reportError(err)
  }
}
