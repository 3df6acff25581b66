import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { pinningAvailable, SERVER_CPU } from './processes'

// Start-up bench processes: spawned in a process group of their own, timed to their first 200
// on /api/health, measured from /proc, and stopped group and all.

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const TOKEN = 'bench-startup-token-0123456789abc'
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Resident memory of a process in MB, from /proc (Linux). */
export const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024

const baseEnv = (): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  GATEWAY_AUTH_TOKEN: TOKEN,
  NO_COLOR: '1',
  DENO_NO_UPDATE_CHECK: '1',
  npm_config_update_notifier: 'false',
})

export interface Started {
  child: ChildProcess
  url: string
  ms: number
}

/**
 * Spawns `command --port P [--data-dir D]` (pinned to the server CPU when taskset works, in its
 * own process group: npx forks) and polls `/api/health` every 5 ms until it answers 200.
 */
export async function start(command: string[], options: { cwd?: string; dataDir?: string; env?: Record<string, string> } = {}): Promise<Started> {
  const port = await freePort()
  const args = [...command.slice(1), '--port', String(port), ...(options.dataDir ? ['--data-dir', options.dataDir] : [])]
  const [cmd, argv] = pinningAvailable() ? ['taskset', ['-c', String(SERVER_CPU), command[0]!, ...args]] : [command[0]!, args]
  const t0 = performance.now()
  const child = spawn(cmd, argv, { cwd: options.cwd ?? ROOT, detached: true, env: { ...baseEnv(), ...options.env }, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-2000)))
  const url = `http://127.0.0.1:${port}`
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${command.join(' ')} exited ${child.exitCode}: ${stderr}`)
      if (performance.now() - t0 > 120_000) throw new Error(`${command.join(' ')} gave no 200 in 120 s: ${stderr}`)
      const ok = await fetch(`${url}/api/health`).then(
        async (r) => (await r.arrayBuffer(), r.status === 200),
        () => false,
      )
      if (ok) return { child, url, ms: performance.now() - t0 }
      await sleep(5)
    }
  } catch (error) {
    await stop(child)
    throw error
  }
}

const groupAlive = (pid: number): boolean => {
  try {
    process.kill(-pid, 0)
    return true
  } catch {
    return false
  }
}

/** SIGTERM to the whole group (npx does not forward it), SIGKILL after 10 s. */
export async function stop(child: ChildProcess): Promise<void> {
  const pid = child.pid!
  if (!groupAlive(pid)) return
  process.kill(-pid, 'SIGTERM')
  const deadline = Date.now() + 10_000
  while (groupAlive(pid)) {
    if (Date.now() > deadline) process.kill(-pid, 'SIGKILL')
    await sleep(20)
  }
}
