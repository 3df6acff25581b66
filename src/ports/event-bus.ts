import { z } from 'zod'
import type { AppEvent } from '../protocol/events'
import type { PreparedEvent } from './prepared-event'

/**
 * A control message between gateway instances (token revoked, user suspended, ...). A schema,
 * because on PostgreSQL these arrive from other processes and are parsed at the edge.
 */
export const BusControl = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('disconnect'), userId: z.string().optional(), tokenId: z.string().optional() }),
  z.object({ kind: z.literal('invalidate_auth'), tokenHash: z.string().optional(), userId: z.string().optional() }),
  z.object({ kind: z.literal('custom'), topic: z.string(), payload: z.unknown() }),
])
export type BusControl = z.infer<typeof BusControl>

/**
 * Carries events from producers to every instance's hub, in id order, and keeps them for replay.
 * Default: in-process (`MemoryEventBus`). With a database the store provides a persistent bus,
 * and on PostgreSQL one that crosses instances through LISTEN/NOTIFY.
 */
export interface EventBus {
  /** Assigns the event's id, keeps it for replay and delivers it to every `onEvent` listener. */
  publish(userId: string | null, event: AppEvent): Promise<PreparedEvent>
  onEvent(listener: (event: PreparedEvent) => void): () => void
  /**
   * Events visible to `userId` (their own and broadcasts) with id > `afterId`, oldest first,
   * or `null` when some of them are gone (pruned, evicted, or from before a restart).
   */
  replay(userId: string, afterId: number): Promise<PreparedEvent[] | null>
  /** Highest id assigned so far (0 when none): a client ahead of it is from another database. */
  lastId(): number
  publishControl(message: BusControl): Promise<void>
  onControl(listener: (message: BusControl) => void): () => void
  close(): Promise<void>
}
