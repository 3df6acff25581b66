import { afterAll, describe, expect, it } from 'vitest'
import { availableDialects, createTestSchema, dropTestSchema, POSTGRES_URL, tempDir } from '../support/store'
import { type NodeProcess, startNode } from '../support/processes'

const TOKEN = 'crash-test-token-0123456789abcdef'
/** Four by default (seconds per dialect); `GATEWAY_CRASH_ROUNDS=50` for the full R1 soak. */
const ROUNDS = Number(process.env.GATEWAY_CRASH_ROUNDS) || 4
const WRITERS = 8
/** Kill once this many writes of the round are acknowledged, so the burst is well under way. */
const KILL_AFTER_ACKS = 60

const auth = { authorization: `Bearer ${TOKEN}` }
const bodyFor = (id: string) => `${id} · 日本語 · مرحبا · 👍🏽 · ${'x'.repeat(1024)}`

/**
 * R1: kill -9 of a real server in the middle of a burst of writes, then restart. Every write that
 * was acknowledged (2xx) must be there, and the database must open cleanly (SQLite: the stale
 * lock file is taken over and `pragma integrity_check` is ok). The server is a host app that
 * embeds the gateway (test/fixtures/write-server.ts); on SQLite it uses a real data directory.
 */
describe.each(availableDialects)('kill -9 during a burst of writes on %s', (dialect) => {
  const schemas: string[] = []
  afterAll(async () => {
    for (const schema of schemas) await dropTestSchema(schema)
  })

  it(`keeps every acknowledged write across ${ROUNDS} crashes`, { timeout: 30_000 + ROUNDS * 15_000 }, async () => {
    const env: Record<string, string> = { GATEWAY_AUTH_TOKEN: TOKEN, GATEWAY_PORT: '0', GATEWAY_DATA_DIR: tempDir('gw-crash-') }
    if (dialect === 'postgres') {
      const schema = await createTestSchema()
      schemas.push(schema)
      env.DATABASE_URL = `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`
    }
    const acked = new Set<string>()
    let attempted = 0

    const verify = async (server: NodeProcess) => {
      const res = await fetch(`${server.url}/fixture/writes`, { headers: auth })
      expect(res.status).toBe(200)
      const { rows, integrity } = (await res.json()) as { rows: Array<{ id: string; body: string }>; integrity: string }
      expect(integrity).toBe(dialect === 'sqlite' ? 'ok' : 'n/a')
      const stored = new Map(rows.map((r) => [r.id, r.body]))
      const missing = [...acked].filter((id) => stored.get(id) !== bodyFor(id))
      expect(missing).toEqual([])
      // Nothing invented: every row is one a writer sent.
      expect(rows.length).toBeLessThanOrEqual(attempted)
      return rows.length
    }

    for (let round = 0; round < ROUNDS; round++) {
      const server = await startNode('test/fixtures/write-server.ts', env)
      try {
        await verify(server)
        let roundAcks = 0
        let killed = false
        const killedAt = new Promise<void>((resolve) => {
          const writer = async (w: number) => {
            for (let i = 0; !killed; i++) {
              const id = `r${round}-w${w}-${String(i).padStart(5, '0')}`
              attempted++
              try {
                const res = await fetch(`${server.url}/fixture/writes`, {
                  method: 'POST',
                  headers: { ...auth, 'content-type': 'application/json' },
                  body: JSON.stringify({ id, body: bodyFor(id) }),
                })
                if (res.status === 201) {
                  acked.add(id)
                  if (++roundAcks === KILL_AFTER_ACKS) {
                    // Mid-burst: the other writers have requests in flight right now.
                    server.child.kill('SIGKILL')
                    killed = true
                    resolve()
                  }
                } else await res.body?.cancel()
              } catch {
                return // the server is gone
              }
            }
          }
          void Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)))
        })
        await killedAt
        expect(await server.exited).toBe('SIGKILL')
      } finally {
        server.child.kill('SIGKILL')
      }
    }

    const last = await startNode('test/fixtures/write-server.ts', env)
    try {
      const rows = await verify(last)
      expect(acked.size).toBeGreaterThanOrEqual(ROUNDS * KILL_AFTER_ACKS)
      expect(rows).toBeGreaterThanOrEqual(acked.size)
      // And it still serves the gateway itself.
      expect((await fetch(`${last.url}/api/health`)).status).toBe(200)
    } finally {
      last.child.kill('SIGTERM')
      await last.exited
    }
  })
})
