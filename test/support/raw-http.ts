import http from 'node:http'
import net from 'node:net'

export interface RawResponse {
  /** Everything the server sent before it closed (or the timeout). */
  text: string
  status: number
  headers: Record<string, string>
  body: string
}

/** Parses the first response in `text` (status line, lower-cased headers, the rest as body). */
export function parseRaw(text: string): RawResponse {
  const end = text.indexOf('\r\n\r\n')
  const head = end === -1 ? text : text.slice(0, end)
  const [statusLine = '', ...lines] = head.split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { text, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body: end === -1 ? '' : text.slice(end + 4) }
}

/**
 * Sends bytes exactly as given on a fresh socket (no client normalising the path, the headers or
 * the framing) and collects what comes back until the server closes or `timeoutMs` passes.
 */
export function rawExchange(port: number, request: string | Buffer, options: { timeoutMs?: number; after?: (socket: net.Socket) => void } = {}): Promise<RawResponse> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    const done = () => {
      clearTimeout(timer)
      socket.destroy()
      resolve(parseRaw(Buffer.concat(chunks).toString('latin1')))
    }
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(request)
      options.after?.(socket)
    })
    socket.on('data', (d) => chunks.push(d))
    socket.on('error', done)
    socket.on('close', done)
    const timer = setTimeout(done, options.timeoutMs ?? 10_000)
  })
}

/** A GET with `Connection: close`, the path sent byte for byte. */
export const rawGet = (port: number, path: string, headers: Record<string, string> = {}): Promise<RawResponse> =>
  rawExchange(port, [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n'))

/**
 * One request on its own connection (node:http, no agent): for tests that send hundreds of odd
 * requests, where a pooled keep-alive socket closing under a request would be the client's race,
 * not the server's answer.
 */
export function freshRequest(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => chunks.push(d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(init.body)
  })
}
