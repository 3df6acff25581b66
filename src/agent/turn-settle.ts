import { appEvent } from '../protocol/events'
import type { TurnOutcome } from '../hub/turn-outcome'
import type { ApprovalRecord, TurnRecord, TurnStore } from '../services/chat/port'
import type { LoopResult } from './loop/agent-loop'
import type { TurnEvents } from './turn-events'
import { describeError, prettyJson } from './turn-state'

/**
 * Persists how a turn's loop ended and tells the user: a pause records the approval request
 * (`approval_needed`), any other end settles the turn with its answer or error and its cost.
 */
export async function settleTurn(
  turns: TurnStore,
  events: TurnEvents,
  turn: TurnRecord,
  result: LoopResult,
  options: { at: string; cancelReason?: string | undefined; approvalTtlMs: number },
): Promise<TurnOutcome> {
  const { state } = result
  const at = options.at
  const to = { userId: turn.user_id, threadId: turn.thread_id }
  const patch = {
    tool_calls: state.toolCalls,
    transcript: state.transcript,
    steps: state.steps,
    input_tokens: state.usage.inputTokens,
    output_tokens: state.usage.outputTokens,
    cost_usd: state.usage.costUsd,
    model: state.usage.model,
  }
  const outcome: TurnOutcome = {
    status: 'completed', threadId: turn.thread_id, turnId: turn.id, text: state.text, inputTokens: state.usage.inputTokens,
    outputTokens: state.usage.outputTokens, costUsd: state.usage.costUsd, model: state.usage.model,
  }
  switch (result.status) {
    case 'paused': {
      const approval: ApprovalRecord = {
        request_id: crypto.randomUUID(), user_id: turn.user_id, thread_id: turn.thread_id, turn_id: turn.id, call_id: result.call.id,
        tool_name: result.tool.name, description: result.tool.description, parameters: prettyJson(result.input), status: 'pending',
        created_at: at, resolved_at: null, expires_at: new Date(Date.parse(at) + options.approvalTtlMs).toISOString(),
        decisions: result.tool.allowAlways === false ? ['approve', 'deny'] : ['approve', 'deny', 'always'], decision: null,
      }
      await turns.pauseTurn(turn.id, { ...patch, response: state.text || null, pending_calls: state.pendingCalls }, approval)
      await events.emit(to, appEvent('approval_needed', {
        request_id: approval.request_id, tool_name: approval.tool_name, description: approval.description,
        parameters: approval.parameters, thread_id: turn.thread_id, allow_always: approval.decisions.includes('always'), call_id: approval.call_id,
        decisions: approval.decisions, ...(approval.expires_at ? { expires_at: approval.expires_at } : {}),
      }))
      return { ...outcome, status: 'awaiting_approval' }
    }
    case 'completed': {
      const text = state.text.trim() ? state.text : 'The model returned an empty answer.'
      await turns.settleTurn(turn, { ...patch, state: 'completed', response: text, pending_calls: null, error: null, completed_at: at }, at)
      await events.emit(to, appEvent('response', { content: text, thread_id: turn.thread_id }))
      await events.cost(turn, state)
      return { ...outcome, text }
    }
    case 'cancelled': {
      // Swept by another instance, which stored the turn and told its user.
      if (options.cancelReason === 'swept') return { ...outcome, status: 'cancelled', error: { code: 'interrupted', message: 'Interrupted: another instance took this turn for dead' } }
      const message = options.cancelReason === 'shutdown' ? 'Stopped: the gateway is shutting down' : 'Stopped by the user'
      await turns.settleTurn(turn, { ...patch, state: 'interrupted', response: state.text || null, pending_calls: null, error: message, completed_at: at }, at)
      await events.emit(to, appEvent('turn_cancelled', { thread_id: turn.thread_id, message }))
      await events.cost(turn, state)
      return { ...outcome, status: 'cancelled', error: { code: 'cancelled', message } }
    }
    case 'failed': {
      const { code, message } = describeError(result.error)
      await turns.settleTurn(turn, { ...patch, state: 'failed', response: state.text || null, pending_calls: null, error: message, completed_at: at }, at)
      await events.emit(to, appEvent('error', { message, code, thread_id: turn.thread_id }))
      await events.cost(turn, state)
      return { ...outcome, status: 'failed', error: { code, message } }
    }
  }
}
