import type { ChatRepository } from './chat-repository'
import type { LiveText } from './live-text'
import type { ApprovalDecisionTaken } from '../../protocol/approvals'
import type { ApprovalRecord, ApprovalStatus, InterruptedTurn, TurnPatch, TurnRecord, TurnStore } from './port'

/** The default agent's turns in the chat tables, where `ThreadService` pages history from. */
export class ChatTurnStore implements TurnStore {
  readonly #repo: ChatRepository
  readonly #live: LiveText

  constructor(repo: ChatRepository, live: LiveText) {
    this.#repo = repo
    this.#live = live
  }

  async startTurn(turn: Omit<TurnRecord, 'seq' | 'image_count'>, options: { leaseUntil: string; channel: string; title: string | null }): Promise<TurnRecord> {
    const at = turn.started_at
    if (!(await this.#repo.ownedThread(turn.user_id, turn.thread_id))) {
      // Routines and embedders may name a fresh thread id; web clients' threads are resolved before.
      await this.#repo.createThread({ id: turn.thread_id, user_id: turn.user_id, kind: 'thread', channel: options.channel, title: null, created_at: at, updated_at: at })
    }
    const started: TurnRecord = { ...turn, seq: await this.#repo.nextSeq(turn.thread_id), image_count: turn.images.length }
    await this.#repo.insertTurn(started, options.leaseUntil)
    await this.#repo.touchThread(turn.thread_id, at, options.title ?? undefined)
    return started
  }

  resumeTurn(turnId: string, leaseUntil: string): Promise<void> {
    return this.#repo.updateTurn(turnId, { state: 'processing', lease_until: leaseUntil })
  }

  async settleTurn(turn: Pick<TurnRecord, 'id' | 'thread_id'>, patch: TurnPatch, at: string): Promise<void> {
    await this.#repo.updateTurn(turn.id, patch)
    await this.#repo.touchThread(turn.thread_id, at)
  }

  async pauseTurn(turnId: string, patch: TurnPatch, approval: ApprovalRecord): Promise<void> {
    await this.#repo.pauseTurn(turnId, patch, approval)
    await this.#repo.touchThread(approval.thread_id, approval.created_at)
  }

  getTurn(turnId: string): Promise<TurnRecord | undefined> {
    return this.#repo.getTurn(turnId)
  }

  activeTurn(threadId: string): Promise<TurnRecord | undefined> {
    return this.#repo.activeTurn(threadId)
  }

  turnsBefore(threadId: string, options: { beforeSeq: number; limit: number }): Promise<TurnRecord[]> {
    return this.#repo.turnsBefore(threadId, options)
  }

  renewLeases(turnIds: string[], until: string): Promise<Set<string>> {
    return this.#repo.renewLeases(turnIds, until)
  }

  interruptStaleTurns(message: string, at: string, options: { all: boolean; except?: readonly string[] }): Promise<InterruptedTurn[]> {
    return this.#repo.interruptStaleTurns(message, at, options)
  }

  expireApprovalsOf(turnIds: readonly string[], at: string): Promise<ApprovalRecord[]> {
    return this.#repo.expireApprovalsOf(turnIds, at)
  }

  expireDueApprovals(at: string): Promise<ApprovalRecord[]> {
    return this.#repo.expireDueApprovals(at)
  }

  getApproval(requestId: string): Promise<ApprovalRecord | undefined> {
    return this.#repo.getApproval(requestId)
  }

  pendingApproval(threadId: string): Promise<ApprovalRecord | undefined> {
    return this.#repo.pendingApproval(threadId)
  }

  resolveApproval(requestId: string, status: Exclude<ApprovalStatus, 'pending'>, at: string, decision?: ApprovalDecisionTaken): Promise<boolean> {
    return this.#repo.resolveApproval(requestId, status, at, decision)
  }

  isAlwaysAllowed(userId: string, toolName: string): Promise<boolean> {
    return this.#repo.isAlwaysAllowed(userId, toolName)
  }

  allowAlways(userId: string, toolName: string, at: string): Promise<void> {
    return this.#repo.allowAlways(userId, toolName, at)
  }

  streamed(turnId: string, delta: string, eventId?: number): void {
    this.#live.append(turnId, delta, eventId)
  }

  streamEnded(turnId: string): void {
    this.#live.delete(turnId)
  }
}
