import { createGateway, type Gateway, type GatewayOptions, serveGateway, type RunningServer } from '../../adapters/node/index'
import type { GatewayConfigInput } from '../../src/config/gateway-config'
import { tempDir, testStore } from './store'

export const TEST_TOKEN = 'test-owner-token-0123456789abcdef'

type TestOptions = Omit<GatewayOptions, 'config'> & { config?: Partial<GatewayConfigInput> }

/**
 * A gateway for `app.request()` tests: owner token `TEST_TOKEN`, a temp data dir, and an isolated
 * test database (SQLite, or PostgreSQL under GATEWAY_TEST_DATABASE_URL). Pass `store: undefined`
 * for none.
 */
export async function testGateway(options: TestOptions = {}): Promise<Gateway & { request: (path: string, init?: RequestInit & { json?: unknown; token?: string | null }) => Promise<Response> }> {
  const store = 'store' in options ? options.store : await testStore()
  const gateway = await createGateway({ ...options, store, config: { authToken: TEST_TOKEN, port: 3000, dataDir: tempDir(), ...options.config } })
  const request = (path: string, init: RequestInit & { json?: unknown; token?: string | null } = {}) => {
    const headers = new Headers(init.headers)
    const token = init.token === undefined ? TEST_TOKEN : init.token
    if (token !== null && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`)
    let body = init.body
    if (init.json !== undefined) {
      body = JSON.stringify(init.json)
      if (!headers.has('content-type')) headers.set('content-type', 'application/json')
    }
    return Promise.resolve(gateway.app.request(path, { ...init, headers, body }))
  }
  return Object.assign(gateway, { request })
}

export interface TestServer {
  gateway: Gateway
  server: RunningServer
  url: string
  wsUrl: string
  origin: string
  auth: Record<string, string>
  close(): Promise<void>
}

/** A real Node server on 127.0.0.1, port 0. */
export async function startTestServer(options: TestOptions = {}): Promise<TestServer> {
  const store = 'store' in options ? options.store : await testStore()
  const gateway = await createGateway({ ...options, store, config: { authToken: TEST_TOKEN, host: '127.0.0.1', port: 0, dataDir: tempDir(), ...options.config } })
  const server = await serveGateway(gateway)
  return {
    gateway,
    server,
    url: server.url,
    wsUrl: server.url.replace(/^http/, 'ws'),
    origin: `http://127.0.0.1:${server.port}`,
    auth: { authorization: `Bearer ${TEST_TOKEN}` },
    close: () => server.close(1_000),
  }
}

/** An agent that answers every message with `echo: <content>`, streamed as two chunks. */
export const echoAgent = (gateway: Gateway) => ({
  async onMessage(message: import('../../src/index').IncomingMessage) {
    const to = { userId: message.userId, threadId: message.threadId }
    await gateway.channel.sendStatus(to, { type: 'stream_chunk', content: 'echo: ' })
    await gateway.channel.sendStatus(to, { type: 'stream_chunk', content: message.content })
    await gateway.channel.respond(to, `echo: ${message.content}`)
  },
})

export const waitFor = async (check: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
