import { truncateBytes } from '../../lib/text'
import type { TurnToolCall } from '../../protocol/chat'
import { LlmError } from '../../llm/errors'
import type { LlmMessage, ToolCall, ToolSpec, Usage } from '../../llm/messages'
import type { LlmProvider } from '../../llm/provider'
import type { Tool, ToolContext, ToolResult } from '../../tools/tool'
import { errorMessage } from '../../lib/errors'
import { noopSpan, type TraceSpan } from '../../ports/tracing'

/** Bytes of a tool result shown to the user (`tool_result`, history). */
const PREVIEW_BYTES = 500
/** Bytes of a tool result given back to the model. */
const TOOL_OUTPUT_BYTES = 32 * 1024

/**
 * Where a turn stands. The loop mutates it as it goes; a paused turn is this state, persisted, and
 * resuming it after a restart is running the loop again from it.
 */
export interface LoopState {
  /** The conversation before this turn's model calls: earlier turns and the user's message. */
  messages: LlmMessage[]
  /** What this turn added: assistant messages (with tool calls) and tool results. */
  transcript: LlmMessage[]
  /** Tool calls of the last assistant message not answered yet (run these before calling the model). */
  pendingCalls: ToolCall[]
  /** Model calls made. */
  steps: number
  /** Visible answer so far: the text of every step, separated by a blank line. */
  text: string
  toolCalls: TurnToolCall[]
  usage: { inputTokens: number; outputTokens: number; costUsd: number; model: string | null }
}

export const emptyState = (messages: LlmMessage[]): LoopState => ({
  messages,
  transcript: [],
  pendingCalls: [],
  steps: 0,
  text: '',
  toolCalls: [],
  usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, model: null },
})

/** `pause` = stop the turn here until the user answers (the call stays first in `pendingCalls`). */
export type ApprovalVerdict = 'approve' | 'deny' | 'pause'

/** Decides the fate of a call to a tool that requires approval. */
export type ApprovalPolicy = (call: ToolCall, tool: Tool, input: unknown) => ApprovalVerdict | Promise<ApprovalVerdict>

/** Hooks for progress; the chat agent turns them into events, a job into job events. All optional. */
export interface LoopObserver {
  thinking?(message: string): void | Promise<void>
  text?(delta: string): void | Promise<void>
  toolStarted?(call: ToolCall, tool: Tool): void | Promise<void>
  toolFinished?(call: ToolCall, record: TurnToolCall): void | Promise<void>
  /** After each model call, with its usage and cost: record it. */
  modelCall?(info: { model: string; usage: Usage; costUsd: number }): void | Promise<void>
}

export interface LoopOptions {
  llm: LlmProvider
  /** Defaults to the provider's model. */
  model?: string | undefined
  system: string
  state: LoopState
  tools: Tool[]
  /** Passed to every tool (`signal` and `callId` are added per call). */
  context: Omit<ToolContext, 'signal' | 'callId'>
  signal: AbortSignal
  /** Model calls per turn; the last is made with `tool_choice: none` so the turn ends with an answer. */
  maxSteps: number
  maxTokens?: number | undefined
  approval: ApprovalPolicy
  /** The user's answers for pending calls (resuming a paused turn), by call id. */
  decisions?: ReadonlyMap<string, 'approve' | 'deny'> | undefined
  observer?: LoopObserver | undefined
  /** Runs before every model call; throw to end the turn (a spent budget). */
  beforeModelCall?: (() => Promise<void>) | undefined
  /** The turn's span: each model call and each tool call becomes a child of it. */
  span?: TraceSpan | undefined
}

export type LoopResult =
  | { status: 'completed'; state: LoopState }
  | { status: 'paused'; state: LoopState; call: ToolCall; tool: Tool; input: unknown }
  | { status: 'cancelled'; state: LoopState }
  | { status: 'failed'; state: LoopState; error: Error }

