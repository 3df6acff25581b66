import net from 'node:net'
import v8 from 'node:v8'
import vm from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startTestServer, TEST_TOKEN, type TestServer, waitFor } from '../support/gateway'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

const CYCLES = Number(process.env.GATEWAY_CHURN_CYCLES ?? 10_000)
const PARALLEL = 25

/** Open sockets and timers of this process, by kind. */
const resources = () => {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1
  return counts
}

const heapAfterGc = async () => {
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise((r) => setImmediate(r))
  }
  return process.memoryUsage().heapUsed
}

/**
 * security-bar.md R7 and R8: SSE readers that leave as soon as they are in, WebSockets opened and
 * closed, and POSTs reset mid-body, 10,000 of each (`GATEWAY_CHURN_CYCLES`; ~35 s). Afterwards no
 * stream slot, connection, socket or timer is left behind, the heap is back where it was, and
 * nothing was an unhandled rejection.
 */
describe('connect/disconnect churn', () => {
  let t: TestServer
  let connections: () => Promise<number>
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => void unhandled.push(reason)
  beforeAll(async () => {
    // Thousands of opens by one user: the reconnect budget (R10, tested in rate-limits) is lifted here.
    t = await startTestServer({ config: { limits: { maxConnectionsPerUser: 1_000, streamOpensPerWindow: 100_000 } } })
    connections = () => new Promise((resolve, reject) => t.server.server.getConnections((error, count) => (error ? reject(error) : resolve(count))))
    process.on('unhandledRejection', onUnhandled)
  })
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled)
    await t.close()
  })

  const inBatches = async (run: () => Promise<void>) => {
    for (let i = 0; i < CYCLES; i += PARALLEL) await Promise.all(Array.from({ length: PARALLEL }, run))
  }

  const sseCycle = async () => {
    const abort = new AbortController()
    const res = await fetch(`${t.url}/api/chat/events`, { headers: t.auth, signal: abort.signal })
    expect(res.status).toBe(200)
    abort.abort()
    await res.body?.cancel().catch(() => undefined)
  }
  const wsCycle = () =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`${t.wsUrl}/api/chat/ws`, { headers: t.auth, origin: t.origin })
      ws.once('open', () => ws.close())
      ws.once('close', () => resolve())
      ws.once('error', reject)
    })
  const abortedPost = () =>
    new Promise<void>((resolve) => {
      const socket = net.connect(t.server.port, '127.0.0.1', () => {
        socket.write(`POST /api/chat/send HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TEST_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"content":"`)
        // A reset (RST), not a clean close, in the middle of the body.
        setTimeout(() => socket.resetAndDestroy(), 2)
      })
      socket.on('error', () => undefined)
      socket.on('close', () => resolve())
    })

  it('leaves no slot, socket, timer or heap behind', async () => {
    // One warm-up round of each so lazily created things exist before the baseline.
    await Promise.all([sseCycle(), wsCycle(), abortedPost()])
    await waitFor(async () => t.gateway.hub.counts().total === 0 && (await connections()) === 0, 5_000, 'warm-up to settle')
    const before = { resources: resources(), heap: await heapAfterGc(), listeners: t.server.server.listenerCount('connection') + t.server.server.listenerCount('upgrade') }

    await inBatches(sseCycle)
    await inBatches(wsCycle)
    await inBatches(abortedPost)

    await waitFor(() => t.gateway.hub.counts().total === 0, 10_000, 'every stream slot released')
    await waitFor(async () => (await connections()) === 0, 10_000, 'every server connection closed')
    const after = { resources: resources(), heap: await heapAfterGc(), listeners: t.server.server.listenerCount('connection') + t.server.server.listenerCount('upgrade') }
    expect(after.listeners).toBe(before.listeners)
    expect(after.resources.TCPSocketWrap ?? 0).toBeLessThanOrEqual((before.resources.TCPSocketWrap ?? 0) + 2)
    expect(after.resources.Timeout ?? 0).toBeLessThanOrEqual((before.resources.Timeout ?? 0) + 10)
    expect(after.heap - before.heap).toBeLessThan(10 * 1024 * 1024)
    expect(unhandled).toEqual([])
    // And it still serves.
    expect((await fetch(`${t.url}/api/chat/threads`, { headers: t.auth })).status).toBe(200)
  }, 120_000)
})
