import { z } from 'zod'
import { LlmMessage, ToolCall } from '../../agent/llm/messages'
import type { ImageAttachment, TurnState } from '../../protocol/chat'
import { TurnToolCall } from '../../protocol/chat'

/** Plain typed objects the chat repository returns (JSON columns already parsed). */

export interface ThreadRecord {
  id: string
  userId: string
  kind: 'assistant' | 'thread'
  channel: string
  title: string | null
  metadata: Record<string, unknown> | null
  createdAt: string
  updatedAt: string
}

export interface TurnRecord {
  id: string
  threadId: string
  userId: string
  seq: number
  userInput: string
  /** Loaded only when the turn is read to run it (`getTurn`); empty in pages of history. */
  images: ImageAttachment[]
  imageCount: number
  response: string | null
  state: TurnState
  error: string | null
  toolCalls: TurnToolCall[]
  transcript: LlmMessage[]
  pendingCalls: ToolCall[] | null
  steps: number
  inputTokens: number
  outputTokens: number
  costUsd: number
  model: string | null
  source: string
  timezone: string | null
  startedAt: string
  completedAt: string | null
}

export const ApprovalStatus = z.enum(['pending', 'approved', 'denied', 'cancelled', 'expired'])
export type ApprovalStatus = z.infer<typeof ApprovalStatus>

export interface ApprovalRecord {
  requestId: string
  userId: string
  threadId: string
  turnId: string
  callId: string
  toolName: string
  description: string
  parameters: string
  status: ApprovalStatus
  createdAt: string
  resolvedAt: string | null
}

/** Stored images were validated on the way in; reading them back skips the base64 scan. */
export const ImagesJson = z.array(z.object({ media_type: z.string(), data: z.string() }))
export const ToolCallsJson = z.array(TurnToolCall)
export const TranscriptJson = z.array(LlmMessage)
export const PendingCallsJson = z.array(ToolCall)
export const MetadataJson = z.record(z.string(), z.unknown())

