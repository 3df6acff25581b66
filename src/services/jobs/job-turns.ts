import type { JobEventType } from '../../protocol/jobs'
import { JobAgentFailure, type JobAgentRunner } from './agent-port'
import type { JobCommandConfig, JobsConfig } from '../../config/jobs-config'
import type { ConversationTurn } from './agent-port'
import { type JobDirs, jobProcessSpec, type ProcessSet } from './job-sandbox'
import { LineSplitter, runToCompletion } from './process-output'
import type { Tool } from '../../tools/tool'
import type { ProcessPort } from '../../ports/sandbox'
import { StreamJsonReader } from './stream-json'
import { errorMessage } from '../../lib/errors'

/** What a turn needs from the job running it. */
export interface TurnContext {
  jobId: string
  userId: string
  dirs: JobDirs
  prompt: string
  history: readonly ConversationTurn[]
  sessionId: string | null
  signal: AbortSignal
  processes: ProcessSet
  config: JobsConfig
  record(type: JobEventType, data: Record<string, unknown>): Promise<unknown>
}

export interface TurnOutcome {
  status: 'ok' | 'failed' | 'cancelled'
  /** The turn's final answer. */
  result: string | null
  failure?: string
  sessionId?: string
  usage: { input: number; output: number }
}

/** Plain output is sent in batches, not a line at a time (a build log would be thousands of events). */
const TEXT_BATCH_BYTES = 4096
const TEXT_BATCH_MS = 500

/**
 * One turn of a `command` job: runs the configured CLI with the prompt (resuming its session on
 * follow-ups), turns its stream-JSON lines into job events, and waits for it to exit.
 */
export async function runCommandTurn(ctx: TurnContext, command: JobCommandConfig, port: ProcessPort): Promise<TurnOutcome> {
  const promptInArgs = command.argv.some((arg) => arg.includes('{prompt}'))
  const argv = command.argv.map((arg) => arg.replaceAll('{prompt}', ctx.prompt))
  if (ctx.sessionId && command.resume_argv.length > 0) argv.push(...command.resume_argv.map((arg) => arg.replaceAll('{session_id}', ctx.sessionId!)))

  const reader = new StreamJsonReader()
  const pending: Array<Promise<unknown>> = []
  const record = (type: JobEventType, data: Record<string, unknown>) => void pending.push(ctx.record(type, data).catch(() => undefined))
  let text = ''
  let textTimer: ReturnType<typeof setTimeout> | undefined
  const flushText = () => {
    clearTimeout(textTimer)
    textTimer = undefined
    if (text) record('message', { role: 'output', content: text.replace(/\n$/, '') })
    text = ''
  }
  let sessionId: string | undefined
  let lastMessage: string | null = null
  let final: { text: string | null; isError: boolean } | undefined
  const usage = { input: 0, output: 0 }

  const splitter = new LineSplitter((line) => {
    for (const update of reader.read(line)) {
      if (update.kind === 'text') {
        text += `${update.text}\n`
        if (text.length >= TEXT_BATCH_BYTES) flushText()
        else textTimer ??= setTimeout(flushText, TEXT_BATCH_MS)
        continue
      }
      flushText()
      switch (update.kind) {
        case 'session':
          sessionId = update.sessionId
          record('status', { message: update.model ? `Session ${update.sessionId} (${update.model})` : `Session ${update.sessionId}` })
          break
        case 'message':
          lastMessage = update.content
          record('message', { role: 'assistant', content: update.content })
          break
        case 'tool_use':
          record('tool_use', { tool_name: update.toolName, input: update.input })
          break
        case 'tool_result':
          record('tool_result', { tool_name: update.toolName, output: update.output, is_error: update.isError })
          break
        case 'result':
          final = { text: update.text, isError: update.isError }
          if (update.sessionId) sessionId = update.sessionId
          if (update.usage) {
            usage.input += update.usage.input
            usage.output += update.usage.output
          }
          break
      }
    }
  })

  const outcome = await runToCompletion(
    port,
    jobProcessSpec(ctx.dirs, port.isolation, argv, {
      network: command.network,
      inheritEnv: command.env,
      readOnly: command.read_only_paths,
      writable: command.writable_paths,
      stdin: promptInArgs ? undefined : ctx.prompt,
    }),
    {
      timeoutMs: command.timeout_secs * 1000,
      outputCap: ctx.config.outputCapBytes,
      killGraceMs: ctx.config.killGraceMs,
      signal: ctx.signal,
      track: ctx.processes.track,
      onStdout: (chunk) => splitter.push(chunk),
    },
  )
  splitter.end()
  flushText()
  await Promise.all(pending)

  const base = { usage, ...(sessionId ? { sessionId } : {}) }
  if (outcome.cancelled) return { ...base, status: 'cancelled', result: null }
  if (outcome.startError) return { ...base, status: 'failed', result: null, failure: outcome.startError }
  if (outcome.timedOut) return { ...base, status: 'failed', result: null, failure: `Timed out after ${command.timeout_secs} s` }
  const resultText = final?.text ?? lastMessage
  const exit = outcome.exit
  if (exit && (exit.code !== 0 || exit.signal)) {
    const stderr = outcome.stderr.text().trim().slice(-500)
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`
    return { ...base, status: 'failed', result: resultText, failure: `${command.name} ${how}${stderr ? `: ${stderr}` : ''}` }
  }
  if (final?.isError) return { ...base, status: 'failed', result: resultText, failure: final.text ?? `${command.name} reported an error` }
  return { ...base, status: 'ok', result: resultText }
}

/** One turn of an `agent` job: the agent loop with the job's workspace tools. */
export async function runAgentTurn(ctx: TurnContext, runner: JobAgentRunner, tools: readonly Tool[], systemPrompt: string): Promise<TurnOutcome> {
  try {
    const result = await runner.runTurn({
      userId: ctx.userId,
      jobId: ctx.jobId,
      systemPrompt,
      history: ctx.history,
      prompt: ctx.prompt,
      tools,
      signal: ctx.signal,
      emit: async (event) => {
        const { type, ...data } = event
        await ctx.record(type, type === 'message' ? { role: 'assistant', ...data } : data)
      },
    })
    const usage = { input: result.usage.input_tokens, output: result.usage.output_tokens }
    if (ctx.signal.aborted) return { status: 'cancelled', result: null, usage }
    if (result.content) await ctx.record('message', { role: 'assistant', content: result.content })
    return { status: 'ok', result: result.content, usage }
  } catch (error) {
    if (ctx.signal.aborted) return { status: 'cancelled', result: null, usage: { input: 0, output: 0 } }
    const spent = error instanceof JobAgentFailure ? { input: error.usage.input_tokens, output: error.usage.output_tokens } : { input: 0, output: 0 }
    return { status: 'failed', result: null, failure: errorMessage(error), usage: spent }
  }
}
