import { type ChildProcess, spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import type { Readable } from 'node:stream'
import type { IsolationMode, ProcessExit, ProcessPort, ProcessSpec, RunningProcess } from '../../../src/ports/sandbox'
import { bwrapArgs } from './bwrap'

/** After the leader exits, how long stragglers holding its output open may linger before the group is killed. */
const STRAGGLER_MS = 1_000
/** bubblewrap reports its namespace init's pid on this descriptor (`--info-fd`). */
const INFO_FD = 3

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return
  try {
    // Negative pid: the whole process group (the child was started as a group leader).
    process.kill(-pid, signal)
  } catch {
    // ESRCH: already gone
  }
}

function signalEach(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal)
    } catch {
      // gone
    }
  }
}

/**
 * Every process below `pid`, from /proc (Linux; elsewhere only the group is signalled). Taken
 * before signalling, because once a parent dies its children are re-parented and the link is
 * lost. It catches what the group does not: a child that started its own session (`setsid`).
 */
function descendants(pid: number | undefined): number[] {
  if (pid === undefined) return []
  const children = new Map<number, number[]>()
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return []
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // The fields after the parenthesised command name (which may hold spaces): state, ppid, ...
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      const list = children.get(ppid) ?? []
      list.push(Number(entry))
      children.set(ppid, list)
    } catch {
      // exited while we looked
    }
  }
  const out: number[] = []
  const queue = [pid]
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child)
      queue.push(child)
    }
  }
  return out
}

/** Whether a process still runs (a zombie, killed and awaiting its reaper, does not). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
  }
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Waits (bounded) until SIGKILLed processes are really gone: the kernel tears them down asynchronously. */
async function waitGone(pids: readonly number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let left = pids.filter(running)
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5))
    left = left.filter(running)
  }
}

/**
 * The host pid of bubblewrap's namespace init, from `--info-fd` (`{"child-pid": N, ...}`).
 * Killing it tears down the whole pid namespace, whatever bwrap was doing; killing only bwrap is
 * not enough while it is starting (its init may not have arranged to die with it yet).
 */
function readInitPid(stream: Readable | null | undefined): Promise<number | undefined> {
  if (!stream) return Promise.resolve(undefined)
  return new Promise((resolve) => {
    let text = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      text += chunk
      const match = /"child-pid"\s*:\s*(\d+)/.exec(text)
      if (match) resolve(Number(match[1]))
    })
    stream.on('error', () => resolve(undefined))
    stream.on('close', () => resolve(undefined))
  })
}

/**
 * Runs job commands as process-group leaders (`detached`), with exactly the environment given,
 * optionally inside bubblewrap. `kill` signals the group, every descendant and (under bwrap) the
 * namespace init: SIGTERM, then SIGKILL after the grace period.
 */
export function createProcessPort(options: { isolation: IsolationMode; bwrap?: string | undefined }): ProcessPort {
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
  const sandboxed = options.isolation === 'bwrap'
  const [program, ...args] = sandboxed ? [options.bwrap!, '--info-fd', String(INFO_FD), ...bwrapArgs(spec), '--', ...spec.argv] : [...spec.argv]
  const stdoutListeners: Array<(chunk: Uint8Array) => void> = []
  const stderrListeners: Array<(chunk: Uint8Array) => void> = []
  let settled = false
  let exitResolve!: (exit: ProcessExit) => void
  let exitReject!: (error: Error) => void
  const exited = new Promise<ProcessExit>((resolve, reject) => {
    exitResolve = resolve
    exitReject = reject
  })
  // Callers may only await `kill()`; an unobserved start failure must not crash the process.
  exited.catch(() => undefined)

  let child: ChildProcess
  try {
    child = spawn(program!, args, {
      cwd: spec.cwd,
      env,
      detached: true,
      stdio: [spec.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe', ...(sandboxed ? ['pipe' as const] : [])],
      windowsHide: true,
    })
  } catch (error) {
    settled = true
    exitReject(new Error(`cannot start ${spec.argv[0]}: ${(error as Error).message}`))
    return { pid: undefined, onStdout: () => undefined, onStderr: () => undefined, exited, kill: async () => undefined }
  }

  const leaderGone = new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.once('error', () => resolve())
  })
  const initPid = sandboxed ? readInitPid(child.stdio[INFO_FD] as Readable | null) : Promise.resolve(undefined)
  child.stdout?.on('data', (chunk: Buffer) => {
    for (const listener of stdoutListeners) listener(chunk)
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    for (const listener of stderrListeners) listener(chunk)
  })
  child.once('error', (error) => {
    if (settled) return
    settled = true
    exitReject(new Error(`cannot start ${spec.argv[0]}: ${(error as NodeJS.ErrnoException).code ?? error.message}`))
  })
  child.once('exit', () => {
    // Output may still be in flight, or held open by a background child: give it a moment, then
    // kill whatever is left of the group and stop reading, so no stray process outlives the
    // command and a pipe held open by an escaped one cannot keep the command "running".
    const timer = setTimeout(() => {
      signalGroup(child.pid, 'SIGKILL')
      child.stdout?.destroy()
      child.stderr?.destroy()
    }, STRAGGLER_MS)
    timer.unref()
    child.once('close', () => clearTimeout(timer))
  })
  child.once('close', (code, signal) => {
    if (settled) return
    settled = true
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
      // Under bwrap, wait (briefly) for its init to exist: it does a few ms after start.
      const init = await Promise.race([
        initPid,
        leaderGone.then(() => initPid),
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), Math.max(graceMs, 500)).unref()),
      ])
      const targets = [...(init === undefined ? [] : [init]), ...descendants(child.pid)]
      signalGroup(child.pid, child.exitCode === null && child.signalCode === null ? 'SIGTERM' : 'SIGKILL')
      signalEach(targets, 'SIGTERM')
      const graceful = await Promise.race([
        leaderGone.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref()),
      ])
      signalGroup(child.pid, 'SIGKILL')
      signalEach(targets, 'SIGKILL')
      if (!graceful) await leaderGone
      await waitGone(targets, 1_000)
    },
  }
}
