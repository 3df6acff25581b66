import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'

export const ROOT = join(__dirname, '../..')

export interface NodeProcess {
  child: ChildProcess
  /** The address it printed (`gateway listening on URL`). */
  url: string
  output(): string
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  exited: Promise<number | string>
}

/**
 * Runs a TypeScript entry point (through tsx) and resolves once it prints
 * `gateway listening on URL`; rejects with its output if it exits first or takes over 20 s.
 */
export function startNode(script: string, env: Record<string, string | undefined>, args: string[] = []): Promise<NodeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${out}`)), 20_000)
    const check = () => {
      const match = /gateway listening on (http:\/\/\S+)/.exec(out)
      if (!match) return
      clearTimeout(timer)
      resolve({ child, url: match[1]!, output: () => out, exited })
    }
    child.stdout!.on('data', check)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(Object.assign(new Error(`${script} exited ${code}:\n${out}`), { code, output: out }))
    })
  })
}
