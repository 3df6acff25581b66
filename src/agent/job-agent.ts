import { type ConversationTurn, type JobAgentEvent, JobAgentFailure, type JobAgentResult, type JobAgentRunner, type JobAgentTurn } from '../services/jobs/agent-port'
import type { UsagePort } from '../services/usage/port'
import { LlmError, NOT_CONFIGURED_MESSAGE } from '../llm/errors'
import type { LlmMessage } from '../llm/messages'
import type { LlmProvider } from '../llm/provider'
import { emptyState, type LoopObserver, type LoopState, runAgentLoop } from './loop/agent-loop'

export interface LoopJobAgentOptions {
  /** Read at each turn, so a provider wired later (`withServices`) is used. */
  llm: () => LlmProvider | undefined
  /** The ledger every model call of a job is recorded in (purpose `job`), and the daily budget. */
  usage: () => UsagePort | undefined
  /** Model calls per turn (a job works longer than a chat turn). */
  maxSteps: number
  /** Cap on output tokens per model call. */
  maxTokens: number
  /** Characters of the job's earlier prompts and answers given as context (oldest dropped first). */
  historyChars: number
}

/**
 * Runs `agent` jobs on the gateway's agent loop (`runAgentLoop`, the loop the chat agent uses):
 * the job's workspace tools without approvals, its earlier prompts and answers as context, every
 * model call recorded in the usage ledger. Progress becomes job events: a step's text before its
 * tool calls is a `message`, each call a `tool_use` and a `tool_result`, a retried model request a `status`. The
 * final step's text is the turn's answer.
 */
export class LoopJobAgent implements JobAgentRunner {
  constructor(private readonly options: LoopJobAgentOptions) {}

  /** Agent jobs need a model provider; without one, creating one answers 503. */
  available(): boolean {
    return this.options.llm() !== undefined
  }

  async runTurn(turn: JobAgentTurn): Promise<JobAgentResult> {
    const llm = this.options.llm()
    if (!llm) throw new LlmError('not_configured', NOT_CONFIGURED_MESSAGE)
    const usage = this.options.usage()
    const state = emptyState([...jobHistory(turn.history, this.options.historyChars), { role: 'user', content: turn.prompt }])
    const result = await runAgentLoop({
      llm,
      system: turn.systemPrompt,
      state,
      tools: [...turn.tools],
      // Workspace tools are confined by construction; the job stands in for the chat thread.
      context: { userId: turn.userId, threadId: turn.jobId, jobId: turn.jobId },
      signal: turn.signal,
      maxSteps: this.options.maxSteps,
      maxTokens: this.options.maxTokens,
      // Nobody is there to approve: the job's tools are the ones it may use freely.
      approval: () => 'approve',
      beforeModelCall: usage ? () => usage.assertWithinBudget(turn.userId) : undefined,
      observer: jobObserver(turn, usage),
    })
    const tokens = usageOf(result.state)
    if (result.status === 'failed') throw new JobAgentFailure(result.error.message, tokens)
    if (result.status === 'paused') throw new JobAgentFailure(`The tool "${result.tool.name}" asked for an approval a job cannot give`, tokens)
    // Cancelled: the job records it from its own signal; what was said so far is in its events.
    return { content: result.status === 'completed' ? finalAnswer(result.state) : '', usage: tokens }
  }
}

/** The job's earlier prompts and answers, newest kept first within `maxChars`, oldest first. */
export function jobHistory(history: readonly ConversationTurn[], maxChars: number): LlmMessage[] {
  const kept: ConversationTurn[] = []
  let used = 0
  for (let i = history.length - 1; i >= 0; i--) {
    const turn = history[i]!
    if (used + turn.content.length > maxChars && kept.length > 0) break
    used += turn.content.length
    kept.push(turn)
  }
  // Never start on an answer without its prompt.
  while (kept.at(-1)?.role === 'assistant') kept.pop()
  return kept.reverse().map((t) => ({ role: t.role, content: t.content }))
}

/** The text of the last model call: the answer, without the narration of earlier steps (already sent as messages). */
function finalAnswer(state: LoopState): string {
  const last = state.transcript.at(-1)
  const text = last?.role === 'assistant' && !last.toolCalls?.length ? last.content.trim() : ''
  return text || state.text.trim() || 'The model returned an empty answer.'
}

function usageOf(state: LoopState): JobAgentResult['usage'] {
  return { input_tokens: state.usage.inputTokens, output_tokens: state.usage.outputTokens }
}

/** The loop's progress as job events, and each model call in the ledger. */
function jobObserver(turn: JobAgentTurn, usage: UsagePort | undefined): LoopObserver {
  let stepText = ''
  let stepAnnounced = false
  const started = new Set<string>()
  const emit = (event: JobAgentEvent) => turn.emit(event)
  // A step's text is only known to be narration (not the answer) once the step calls a tool.
  const flush = async () => {
    const content = stepText.trim()
    stepText = ''
    if (content) await emit({ type: 'message', content })
  }
  return {
    // The loop announces each step, then each retry of its model request. The tool events already
    // show the steps; retries are worth a line (not awaited by the loop: never let one reject).
    thinking: (message) => {
      if (!stepAnnounced) {
        stepAnnounced = true
        return
      }
      return emit({ type: 'status', message }).catch(() => undefined)
    },
    text: (delta) => {
      stepText += delta
    },
    toolStarted: async (call) => {
      await flush()
      started.add(call.id)
      await emit({ type: 'tool_use', tool_name: call.name, input: parseArguments(call.arguments) })
    },
    toolFinished: async (call, record) => {
      if (!started.delete(call.id)) {
        // Unknown tool or unparsable arguments: it never started, but the log shows the attempt.
        await flush()
        await emit({ type: 'tool_use', tool_name: call.name, input: parseArguments(call.arguments) })
      }
      await emit({
        type: 'tool_result',
        tool_name: call.name,
        output: record.has_error ? (record.error ?? 'failed') : (record.result_preview ?? ''),
        ...(record.has_error ? { is_error: true } : {}),
      })
    },
    modelCall: async ({ model, usage: used, costUsd }) => {
      stepAnnounced = false
      await usage?.record({ userId: turn.userId, model, inputTokens: used.inputTokens, outputTokens: used.outputTokens, costUsd, purpose: 'job' })
    },
  }
}

function parseArguments(raw: string): unknown {
  try {
    return JSON.parse(raw || '{}')
  } catch {
    return raw
  }
}
