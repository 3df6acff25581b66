import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../support/store'
import { runtimeBinary } from '../runtimes/targets'

const ROOT = join(__dirname, '../..')

/** What the package is built from (its sources, not its tests). */
const SOURCES = ['src', 'adapters', 'assets', 'scripts', 'package.json', 'tsconfig.json', 'tsup.config.ts', 'README.md', 'LICENSE']
const generated = (path: string) => path.includes(join('src', 'generated'))

/** Every source file under `path`, for the fingerprint. */
function files(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path]
  return readdirSync(path).flatMap((name) => (generated(join(path, name)) ? [] : files(join(path, name))))
}

/**
 * The packed tarball of these sources: `npm pack` as a publisher runs it (`prepack`: the build
 * with type declarations), in a copy with this checkout's node_modules, so this checkout's dist/
 * is not rebuilt under the tests running from it. Kept by a hash of the sources, so the suite's
 * second pass (on PostgreSQL) reuses the first's.
 */
function packedTarball(): string {
  const hash = createHash('sha256')
  for (const file of SOURCES.flatMap((entry) => files(join(ROOT, entry))).sort()) hash.update(file).update(readFileSync(file))
  const packs = join(tmpdir(), `gw-pack-${hash.digest('hex').slice(0, 16)}`)
  const existing = existsSync(packs) ? readdirSync(packs).find((f) => f.endsWith('.tgz')) : undefined
  if (existing) return join(packs, existing)
  const copy = tempDir('gw-pack-src-')
  for (const entry of SOURCES) cpSync(join(ROOT, entry), join(copy, entry), { recursive: true, filter: (path) => !generated(path) })
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir')
  const staging = tempDir('gw-pack-')
  const name = run('npm', ['pack', '--silent', '--pack-destination', staging], copy).trim().split('\n').at(-1)!
  // Moved into place whole, so a concurrent or interrupted run never finds half a tarball.
  try {
    renameSync(staging, packs)
  } catch {
    // another run put the same sources' tarball there first
  }
  return join(packs, name)
}

const run = (command: string, args: string[], cwd: string): string =>
  execFileSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })

