import { z } from 'zod'
import type { Tool } from '../../tools/tool'

/** One earlier prompt or final answer of a job, replayed to the agent on follow-up turns. */
export const ConversationTurn = z.object({ role: z.enum(['user', 'assistant']), content: z.string() })
export type ConversationTurn = z.infer<typeof ConversationTurn>

/** Progress of an agent turn, as the job records and streams it. */
export type JobAgentEvent =
  | { type: 'message'; content: string }
  | { type: 'tool_use'; tool_name: string; input: unknown }
  | { type: 'tool_result'; tool_name: string; output: string; is_error?: boolean }
  | { type: 'status'; message: string }

/** One turn of an `agent` job: a prompt, worked on with the job's tools until the agent answers. */
export interface JobAgentTurn {
  userId: string
  jobId: string
  systemPrompt: string
  /** Earlier prompts and final answers of this job, oldest first. */
  history: readonly ConversationTurn[]
  prompt: string
  /** The job's workspace tools (files and shell, confined to it); no approvals needed. */
  tools: readonly Tool[]
  /** Aborted when the job is cancelled: stop the LLM request and running tools promptly. */
  signal: AbortSignal
  /** Progress (interim text, tool calls and results); the final answer is the return value, not emitted. */
  emit(event: JobAgentEvent): Promise<void>
}

export interface JobAgentResult {
  /** The final answer of the turn. */
  content: string
  usage: { input_tokens: number; output_tokens: number }
}

/**
 * The port through which `agent` jobs run the gateway's agent loop (`jobs.attachAgent(runner)`).
 * Without one, creating an `agent` job answers 503 `job_agent_unavailable`.
 */
export interface JobAgentRunner {
  /** Whether it can run a turn now (e.g. a model provider is configured); absent means always. */
  available?(): boolean
  /** The turn's answer; throws when it failed (a `JobAgentFailure` carries the tokens spent). */
  runTurn(turn: JobAgentTurn): Promise<JobAgentResult>
}

/** A failed turn, with what it cost so the job's totals stay right. */
export class JobAgentFailure extends Error {
  constructor(
    message: string,
    readonly usage: JobAgentResult['usage'],
  ) {
    super(message)
    this.name = 'JobAgentFailure'
  }
}

/** What the agent is told about working inside a job. */
export function jobSystemPrompt(job: { title: string; workspace: string; network: boolean; canRunCommands: boolean }): string {
  return [
    `You are working on a background job: "${job.title}". Nobody is watching in real time, so do not ask questions; make reasonable choices and finish the task.`,
    `Your workspace is ${job.workspace}. File paths are relative to it; you cannot read or write outside it.`,
    job.canRunCommands
      ? `run_command runs shell commands there (${job.network ? 'with' : 'without'} network access).`
      : 'No shell is available; use the file tools.',
    'When you are done, reply with a short summary of what you did and which files you produced.',
  ].join('\n')
}
