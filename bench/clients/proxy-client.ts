/**
 * Streaming chat completion client: `streams` concurrent `POST /v1/chat/completions` with
 * `stream: true`, each answer scanned for the upstream's `@@<µs>` stamps. Latency of a chunk is
 * its read time minus its stamp: the whole way from the upstream's `write` to this client.
 */
import { Agent, request } from 'node:http'
import { BENCH_TOKEN, nowUs, STAMP } from '../lib/shared'

const BUCKET_US = 10
const PAT = Buffer.from(STAMP)

export async function start() {
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 })
  return {
    commands: {
      async run(args: { port: number; streams: number }) {
        const hist = new Uint32Array(1_000_000)
        let received = 0
        let errors = 0
        const statuses = new Set<number>()
        const body = JSON.stringify({ model: 'bench-model', stream: true, messages: [{ role: 'user', content: 'Count to fifty.' }] })
        const one = () =>
          new Promise<void>((resolve) => {
            const req = request(
              {
                host: '127.0.0.1',
                port: args.port,
                method: 'POST',
                path: '/v1/chat/completions',
                agent,
                headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_TOKEN}`, 'content-length': Buffer.byteLength(body) },
              },
              (res) => {
                statuses.add(res.statusCode ?? 0)
                let carry: Buffer | null = null
                res.on('data', (chunk: Buffer) => {
                  const t = nowUs()
                  const buf = carry ? Buffer.concat([carry, chunk]) : chunk
                  let p = 0
                  let keep = -1
                  for (;;) {
                    const at = buf.indexOf(PAT, p)
                    if (at < 0) {
                      keep = Math.max(p, buf.length - (PAT.length - 1))
                      break
                    }
                    let q = at + PAT.length
                    let v = 0
                    for (; q < buf.length; q++) {
                      const c = buf[q]!
                      if (c < 48 || c > 57) break
                      v = v * 10 + (c - 48)
                    }
                    if (q >= buf.length) {
                      keep = at
                      break
                    }
                    hist[Math.min(hist.length - 1, Math.max(0, Math.floor((t - v) / BUCKET_US)))]!++
                    received++
                    p = q
                  }
                  carry = keep < buf.length ? Buffer.from(buf.subarray(keep)) : null
                })
                res.on('end', resolve)
                res.on('error', () => (errors++, resolve()))
              },
            )
            req.on('error', () => (errors++, resolve()))
            req.end(body)
          })
        const cpu0 = process.cpuUsage()
        const t0 = nowUs()
        await Promise.all(Array.from({ length: args.streams }, one))
        const cpu = process.cpuUsage(cpu0)
        const pct = (q: number) => {
          const target = Math.ceil(q * received)
          let acc = 0
          for (let i = 0; i < hist.length; i++) if ((acc += hist[i]!) >= target) return ((i + 0.5) * BUCKET_US) / 1000
          return Number.NaN
        }
        return {
          received,
          errors,
          statuses: [...statuses],
          wallMs: (nowUs() - t0) / 1000,
          cpuUs: cpu.user + cpu.system,
          p50Ms: received ? pct(0.5) : Number.NaN,
          p99Ms: received ? pct(0.99) : Number.NaN,
        }
      },
    },
  }
}
