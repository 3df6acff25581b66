import { type ChildProcess, spawn } from 'node:child_process'
import type { IsolationMode, ProcessExit, ProcessPort, ProcessSpec, RunningProcess } from '../../../src/index'
import { bwrapArgs } from './bwrap'

/** After the leader exits, how long stragglers holding its output open may linger before the group is killed. */
const STRAGGLER_MS = 1_000

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return
  try {
    // Negative pid: the whole process group (the child was started as a group leader).
    process.kill(-pid, signal)
  } catch {
    // ESRCH: already gone
  }
}

/**
 * Runs job commands as process-group leaders (`detached`), with exactly the environment given,
 * optionally inside bubblewrap. `kill` signals the whole group: SIGTERM, then SIGKILL after the
 * grace period, then SIGKILL again for anything left in the group.
 */
export function createNodeProcessPort(options: { isolation: IsolationMode; bwrap?: string | undefined }): ProcessPort {
  if (options.isolation === 'bwrap' && !options.bwrap) throw new Error('bwrap isolation needs the bwrap binary')
  return {
    isolation: options.isolation,
    spawn(spec) {
      return startProcess(spec, options)
    },
  }
}

function startProcess(spec: ProcessSpec, options: { isolation: IsolationMode; bwrap?: string | undefined }): RunningProcess {
  const env: Record<string, string> = { ...spec.env }
  for (const name of spec.inheritEnv ?? []) {
    const value = process.env[name]
    if (value !== undefined) env[name] = value
  }
  const [program, ...args] =
    options.isolation === 'bwrap' ? [options.bwrap!, ...bwrapArgs(spec), '--', ...spec.argv] : [...spec.argv]
  let child: ChildProcess
  const stdoutListeners: Array<(chunk: Uint8Array) => void> = []
  const stderrListeners: Array<(chunk: Uint8Array) => void> = []
  let exitedFlag = false
  let exitResolve!: (exit: ProcessExit) => void
  let exitReject!: (error: Error) => void
  const exited = new Promise<ProcessExit>((resolve, reject) => {
    exitResolve = resolve
    exitReject = reject
  })
  // Consumers may only await `kill()`; an unobserved spawn failure must not crash the process.
  exited.catch(() => undefined)
  let leaderGone: Promise<void>

  try {
    child = spawn(program!, args, {
      cwd: spec.cwd,
      env,
      detached: true,
      stdio: [spec.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      windowsHide: true,
    })
  } catch (error) {
    exitedFlag = true
    exitReject(new Error(`cannot start ${spec.argv[0]}: ${(error as Error).message}`))
    return { pid: undefined, onStdout: () => undefined, onStderr: () => undefined, exited, kill: async () => undefined }
  }

  leaderGone = new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.once('error', () => resolve())
  })
  child.stdout?.on('data', (chunk: Buffer) => {
    for (const listener of stdoutListeners) listener(chunk)
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    for (const listener of stderrListeners) listener(chunk)
  })
  child.once('error', (error) => {
    if (exitedFlag) return
    exitedFlag = true
    exitReject(new Error(`cannot start ${spec.argv[0]}: ${(error as NodeJS.ErrnoException).code ?? error.message}`))
  })
  child.once('exit', () => {
    // Output may still be in flight, or held open by a background child: give it a moment, then
    // kill whatever is left of the group so no stray process outlives the command.
    const timer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), STRAGGLER_MS)
    timer.unref()
    child.once('close', () => clearTimeout(timer))
  })
  child.once('close', (code, signal) => {
    if (exitedFlag) return
    exitedFlag = true
    exitResolve({ code, signal })
  })
  if (spec.stdin !== undefined && child.stdin) {
    child.stdin.on('error', () => undefined)
    child.stdin.end(spec.stdin)
  }

  return {
    pid: child.pid,
    onStdout: (listener) => void stdoutListeners.push(listener),
    onStderr: (listener) => void stderrListeners.push(listener),
    exited,
    async kill(graceMs) {
      if (child.exitCode !== null || child.signalCode !== null) {
        signalGroup(child.pid, 'SIGKILL')
        return
      }
      signalGroup(child.pid, 'SIGTERM')
      const graceful = await Promise.race([
        leaderGone.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref()),
      ])
      signalGroup(child.pid, 'SIGKILL')
      if (!graceful) await leaderGone
    },
  }
}
