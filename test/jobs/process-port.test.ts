import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createSandbox } from '../../adapters/node/index'
import { tempDir } from '../support/store'
import { ISOLATIONS, processesWith } from './support'

const decoder = new TextDecoder()

describe.each(ISOLATIONS)('node process port (isolation: %s)', (isolation) => {
  const port = createSandbox(isolation).processes!
  const spec = (command: string) => {
    const dir = join(tempDir('gw-proc-'), 'ws')
    mkdirSync(dir)
    return { argv: ['/bin/sh', '-c', command], cwd: dir, env: { PATH: '/usr/bin:/bin' }, writable: [dir], network: false }
  }

  it('passes exactly the environment given, plus the named variables', async () => {
    process.env.GW_PASS_ME = 'passed'
    process.env.GW_NOT_ME = 'leaked'
    const child = port.spawn({ ...spec('env'), env: { PATH: '/usr/bin:/bin', ONLY: '1' }, inheritEnv: ['GW_PASS_ME'] })
    let out = ''
    child.onStdout((chunk) => (out += decoder.decode(chunk)))
    expect(await child.exited).toEqual({ code: 0, signal: null })
    const names = out.trim().split('\n').map((line) => line.split('=')[0])
    expect(names).toContain('ONLY')
    expect(out).toContain('GW_PASS_ME=passed')
    expect(out).not.toContain('GW_NOT_ME')
  })

  it('leaves nothing behind when killed at any moment of its start-up', async () => {
    const marker = `startup-${crypto.randomUUID()}`
    for (let i = 0; i < 15; i++) {
      const child = port.spawn(spec(`sleep 30 # ${marker}`))
      if (i % 3 === 1) await new Promise((r) => setImmediate(r))
      if (i % 3 === 2) await new Promise((r) => setTimeout(r, i * 3))
      await child.kill(100)
      await child.exited
    }
    expect(processesWith(marker)).toEqual([])
  })

  it('reports a program that cannot start', async () => {
    const child = port.spawn({ ...spec(''), argv: ['/nonexistent/program'] })
    // bwrap itself starts and then fails to exec the program (exit 1); without it, spawn fails.
    const outcome = await child.exited.then((exit) => `exit ${exit.code}`, (error: Error) => error.message)
    expect(outcome).toMatch(/nonexistent|exit 1/)
  })
})
