import { StreamState, YamuxStream } from '@libp2p/yamux/stream'
import { UnsupportedYamuxError } from './errors.js'

/**
 * Yamux receive-window updates at half the window, as go-yamux, rust-yamux and py-libp2p send them.
 *
 * @libp2p/yamux 8 sends a window-update frame after every data frame it receives while its window is
 * not full: each one a Noise and network-key encryption and a TCP write of its own, for a gossip
 * message, a beacon or a task's every piece. Yamux leaves the moment to the receiver (like HTTP/2's
 * WINDOW_UPDATE); here it is when the unused window falls below half, so with the mesh's 4 MiB
 * window a peer sends up to 2 MiB between updates and never waits on one. Frames that carry a flag
 * (the SYN or ACK of a new stream) and a paused stream go through the library's own code unchanged.
 */

/** The fields of YamuxStream this depends on (private in its types) */
interface WindowState {
  state: StreamState
  recvWindow: number
  recvWindowCapacity: number
  sendWindowUpdate: () => void
}

let installed = false

/** Whether the stream's next window update can wait: no flag to send and at least half the window unused */
export function windowUpdateCanWait (stream: Pick<WindowState, 'state' | 'recvWindow' | 'recvWindowCapacity'>): boolean {
  const flagless = stream.state === StreamState.SYNSent || stream.state === StreamState.Established || stream.state === StreamState.Finished
  return flagless && stream.recvWindowCapacity * 2 >= stream.recvWindow
}

/**
 * Installs the half-window rule on @libp2p/yamux's streams (once per process). Throws if the library's
 * stream no longer has the fields it relies on, so an upgrade that changes them fails at start, loudly.
 */
export function installYamuxWindowHysteresis (): void {
  if (installed) return
  const proto = YamuxStream.prototype as unknown as WindowState
  const original = proto.sendWindowUpdate
  if (typeof original !== 'function') {
    throw new UnsupportedYamuxError('@libp2p/yamux: YamuxStream.sendWindowUpdate is gone')
  }
  proto.sendWindowUpdate = function (this: WindowState) {
    if (typeof this.recvWindowCapacity === 'number' && typeof this.recvWindow === 'number' && windowUpdateCanWait(this)) return
    original.call(this)
  }
  installed = true
}
