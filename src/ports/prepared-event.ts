import type { AppEvent } from '../protocol/events'

const encoder = new TextEncoder()

/**
 * An event as it leaves the bus: id assigned, JSON serialised once. Every wire encoding is
 * computed at most once per event and shared by all subscribers, so fan-out to N clients costs
 * N socket writes, not N serialisations. `T` is the event's type: an `AppEvent` type on the bus,
 * another name on streams of their own (`log` lines).
 */
export class PreparedEvent<T extends string = AppEvent['type']> {
  #sse: Uint8Array | undefined
  #wsText: string | undefined
  #memo: Map<string, unknown> | undefined

  constructor(
    /** Monotonic per user (and across instances on PostgreSQL). */
    readonly id: number,
    /** `null` = delivered to every user. */
    readonly userId: string | null,
    readonly type: T,
    /** `JSON.stringify(event)`, including its `type`. */
    readonly json: string,
    /** Whether the SSE frame carries the `id:` a client resumes from (a log stream does not resume). */
    readonly resumable = true,
  ) {}

  static from(id: number, userId: string | null, event: AppEvent, json = JSON.stringify(event)): PreparedEvent {
    return new PreparedEvent(id, userId, event.type, json)
  }

  get event(): AppEvent {
    return JSON.parse(this.json) as AppEvent
  }

  /** `event: <type>\nid: <id>\ndata: <json>\n\n` as bytes (no `id:` line when not `resumable`). */
  get sse(): Uint8Array {
    return (this.#sse ??= encoder.encode(sseFrame(this.type, this.resumable ? String(this.id) : undefined, this.json)))
  }

  /** `{"type":"event","event_type":<type>,"data":<json>,"id":"<id>"}` */
  get wsText(): string {
    return (this.#wsText ??= `{"type":"event","event_type":${JSON.stringify(this.type)},"data":${this.json},"id":"${this.id}"}`)
  }

  /** Caches an adapter-specific encoding (e.g. a pre-built WebSocket frame) on the event. */
  memo<T>(key: string, build: () => T): T {
    this.#memo ??= new Map()
    let value = this.#memo.get(key) as T | undefined
    if (value === undefined) {
      value = build()
      this.#memo.set(key, value)
    }
    return value
  }
}

/** One SSE frame. `data` must be single-line JSON (JSON.stringify never emits raw newlines). */
export const sseFrame = (type: string, id: string | undefined, data: string): string =>
  id === undefined ? `event: ${type}\ndata: ${data}\n\n` : `event: ${type}\nid: ${id}\ndata: ${data}\n\n`

export const SSE_KEEPALIVE = encoder.encode(': keep-alive\n\n')
