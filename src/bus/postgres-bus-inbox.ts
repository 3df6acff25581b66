import { z } from 'zod'
import { BusControl } from '../ports/event-bus'
import { PreparedEvent } from '../ports/prepared-event'
import { unrefTimer } from '../lib/time'
import type { AppEvent } from '../protocol/events'
import type { Db } from '../store/database'

const CATCH_UP_PAGE = 500
const RETRY_MS = 1_000

/** The header line of a notification (see migration 0009): an event or a control message. */
const Notice = z.union([
  z.object({ e: z.number().int().positive(), u: z.string().nullable(), t: z.string() }),
  z.object({ c: z.number().int().positive(), o: z.string() }),
])

interface QueuedNotice {
  header: z.infer<typeof Notice>
  /** The payload, unless it was too large for NOTIFY and must be read from the table. */
  payload: string | undefined
}

/** In the queue where notifications may have been missed: read the tables before going on. */
const CATCH_UP = 'catch-up'

export interface InboxHandlers {
  event(event: PreparedEvent): void
  control(message: BusControl): void
}

/**
 * The receiving side of `PostgresEventBus`: turns the notification stream into events and
 * control messages delivered exactly once, in id order. Notifications arrive in commit order,
 * which the publishing functions make id order; where the stream may have a hole (the listening
 * connection dropped, or a read failed), the inbox reads the tables from the last ids it
 * delivered before going on.
 */
export class BusInbox {
  /** Highest event id delivered. */
  lastId = 0
  lastControlId = 0
  readonly #queue: Array<QueuedNotice | typeof CATCH_UP> = []
  #draining = false
  #started = false
  #live = true
  #closed = false
  #retryTimer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly db: Db,
    /** This instance: its own control messages were applied when published and are skipped. */
    private readonly origin: string,
    private readonly handlers: InboxHandlers,
  ) {}

  /** Whether notifications are flowing (false between `lost` and `resumed`). */
  get live(): boolean {
    return this.#live
  }

  /** Starts delivering, after the given high-water marks (anything at or below them is old). */
  start(lastId: number, lastControlId: number): void {
    this.lastId = lastId
    this.lastControlId = lastControlId
    this.#started = true
    void this.#drain()
  }

  /** One notification's payload: a JSON header line, then the event or message if it fitted. */
  receive(raw: string): void {
    const newline = raw.indexOf('\n')
    let header: unknown
    try {
      header = JSON.parse(newline < 0 ? raw : raw.slice(0, newline))
    } catch {
      return
    }
    const parsed = Notice.safeParse(header)
    if (!parsed.success) return
    this.#queue.push({ header: parsed.data, payload: newline < 0 ? undefined : raw.slice(newline + 1) })
    void this.#drain()
  }

  /** The listening connection dropped: what was received still goes out, then it waits to catch up. */
  lost(): void {
    this.#live = false
    if (this.#queue.at(-1) !== CATCH_UP) this.#queue.push(CATCH_UP)
  }

  resumed(): void {
    this.#live = true
    void this.#drain()
  }

  close(): void {
    this.#closed = true
    clearTimeout(this.#retryTimer)
  }

  /**
   * Delivers queued notifications one at a time, in arrival (= id) order. Synchronous for the
   * usual notification that carries its payload; a catch-up or an oversized payload is read from
   * the table first, and later notifications wait for it.
   */
  async #drain(): Promise<void> {
    if (this.#draining || !this.#started || this.#closed) return
    this.#draining = true
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const notice = this.#queue[0]!
        if (notice === CATCH_UP) {
          if (!this.#live) return
          await this.#catchUp()
        } else if ('e' in notice.header) {
          const { e: id, u: userId, t: type } = notice.header
          if (id > this.lastId) {
            const json = notice.payload ?? (await this.#payloadOf('events', id))
            this.#event(id, userId, type, json)
          }
        } else {
          const { c: id, o: origin } = notice.header
          if (id > this.lastControlId) {
            this.#control(id, origin === this.origin ? undefined : (notice.payload ?? (await this.#payloadOf('bus_controls', id))))
          }
        }
        this.#queue.shift()
      }
    } catch {
      // The database did not answer: read everything after the last delivered ids once it does.
      this.#queue[0] = CATCH_UP
      this.#retryTimer = unrefTimer(setTimeout(() => void this.#drain(), RETRY_MS))
    } finally {
      this.#draining = false
    }
  }

  async #catchUp(): Promise<void> {
    for (;;) {
      const rows = await this.db
        .selectFrom('events')
        .select(['id', 'user_id', 'type', 'payload'])
        .where('id', '>', this.lastId)
        .orderBy('id')
        .limit(CATCH_UP_PAGE)
        .execute()
      for (const r of rows) this.#event(Number(r.id), r.user_id, r.type, r.payload)
      if (rows.length < CATCH_UP_PAGE) break
    }
    for (;;) {
      const rows = await this.db
        .selectFrom('bus_controls')
        .select(['id', 'origin', 'payload'])
        .where('id', '>', this.lastControlId)
        .orderBy('id')
        .limit(CATCH_UP_PAGE)
        .execute()
      for (const r of rows) this.#control(Number(r.id), r.origin === this.origin ? undefined : r.payload)
      if (rows.length < CATCH_UP_PAGE) break
    }
  }

  /** A payload that did not fit in its notification; `undefined` when the row is gone (pruned). */
  async #payloadOf(table: 'events' | 'bus_controls', id: number): Promise<string | undefined> {
    const row = await this.db.selectFrom(table).select('payload').where('id', '=', id).executeTakeFirst()
    return row?.payload
  }

  #event(id: number, userId: string | null, type: string, json: string | undefined): void {
    this.lastId = id
    if (json === undefined) return
    try {
      this.handlers.event(new PreparedEvent(id, userId, type as AppEvent['type'], json))
    } catch {
      // a listener's failure is its own (the hub isolates subscribers); delivery goes on
    }
  }

  #control(id: number, json: string | undefined): void {
    this.lastControlId = id
    if (json === undefined) return
    let message: BusControl
    try {
      message = BusControl.parse(JSON.parse(json))
    } catch {
      return
    }
    try {
      this.handlers.control(message)
    } catch {
      // as for events
    }
  }
}
