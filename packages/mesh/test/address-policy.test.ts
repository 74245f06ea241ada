import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { AddressPolicy } from '../src/address-policy.js'
import { DEFAULT_EXCLUDED_INTERFACES } from '../src/constants.js'
import { meshServiceTag, validateMeshName } from '../src/create-node.js'

const interfaces = (): any => ({
  lo: [{ address: '127.0.0.1', cidr: '127.0.0.1/8' }],
  eth0: [{ address: '192.168.1.20', cidr: '192.168.1.20/24' }],
  docker0: [{ address: '172.17.0.1', cidr: '172.17.0.1/16' }],
  veth12ab: [{ address: 'fe80::1', cidr: 'fe80::1/64' }],
  wlan0: [{ address: '10.1.2.3', cidr: '10.1.2.3/16' }]
})
const ma = (s: string): ReturnType<typeof multiaddr> => multiaddr(s)

describe('address policy', () => {
  const policy = new AddressPolicy({ excludeInterfaces: DEFAULT_EXCLUDED_INTERFACES, interfaceSource: interfaces })

  it('dials LAN and link-local addresses only', () => {
    assert.equal(policy.isDialable(ma('/ip4/192.168.1.30/tcp/7370')), true)
    assert.equal(policy.isDialable(ma('/ip4/10.9.9.9/tcp/7370')), true)
    assert.equal(policy.isDialable(ma('/ip4/169.254.3.4/tcp/7370')), true)
    assert.equal(policy.isDialable(ma('/ip6/fd00::5/tcp/7370')), true)
    assert.equal(policy.isDialable(ma('/ip4/8.8.8.8/tcp/7370')), false)
    assert.equal(policy.isDialable(ma('/ip6/2001:db8::1/tcp/7370')), false)
    assert.equal(policy.isDialable(ma('/dns4/example.com/tcp/7370')), false)
  })

  it('never dials loopback learned from the network unless allowed', () => {
    assert.equal(policy.isDialable(ma('/ip4/127.0.0.1/tcp/7370')), false)
    const local = new AddressPolicy({ allowLoopback: true, interfaceSource: interfaces })
    assert.equal(local.isDialable(ma('/ip4/127.0.0.1/tcp/7370')), true)
  })

  it('keeps container bridges out: their subnets are not dialed and their addresses not announced', () => {
    assert.equal(policy.isDialable(ma('/ip4/172.17.0.5/tcp/7370')), false)
    assert.equal(policy.isDialable(ma('/ip4/172.18.0.5/tcp/7370')), true)
    assert.equal(policy.isAnnounceable(ma('/ip4/172.17.0.1/tcp/7370')), false)
    assert.equal(policy.isAnnounceable(ma('/ip4/192.168.1.20/tcp/7370')), true)
    assert.equal(policy.isAnnounceable(ma('/ip4/127.0.0.1/tcp/7370')), false)
  })

  it('--interface limits what is announced', () => {
    const only = new AddressPolicy({ interfaces: ['wl*'], interfaceSource: interfaces })
    assert.equal(only.isAnnounceable(ma('/ip4/10.1.2.3/tcp/7370')), true)
    assert.equal(only.isAnnounceable(ma('/ip4/192.168.1.20/tcp/7370')), false)
  })

  it('gives each mesh its own mDNS service tag', () => {
    assert.notEqual(meshServiceTag('home'), meshServiceTag('office'))
    assert.match(meshServiceTag('home'), /^_smesh-home-[0-9a-f]{8}\._udp\.local$/)
    assert.notEqual(meshServiceTag('home'), '_p2p._udp.local')
    assert.throws(() => { validateMeshName('Bad Name') }, { name: 'InvalidMeshNameError' })
  })
})
