/**
 * An OpenAI-compatible streaming upstream for the proxy and agent benchmarks (a bench child
 * process). `POST /v1/chat/completions` with `stream: true` answers `chunks` `chat.completion.chunk`
 * events at `rate` per second (0 = as fast as the socket takes them), each delta carrying a
 * `@@<µs>` monotonic stamp so clients downstream can measure the latency added on the way.
 * Without `stream`, one completion. `GET /v1/models` lists the one model.
 */
import { once } from 'node:events'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { nowUs, STAMP } from './lib/shared'

const MODEL = 'bench-model'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function start() {
  let chunks = 50
  let rate = 100
  let requests = 0

  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":${Math.floor(Date.now() / 1000)},"model":"${MODEL}",` +
    `"choices":[{"index":0,"delta":${JSON.stringify(delta)},"finish_reason":${finish === null ? 'null' : `"${finish}"`}}]}\n\n`

  async function stream(res: ServerResponse): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    res.write(chunk({ role: 'assistant', content: '' }, null))
    const t0 = nowUs()
    const periodUs = rate ? 1e6 / rate : 0
    for (let i = 0; i < chunks && !res.destroyed; i++) {
      if (periodUs) {
        const waitMs = (t0 + i * periodUs - nowUs()) / 1000
        if (waitMs >= 1) await sleep(waitMs)
      }
      if (!res.write(chunk({ content: `${STAMP}${nowUs()} tok${i} ` }, null))) await once(res, 'drain')
    }
    res.write(chunk({}, 'stop'))
    res.end(`data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":0,"model":"${MODEL}","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":${chunks},"total_tokens":${10 + chunks}}}\n\ndata: [DONE]\n\n`)
  }

  const server = createServer(async (req, res) => {
    let raw = ''
    for await (const part of req) raw += part
    requests++
    if (req.url?.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' })
      return void res.end(JSON.stringify({ object: 'list', data: [{ id: MODEL, object: 'model', created: 0, owned_by: 'bench' }] }))
    }
    if (!req.url?.endsWith('/chat/completions')) return void res.writeHead(404).end()
    const body = raw ? (JSON.parse(raw) as { stream?: boolean }) : {}
    if (body.stream) return stream(res)
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify({
        id: 'chatcmpl-bench',
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: MODEL,
        choices: [{ index: 0, message: { role: 'assistant', content: 'A short benchmark answer.' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      }),
    )
  })
  server.keepAliveTimeout = 30_000
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as AddressInfo).port

  return {
    info: { port, kind: 'upstream', baseUrl: `http://127.0.0.1:${port}/v1` },
    commands: {
      configure: (args: { chunks: number; rate: number }) => {
        chunks = args.chunks
        rate = args.rate
        return true
      },
      requests: () => requests,
    },
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}
