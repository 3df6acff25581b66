import { getLogger } from '@logtape/logtape'
import type { WebChannel } from '../hub/channel'
import { type AppEvent, appEvent } from '../protocol/events'
import type { TurnRecord, TurnStore } from '../services/chat/port'
import type { UsagePort } from '../services/usage/port'
import type { LoopObserver, LoopState } from './loop/agent-loop'
import { purposeOf } from './turn-state'

const log = getLogger(['gateway', 'agent'])

/** A chat turn's events, published to its user and thread. Publishing never fails a turn. */
export class TurnEvents {
  constructor(private readonly channel: WebChannel) {}

  async emit(to: { userId: string; threadId?: string | undefined }, event: AppEvent): Promise<void> {
    await this.#publish(to, event)
  }

  /** The event's bus id, or undefined when it could not be published. */
  async #publish(to: { userId: string; threadId?: string | undefined }, event: AppEvent): Promise<number | undefined> {
    try {
      return (await this.channel.sendStatus(to, event)).id
    } catch (error) {
      log.warn('could not publish a {type} event: {error}', { type: event.type, error })
      return undefined
    }
  }

  /** The loop's progress as events (`thinking`, `stream_chunk`, tool events), usage into the ledger. */
  observer(turn: TurnRecord, options: { turns: TurnStore; usage: UsagePort | undefined }): LoopObserver {
    const to = { userId: turn.user_id, threadId: turn.thread_id }
    const thread_id = turn.thread_id
    return {
      thinking: (message) => this.emit(to, appEvent('thinking', { message, thread_id })),
      // Kept with the chunk's id once it is published: a snapshot of the text then says exactly
      // which chunks it holds, so a client that reads it mid-turn neither doubles nor loses one.
      text: async (delta) => {
        options.turns.streamed(turn.id, delta, await this.#publish(to, appEvent('stream_chunk', { content: delta, thread_id })))
      },
      toolStarted: (call) => this.emit(to, appEvent('tool_started', { name: call.name, call_id: call.id, thread_id })),
      toolFinished: async (call, record) => {
        await this.emit(
          to,
          appEvent('tool_completed', {
            name: call.name,
            success: !record.has_error,
            call_id: call.id,
            parameters: record.parameters,
            thread_id,
            ...(record.error ? { error: record.error } : {}),
          }),
        )
        if (record.result_preview !== undefined) {
          await this.emit(to, appEvent('tool_result', { name: call.name, preview: record.result_preview, call_id: call.id, thread_id }))
        }
      },
      modelCall: async ({ model, usage, costUsd }) => {
        await options.usage?.record({
          userId: turn.user_id,
          model,
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
          costUsd,
          purpose: purposeOf(turn.source),
          threadId: turn.thread_id,
        })
      },
    }
  }

  /** `turn_cost` with the turn's totals (when it called the model at all). */
  async cost(turn: TurnRecord, state: LoopState): Promise<void> {
    if (state.steps === 0) return
    await this.emit(
      { userId: turn.user_id, threadId: turn.thread_id },
      appEvent('turn_cost', {
        input_tokens: state.usage.inputTokens,
        output_tokens: state.usage.outputTokens,
        cost_usd: state.usage.costUsd.toFixed(6),
        thread_id: turn.thread_id,
        ...(state.usage.model ? { model: state.usage.model } : {}),
      }),
    )
  }
}
