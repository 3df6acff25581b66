import type { WSContext } from 'hono/ws'
import * as wsModule from 'ws'
import WebSocket from 'ws'
import { type EventSink, Once } from '../../src/ports/event-sink'
import type { PreparedEvent } from '../../src/ports/prepared-event'

type RawSocket = WebSocket & { _socket?: import('node:net').Socket }

const FRAME = 'node-ws-frame'

/** `ws` exports its frame builder (`WebSocket.Sender.frame`), but its type definitions omit it. */
const { Sender } = wsModule as unknown as {
  Sender: { frame(data: Buffer, options: { fin: boolean; rsv1: boolean; opcode: number; mask: boolean; readOnly: boolean }): Buffer[] }
}

/**
 * The event's text frame, header and payload in one buffer, built once per event and shared by
 * every socket: one `socket.write` per client instead of `ws.send`'s cork, two writes and uncork
 * (bench: `ws`).
 */
const frameOf = (event: PreparedEvent<string>): Buffer =>
  event.memo(FRAME, () =>
    Buffer.concat(Sender.frame(Buffer.from(event.wsText), { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false })),
  )

/**
 * A WebSocket sink on `ws`: the text frame of each event is built once (`Sender.frame`) and the
 * same buffers are written to every client's socket. Keep-alive is a protocol ping; a peer that
 * has not answered the previous ping is terminated.
 */
export function createNodeWsSink(ws: WSContext, bufferBytes: number): { sink: EventSink; closed: Once } {
  const raw = ws.raw as RawSocket
  const closed = new Once()
  let alive = true
  raw.on('pong', () => {
    alive = true
  })
  raw.once('close', () => closed.fire())

  // Frames written in the same tick leave in one syscall, as node:http does for SSE: corked on
  // the first write, uncorked on the next tick.
  let corked: import('node:net').Socket | undefined
  const uncork = () => {
    corked?.uncork()
    corked = undefined
  }

  const sink: EventSink = {
    kind: 'ws',
    write: (event) => {
      const socket = raw._socket
      if (closed.fired || raw.readyState !== WebSocket.OPEN || !socket || socket.destroyed) return
      if (!corked) {
        corked = socket
        socket.cork()
        process.nextTick(uncork)
      }
      socket.write(frameOf(event))
    },
    ready: () => !closed.fired && raw.bufferedAmount < bufferBytes,
    onDrain: (callback) => {
      if (raw._socket) raw._socket.once('drain', callback)
      else callback()
    },
    keepAlive: () => {
      if (raw.readyState !== WebSocket.OPEN) return
      if (!alive) return raw.terminate()
      alive = false
      raw.ping()
    },
    close: (final) => {
      if (closed.fired) return
      if (final) sink.write(final)
      raw.close(1001, 'server shutting down')
      closed.fire()
    },
    onClose: (callback) => closed.add(callback),
  }
  return { sink, closed }
}
