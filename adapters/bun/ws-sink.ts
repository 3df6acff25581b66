import type { WSContext } from 'hono/ws'
import { type EventSink, Once } from '../../src/ports/event-sink'
import type { BunServerWebSocketLike } from './bun'

/** Drain callbacks by raw socket: Bun calls one `drain` handler per server, not per socket. */
const drains = new WeakMap<object, () => void>()

/** The server's `websocket.drain` handler: wakes the sink of the socket that has room again. */
export function onBunDrain(ws: object): void {
  const callback = drains.get(ws)
  drains.delete(ws)
  callback?.()
}

/**
 * A WebSocket sink on Bun's `ServerWebSocket`: backpressure from `getBufferedAmount()` and the
 * server's `drain` event (instead of polling), and a protocol ping as keep-alive.
 */
export function createBunWsSink(ws: WSContext, bufferBytes: number): { sink: EventSink; closed: Once } {
  // hono/bun makes a new WSContext for every event, but `raw` is the same ServerWebSocket.
  const raw = ws.raw as BunServerWebSocketLike
  const closed = new Once()
  const open = () => !closed.fired && raw.readyState === 1

  const sink: EventSink = {
    kind: 'ws',
    write: (event) => {
      if (!open()) return
      // -1: queued under backpressure (drain follows); 0: dropped because the socket closed.
      if (raw.send(event.wsText) === 0) closed.fire()
    },
    ready: () => open() && raw.getBufferedAmount() < bufferBytes,
    onDrain: (callback) => {
      if (raw.getBufferedAmount() === 0) queueMicrotask(callback)
      else drains.set(raw, callback)
    },
    keepAlive: () => {
      if (open()) raw.ping()
    },
    close: (final) => {
      if (closed.fired) return
      if (final) sink.write(final)
      raw.close(1001, 'server shutting down')
      closed.fire()
    },
    onClose: (callback) => closed.add(callback),
  }
  closed.add(() => drains.delete(raw))
  return { sink, closed }
}
