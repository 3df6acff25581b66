import { z } from 'zod'
import { defineTool, type Tool, type ToolProvider } from '../../tools/tool'
import type { JobsConfig } from '../../config/jobs-config'
import { type JobDirs, jobProcessSpec, type ProcessSet } from './job-sandbox'
import { runToCompletion } from './process-output'
import { type SandboxRuntime, WorkspacePathError } from '../../ports/sandbox'
import { decodeText } from './text-file'
import { isWithin, joinSegments, parseWorkspacePath } from './workspace-path'
import { errorMessage } from '../../lib/errors'

const encoder = new TextEncoder()
const MAX_LISTED = 500

export interface WorkspaceToolsOptions {
  dirs: JobDirs
  sandbox: SandboxRuntime
  config: JobsConfig
  /** The job's processes, so cancelling the job kills a running command. */
  processes: ProcessSet
  /** Aborted when the job is cancelled. */
  signal: AbortSignal
}

/**
 * The file and shell tools of one job, confined to its workspace: paths are checked lexically
 * and then after symlink resolution; commands run in the workspace with a scrubbed environment,
 * a timeout, an output cap and their own process group (inside bubblewrap when available).
 * Given to the agent for that job only, never registered globally.
 */
export class WorkspaceTools implements ToolProvider {
  readonly name = 'workspace'
  readonly #tools: Tool[]

  constructor(private readonly options: WorkspaceToolsOptions) {
    this.#tools = [this.#listFiles(), this.#readFile(), this.#writeFile(), ...(options.sandbox.processes ? [this.#runCommand()] : [])]
  }

  tools(): Tool[] {
    return this.#tools
  }

