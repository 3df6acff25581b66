/**
 * What the gateway and its baselines share so that both do the same work: the token and its
 * constant-time check, the event payload (a `stream_chunk` stamped with the monotonic clock), and
 * the loop that publishes events in bursts or at a steady rate.
 */
import { timingSafeEqual } from 'node:crypto'
import type { Socket } from 'node:net'

export const BENCH_TOKEN = 'bench-owner-token-0123456789abcdefghij'
export const BENCH_USER = 'owner'
const expected = Buffer.from(`Bearer ${BENCH_TOKEN}`)

/** The baselines' auth: a constant-time compare of the whole header, as a careful raw server would do. */
export function checkBearer(header: string | undefined): boolean {
  if (header === undefined || header.length !== expected.length) return false
  return timingSafeEqual(Buffer.from(header), expected)
}

/** CLOCK_MONOTONIC in microseconds: the same clock in every process on the machine. */
export const nowUs = (): number => Number(process.hrtime.bigint() / 1000n)

/**
 * The stamp clients look for: `@@<µs>`. Chosen so it cannot appear by accident in SSE framing,
 * in a WebSocket frame header (two 0x40 bytes would be a 16 KB length) or in the padding.
 */
export const STAMP = '@@'
const PAD = 'x'.repeat(100)

/** A token-sized event like the agent streams, about 200 bytes on the wire. */
export const chunkEvent = (): { type: 'stream_chunk'; content: string; thread_id: string } => ({
  type: 'stream_chunk',
  content: `${STAMP}${nowUs()} ${PAD}`,
  thread_id: 'bench-thread',
})

/** Bytes a socket may hold before a burst waits for it: below the gateway's 1 MB resync cap. */
const BACKLOG_BYTES = 256 * 1024
const BATCH = 32

export function backlogged(sockets: Iterable<Socket>): boolean {
  for (const s of sockets) if (s.writableLength > BACKLOG_BYTES) return true
  return false
}

const immediate = () => new Promise<void>((r) => setImmediate(r))
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/**
 * Publishes `count` events. `rate` 0: a burst, `BATCH` events at a time with a turn of the event
 * loop between (so sockets flush), pausing while any socket holds more than `BACKLOG_BYTES`.
 * `rate` R: R events per second on a 1 ms timer, catching up when a tick comes late.
 */
export async function publishLoop(options: {
  count: number
  rate: number
  publish: (seq: number) => unknown
  sockets: Iterable<Socket>
}): Promise<{ t0Us: number; sendMs: number }> {
  const { count, rate, publish } = options
  const t0Us = nowUs()
  if (!rate) {
    for (let i = 0; i < count; i++) {
      await publish(i)
      if (i % BATCH === BATCH - 1) {
        await immediate()
        while (backlogged(options.sockets)) await sleep(1)
      }
    }
  } else {
    const periodUs = 1e6 / rate
    let i = 0
    while (i < count) {
      const due = Math.min(count, Math.floor((nowUs() - t0Us) / periodUs) + 1)
      while (i < due) await publish(i++)
      if (i < count) await sleep(1)
    }
  }
  return { t0Us, sendMs: (nowUs() - t0Us) / 1000 }
}

/** Sockets of a server, tracked from `connection` to `close` (upgraded WebSockets included). */
export function trackSockets(server: import('node:net').Server): Set<Socket> {
  const sockets = new Set<Socket>()
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  return sockets
}
