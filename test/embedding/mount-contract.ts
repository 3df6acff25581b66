import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Gateway, GatewayOptions } from '../../adapters/node/index'
import { TEST_TOKEN, waitFor } from '../support/gateway'
import { SseClient } from '../support/sse-client'
import { tempDir, testStore } from '../support/store'
import { WsClient } from '../support/ws-client'

export interface HostApp {
  url: string
  gateway: Gateway
  notes: string[]
  close(): Promise<void>
}

type Json = Record<string, any>

/**
 * What a host app that mounts the gateway under `/agent` must get: the gateway's auth, query-token
 * allowlist, SSE, WebSocket, web app and CORS all under the prefix, its own routes untouched,
 * and its own agent answering in the channel.
 */
export function mountContract(name: string, start: (gateway: GatewayOptions) => Promise<HostApp>): void {
  describe(`gateway mounted under /agent: ${name}`, () => {
    let host: HostApp
    let base: string
    const auth = { authorization: `Bearer ${TEST_TOKEN}` }
    beforeAll(async () => {
      host = await start({ store: await testStore(), config: { authToken: TEST_TOKEN, dataDir: tempDir(), allowedOrigins: ['https://app.example'] } })
      base = `${host.url}/agent`
    })
    afterAll(() => host?.close())

    const post = (url: string, body: unknown, headers: Record<string, string> = auth) =>
      fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) })

    it('leaves the host its own routes and serves the gateway under the prefix', async () => {
      expect(await (await fetch(`${host.url}/api/health`)).json()).toEqual({ app: 'notes', ok: true })
      expect(await (await fetch(`${host.url}/`)).text()).toContain('My notes')
      const health = await fetch(`${base}/api/health`)
      expect(await health.json()).toEqual({ status: 'healthy', channel: 'gateway' })
      expect(health.headers.get('x-content-type-options')).toBe('nosniff')
    })

    it('keeps auth and the query-token allowlist under the prefix', async () => {
      expect((await fetch(`${base}/api/auth/whoami`)).status).toBe(401)
      expect((await fetch(`${base}/api/auth/whoami`, { headers: auth })).status).toBe(200)
      expect((await fetch(`${base}/api/auth/whoami?token=${TEST_TOKEN}`)).status).toBe(401)
      expect((await post(`${base}/api/chat/send?token=${TEST_TOKEN}`, { content: 'x' }, {})).status).toBe(401)
      const sse = await SseClient.open(`${base}/api/chat/events?token=${TEST_TOKEN}`)
      expect(sse.status).toBe(200)
      sse.close()
    })

    it("streams the host agent's answer over SSE and replays it after Last-Event-ID", async () => {
      const sse = await SseClient.open(`${base}/api/chat/events`, { headers: auth })
      const sent = await post(`${base}/api/chat/send`, { content: 'when do the plants need water?' })
      expect(sent.status).toBe(202)
      const { thread_id } = (await sent.json()) as Json
      const response = await sse.next((e) => e.event === 'response')
      expect(response.json).toEqual({ type: 'response', content: 'From your notes: Water the plants on Friday', thread_id })
      expect(sse.ofType('stream_chunk').map((e) => e.json.content).join('')).toBe(response.json.content)
      sse.close()
      await waitFor(() => host.gateway.hub.counts().sse === 0, 5_000, 'stream release')

      host.notes.push('Plants: use rain water')
      await post(`${base}/api/chat/send`, { content: 'plants?', thread_id })
      const resumed = await SseClient.open(`${base}/api/chat/events`, { headers: { ...auth, 'last-event-id': response.id! } })
      expect((await resumed.next((e) => e.event === 'response')).json.content).toBe('From your notes: Water the plants on Friday; Plants: use rain water')
      resumed.close()
    })

    it('speaks the WebSocket protocol under the prefix, with the Origin check', async () => {
      const refused = await WsClient.connect(`${base.replace(/^http/, 'ws')}/api/chat/ws`, { headers: auth, origin: 'https://evil.example' }).then(
        () => 101,
        (e: { status?: number }) => e.status,
      )
      expect(refused).toBe(403)
      const ws = await WsClient.connect(`${base.replace(/^http/, 'ws')}/api/chat/ws?token=${TEST_TOKEN}`, { origin: host.url })
      ws.send({ type: 'ping', id: 'p' })
      expect(await ws.next((f) => f.type === 'pong')).toEqual({ type: 'pong', id: 'p' })
      ws.send({ type: 'message', content: 'wifi', id: 'm' })
      expect(await ws.next((f) => f.type === 'ack')).toMatchObject({ id: 'm', result: { status: 'accepted' } })
      const event = await ws.next((f) => f.type === 'event' && f.event_type === 'response')
      expect((event.data as Json).content).toBe('From your notes: The wifi password is on the fridge')
      ws.close()
    })

    it('serves the web app under the prefix: a <base> for its relative URLs, each of which resolves', async () => {
      for (const path of ['/agent', '/agent/']) {
        const page = await fetch(`${host.url}${path}`)
        expect(page.status, path).toBe(200)
        expect(page.url).toBe(`${host.url}${path}`)
        const html = await page.text()
        expect(html).toContain('<base href="/agent/" />')
        const refs = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
        expect(refs).toEqual(expect.arrayContaining(['app.js', 'style.css']))
        for (const ref of refs) {
          const asset = await fetch(new URL(ref, `${host.url}/agent/`))
          expect(asset.status, ref).toBe(200)
          expect(new URL(asset.url).pathname.startsWith('/agent'), ref).toBe(true)
        }
      }
      // Answered in place, not redirected: `/agent/` is how people type it.
      expect((await fetch(`${host.url}/agent/`, { redirect: 'manual' })).status).toBe(200)
    })

    it('answers CORS preflights for configured origins only, never on the WebSocket route', async () => {
      const preflight = (origin: string, path: string) =>
        fetch(`${base}${path}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } })
      const allowed = await preflight('https://app.example', '/api/chat/send')
      expect(allowed.status).toBe(204)
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example')
      expect((await preflight('https://evil.example', '/api/chat/send')).headers.get('access-control-allow-origin')).toBeNull()
      expect((await preflight('https://app.example', '/api/chat/ws')).headers.get('access-control-allow-origin')).toBeNull()
    })
  })
}
