import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { SseClient } from '../support/sse-client'

const ROOT = join(__dirname, '../..')

/** Starts the real CLI (from source, through tsx) and resolves once it prints its address. */
function startCli(env: Record<string, string>, args: string[] = ['--port', '0']): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'adapters/node/main.ts'), ...args], {
    cwd: env.CWD ?? ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`CLI did not start:\n${out}`)), 15_000)
    const check = () => {
      const match = /gateway listening on (http:\/\/\S+)/.exec(out)
      if (match) {
        clearTimeout(timer)
        resolve({ child, url: match[1]!, output: () => out })
      }
    }
    child.stdout!.on('data', check)
    child.once('exit', (code) => reject(new Error(`CLI exited ${code}:\n${out}`)))
  })
}

const exitOf = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))

describe('gateway CLI', () => {
  const children: ChildProcess[] = []
  afterEach(() => {
    for (const c of children) c.kill('SIGKILL')
  })

  it('prints its address and a generated token, serves the app, and stops on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gw-cli-'))
    const { child, url, output } = await startCli({ GATEWAY_DATA_DIR: dataDir })
    children.push(child)
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const token = /owner token \(generated[^)]*\): ([A-Za-z0-9]{32})/.exec(output())![1]!
    expect(readFileSync(join(dataDir, 'owner-token'), 'utf8').trim()).toBe(token)
    expect(statSync(join(dataDir, 'owner-token')).mode & 0o777).toBe(0o600)
    expect((await fetch(`${url}/api/health`)).status).toBe(200)
    expect(await (await fetch(`${url}/`)).text()).toContain('src="app.js"')
    expect((await fetch(`${url}/api/auth/whoami`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200)

    const sse = await SseClient.open(`${url}/api/chat/events?token=${token}`)
    const started = Date.now()
    const exited = exitOf(child)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(Date.now() - started).toBeLessThan(10_000)
    await sse.waitEnd()
    expect(sse.events.at(-1)?.event).toBe('shutdown')
  })

  it('reuses the stored token on restart and honours GATEWAY_AUTH_TOKEN', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gw-cli-'))
    const first = await startCli({ GATEWAY_DATA_DIR: dataDir })
    children.push(first.child)
    const token = /: ([A-Za-z0-9]{32})/.exec(first.output())![1]!
    first.child.kill('SIGTERM')
    await exitOf(first.child)
    const second = await startCli({ GATEWAY_DATA_DIR: dataDir })
    children.push(second.child)
    expect(second.output()).not.toContain(token)
    expect((await fetch(`${second.url}/api/auth/whoami`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200)
    second.child.kill('SIGTERM')
    await exitOf(second.child)

    const third = await startCli({ GATEWAY_DATA_DIR: dataDir, GATEWAY_AUTH_TOKEN: 'configured-token-123' })
    children.push(third.child)
    expect(third.output()).not.toContain('owner token')
    expect((await fetch(`${third.url}/api/auth/whoami`, { headers: { authorization: 'Bearer configured-token-123' } })).status).toBe(200)
    expect((await fetch(`${third.url}/api/auth/whoami`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401)
  })

  it('rejects an unknown flag with a clear message', async () => {
    await expect(startCli({}, ['--prot', '1'])).rejects.toThrow(/unknown option --prot/)
  })
})