/** Starts a command (in its own process group, as npx forks) until it prints its address. */
function start(command: string[], cwd: string, dataDir: string): Promise<{ child: ChildProcess; url: string; out: () => string }> {
  const child = spawn(command[0]!, [...command.slice(1), '--port', '0', '--data-dir', dataDir], {
    cwd,
    detached: true,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command.join(' ')} did not start:\n${out}`)), 60_000)
    child.stdout!.on('data', () => {
      const match = /gateway listening on (http:\/\/\S+)/.exec(out)
      if (match) {
        clearTimeout(timer)
        resolve({ child, url: match[1]!, out: () => out })
      }
    })
    child.once('exit', (code) => reject(new Error(`${command.join(' ')} exited ${code}:\n${out}`)))
  })
}

const groupAlive = (pid: number): boolean => {
  try {
    process.kill(-pid, 0)
    return true
  } catch {
    return false
  }
}

/** SIGTERM to the process group (npx does not forward signals); resolves once all of it is gone. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (groupAlive(child.pid!)) process.kill(-child.pid!, 'SIGTERM')
  const deadline = Date.now() + 10_000
  while (groupAlive(child.pid!)) {
    if (Date.now() > deadline) throw new Error('the gateway did not stop within 10 s of SIGTERM')
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('the npm package', () => {
  let project: string
  let tarball: string
  const children: ChildProcess[] = []

  beforeAll(() => {
    tarball = packedTarball()
    project = tempDir('gw-host-')
    // better-sqlite3 pinned to this checkout's version, whose compiled addon is reused below.
    const sqliteVersion = (JSON.parse(readFileSync(join(ROOT, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version: string }).version
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'host-app', private: true, type: 'module', overrides: { 'better-sqlite3': sqliteVersion } }))
    // Offline-friendly: dependencies come from the npm cache that installing this repo filled.
    run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'], project)
    // better-sqlite3's install script compiles the addon from source here (minutes on two cores;
    // its prebuilt download is off limits): reuse this checkout's build of the same version.
    cpSync(join(ROOT, 'node_modules/better-sqlite3/build'), join(project, 'node_modules/better-sqlite3/build'), { recursive: true })
  }, 300_000)

  afterAll(() => {
    for (const child of children) if (groupAlive(child.pid!)) process.kill(-child.pid!, 'SIGKILL')
  })

  it('holds the build only: the assets inlined, types for every export, no tests, sources or source maps', () => {
    const files = run('tar', ['-tzf', tarball], ROOT).trim().split('\n').map((f) => f.replace(/^package\//, ''))
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/cli/cli.js', ...['index', 'node', 'bun', 'deno'].flatMap((e) => [`dist/${e}.js`, `dist/${e}.d.ts`])]))
    expect(files.filter((f) => !f.startsWith('dist/') && f !== 'package.json' && f !== 'README.md' && f !== 'LICENSE')).toEqual([])
    expect(files.filter((f) => f.endsWith('.map') || /\.test\.|(^|\/)(test|src|assets)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([])
    expect(files.filter((f) => f.startsWith('dist/cli/') && f.endsWith('.d.ts'))).toEqual([])
    // The web app is inside the build (in the chunk the server imports on its first request for it).
    const built = readdirSync(join(project, 'node_modules/agent-gateway/dist')).filter((f) => f.endsWith('.js'))
    expect(built.some((f) => readFileSync(join(project, 'node_modules/agent-gateway/dist', f), 'utf8').includes('<!doctype html>'))).toBe(true)
    // The root entry stays small (the rest ships as subpaths), and each subpath has its types.
    const rootTypes = readFileSync(join(project, 'node_modules/agent-gateway/dist/index.d.ts'), 'utf8')
    const names = [...rootTypes.matchAll(/^export (?:type )?\{([^}]*)\}/gm)].flatMap(([, list]) => list!.split(',').map((n) => n.trim().split(/\s+as\s+/).pop()))
    expect(names.length).toBeGreaterThan(40)
    expect(names.length).toBeLessThanOrEqual(60)
    for (const entry of ['protocol', 'agent', 'ports', 'store']) expect(files).toEqual(expect.arrayContaining([`dist/${entry}.js`, `dist/${entry}.d.ts`]))
  })

  it('runs `npx gateway --port 0` from a project that installed it', async () => {
    const dataDir = tempDir('gw-pack-data-')
    const server = await start(['npx', 'gateway'], project, dataDir)
    children.push(server.child)
    const token = /owner token \(generated[^)]*\): ([A-Za-z0-9]{32})/.exec(server.out())![1]!
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200)
    expect(await (await fetch(`${server.url}/`)).text()).toContain('<base href="/" />')
    expect((await fetch(`${server.url}/api/auth/whoami`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200)
    await stopGroup(server.child)
    expect(server.out()).toContain('SIGTERM received, shutting down')
  }, 60_000)

  it('starts the same built gateway on Bun and Deno', async () => {
    for (const command of [
      [runtimeBinary('bun'), 'node_modules/.bin/gateway'],
      [runtimeBinary('deno'), 'run', '-A', 'node_modules/agent-gateway/dist/cli/cli.js'],
    ]) {
      const server = await start(command, project, tempDir('gw-pack-data-'))
      children.push(server.child)
      const status = await fetch(`${server.url}/api/health`)
      expect(status.status, command[0]).toBe(200)
      await stopGroup(server.child)
      expect(server.out()).toContain('SIGTERM received, shutting down')
    }
  }, 90_000)

  it('is imported by name, with its types, by an app that mounts it', () => {
    writeFileSync(
      join(project, 'embed.ts'),
      `import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createGateway, type ChannelAgent } from 'agent-gateway'
import { createGateway as createNodeGateway, createNodeListeners } from 'agent-gateway/node'
import type { createGateway as createBunGateway } from 'agent-gateway/bun'
import type { createGateway as createDenoGateway } from 'agent-gateway/deno'
import { SendMessageRequest } from 'agent-gateway/protocol'
import { defineTool } from 'agent-gateway/agent'
import type { RuntimeCapabilities } from 'agent-gateway/ports'
import { MemoryEventBus } from 'agent-gateway/store'
import { z } from 'zod'

const runtime: RuntimeCapabilities = { name: 'fetch' }
const core = await createGateway({ runtime, bus: new MemoryEventBus(), config: { authToken: 'core-token' } })
core.tools.addProvider({ name: 'host', tools: () => [defineTool({ name: 'echo', description: 'Echo', input: z.object({ text: z.string() }), requiresApproval: false, source: 'host', execute: async ({ text }) => text })] })
const gateway = await createNodeGateway({ basePath: '/agent', store: undefined, config: { authToken: 'host-token' } })
const agent: ChannelAgent = { onMessage: (m) => gateway.channel.respond(m, 'hi from the host') }
gateway.withAgent(agent)
const listeners = createNodeListeners(gateway)
const server = createServer((req, res) => (listeners.owns(req) ? listeners.request(req, res) : res.end('host')))
server.listen(0, '127.0.0.1', async () => {
  const base = \`http://127.0.0.1:\${(server.address() as AddressInfo).port}\`
  const health = await (await fetch(\`\${base}/agent/api/health\`)).json()
  const host = await (await fetch(\`\${base}/\`)).text()
  const coreHealth = (await core.fetch(new Request('http://localhost:3000/api/health'))).status
  const parsed = SendMessageRequest.safeParse({ content: 'hi' }).success
  console.log(JSON.stringify({ health, host, coreHealth, parsed, tools: (await core.tools.list('owner')).map((t) => t.name) }))
  await Promise.all([gateway.close(), core.close()])
  server.closeAllConnections()
  server.close()
})
export type Adapters = [typeof createBunGateway, typeof createDenoGateway]
`,
    )
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, typeRoots: [join(ROOT, 'node_modules/@types')], types: ['node'] },
        files: ['embed.ts'],
      }),
    )
    run(join(ROOT, 'node_modules/.bin/tsc'), ['-p', '.'], project)
    const output = run(join(ROOT, 'node_modules/.bin/tsx'), ['embed.ts'], project)
    expect(JSON.parse(output)).toEqual({ health: { status: 'healthy', channel: 'gateway' }, host: 'host', coreHealth: 200, parsed: true, tools: expect.arrayContaining(['echo']) })
  }, 90_000)
})
