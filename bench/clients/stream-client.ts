/**
 * SSE and WebSocket clients as raw TCP sockets, many per process, kept cheap so the server is
 * what gets measured: no HTTP or frame parser, only a byte scan for the `@@<µs>` stamps, with
 * one clock read per socket read. Latency is the read time minus the stamp (same monotonic
 * clock as the server). Histogram in 10 µs buckets up to 60 s.
 */
import { connect, type Socket } from 'node:net'
import { BENCH_TOKEN, nowUs, STAMP } from '../lib/shared'

const BUCKET_US = 10
const hist = new Uint32Array(6_000_000)
const PAT = Buffer.from(STAMP)
let received = 0
let firstUs = 0
let lastUs = 0
let cpuMark = process.cpuUsage()
let waiter: { total: number; resolve: () => void } | undefined

/** Counts complete stamps in `buf`; returns the offset from which bytes must be carried over. */
function scan(buf: Buffer, t: number): number {
  let p = 0
  for (;;) {
    const at = buf.indexOf(PAT, p)
    if (at < 0) return Math.max(p, buf.length - (PAT.length - 1))
    let q = at + PAT.length
    let v = 0
    for (; q < buf.length; q++) {
      const c = buf[q]!
      if (c < 48 || c > 57) break
      v = v * 10 + (c - 48)
    }
    if (q >= buf.length) return at // the number may continue in the next read
    hist[Math.min(hist.length - 1, Math.max(0, Math.floor((t - v) / BUCKET_US)))]!++
    if (received === 0) firstUs = t
    received++
    p = q
  }
}

/** Open streams by group, so one server's streams can be closed without the other's. */
const groups = new Map<string, Socket[]>()
const group = (name = 'default'): Socket[] => {
  let g = groups.get(name)
  if (!g) groups.set(name, (g = []))
  return g
}

function open(options: { port: number; mode: 'sse' | 'ws'; path: string; origin: string; group?: string }): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(options.port, '127.0.0.1')
    s.setNoDelay(true)
    let headerDone = false
    let carry: Buffer | null = null
    s.once('connect', () => {
      const common = `Host: 127.0.0.1:${options.port}\r\nAuthorization: Bearer ${BENCH_TOKEN}\r\n`
      s.write(
        options.mode === 'ws'
          ? `GET ${options.path} HTTP/1.1\r\n${common}Origin: ${options.origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
              `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`
          : `GET ${options.path} HTTP/1.1\r\n${common}Accept: text/event-stream\r\n\r\n`,
      )
    })
    s.on('data', (chunk: Buffer) => {
      const t = nowUs()
      let buf = carry ? Buffer.concat([carry, chunk]) : chunk
      if (!headerDone) {
        const h = buf.indexOf('\r\n\r\n')
        if (h < 0) return void (carry = buf)
        const status = buf.toString('latin1', 9, 12)
        if (status !== '200' && status !== '101') {
          s.destroy()
          return reject(new Error(`status ${status}: ${buf.toString('latin1', 0, Math.min(buf.length, 300))}`))
        }
        headerDone = true
        resolve(s)
        buf = buf.subarray(h + 4)
      }
      const before = received
      const keep = scan(buf, t)
      carry = keep < buf.length ? Buffer.from(buf.subarray(keep)) : null
      if (received > before) {
        lastUs = t
        if (waiter && received >= waiter.total) waiter.resolve()
      }
    })
    s.on('error', (error) => (headerDone ? undefined : reject(error)))
    group(options.group).push(s)
  })
}

function percentile(q: number): number {
  if (received === 0) return Number.NaN
  const target = Math.ceil(q * received)
  let acc = 0
  for (let i = 0; i < hist.length; i++) {
    acc += hist[i]!
    if (acc >= target) return ((i + 0.5) * BUCKET_US) / 1000
  }
  return Number.NaN
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function start() {
  return {
    commands: {
      /** Opens `n` streams, 200 at a time. */
      async connect(args: { port: number; mode: 'sse' | 'ws'; path: string; n: number; group?: string }) {
        const t0 = Date.now()
        const origin = `http://127.0.0.1:${args.port}`
        for (let i = 0; i < args.n; i += 200) {
          await Promise.all(Array.from({ length: Math.min(200, args.n - i) }, () => open({ ...args, origin })))
        }
        return { open: group(args.group).filter((s) => !s.destroyed).length, connectMs: Date.now() - t0 }
      },
      reset() {
        hist.fill(0)
        received = firstUs = lastUs = 0
        cpuMark = process.cpuUsage()
        return true
      },
      /** Resolves once `total` stamps arrived (since the last reset) or after `timeoutMs`. */
      async wait(args: { total: number; timeoutMs: number; idleMs?: number }) {
        if (received < args.total) {
          const done = new Promise<void>((resolve) => (waiter = { total: args.total, resolve }))
          // Also gives up when nothing has arrived for `idleMs`: the rest was dropped (resync).
          let stalled: NodeJS.Timeout | undefined
          const idle = new Promise<void>((resolve) => {
            if (!args.idleMs) return
            let seen = received
            stalled = setInterval(() => {
              if (received === seen) resolve()
              seen = received
            }, args.idleMs)
          })
          await Promise.race([done, idle, sleep(args.timeoutMs)])
          clearInterval(stalled)
          waiter = undefined
        }
        return { received }
      },
      stats() {
        const cpu = process.cpuUsage(cpuMark)
        return {
          received,
          firstUs,
          lastUs,
          cpuUs: cpu.user + cpu.system,
          latencyMs: { p50: percentile(0.5), p90: percentile(0.9), p99: percentile(0.99), max: percentile(1) },
        }
      },
      /** Closes `count` streams: `fin` half-closes politely, `rst` resets (a crashed or vanished client). */
      close(args: { count: number; how: 'fin' | 'rst'; group?: string }) {
        let closed = 0
        for (const s of group(args.group)) {
          if (closed >= args.count) break
          if (s.destroyed || (s as Socket & { benchClosed?: boolean }).benchClosed) continue
          ;(s as Socket & { benchClosed?: boolean }).benchClosed = true
          if (args.how === 'fin') s.end()
          else s.resetAndDestroy()
          closed++
        }
        return closed
      },
      /** Destroys the streams of one group, or of all. */
      closeAll(args: { group?: string } = {}) {
        const names = args.group === undefined ? [...groups.keys()] : [args.group]
        for (const name of names) for (const s of group(name).splice(0)) s.destroy()
        return true
      },
    },
  }
}
