import type { EventSink } from '../ports/event-sink'
import { PreparedEvent } from '../ports/prepared-event'

export interface SubscriberInfo {
  userId: string
  /** The API token that opened the stream, so revoking it can close the stream. */
  tokenId?: string | undefined
  /** The opener's role: admins may use the connections set aside for them. */
  role?: 'admin' | 'member' | undefined
}

/**
 * One open SSE or WS stream. Delivers events in id order, never twice; while it replays missed
 * events, live ones wait in a bounded pending list. When the sink falls behind, events are
 * dropped and, once it drains, a single `resync` tells the client to reload rather than trust
 * a stream with holes.
 */
export class Subscriber {
  #lastSentId = 0
  #replaying = false
  #pending: PreparedEvent[] = []
  #pendingOverflow = false
  #lagging = false
  /** When the sink stopped taking writes; a reader stalled for long is cut off. */
  stalledSince: number | undefined
  #lastDroppedId = 0
  lastWriteAt: number
  dropped = 0

  constructor(
    readonly info: SubscriberInfo,
    readonly sink: EventSink,
    readonly maxPending: number,
    readonly now: () => number,
  ) {
    this.lastWriteAt = now()
  }

  get userId(): string {
    return this.info.userId
  }

  /** Holds live events until `finishReplay` has written the missed ones. */
  startReplay(): void {
    this.#replaying = true
  }

  /** Writes replayed events (or a resync when they are gone), then the live ones that queued meanwhile. */
  finishReplay(missed: PreparedEvent[] | null, resyncId: number): void {
    if (missed === null) this.#writeResync('replay_unavailable', resyncId)
    else for (const event of missed) this.#send(event)
    this.#replaying = false
    const pending = this.#pending
    this.#pending = []
    for (const event of pending) this.deliver(event)
    if (this.#pendingOverflow) {
      this.#pendingOverflow = false
      this.#writeResync('overflow', this.#lastDroppedId)
    }
  }

  /** `now`: the hub's clock read for this event, shared by all its subscribers. */
  deliver(event: PreparedEvent, now = this.now()): void {
    if (event.id <= this.#lastSentId) return
    if (this.#replaying) {
      if (this.#pending.length < this.maxPending) this.#pending.push(event)
      else {
        this.#pendingOverflow = true
        this.#drop(event)
      }
      return
    }
    if (this.#lagging) return this.#drop(event)
    if (!this.sink.ready()) {
      this.#lagging = true
      this.stalledSince = now
      this.#drop(event)
      this.sink.onDrain(() => {
        this.#lagging = false
        this.stalledSince = undefined
        this.#writeResync('overflow', this.#lastDroppedId)
      })
      return
    }
    this.#send(event, now)
  }

  keepAlive(idleMs: number): void {
    const now = this.now()
    if (now - this.lastWriteAt < idleMs) return
    this.sink.keepAlive()
    this.lastWriteAt = now
  }

  #send(event: PreparedEvent, now = this.now()): void {
    if (event.id <= this.#lastSentId) return
    this.sink.write(event)
    this.#lastSentId = event.id
    this.lastWriteAt = now
  }

  #drop(event: PreparedEvent): void {
    this.dropped++
    if (event.id > this.#lastDroppedId) this.#lastDroppedId = event.id
  }

  #writeResync(reason: 'overflow' | 'replay_unavailable', id: number): void {
    const lastId = Math.max(id, this.#lastSentId)
    const json = JSON.stringify({ type: 'resync', reason, last_event_id: String(lastId) })
    this.sink.write(new PreparedEvent(lastId, this.userId, 'resync', json))
    this.#lastSentId = lastId
    this.lastWriteAt = this.now()
  }
}
