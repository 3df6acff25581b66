import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { startTestServer, TEST_TOKEN } from '../support/gateway'
import { createTestSchema, dropTestSchema, TEST_DATABASE_URL, tempDir } from '../support/store'
import { echoAgent } from './fixtures/echo-agent'
import { loopbackHosts } from './fixtures/loopback-hosts'
import { SITE_HOST, type SystemFixtures, systemFixtures } from './system-fixtures'

export const ROOT = join(__dirname, '../..')

export type RuntimeName = 'node' | 'bun' | 'deno'

/** A running gateway under test, whatever runtime serves it. */
export interface RuntimeTarget {
  runtime: RuntimeName
  url: string
  wsUrl: string
  origin: string
  token: string
  auth: Record<string, string>
  /** The gateway's data directory (installed skills, job workspaces). */
  dataDir: string
  /** The loopback site, extension and job command the system cases use. */
  system: SystemFixtures
  stop(): Promise<void>
}

/** The binaries of the `bun` and `deno` devDependencies (npm packages that carry them). */
export function runtimeBinary(runtime: 'bun' | 'deno'): string {
  const path = join(ROOT, 'node_modules/.bin', runtime)
  if (!existsSync(path)) throw new Error(`${runtime} is not installed: run npm ci (it is a devDependency)`)
  return path
}

/** The command that runs a TypeScript entry on a runtime, from the repository's sources. */
export function runtimeCommand(runtime: RuntimeName, script: string, args: string[] = []): string[] {
  const entry = join(ROOT, script)
  if (runtime === 'bun') return [runtimeBinary('bun'), entry, ...args]
  // deno.json at the root enables sloppy imports (extensionless relative imports, as in src/).
  if (runtime === 'deno') return [runtimeBinary('deno'), 'run', '-A', entry, ...args]
  return [process.execPath, '--import', 'tsx', entry, ...args]
}

export interface ChildServer {
  child: ChildProcess
  url: string
  output(): string
  exited: Promise<number | null>
  kill(signal?: NodeJS.Signals): void
}

/** Spawns a server and resolves once it prints `gateway listening on URL`. */
export function spawnServer(command: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<ChildServer> {
  const child = spawn(command[0]!, command.slice(1), {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${command.join(' ')} did not start in ${timeoutMs} ms:\n${out}`))
    }, timeoutMs)
    const check = () => {
      const match = /gateway listening on (http:\/\/\S+)/.exec(out)
      if (!match) return
      clearTimeout(timer)
      child.stdout!.off('data', check)
      resolve({ child, url: match[1]!, output: () => out, exited, kill: (signal = 'SIGTERM') => void child.kill(signal) })
    }
    child.stdout!.on('data', check)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`${command.join(' ')} exited ${code}:\n${out}`))
    })
  })
}

/**
 * Starts a child server on its own database: a SQLite file through the runtime's driver, or, when
 * the suite runs on PostgreSQL, a fresh schema named in `DATABASE_URL`; `drop()` removes it.
 */
export async function withChildDatabase<T>(start: (env: Record<string, string>) => Promise<T>): Promise<{ value: T; drop(): Promise<void> }> {
  const url = TEST_DATABASE_URL
  if (!url) return { value: await start({}), drop: async () => {} }
  const schema = await createTestSchema()
  const databaseUrl = new URL(url)
  databaseUrl.searchParams.set('options', `-c search_path=${schema}`)
  const value = await start({ DATABASE_URL: databaseUrl.toString() })
  return { value, drop: () => dropTestSchema(schema) }
}

const targetOf = (runtime: RuntimeName, url: string, dataDir: string, system: SystemFixtures, stop: () => Promise<void>): RuntimeTarget => ({
  runtime,
  url,
  dataDir,
  wsUrl: url.replace(/^http/, 'ws'),
  origin: url,
  token: TEST_TOKEN,
  auth: { authorization: `Bearer ${TEST_TOKEN}` },
  system,
  stop: async () => {
    await stop()
    await system.close()
  },
})

/** The Node adapter in this process, with the echo agent. */
export async function startNodeTarget(): Promise<RuntimeTarget> {
  const system = await systemFixtures()
  const t = await startTestServer({ runtime: { name: 'node', ...loopbackHosts([SITE_HOST]) }, config: system.config as never })
  t.gateway.withAgent(echoAgent(t.gateway.channel))
  return targetOf('node', t.url, t.gateway.config.dataDir, system, () => t.close())
}

/** Bun or Deno in a child process, running its adapter as a library with the echo agent. */
export async function startChildTarget(runtime: 'bun' | 'deno'): Promise<RuntimeTarget> {
  const system = await systemFixtures()
  const dataDir = tempDir(`gw-${runtime}-`)
  const { value: server, drop } = await withChildDatabase((database) =>
    spawnServer(runtimeCommand(runtime, `test/runtimes/fixtures/${runtime}-echo.ts`), {
      GATEWAY_AUTH_TOKEN: TEST_TOKEN,
      GATEWAY_PORT: '0',
      GATEWAY_DATA_DIR: dataDir,
      ...system.env,
      ...database,
    }),
  )
  return targetOf(runtime, server.url, dataDir, system, async () => {
    server.kill('SIGTERM')
    const timer = setTimeout(() => server.kill('SIGKILL'), 5_000)
    await server.exited
    clearTimeout(timer)
    await drop()
  })
}
