/**
 * A forger on the LAN, for the mDNS row of the matrix: answers on mDNS
 * FORGE_RATE times a second for FORGE_SECONDS as FORGE_PEERS different
 * made-up peers of the mesh's service tag FORGE_TAG (an attacker can read it
 * off the wire), claiming public, loopback and LAN addresses (port 4001),
 * some mixed in one answer. Prints "sent N" at the end.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import mdns from 'multicast-dns'

const env = process.env
const tag = env.FORGE_TAG as string
const rate = Number(env.FORGE_RATE ?? '1000')
const seconds = Number(env.FORGE_SECONDS ?? '10')
const count = Number(env.FORGE_PEERS ?? '300')
const lanHost = env.FORGE_LAN_HOST ?? '10.213.7.250'
const ids = await Promise.all(Array.from({ length: count }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
const addrsOf = (i: number, id: string): string[] => {
  const at = (ip: string): string => `dnsaddr=/ip4/${ip}/tcp/4001/p2p/${id}`
  switch (i % 4) {
    case 0: return [at('8.8.8.8')]
    case 1: return [at('127.0.0.1')]
    case 2: return [at('1.2.3.4'), at(lanHost)]
    default: return [at(lanHost)]
  }
}
const m = mdns()
let sent = 0
const started = Date.now()
const timer = setInterval(() => {
  // paced in 10 ms steps
  for (let k = 0; k < rate / 100; k++) {
    const i = sent % count
    const id = ids[i] as string
    const name = `${id}.${tag}`
    m.respond({ answers: [{ name: tag, type: 'PTR', data: name }, { name, type: 'TXT', data: addrsOf(i, id) }] })
    sent++
  }
  if (Date.now() - started > seconds * 1000) {
    clearInterval(timer)
    m.destroy()
    process.stdout.write(`sent ${sent}\n`)
  }
}, 10)
