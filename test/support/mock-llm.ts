import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A scripted OpenAI-compatible server on loopback: the edge we do not own, speaking the real
 * protocol (`/v1/chat/completions` streaming and not, `/v1/embeddings`, `/v1/models`), and
 * Anthropic's `/v1/messages` (streamed) for the Anthropic provider. Tests queue replies with
 * `reply()`; each chat request takes the next one (or the default text reply).
 */
export type ScriptStep =
  | { kind: 'text'; chunks: string[]; delayMs?: number; usage?: { prompt_tokens: number; completion_tokens: number } }
  | { kind: 'tool_calls'; calls: Array<{ name: string; arguments: unknown; id?: string }>; content?: string }
  | { kind: 'error'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Headers, then nothing: the upstream stalls mid-stream. */
  | { kind: 'hang'; afterChunks?: string[] }
  /** Sends a chunk that is not JSON. */
  | { kind: 'malformed' }
  /** Resets the connection after some chunks. */
  | { kind: 'reset'; afterChunks?: string[] }
  /** A proxy's HTML error page instead of JSON. */
  | { kind: 'html'; status: number }
  /** Chunks, then the end of the body with no finish_reason and no `[DONE]`. */
  | { kind: 'eof'; chunks: string[] }
  /** One content delta of `bytes` characters in a single SSE event. */
  | { kind: 'huge'; bytes: number }
  /** An event stream written exactly as given, piece by piece (`delayMs` apart), then the end. */
  | { kind: 'raw'; pieces: Array<string | Uint8Array>; delayMs?: number }

export interface RecordedRequest {
  path: string
  headers: IncomingMessage['headers']
  body: Record<string, unknown>
}

export class MockLlm {
  readonly requests: RecordedRequest[] = []
  /** Chat streams the client hung up on before they ended (cancellation reached the upstream). */
  abortedStreams = 0
  readonly #script: ScriptStep[] = []
  defaultReply = 'Hello from the mock model.'
  models = ['mock-model', 'mock-embed']
  #server!: Server
  url = ''
  #sockets = new Set<import('node:net').Socket>()

  static async start(): Promise<MockLlm> {
    const mock = new MockLlm()
    mock.#server = createServer((req, res) => void mock.#handle(req, res))
    mock.#server.on('connection', (s) => {
      mock.#sockets.add(s)
      s.on('close', () => mock.#sockets.delete(s))
    })
    await new Promise<void>((resolve) => mock.#server.listen(0, '127.0.0.1', resolve))
    mock.url = `http://127.0.0.1:${(mock.#server.address() as AddressInfo).port}/v1`
    return mock
  }

  /** Queues replies for the next chat completion requests, in order. */
  reply(...steps: ScriptStep[]): this {
    this.#script.push(...steps)
    return this
  }

  text(...chunks: string[]): this {
    return this.reply({ kind: 'text', chunks })
  }

  toolCall(name: string, args: unknown, id?: string): this {
    return this.reply({ kind: 'tool_calls', calls: [{ name, arguments: args, ...(id ? { id } : {}) }] })
  }

  chatRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/chat/completions') || r.path.endsWith('/messages'))
  }

  /** Steps not consumed yet. */
  get queued(): number {
    return this.#script.length
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = ''
    for await (const chunk of req) raw += chunk
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {}
    const path = (req.url ?? '').split('?')[0]!
    this.requests.push({ path, headers: req.headers, body })
    if (path.endsWith('/models')) return json(res, 200, { object: 'list', data: this.models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'mock' })) })
    if (path.endsWith('/embeddings')) return json(res, 200, embeddings(body))
    if (path.endsWith('/chat/completions')) return this.#chat(body, res)
    if (path.endsWith('/messages')) return this.#anthropic(body, res)
    json(res, 404, { error: { message: `no route ${path}`, type: 'invalid_request_error', param: null, code: null } })
  }

  async #chat(body: Record<string, unknown>, res: ServerResponse): Promise<void> {
    const step = this.#script.shift() ?? { kind: 'text', chunks: [this.defaultReply] }
    const model = String(body.model ?? 'mock-model')
    const stream = body.stream === true
    const id = `chatcmpl-mock${this.requests.length}`
    if (step.kind === 'error') {
      res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers })
      return void res.end(JSON.stringify(step.body ?? { error: { message: `mock error ${step.status}`, type: 'server_error', param: null, code: null } }))
    }
    if (step.kind === 'html') {
      res.writeHead(step.status, { 'content-type': 'text/html' })
      return void res.end(`<html><head><title>${step.status} Bad Gateway</title></head><body><script>alert(1)</script><h1>upstream proxy error</h1></body></html>`)
    }
    if (!stream) {
      if (step.kind === 'text') {
        const content = step.chunks.join('')
        const usage = step.usage ?? { prompt_tokens: 10, completion_tokens: Math.max(1, content.length >> 2) }
        return json(res, 200, { id, object: 'chat.completion', created: now(), model, choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } })
      }
      if (step.kind === 'tool_calls') {
        const tool_calls = step.calls.map((c, i) => ({ id: c.id ?? `call_${i}`, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.arguments) } }))
        return json(res, 200, { id, object: 'chat.completion', created: now(), model, choices: [{ index: 0, message: { role: 'assistant', content: step.content ?? null, tool_calls }, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } })
      }
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    if (step.kind === 'raw') {
      for (const piece of step.pieces) {
        res.write(piece)
        if (step.delayMs) await sleep(step.delayMs)
      }
      return void res.end()
    }
    const send = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) =>
      res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: now(), model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`)
    send({ role: 'assistant', content: '' })
    const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true
    switch (step.kind) {
      case 'text': {
        let text = ''
        for (const chunk of step.chunks) {
          if (step.delayMs) await sleep(step.delayMs)
          if (res.destroyed || res.socket?.destroyed) {
            this.abortedStreams++
            return
          }
          text += chunk
          send({ content: chunk })
        }
        send({}, 'stop')
        const usage = step.usage ?? { prompt_tokens: 10, completion_tokens: Math.max(1, text.length >> 2) }
        if (includeUsage) res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: now(), model, choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } })}\n\n`)
        break
      }
      case 'tool_calls': {
        if (step.content) send({ content: step.content })
        step.calls.forEach((c, index) => {
          const args = JSON.stringify(c.arguments)
          const half = Math.floor(args.length / 2)
          send({ tool_calls: [{ index, id: c.id ?? `call_${index}`, type: 'function', function: { name: c.name, arguments: args.slice(0, half) } }] })
          send({ tool_calls: [{ index, function: { arguments: args.slice(half) } }] })
        })
        send({}, 'tool_calls')
        if (includeUsage) res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: now(), model, choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } })}\n\n`)
        break
      }
      case 'hang':
        for (const chunk of step.afterChunks ?? []) send({ content: chunk })
        return // never ends; the client must time out
      case 'malformed':
        res.write('data: {not json\n\n')
        break
      case 'eof':
        for (const chunk of step.chunks) send({ content: chunk })
        return void res.end()
      case 'huge':
        send({ content: 'x'.repeat(step.bytes) })
        send({}, 'stop')
        break
      case 'reset':
        for (const chunk of step.afterChunks ?? []) send({ content: chunk })
        await sleep(10)
        res.socket?.destroy()
        return
    }
    res.write('data: [DONE]\n\n')
    res.end()
  }

  /** Anthropic's messages API, streamed (`stream: true`), for the same script steps. */
  async #anthropic(body: Record<string, unknown>, res: ServerResponse): Promise<void> {
    const step = this.#script.shift() ?? { kind: 'text', chunks: [this.defaultReply] }
    const model = String(body.model ?? 'claude-mock')
    if (step.kind === 'error') {
      res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers })
      return void res.end(JSON.stringify(step.body ?? { type: 'error', error: { type: 'api_error', message: `mock error ${step.status}` } }))
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    const send = (event: string, data: Record<string, unknown>) => res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`)
    send('message_start', { message: { id: 'msg_mock', type: 'message', role: 'assistant', content: [], model, stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } } })
    if (step.kind === 'text') {
      send('content_block_start', { index: 0, content_block: { type: 'text', text: '' } })
      for (const chunk of step.chunks) {
        if (step.delayMs) await sleep(step.delayMs)
        send('content_block_delta', { index: 0, delta: { type: 'text_delta', text: chunk } })
      }
      send('content_block_stop', { index: 0 })
      send('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 7 } })
    } else if (step.kind === 'tool_calls') {
      step.calls.forEach((c, index) => {
        send('content_block_start', { index, content_block: { type: 'tool_use', id: c.id ?? `toolu_${index}`, name: c.name, input: {} } })
        send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(c.arguments) } })
        send('content_block_stop', { index })
      })
      send('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 9 } })
    } else if (step.kind === 'hang') {
      return
    } else if (step.kind === 'malformed') {
      res.write('event: content_block_delta\ndata: {not json\n\n')
    } else if (step.kind === 'reset') {
      res.socket?.destroy()
      return
    }
    send('message_stop', {})
    res.end()
  }
}

const now = () => Math.floor(Date.now() / 1000)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

/**
 * Deterministic embeddings: a normalised bag of hashed words (64 dims), so texts sharing words are
 * close in cosine similarity, as with a real model.
 */
export function mockEmbedding(text: string, dims = 64): number[] {
  const v = new Array<number>(dims).fill(0)
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    let h = 2166136261
    for (const ch of word) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619)
    v[Math.abs(h) % dims]! += 1
  }
  const norm = Math.hypot(...v) || 1
  return v.map((x) => x / norm)
}

function embeddings(body: Record<string, unknown>) {
  const input = Array.isArray(body.input) ? (body.input as string[]) : [String(body.input ?? '')]
  return {
    object: 'list',
    model: String(body.model ?? 'mock-embed'),
    data: input.map((text, index) => ({ object: 'embedding', index, embedding: mockEmbedding(text) })),
    usage: { prompt_tokens: input.join(' ').length >> 2, total_tokens: input.join(' ').length >> 2 },
  }
}
