import { z } from 'zod'

/**
 * An external coding-agent CLI the operator allows jobs to run (e.g. one that prints stream-JSON
 * events). Users pick it by name; they never supply argv, so the API cannot run arbitrary binaries.
 *
 * @example {"name":"claude","argv":["claude","-p","{prompt}","--output-format","stream-json","--verbose"],
 *           "resume_argv":["--resume","{session_id}"],"env":["ANTHROPIC_API_KEY"]}
 */
export const JobCommandConfig = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'command name: lowercase letters, digits, - and _'),
  description: z.string().max(500).default(''),
  /** Program and arguments. `{prompt}` in an argument is replaced by the prompt; without one, the prompt goes to stdin. */
  argv: z.array(z.string().min(1)).min(1),
  /** Appended on follow-up turns once the CLI reported a session id; `{session_id}` is replaced. */
  resume_argv: z.array(z.string()).default([]),
  /** Names of the gateway's environment variables passed through (everything else is scrubbed). */
  env: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).default([]),
  /** Whether the command may reach the network (a hosted coding agent needs its API). */
  network: z.boolean().default(true),
  /** Extra paths visible read-only inside the sandbox (the CLI's installation). */
  read_only_paths: z.array(z.string()).default([]),
  /** Extra writable paths inside the sandbox (the CLI's own state directory). */
  writable_paths: z.array(z.string()).default([]),
  /** A turn running longer than this is killed and the job fails. */
  timeout_secs: z.number().int().positive().max(24 * 3600).default(3600),
})
export type JobCommandConfig = z.infer<typeof JobCommandConfig>

/** Sandbox jobs: isolation, concurrency and size limits. */
export const JobsConfig = z.object({
  /** `auto` uses bubblewrap when it works on this machine, else confined paths + process groups. */
  isolation: z.enum(['auto', 'bwrap', 'process']).default('auto'),
  commands: z.array(JobCommandConfig).default([]),
  maxRunning: z.number().int().positive().default(4),
  maxRunningPerUser: z.number().int().positive().default(2),
  /** Jobs one user may have waiting (pending); more is 429. */
  maxPendingPerUser: z.number().int().positive().default(20),
  /** Default and maximum run time of one `run_command` tool call. */
  shellTimeoutMs: z.number().int().positive().default(120_000),
  shellMaxTimeoutMs: z.number().int().positive().default(600_000),
  /** Model calls per turn of an `agent` job (the last is made without tools, so the turn ends with an answer). */
  agentMaxSteps: z.number().int().min(1).max(200).default(40),
  /** Whether the agent's shell commands may reach the network. */
  agentNetwork: z.boolean().default(false),
  /** Output of one shell command kept for the model (head and tail beyond it). */
  outputCapBytes: z.number().int().positive().default(64 * 1024),
  /** Largest file `files/read` and `read_file` return in full (larger ones are cut). */
  readCapBytes: z.number().int().positive().default(1024 * 1024),
  /** Largest file `write_file` accepts. */
  writeCapBytes: z.number().int().positive().default(10 * 1024 * 1024),
  /** How long a signed browse link stays valid. */
  linkTtlSecs: z.number().int().positive().max(7 * 24 * 3600).default(3600),
  /** After SIGTERM, how long a process group gets before SIGKILL. */
  killGraceMs: z.number().int().nonnegative().default(1000),
})
export type JobsConfig = z.infer<typeof JobsConfig>

/** `GATEWAY_JOB_COMMANDS`: one command object or an array of them, as JSON. */
export function parseJobCommands(raw: string | undefined): JobCommandConfig[] {
  if (!raw || !raw.trim()) return []
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    throw new Error('GATEWAY_JOB_COMMANDS must be JSON (a command object or an array of them)')
  }
  return z.array(JobCommandConfig).parse(Array.isArray(value) ? value : [value])
}
