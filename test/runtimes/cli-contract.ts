import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { tempDir } from '../support/store'
import { SseClient } from '../support/sse-client'
import { WsClient } from '../support/ws-client'
import { type ChildServer, type RuntimeName, runtimeCommand, spawnServer, withChildDatabase } from './targets'

const ENTRY: Record<RuntimeName, string> = {
  node: 'adapters/node/main.ts',
  bun: 'adapters/bun/main.ts',
  deno: 'adapters/deno/main.ts',
}

/**
 * The `gateway` command on one runtime: the same output, the generated token stored 0600 in
 * the data dir, the data-dir lock, and a graceful stop on SIGTERM.
 */
export function cliContract(runtime: RuntimeName): void {
  describe(`gateway command: ${runtime}`, () => {
    const started: ChildServer[] = []
    afterAll(() => {
      for (const server of started) server.kill('SIGKILL')
    })
    const start = async (dataDir: string, env: Record<string, string> = {}) => {
      const server = await spawnServer(runtimeCommand(runtime, ENTRY[runtime], ['--port', '0', '--data-dir', dataDir]), env)
      started.push(server)
      return server
    }

    it('prints its address and a generated token, locks the data dir, and stops gracefully on SIGTERM', async () => {
      const dataDir = tempDir(`gw-cli-${runtime}-`)
      const server = await start(dataDir)
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const token = /^owner token \(generated, stored in (.+)\): ([A-Za-z0-9]{32})$/m.exec(server.output())
      expect(token?.[1]).toBe(join(dataDir, 'owner-token'))
      expect(readFileSync(join(dataDir, 'owner-token'), 'utf8').trim()).toBe(token![2])
      expect(statSync(join(dataDir, 'owner-token')).mode & 0o777).toBe(0o600)
      const auth = { authorization: `Bearer ${token![2]}` }
      expect((await fetch(`${server.url}/api/auth/whoami`, { headers: auth })).status).toBe(200)

      const second = await spawnServer(runtimeCommand(runtime, ENTRY[runtime], ['--port', '0', '--data-dir', dataDir]), {}).then(
        (s) => (started.push(s), 'started'),
        (error: Error) => error.message,
      )
      expect(second).toMatch(/exited 1:[\s\S]*another gateway \(pid \d+\) is already using the data directory/)

      const sse = await SseClient.open(`${server.url}/api/chat/events`, { headers: auth })
      const ws = await WsClient.connect(`${server.url.replace(/^http/, 'ws')}/api/chat/ws`, { headers: auth, origin: server.url })
      const began = Date.now()
      server.kill('SIGTERM')
      expect(await server.exited).toBe(0)
      expect(Date.now() - began).toBeLessThan(10_000)
      await sse.waitEnd()
      expect(sse.events.at(-1)?.event).toBe('shutdown')
      expect(await ws.waitClose()).toBe(1001)
      expect(server.output()).toContain('SIGTERM received, shutting down')
    })

    it('reuses the stored token on restart and honours GATEWAY_AUTH_TOKEN and DATABASE_URL', async () => {
      const dataDir = tempDir(`gw-cli-${runtime}-`)
      const first = await start(dataDir)
      const token = /: ([A-Za-z0-9]{32})$/m.exec(first.output())![1]!
      first.kill('SIGTERM')
      await first.exited
      let databaseUrl: string | undefined
      const { value: second, drop } = await withChildDatabase((env) => ((databaseUrl = env.DATABASE_URL), start(dataDir, env)))
      try {
        expect(second.output()).toMatch(/^owner token: stored in /m)
        expect(second.output()).not.toContain(token)
        const status = await fetch(`${second.url}/api/gateway/status`, { headers: { authorization: `Bearer ${token}` } })
        expect(((await status.json()) as { database: string }).database).toBe(databaseUrl ? 'postgres' : 'sqlite')
        second.kill('SIGTERM')
        await second.exited
      } finally {
        await drop()
      }
      const third = await start(dataDir, { GATEWAY_AUTH_TOKEN: 'configured-token-123' })
      expect(third.output()).not.toContain('owner token')
      expect((await fetch(`${third.url}/api/auth/whoami`, { headers: { authorization: 'Bearer configured-token-123' } })).status).toBe(200)
      expect((await fetch(`${third.url}/api/auth/whoami`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401)
      third.kill('SIGTERM')
      await third.exited
    })
  })
}