/**
 * The agent's turn loop, free of any channel: run pending tool calls (asking `approval` for those
 * that need it), call the model with the tools, stream its text, repeat until it answers without
 * tool calls or `maxSteps` is reached. The chat agent runs it per message; the jobs subsystem can
 * run it in a workspace with its own tools and policy. Cancellation through `signal` aborts the
 * model request and the running tool (whose promise is abandoned if it ignores its signal).
 *
 * @example
 * ```ts
 * const llm = await createLlmProvider(loadConfig(env).llm) // env: your runtime's environment variables
 * const result = await runAgentLoop({
 *   llm: llm!, system: 'You are terse.', state: emptyState([{ role: 'user', content: 'What time is it?' }]),
 *   tools: [clock], context: { userId: 'me', threadId: 'cli' }, signal, maxSteps: 5,
 *   approval: () => 'approve', observer: { text: (delta) => print(delta) }, // print: however your host writes text
 * })
 * ```
 */
export async function runAgentLoop(o: LoopOptions): Promise<LoopResult> {
  const { state, observer } = o
  const specs: ToolSpec[] = o.tools.map((t) => ({ name: t.name, description: t.description, parameters: t.inputSchema }))
  try {
    for (;;) {
      while (state.pendingCalls.length > 0) {
        const call = state.pendingCalls[0]!
        const paused = await runCall(o, call)
        if (paused) return paused
        state.pendingCalls.shift()
        if (o.signal.aborted) return { status: 'cancelled', state }
      }
      if (state.steps >= o.maxSteps) return { status: 'completed', state }
      if (o.signal.aborted) return { status: 'cancelled', state }
      await o.beforeModelCall?.()
      state.steps++
      const finalStep = state.steps >= o.maxSteps
      await observer?.thinking?.(`Thinking (step ${state.steps})...`)
      let separator = state.text.length > 0
      let done: Extract<import('../../llm/messages').LlmStreamEvent, { type: 'done' }> | undefined
      const llmSpan = (o.span ?? noopSpan).child('llm.call', { 'gen_ai.request.model': o.model ?? o.llm.model, 'gateway.step': state.steps })
      try {
        const stream = o.llm.stream(
          {
            model: o.model,
            system: o.system,
            messages: [...state.messages, ...state.transcript],
            tools: specs.length ? specs : undefined,
            toolChoice: specs.length ? (finalStep ? 'none' : 'auto') : undefined,
            maxTokens: o.maxTokens,
          },
          {
            signal: o.signal,
            onRetry: ({ attempt, delayMs, error }) =>
              void observer?.thinking?.(`${error.message} Retrying in ${Math.max(1, Math.round(delayMs / 1000))} s (attempt ${attempt})...`),
          },
        )
        for await (const event of stream) {
          if (event.type === 'text') {
            if (separator) {
              separator = false
              state.text += '\n\n'
              await observer?.text?.('\n\n')
            }
            state.text += event.delta
            await observer?.text?.(event.delta)
          } else if (event.type === 'done') done = event
        }
        if (!done) throw new LlmError('malformed', 'The model provider ended its stream without an answer')
        llmSpan.setAttributes({
          'gen_ai.response.model': done.model,
          'gen_ai.usage.input_tokens': done.usage.inputTokens,
          'gen_ai.usage.output_tokens': done.usage.outputTokens,
          'gateway.tool_calls': done.toolCalls.length,
        })
      } catch (error) {
        llmSpan.fail(errorMessage(error))
        throw error
      } finally {
        llmSpan.end()
      }
      const cost = o.llm.cost(done.model, done.usage)
      state.usage.inputTokens += done.usage.inputTokens
      state.usage.outputTokens += done.usage.outputTokens
      state.usage.costUsd += cost
      state.usage.model = done.model
      await observer?.modelCall?.({ model: done.model, usage: done.usage, costUsd: cost })
      // On the last step calls are not run, so none are recorded (a call without its result is invalid context).
      const calls = finalStep ? [] : done.toolCalls
      state.transcript.push({ role: 'assistant', content: done.text, ...(calls.length ? { toolCalls: calls } : {}) })
      if (calls.length === 0) return { status: 'completed', state }
      state.pendingCalls = [...calls]
    }
  } catch (error) {
    if (o.signal.aborted) return { status: 'cancelled', state }
    return { status: 'failed', state, error: error instanceof Error ? error : new Error(String(error)) }
  }
}