  /** Segments of a tool's path: relative to the workspace; an absolute path must be inside it. */
  #segments(path: string): string[] {
    const root = this.options.dirs.workspace
    if (path.startsWith('/')) {
      if (!isWithin(root, path)) throw new WorkspacePathError('outside', `Paths are relative to the workspace (${root})`)
      path = path.slice(root.length)
    }
    return parseWorkspacePath(path)
  }

  #listFiles(): Tool {
    return defineTool({
      name: 'list_files',
      description: 'List the files and directories at a path of the job workspace (default: its root).',
      input: z.object({
        path: z.string().default('').describe('Directory, relative to the workspace'),
        recursive: z.boolean().default(false).describe('Also list subdirectories (up to 500 entries)'),
      }),
      requiresApproval: false,
      source: 'jobs',
      execute: async ({ path, recursive }) =>
        guard(async () => {
          const lines: string[] = []
          const walk = async (segments: string[], depth: number): Promise<void> => {
            const entries = await this.options.sandbox.fs.list(this.options.dirs.workspace, segments)
            entries.sort((a, b) => a.name.localeCompare(b.name))
            for (const entry of entries) {
              if (lines.length >= MAX_LISTED) return
              const rel = joinSegments([...segments, entry.name])
              if (entry.kind === 'directory') {
                lines.push(`${rel}/`)
                if (recursive && depth < 8) await walk([...segments, entry.name], depth + 1)
              } else lines.push(entry.size === null ? rel : `${rel} (${entry.size} bytes)`)
            }
          }
          await walk(this.#segments(path), 0)
          if (lines.length === 0) return '(empty)'
          return lines.length >= MAX_LISTED ? `${lines.join('\n')}\n[listing cut at ${MAX_LISTED} entries]` : lines.join('\n')
        }),
    })
  }

  #readFile(): Tool {
    return defineTool({
      name: 'read_file',
      description: 'Read a UTF-8 text file of the job workspace.',
      input: z.object({ path: z.string().min(1).describe('File, relative to the workspace') }),
      requiresApproval: false,
      source: 'jobs',
      execute: async ({ path }) =>
        guard(async () => {
          const cap = this.options.config.readCapBytes
          const { bytes, size } = await this.options.sandbox.fs.read(this.options.dirs.workspace, this.#segments(path), cap)
          const text = decodeText(bytes, size > bytes.length)
          if (text === null) return { output: `${path} is a binary file (${size} bytes)`, isError: true }
          return size > bytes.length ? `${text}\n[file cut at ${bytes.length} of ${size} bytes]` : text
        }),
    })
  }

  #writeFile(): Tool {
    return defineTool({
      name: 'write_file',
      description: 'Create or overwrite (or append to) a text file in the job workspace; parent directories are created.',
      input: z.object({
        path: z.string().min(1).describe('File, relative to the workspace'),
        content: z.string(),
        append: z.boolean().default(false),
      }),
      requiresApproval: false,
      source: 'jobs',
      execute: async ({ path, content, append }) =>
        guard(async () => {
          const bytes = encoder.encode(content)
          if (bytes.length > this.options.config.writeCapBytes) return { output: `Content too large (max ${this.options.config.writeCapBytes} bytes)`, isError: true }
          const segments = this.#segments(path)
          const { size } = await this.options.sandbox.fs.write(this.options.dirs.workspace, segments, bytes, { append })
          return `${append ? 'Appended' : 'Wrote'} ${bytes.length} bytes to ${joinSegments(segments)} (now ${size} bytes)`
        }),
    })
  }

  #runCommand(): Tool {
    const { config } = this.options
    return defineTool({
      name: 'run_command',
      description: `Run a shell command (sh -c) in the job workspace. Times out after ${Math.round(config.shellTimeoutMs / 1000)} s unless timeout_secs says otherwise; ${config.agentNetwork ? 'network allowed' : 'no network'}.`,
      input: z.object({
        command: z.string().min(1).max(16_384),
        cwd: z.string().default('').describe('Working directory, relative to the workspace'),
        timeout_secs: z.number().int().positive().max(Math.floor(config.shellMaxTimeoutMs / 1000)).optional(),
      }),
      requiresApproval: false,
      source: 'jobs',
      execute: async ({ command, cwd, timeout_secs }, ctx) =>
        guard(async () => {
          const ports = this.options.sandbox
          const processes = ports.processes!
          const dirSegments = this.#segments(cwd)
          const stat = await ports.fs.stat(this.options.dirs.workspace, dirSegments)
          if (stat.kind !== 'directory') return { output: `cwd ${cwd} is not a directory`, isError: true }
          const dir = dirSegments.length ? `${this.options.dirs.workspace}/${joinSegments(dirSegments)}` : this.options.dirs.workspace
          const timeoutMs = timeout_secs ? timeout_secs * 1000 : config.shellTimeoutMs
          const signal = AbortSignal.any([this.options.signal, ctx.signal])
          const outcome = await runToCompletion(
            processes,
            jobProcessSpec(this.options.dirs, processes.isolation, ['/bin/sh', '-c', command], { network: config.agentNetwork, cwd: dir }),
            { timeoutMs, outputCap: config.outputCapBytes, killGraceMs: config.killGraceMs, signal, track: this.options.processes.track },
          )
          if (outcome.startError) return { output: outcome.startError, isError: true }
          const status = outcome.cancelled
            ? 'cancelled'
            : outcome.timedOut
              ? `killed: timed out after ${Math.round(timeoutMs / 1000)} s`
              : outcome.exit?.signal
                ? `killed by ${outcome.exit.signal}`
                : `exit code ${outcome.exit?.code ?? 'unknown'}`
          const parts = [status]
          const stdout = outcome.stdout.text().replace(/\n$/, '')
          const stderr = outcome.stderr.text().replace(/\n$/, '')
          if (stdout) parts.push(stdout)
          if (stderr) parts.push(`[stderr]\n${stderr}`)
          const failed = outcome.cancelled || outcome.timedOut || outcome.exit?.code !== 0
          return { output: parts.join('\n'), isError: failed }
        }),
    })
  }
}

/** A refused path or a file-system failure is an error result the model can act on, not an exception. */
async function guard(run: () => Promise<string | { output: string; isError?: boolean }>): Promise<string | { output: string; isError?: boolean }> {
  try {
    return await run()
  } catch (error) {
    if (error instanceof WorkspacePathError) return { output: error.message, isError: true }
    return { output: `Failed: ${errorMessage(error)}`, isError: true }
  }
}
