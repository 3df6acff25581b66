import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** CPU for the server under test and CPU for load generators, when the machine has two or more. */
export const SERVER_CPU = 1
export const LOAD_CPU = 0

let canPin: boolean | undefined
/** Whether `taskset` exists and may pin here (it may not in some containers). */
export function pinningAvailable(): boolean {
  if (canPin === undefined) {
    try {
      execFileSync('taskset', ['-c', String(SERVER_CPU), 'true'], { stdio: 'ignore' })
      canPin = true
    } catch {
      canPin = false
    }
  }
  return canPin
}

const CHILD_MAIN = fileURLToPath(new URL('./child-main.ts', import.meta.url))
const live = new Set<ChildProcess>()

export interface Child {
  readonly pid: number
  /** Whatever the module's `start()` returned as `info` (ports, ...). */
  readonly info: Record<string, unknown>
  /** Calls one of the module's commands (or the built-in `cpu`, `mem`) over IPC. */
  call<T = unknown>(command: string, args?: unknown, timeoutMs?: number): Promise<T>
  stop(): Promise<void>
}

/** CPU time (user + system) in microseconds, and the wall clock it was read at. */
export interface CpuSample {
  cpuUs: number
  atUs: number
}

/**
 * Starts `module` (a file exporting `start(options)`) in its own Node process, pinned to `cpu`
 * with taskset when possible, and talks to it over the IPC channel. `--expose-gc` so idle memory
 * can be read after a full collection.
 */
export async function startChild(
  module: string,
  options: { cpu?: number; args?: unknown; env?: Record<string, string>; nodeFlags?: string[] } = {},
): Promise<Child> {
  const node = [...(options.nodeFlags ?? []), '--expose-gc', '--import', 'tsx', CHILD_MAIN, module]
  const pinned = options.cpu !== undefined && pinningAvailable()
  const [cmd, argv] = pinned ? ['taskset', ['-c', String(options.cpu), process.execPath, ...node]] : [process.execPath, node]
  const proc = spawn(cmd, argv, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...options.env, BENCH_CHILD_ARGS: JSON.stringify(options.args ?? {}) },
  })
  live.add(proc)
  proc.once('exit', () => live.delete(proc))

  let nextId = 0
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>()
  const failAll = (error: Error) => {
    for (const p of pending.values()) (clearTimeout(p.timer), p.reject(error))
    pending.clear()
  }
  let exited = false
  proc.once('exit', (code, signal) => {
    exited = true
    failAll(new Error(`${module} exited (${signal ?? code})`))
  })

  const info = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${module} did not start in 60 s`)), 60_000)
    proc.once('exit', (code) => (clearTimeout(timer), reject(new Error(`${module} exited with ${code} while starting`))))
    proc.on('message', (message: { ready?: Record<string, unknown>; id?: number; ok?: boolean; result?: unknown; error?: string }) => {
      if (message.ready) {
        clearTimeout(timer)
        resolve(message.ready)
        return
      }
      const p = message.id === undefined ? undefined : pending.get(message.id)
      if (!p) return
      pending.delete(message.id!)
      clearTimeout(p.timer)
      if (message.ok) p.resolve(message.result)
      else p.reject(new Error(`${module}: ${message.error}`))
    })
  })

  return {
    pid: proc.pid!,
    info,
    call<T>(command: string, args?: unknown, timeoutMs = 120_000): Promise<T> {
      if (exited) return Promise.reject(new Error(`${module} is not running`))
      const id = nextId++
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id)
          reject(new Error(`${module}: ${command} timed out after ${timeoutMs} ms`))
        }, timeoutMs)
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer })
        proc.send({ id, command, args })
      })
    },
    async stop() {
      if (exited) return
      const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000)
      await gone
      clearTimeout(timer)
    },
  }
}

/** Kills children left over when the runner dies or is interrupted. */
export function killAllChildren(): void {
  for (const proc of live) proc.kill('SIGKILL')
}