/** Runs (or denies) one call and records its result; returns a pause when the user must decide. */
async function runCall(o: LoopOptions, call: ToolCall): Promise<Extract<LoopResult, { status: 'paused' }> | undefined> {
  const tool = o.tools.find((t) => t.name === call.name)
  let input: unknown
  let result: ToolResult
  let denied = false
  try {
    input = JSON.parse(call.arguments || '{}')
  } catch {
    input = undefined
  }
  if (!tool) {
    result = { output: `Unknown tool "${call.name}". Available tools: ${o.tools.map((t) => t.name).join(', ') || 'none'}.`, isError: true }
  } else if (input === undefined) {
    result = { output: `The arguments of ${call.name} are not valid JSON: ${truncateBytes(call.arguments, 200)}`, isError: true }
  } else {
    const needsApproval = typeof tool.requiresApproval === 'function' ? tool.requiresApproval(input) : tool.requiresApproval
    let verdict: ApprovalVerdict = 'approve'
    if (needsApproval) verdict = o.decisions?.get(call.id) ?? (await o.approval(call, tool, input))
    if (verdict === 'pause') return { status: 'paused', state: o.state, call, tool, input }
    if (verdict === 'deny') {
      denied = true
      result = { output: 'The user denied this tool call. Do not retry it; answer without it or ask the user.', isError: true }
    } else {
      await o.observer?.toolStarted?.(call, tool)
      const toolSpan = (o.span ?? noopSpan).child('tool.call', { 'gen_ai.tool.name': call.name, 'gen_ai.tool.call.id': call.id })
      result = await execute(tool, input, { ...o.context, signal: o.signal, callId: call.id })
      toolSpan.setAttributes({ 'gateway.tool.outcome': result.isError ? 'error' : 'ok' })
      if (result.isError) toolSpan.fail(truncateBytes(result.output, 200))
      toolSpan.end()
    }
  }
  const record: TurnToolCall = {
    call_id: call.id,
    name: call.name,
    parameters: call.arguments,
    has_result: !result.isError,
    has_error: result.isError === true,
    ...(result.isError
      ? { error: denied ? 'Denied by the user' : truncateBytes(result.output, PREVIEW_BYTES) }
      : { result_preview: truncateBytes(result.output, PREVIEW_BYTES) }),
  }
  o.state.toolCalls.push(record)
  o.state.transcript.push({ role: 'tool', toolCallId: call.id, name: call.name, content: truncateBytes(result.output, TOOL_OUTPUT_BYTES, '\n[output truncated]') })
  await o.observer?.toolFinished?.(call, record)
  return undefined
}

/** A tool's result; a throw becomes an error result, and a cancelled turn does not wait for a tool that ignores its signal. */
async function execute(tool: Tool, input: unknown, ctx: ToolContext): Promise<ToolResult> {
  if (ctx.signal.aborted) return { output: 'Cancelled', isError: true }
  let onAbort: (() => void) | undefined
  const aborted = new Promise<ToolResult>((resolve) => {
    onAbort = () => resolve({ output: 'Cancelled by the user', isError: true })
    ctx.signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    return await Promise.race([
      tool.execute(input, ctx).catch((error: unknown): ToolResult => ({ output: `Tool failed: ${errorMessage(error)}`, isError: true })),
      aborted,
    ])
  } finally {
    ctx.signal.removeEventListener('abort', onAbort!)
  }
}
