import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createSandbox } from '../../adapters/node/index'
import { JobsConfig } from '../../src/config/jobs-config'
import type { Tool } from '../../src/exports/agent'
import { WorkspaceTools } from '../../src/services/jobs/workspace-tools'
import { ProcessSet } from '../../src/services/jobs/job-sandbox'
import { tempDir } from '../support/store'
import { ISOLATIONS, processesWith } from './support'

function setup(isolation: 'process' | 'bwrap', config: Partial<JobsConfig> = {}) {
  const base = tempDir('gw-tools-')
  const workspace = join(base, 'job1/workspace')
  const tmp = join(base, 'job1/tmp')
  mkdirSync(workspace, { recursive: true })
  mkdirSync(tmp, { recursive: true })
  mkdirSync(join(base, 'job10'), { recursive: true })
  writeFileSync(join(base, 'job10/secret.txt'), 'SIBLING SECRET')
  symlinkSync(join(base, 'job10'), join(workspace, 'sibling'))
  const abort = new AbortController()
  const processes = new ProcessSet()
  const provider = new WorkspaceTools({
    dirs: { jobId: 'job1', userId: 'owner', workspace, tmp },
    sandbox: createSandbox(isolation),
    config: JobsConfig.parse({ killGraceMs: 300, ...config }),
    processes,
    signal: abort.signal,
  })
  const tools = Object.fromEntries(provider.tools().map((t) => [t.name, t])) as Record<string, Tool>
  const call = (name: string, input: unknown, signal = new AbortController().signal) =>
    tools[name]!.execute(input, { userId: 'owner', threadId: 't', callId: 'c', signal, jobId: 'job1' })
  return { base, workspace, tools, call, abort, processes }
}

describe.each(ISOLATIONS)('workspace tools (isolation: %s)', (isolation) => {
  it('writes, reads and lists files inside the workspace only', async () => {
    const { workspace, call } = setup(isolation)
    expect((await call('write_file', { path: 'src/main.py', content: 'print(1)\n' })).output).toMatch(/Wrote 9 bytes to src\/main\.py/)
    expect((await call('read_file', { path: 'src/main.py' })).output).toBe('print(1)\n')
    expect((await call('read_file', { path: `${workspace}/src/main.py` })).output).toBe('print(1)\n')
    expect((await call('list_files', { recursive: true })).output).toBe('sibling\nsrc/\nsrc/main.py (9 bytes)')
    for (const [name, input] of [
      ['read_file', { path: '../job10/secret.txt' }],
      ['read_file', { path: 'sibling/secret.txt' }],
      ['read_file', { path: '/etc/passwd' }],
      ['write_file', { path: 'sibling/pwned.txt', content: 'x' }],
      ['write_file', { path: '../../escape.txt', content: 'x' }],
      ['list_files', { path: 'sibling' }],
      ['read_file', { path: 'a\u0000b' }],
    ] as const) {
      const result = await call(name, input)
      expect(result.isError, `${name} ${JSON.stringify(input)}`).toBe(true)
      expect(result.output).not.toContain('SIBLING SECRET')
      expect(result.output).not.toContain('root:')
    }
  })

  it('runs shell commands in the workspace and reports failures', async () => {
    const { workspace, call } = setup(isolation)
    const ok = await call('run_command', { command: 'mkdir -p out && echo built > out/result.txt && pwd && echo warn >&2' })
    expect(ok.isError).toBe(false)
    expect(ok.output).toBe(`exit code 0\n${workspace}\n[stderr]\nwarn`)
    expect(readFileSync(join(workspace, 'out/result.txt'), 'utf8')).toBe('built\n')
    const failed = await call('run_command', { command: 'exit 7' })
    expect(failed).toEqual({ output: 'exit code 7', isError: true })
    const sub = await call('run_command', { command: 'pwd', cwd: 'out' })
    expect(sub.output).toBe(`exit code 0\n${workspace}/out`)
    expect((await call('run_command', { command: 'pwd', cwd: '../..' })).isError).toBe(true)
  })

  it('kills a command that runs past its timeout, with everything it started', async () => {
    const { call } = setup(isolation)
    const marker = `timeout-${crypto.randomUUID()}`
    const result = await call('run_command', { command: `sh -c 'sleep 30 # ${marker}' & sleep 30 # ${marker}`, timeout_secs: 1 })
    expect(result).toMatchObject({ isError: true, output: expect.stringMatching(/^killed: timed out after 1 s/) })
    expect(processesWith(marker)).toEqual([])
  })

  it('cuts long output to the cap, keeping its head and tail', async () => {
    const { call } = setup(isolation, { outputCapBytes: 2048 })
    const result = await call('run_command', { command: 'seq 1 20000' })
    expect(result.output.startsWith('exit code 0\n1\n2\n3\n')).toBe(true)
    expect(result.output).toMatch(/\[\.\.\. \d+ bytes omitted \.\.\.\]/)
    expect(result.output.trimEnd().endsWith('19999\n20000')).toBe(true)
    expect(result.output.length).toBeLessThan(2300)
  })

  it('stops a command when the job is cancelled', async () => {
    const { call, abort, processes } = setup(isolation)
    const marker = `abort-${crypto.randomUUID()}`
    const running = call('run_command', { command: `sleep 30 # ${marker}` })
    for (let i = 0; i < 100 && processesWith(marker).length === 0; i++) await new Promise((r) => setTimeout(r, 20))
    expect(processes.size).toBe(1)
    abort.abort()
    expect(await running).toMatchObject({ isError: true, output: expect.stringMatching(/^cancelled/) })
    expect(processesWith(marker)).toEqual([])
    expect(processes.size).toBe(0)
  })
})
