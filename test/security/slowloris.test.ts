import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, TEST_TOKEN, type TestServer } from '../support/gateway'

/**
 * security-bar.md 26: sockets that dribble their headers or their body are closed by the server's
 * header and request timeouts (set low here: 1 s and 2 s), while normal requests keep being served.
 */
describe('slowloris', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer({ config: { limits: { headersTimeoutMs: 1_000, requestTimeoutMs: 2_000 } } })
  })
  afterAll(() => t.close())

  it('closes slow-header and slow-body sockets; other clients are served meanwhile', async () => {
    const timers: NodeJS.Timeout[] = []
    const closedByServer: Promise<string>[] = []
    const slow = (head: string, drip: string) => {
      const socket = net.connect(t.server.port, '127.0.0.1', () => socket.write(head))
      socket.on('error', () => undefined)
      let answer = ''
      socket.on('data', (d) => (answer += d.toString('latin1')))
      const timer = setInterval(() => socket.writable && socket.write(drip), 200)
      timers.push(timer)
      closedByServer.push(new Promise((resolve) => socket.on('close', () => (clearInterval(timer), resolve(answer.split('\r\n')[0] ?? '')))))
      return socket
    }
    const sockets = [
      ...Array.from({ length: 150 }, () => slow('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X')),
      ...Array.from({ length: 50 }, () =>
        slow(`PUT /api/settings/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TEST_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"value":"`, 'a'),
      ),
    ]
    try {
      // While they dribble, the server answers others.
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`${t.url}/api/chat/threads`, { headers: t.auth })
        expect(res.status).toBe(200)
        await res.arrayBuffer()
        await new Promise((r) => setTimeout(r, 100))
      }
      const answers = await Promise.race([
        Promise.all(closedByServer),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('slow sockets still open after 15 s')), 15_000)),
      ])
      // Node answers 408 when it has a request to answer, else it just closes.
      for (const answer of answers) expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true)
      // The slow body never reached the handler as a complete document.
      const setting = await fetch(`${t.url}/api/settings/slow`, { headers: t.auth })
      expect(setting.status).toBe(404)
    } finally {
      for (const timer of timers) clearInterval(timer)
      for (const socket of sockets) socket.destroy()
    }
  })
})
