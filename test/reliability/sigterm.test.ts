import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { TEST_TOKEN, waitFor } from '../support/gateway'
import { MockLlm } from '../support/mock-llm'
import { type NodeProcess, startNode } from '../support/processes'
import { SseClient } from '../support/sse-client'
import { tempDir } from '../support/store'
import { WsClient } from '../support/ws-client'

/**
 * security-bar.md R3: the real CLI process gets SIGTERM while an SSE reader, a WebSocket, an LLM
 * stream mid-answer, a stalled client and an in-flight request are open. Streams get their final
 * event (SSE `shutdown`, WS 1001), new connections are refused, and it exits 0 within 10 s.
 */
describe('SIGTERM with open streams', () => {
  const cleanup: Array<() => unknown> = []
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn()
  })

  it('ends every stream properly and exits 0 within 10 s', async () => {
    const llm = await MockLlm.start()
    cleanup.push(() => llm.close())
    // The model starts answering, then goes quiet: the turn is mid-stream when the signal comes.
    llm.reply({ kind: 'hang', afterChunks: ['partial answer '] })
    const dataDir = tempDir()
    const gw: NodeProcess = await startNode('adapters/node/main.ts', {
      GATEWAY_AUTH_TOKEN: TEST_TOKEN,
      GATEWAY_DATA_DIR: dataDir,
      GATEWAY_PORT: '0',
      LLM_BASE_URL: llm.url,
      LLM_API_KEY: 'sk-upstream-key-never-shown',
      LLM_MODEL: 'mock-model',
    })
    cleanup.push(() => gw.child.kill('SIGKILL'))
    const auth = { authorization: `Bearer ${TEST_TOKEN}` }
    const origin = gw.url
    const port = Number(new URL(gw.url).port)

    const sse = await SseClient.open(`${gw.url}/api/chat/events`, { headers: auth })
    const ws = await WsClient.connect(`${gw.url.replace(/^http/, 'ws')}/api/chat/ws`, { headers: auth, origin })
    cleanup.push(() => sse.close())
    // A client that sent half its headers and went quiet, and one that never reads its stream.
    const stalled = net.connect(port, '127.0.0.1', () => stalled.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n'))
    const unread = net.connect(port, '127.0.0.1', () => unread.write(`GET /api/chat/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TEST_TOKEN}\r\n\r\n`))
    for (const s of [stalled, unread]) {
      s.on('error', () => undefined)
      cleanup.push(() => s.destroy())
    }
    unread.pause()

    const sent = await fetch(`${gw.url}/api/chat/send`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ content: 'tell me a story' }) })
    expect(sent.status).toBe(202)
    await sse.next((e) => e.event === 'stream_chunk' && String(e.json.content).includes('partial'), 10_000)
    await ws.next((f) => f.event_type === 'stream_chunk', 5_000)
    expect(llm.chatRequests()).toHaveLength(1)

    const started = Date.now()
    gw.child.kill('SIGTERM')
    await sse.waitEnd(10_000)
    expect(sse.events.at(-1)?.event).toBe('shutdown')
    expect(await ws.waitClose(10_000)).toBe(1001)
    // The listener is closed: a new connection is refused (not accepted and left hanging).
    const refused = await new Promise<boolean>((resolve) => {
      const probe = net.connect(port, '127.0.0.1')
      probe.once('connect', () => (probe.destroy(), resolve(false)))
      probe.once('error', () => resolve(true))
    })
    expect(refused).toBe(true)
    const code = await gw.exited
    expect(code).toBe(0)
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(gw.output()).not.toContain('sk-upstream-key-never-shown')
    expect(gw.output()).not.toMatch(/Unhandled|ERR_|uncaught/i)
    // The upstream stream was not left open by the process (its socket went with it).
    await waitFor(() => stalled.destroyed || stalled.readyState === 'closed', 2_000, 'stalled client closed')
  })
})
