import { ApiError, gatewayUrl, withQuery } from './client'
import { auth } from './chat'

export type StreamState = 'connecting' | 'open' | 'reconnecting' | 'stopped'

export interface EventStreamOptions {
  /** The stream route, e.g. `/api/chat/events`. */
  path: string
  /**
   * Where to connect, for streams with their own signed links (a job's `events_url`). Default:
   * `path` with a fresh ticket from `POST /api/auth/stream-ticket`.
   */
  url?: () => Promise<string>
  /** The SSE event names to listen for (`event:` field of each frame). */
  eventTypes: readonly string[]
  /** Resume after this event id (from a previous page load). */
  lastEventId?: number | undefined
  onEvent(type: string, data: unknown, id: number | undefined): void
  onState?(state: StreamState): void
}

/**
 * An `EventSource` that never puts the token in its URL and never loses or repeats an event:
 * each connection spends a fresh single-use ticket (`POST /api/auth/stream-ticket`), resumes with
 * `?last_event_id=`, and drops any event whose id it has already seen. The browser's own retry is
 * not used (it would replay the spent ticket); reconnects back off up to 15 s.
 */
export class EventStream {
  #source: EventSource | undefined
  #timer: ReturnType<typeof setTimeout> | undefined
  #attempt = 0
  #stopped = true
  #lastId: number | undefined
  #state: StreamState = 'stopped'

  constructor(private readonly options: EventStreamOptions) {
    this.#lastId = options.lastEventId
  }

  /** The id of the last event handed to `onEvent` (persist it to resume after a reload). */
  get lastId(): number | undefined {
    return this.#lastId
  }

  get state(): StreamState {
    return this.#state
  }

  start(): void {
    if (!this.#stopped) return
    this.#stopped = false
    addEventListener('online', this.#onOnline)
    void this.#connect()
  }

  stop(): void {
    this.#stopped = true
    removeEventListener('online', this.#onOnline)
    clearTimeout(this.#timer)
    this.#source?.close()
    this.#source = undefined
    this.#setState('stopped')
  }

  /** Reconnects now (after `shutdown`, or when the network comes back). */
  reconnect(delayMs = 0): void {
    if (this.#stopped) return
    this.#source?.close()
    this.#source = undefined
    clearTimeout(this.#timer)
    this.#setState('reconnecting')
    this.#timer = setTimeout(() => void this.#connect(), delayMs)
  }

  #onOnline = (): void => {
    if (this.#state !== 'open') this.reconnect()
  }

  #setState(state: StreamState): void {
    if (state === this.#state) return
    this.#state = state
    this.options.onState?.(state)
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return
    this.#setState(this.#attempt === 0 ? 'connecting' : 'reconnecting')
    let base: string
    try {
      base = this.options.url
        ? await this.options.url()
        : withQuery(this.options.path, { ticket: (await auth.streamTicket(this.options.path)).ticket })
    } catch (error) {
      // 401 signs the tab out (the API client does it); 403/404: nothing to stream; else retry.
      if (error instanceof ApiError && [401, 403, 404].includes(error.status)) return this.stop()
      return this.#retry()
    }
    if (this.#stopped) return
    const url = this.#lastId === undefined ? base : `${base}${base.includes('?') ? '&' : '?'}last_event_id=${this.#lastId}`
    const source = new EventSource(gatewayUrl(url))
    this.#source = source
    source.onopen = () => {
      this.#attempt = 0
      this.#setState('open')
    }
    source.onerror = (event) => {
      // An `event: error` frame (the agent's error event) arrives as a MessageEvent named
      // "error" too: it is data, not a broken connection.
      if (event instanceof MessageEvent || this.#source !== source) return
      source.close()
      this.#source = undefined
      this.#retry()
    }
    for (const type of this.options.eventTypes) {
      source.addEventListener(type, (event) => {
        if (this.#source !== source) return
        this.#dispatch(type, event as MessageEvent<string>)
      })
    }
  }

  #dispatch(type: string, event: MessageEvent<string>): void {
    const id = /^\d+$/.test(event.lastEventId) ? Number(event.lastEventId) : undefined
    if (id !== undefined) {
      // `resync` restates the position (which may be lower after a server's clock moved back).
      if (type !== 'resync' && this.#lastId !== undefined && id <= this.#lastId) return
      this.#lastId = id
    }
    let data: unknown
    try {
      data = JSON.parse(event.data)
    } catch {
      return
    }
    this.options.onEvent(type, data, id)
  }

  #retry(): void {
    if (this.#stopped) return
    this.#setState('reconnecting')
    const delay = Math.min(15_000, 500 * 2 ** this.#attempt) * (0.75 + Math.random() * 0.5)
    this.#attempt = Math.min(this.#attempt + 1, 8)
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => void this.#connect(), delay)
  }
}
