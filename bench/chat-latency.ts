/**
 * Added latency from an upstream LLM chunk to the client, through the real gateway (Node adapter,
 * SQLite store, default agent): the time from the fake upstream writing a chunk to the client
 * reading it, directly from the upstream vs as a `stream_chunk` on `GET /api/chat/events` vs
 * through the `/v1/chat/completions` proxy. Upstream, gateway and client share one process (and
 * clock); chunks are paced so the loop is mostly idle and the numbers are latency, not throughput.
 *
 *   npx tsx bench/chat-latency.ts [--chunks 200] [--interval 10] [--runs 3]
 */
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGateway, serveGateway } from '../adapters/node/index'

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}
const CHUNKS = arg('chunks', 200)
const INTERVAL_MS = arg('interval', 10)
const RUNS = arg('runs', 3)
const TOKEN = 'bench-token-0123456789abcdefghij'

/** Send time of each chunk, by its sequence number (the chunk's text is `<seq>|`). */
const sentAt = new Map<number, number>()

const upstream = createServer((req, res) => {
  let body = ''
  req.on('data', (d) => (body += d))
  req.on('end', () => void stream(res, JSON.parse(body || '{}') as { model?: string }))
})

async function stream(res: ServerResponse, request: { model?: string }): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  const frame = (delta: Record<string, unknown>, finish: string | null = null) =>
    res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: request.model ?? 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`)
  frame({ role: 'assistant', content: '' })
  for (let seq = 0; seq < CHUNKS; seq++) {
    await new Promise((r) => setTimeout(r, INTERVAL_MS))
    sentAt.set(seq, performance.now())
    frame({ content: `${seq}|` })
  }
  frame({}, 'stop')
  res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [], usage: { prompt_tokens: 1, completion_tokens: CHUNKS } })}\n\n`)
  res.end('data: [DONE]\n\n')
}

/** Reads an SSE body, calling `onData` with each `data:` payload as it arrives. */
async function readSse(body: ReadableStream<Uint8Array>, onData: (data: string) => boolean | void): Promise<void> {
  const decoder = new TextDecoder()
  let buffer = ''
  for await (const bytes of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(bytes, { stream: true })
    let end: number
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      for (const line of frame.split('\n')) if (line.startsWith('data:') && onData(line.slice(5).trimStart()) === true) return
    }
  }
}

/** Latencies (ms) of every chunk seen in a run; `extract` pulls the chunk text out of a data payload. */
async function measure(open: () => Promise<ReadableStream<Uint8Array>>, extract: (data: string) => string | undefined | null, start?: () => Promise<void>): Promise<number[]> {
  sentAt.clear()
  const latencies: number[] = []
  const body = await open()
  const done = readSse(body, (data) => {
    const text = extract(data)
    if (text === null) return true
    if (!text) return
    const now = performance.now()
    for (const part of text.split('|')) {
      if (part === '') continue
      const sent = sentAt.get(Number(part))
      if (sent !== undefined) latencies.push(now - sent)
    }
    return latencies.length >= CHUNKS
  })
  await start?.()
  await done
  return latencies
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

async function main(): Promise<void> {
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`
  const gateway = await createGateway({
    config: { authToken: TOKEN, host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'gw-bench-')), llm: { baseUrl: upstreamUrl, model: 'bench-model' }, limits: { chatMessagesPerWindow: 1000 } },
  })
  const server = await serveGateway(gateway)
  const auth = { authorization: `Bearer ${TOKEN}` }
  const results: Record<string, number[]> = { direct: [], 'gateway SSE (stream_chunk)': [], 'gateway /v1 proxy': [] }

  const chunkText = (data: string): string | undefined => {
    if (data === '[DONE]') return undefined
    return (JSON.parse(data) as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta?.content
  }
  for (let run = 0; run < RUNS; run++) {
    results.direct!.push(
      ...(await measure(async () => {
        const res = await fetch(`${upstreamUrl}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'bench-model', stream: true }) })
        return res.body!
      }, chunkText)),
    )
    const events = new AbortController()
    results['gateway SSE (stream_chunk)']!.push(
      ...(await measure(
        async () => (await fetch(`${server.url}/api/chat/events`, { headers: auth, signal: events.signal })).body!,
        (data) => {
          const event = JSON.parse(data) as { type: string; content?: string }
          return event.type === 'stream_chunk' ? event.content : undefined
        },
        async () => {
          await fetch(`${server.url}/api/chat/send`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ content: 'go' }) })
        },
      )),
    )
    events.abort()
    results['gateway /v1 proxy']!.push(
      ...(await measure(async () => {
        const res = await fetch(`${server.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'bench-model', stream: true, messages: [{ role: 'user', content: 'go' }] }),
        })
        return res.body!
      }, chunkText)),
    )
    await gateway.defaultAgent?.idle()
  }

  const base = percentile(results.direct!, 50)
  console.log(`chunk latency, ${RUNS} runs x ${CHUNKS} chunks every ${INTERVAL_MS} ms (node ${process.version}, store ${gateway.store?.dialect ?? 'none'})`)
  console.log('path'.padEnd(30), 'p50 ms'.padStart(8), 'p95 ms'.padStart(8), 'p99 ms'.padStart(8), 'added p50'.padStart(10))
  for (const [name, values] of Object.entries(results)) {
    const p50 = percentile(values, 50)
    console.log(name.padEnd(30), p50.toFixed(3).padStart(8), percentile(values, 95).toFixed(3).padStart(8), percentile(values, 99).toFixed(3).padStart(8), (name === 'direct' ? '' : `+${(p50 - base).toFixed(3)}`).padStart(10))
  }
  await server.close(1_000)
  upstream.closeAllConnections()
  upstream.close()
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
