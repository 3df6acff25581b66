import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { z } from 'zod'

/**
 * A real Streamable HTTP MCP server on loopback (the SDK's server side, stateless: one server
 * per request). It demands `Authorization: Bearer <token>` from `accepts()` and answers 401
 * otherwise, like a hosted MCP server.
 */
export async function startMcpHttpServer(options: { accepts: (token: string | undefined) => boolean }) {
  const calls: Array<{ tool: string; args: unknown; authorization: string | undefined }> = []
  let requests = 0
  const build = (authorization: string | undefined) => {
    const server = new McpServer({ name: 'fixture-http', version: '1.0.0' })
    server.registerTool('lookup', { description: 'Looks a word up', inputSchema: { word: z.string() } }, async ({ word }) => {
      calls.push({ tool: 'lookup', args: { word }, authorization })
      return { content: [{ type: 'text', text: `${word}: a word` }] }
    })
    server.registerTool('stats', { description: 'Numbers as structured content', inputSchema: {} }, async () => {
      calls.push({ tool: 'stats', args: {}, authorization })
      return { content: [], structuredContent: { count: 3 } }
    })
    return server
  }
  const http = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    requests++
    const header = req.headers.authorization
    const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined
    if (!options.accepts(token)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer', 'content-type': 'application/json' }).end('{"error":"unauthorized"}')
      return
    }
    if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST' }).end()
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null')
    const server = build(header)
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true })
    res.on('close', () => {
      void transport.close()
      void server.close()
    })
    await server.connect(transport)
    await transport.handleRequest(req, res, body)
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const port = (http.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    calls,
    get requests() {
      return requests
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections()
        http.close(() => resolve())
      }),
  }
}

/**
 * A mock OAuth 2.0 authorization server (code flow with PKCE S256): `/authorize` redirects back
 * with a code at once (the user "consents"), `/token` checks the verifier against the challenge
 * and the redirect URI, and issues an access and a refresh token.
 */
export async function startMockAuthServer() {
  const codes = new Map<string, { challenge: string; redirectUri: string; clientId: string }>()
  const exchanges: Array<{ code: string; verifier: string | null; ok: boolean }> = []
  const issued: string[] = []
  const authorizeRequests: URL[] = []
  let refreshes = 0
  const http = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname === '/authorize') {
      authorizeRequests.push(url)
      const code = `code-${crypto.randomUUID()}`
      codes.set(code, { challenge: url.searchParams.get('code_challenge') ?? '', redirectUri: url.searchParams.get('redirect_uri') ?? '', clientId: url.searchParams.get('client_id') ?? '' })
      const back = new URL(url.searchParams.get('redirect_uri')!)
      back.searchParams.set('code', code)
      back.searchParams.set('state', url.searchParams.get('state') ?? '')
      return void res.writeHead(302, { location: back.href }).end()
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
      if (form.get('grant_type') === 'refresh_token') {
        refreshes++
        const token = `access-${crypto.randomUUID()}`
        issued.push(token)
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600 }))
      }
      const code = form.get('code') ?? ''
      const verifier = form.get('code_verifier')
      const pending = codes.get(code)
      codes.delete(code)
      const digest = verifier ? Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))).toString('base64url') : ''
      const ok = Boolean(pending && verifier && digest === pending.challenge && form.get('redirect_uri') === pending.redirectUri && form.get('client_id') === pending.clientId)
      exchanges.push({ code, verifier, ok })
      if (!ok) return void res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_grant"}')
      const token = `access-${crypto.randomUUID()}`
      issued.push(token)
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600, refresh_token: `refresh-${crypto.randomUUID()}` }))
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  return {
    authorizeUrl: `${base}/authorize`,
    tokenUrl: `${base}/token`,
    exchanges,
    issued,
    authorizeRequests,
    get refreshes() {
      return refreshes
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections()
        http.close(() => resolve())
      }),
  }
}
