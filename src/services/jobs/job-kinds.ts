import { GatewayError, unavailable } from '../../lib/errors'
import { isoNow, type Clock } from '../../lib/time'
import type { CreateJobRequest, JobKind } from '../../protocol/jobs'
import type { JobCommandConfig, JobsConfig } from '../../config/jobs-config'
import type { JobRecord } from './job-rows'

/** What decides whether a kind of job can run now: the agent attached, commands configured and runnable. */
export interface KindSupport {
  agent: boolean
  processes: boolean
  config: JobsConfig
}

export function kindUnavailable(kind: JobKind): GatewayError {
  return kind === 'agent'
    ? unavailable('job_agent', 'Agent jobs need the agent (configure an LLM provider)')
    : unavailable('job_commands', 'No job command is configured on this gateway (GATEWAY_JOB_COMMANDS)')
}

/** Whether an existing job could run another turn (its kind, and for commands its command, still there). */
export function kindAvailable(support: KindSupport, job: Pick<JobRecord, 'kind' | 'command'>): boolean {
  if (job.kind === 'agent') return support.agent
  return support.processes && support.config.commands.some((c) => c.name === job.command)
}

/** The command for a new job of this kind (undefined for `agent`); 503 when the kind is unavailable, 400 for a bad name. */
export function resolveKind(support: KindSupport, kind: JobKind, name: string | undefined): JobCommandConfig | undefined {
  if (kind === 'agent') {
    if (!support.agent) throw kindUnavailable('agent')
    return undefined
  }
  const commands = support.config.commands
  if (!support.processes || commands.length === 0) throw kindUnavailable('command')
  const names = commands.map((c) => c.name).join(', ')
  if (name === undefined) {
    if (commands.length === 1) return commands[0]
    throw new GatewayError(400, 'command_required', `Choose a command: ${names}`)
  }
  const command = commands.find((c) => c.name === name)
  if (!command) throw new GatewayError(400, 'unknown_command', `Unknown command '${name}' (configured: ${names})`)
  return command
}

/** A title from the prompt's first line, at most 80 characters. */
function titleFrom(prompt: string): string {
  const line = prompt.trim().split('\n')[0]!.trim()
  return line.length <= 80 ? line : `${line.slice(0, 77)}...`
}

/** A new, pending job record. */
export function newJob(
  userId: string,
  input: Pick<CreateJobRequest, 'prompt' | 'title' | 'kind'>,
  command: JobCommandConfig | undefined,
  extra: { threadId: string | null; workspaceId?: string | undefined; restartedFrom?: string | undefined },
  clock: Clock,
): JobRecord {
  const now = isoNow(clock)
  const id = crypto.randomUUID()
  return {
    id,
    user_id: userId,
    title: input.title ?? titleFrom(input.prompt),
    prompt: input.prompt,
    kind: input.kind,
    command: command?.name ?? null,
    status: 'pending',
    workspace_id: extra.workspaceId ?? id,
    thread_id: extra.threadId,
    restarted_from: extra.restartedFrom ?? null,
    session_id: null,
    result: null,
    failure_reason: null,
    input_tokens: 0,
    output_tokens: 0,
    transitions: [{ from: null, to: 'pending', timestamp: now, reason: null }],
    conversation: [],
    prompts_closed: false,
    runner_id: null,
    heartbeat_at: null,
    created_at: now,
    updated_at: now,
    started_at: null,
    completed_at: null,
  }
}
