import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type NodeProcess, startNode } from '../support/processes'
import { tempDir } from '../support/store'

const CLI = 'adapters/node/main.ts'

/** R2: one gateway per SQLite data directory; a second one refuses to start and the first goes on. */
describe('a second gateway on the same SQLite data directory', () => {
  const started: NodeProcess[] = []
  afterEach(() => {
    for (const p of started.splice(0)) p.child.kill('SIGKILL')
  })

  it('refuses with a clear message, leaves the first one serving, and starts once the first is gone (even killed)', async () => {
    const dataDir = tempDir('gw-lock-')
    const env = { GATEWAY_DATA_DIR: dataDir, GATEWAY_AUTH_TOKEN: 'lock-test-token' }
    const first = await startNode(CLI, env, ['--port', '0'])
    started.push(first)
    expect(readFileSync(join(dataDir, 'gateway.lock'), 'utf8')).toBe(String(first.child.pid))

    const second = await startNode(CLI, env, ['--port', '0']).then(
      (p) => (started.push(p), { code: 0, output: p.output() }),
      (error: { code: number; output: string }) => error,
    )
    expect(second.code).toBe(1)
    expect(second.output).toContain(`gateway failed to start: another gateway (pid ${first.child.pid}) is already using the data directory ${dataDir}`)
    expect(second.output).toMatch(/give this one its own --data-dir \(or a PostgreSQL DATABASE_URL to run several instances\)/)
    expect(second.output).not.toContain('    at ') // a message, not a stack trace

    const health = await fetch(`${first.url}/api/health`)
    expect(health.status).toBe(200)
    expect(readFileSync(join(dataDir, 'gateway.lock'), 'utf8')).toBe(String(first.child.pid))

    // kill -9 leaves the lock file behind; a dead holder's lock is taken over.
    first.child.kill('SIGKILL')
    await first.exited
    const third = await startNode(CLI, env, ['--port', '0'])
    started.push(third)
    expect((await fetch(`${third.url}/api/health`)).status).toBe(200)
    expect(readFileSync(join(dataDir, 'gateway.lock'), 'utf8')).toBe(String(third.child.pid))
  })
})
