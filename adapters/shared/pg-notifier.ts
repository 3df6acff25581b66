import pg from 'pg'
import type { Notifier, NotifierHooks } from '../../src/store/database'

export interface PgNotifierOptions {
  /** How often the listening connection is checked with `SELECT 1` (a blackholed peer sends no error). */
  pingIntervalMs?: number
  /** A ping unanswered this long means the connection is dead: it is dropped and replaced. */
  pingTimeoutMs?: number
  /** First reconnect delay; doubles per failed attempt up to `maxBackoffMs` (with ±20% jitter). */
  minBackoffMs?: number
  maxBackoffMs?: number
}

interface Subscription {
  channel: string
  onPayload: (payload: string) => void
  hooks: NotifierHooks | undefined
}

/**
 * LISTEN/NOTIFY over a dedicated `pg` client (a pooled connection cannot listen: the pool hands
 * it to others). When the connection drops, listeners hear `onLost`; the notifier reconnects
 * with exponential backoff, listens again on every channel, then tells them `onResume` so they
 * can catch up on what was sent in between.
 */
export class PgNotifier implements Notifier {
  readonly #subscriptions = new Set<Subscription>()
  #client: pg.Client | undefined
  #connecting: Promise<pg.Client> | undefined
  #attempt = 0
  /** A connection dropped since the last one was made: listeners are told when it is back. */
  #lost = false
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined
  #pingTimer: ReturnType<typeof setInterval> | undefined
  /** A `check()` ping is running. */
  #checking = false
  #closed = false
  readonly #options: Required<PgNotifierOptions>

  constructor(
    private readonly config: pg.ClientConfig,
    /** Used for NOTIFY, so sending never waits behind the listening connection. */
    private readonly pool?: pg.Pool,
    options: PgNotifierOptions = {},
  ) {
    this.#options = { pingIntervalMs: 30_000, pingTimeoutMs: 5_000, minBackoffMs: 100, maxBackoffMs: 5_000, ...options }
  }

  /** Whether notifications are flowing now (false while reconnecting). */
  get connected(): boolean {
    return this.#client !== undefined
  }

  /** The server process of the listening connection (diagnostics and tests). */
  get backendPid(): number | undefined {
    return (this.#client as { processID?: number } | undefined)?.processID
  }

  async listen(channel: string, onPayload: (payload: string) => void, hooks?: NotifierHooks): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error('the notifier is closed')
    const subscription: Subscription = { channel, onPayload, hooks }
    const client = await this.#connection()
    const first = !this.#channels().has(channel)
    this.#subscriptions.add(subscription)
    if (first) {
      try {
        await this.#query(client, `LISTEN ${client.escapeIdentifier(channel)}`)
      } catch (error) {
        this.#subscriptions.delete(subscription)
        throw error
      }
    }
    return async () => {
      if (!this.#subscriptions.delete(subscription) || this.#channels().has(channel)) return
      const client = this.#client
      if (client) await this.#query(client, `UNLISTEN ${client.escapeIdentifier(channel)}`).catch(() => undefined)
    }
  }

  async notify(channel: string, payload: string): Promise<void> {
    if (this.pool) await this.pool.query('SELECT pg_notify($1, $2)', [channel, payload])
    else await (await this.#connection()).query('SELECT pg_notify($1, $2)', [channel, payload])
  }

  check(): void {
    const client = this.#client
    if (!client || this.#checking) return
    this.#checking = true
    void this.#ping(client).finally(() => (this.#checking = false))
  }

  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#reconnectTimer)
    clearInterval(this.#pingTimer)
    this.#subscriptions.clear()
    const client = this.#client ?? (await this.#connecting?.catch(() => undefined))
    this.#client = undefined
    await client?.end().catch(() => undefined)
  }

  #channels(): Set<string> {
    return new Set([...this.#subscriptions].map((s) => s.channel))
  }

  #connection(): Promise<pg.Client> {
    if (this.#client) return Promise.resolve(this.#client)
    clearTimeout(this.#reconnectTimer)
    this.#reconnectTimer = undefined
    return (this.#connecting ??= this.#connect()
      .catch((error: unknown) => {
        this.#scheduleReconnect()
        throw error
      })
      .finally(() => (this.#connecting = undefined)))
  }

  async #connect(): Promise<pg.Client> {
    const client = new pg.Client({ application_name: 'gateway-listener', ...this.config, keepAlive: true })
    client.on('error', () => this.#dropped(client))
    client.on('end', () => this.#dropped(client))
    // Delivered from the first LISTEN on: a listener resuming reads its table after onResume anyway.
    client.on('notification', (message) => {
      for (const s of this.#subscriptions) if (s.channel === message.channel) s.onPayload(message.payload ?? '')
    })
    try {
      await client.connect()
      for (const channel of this.#channels()) await this.#query(client, `LISTEN ${client.escapeIdentifier(channel)}`)
    } catch (error) {
      client.removeAllListeners('end')
      await client.end().catch(() => undefined)
      throw error
    }
    if (this.#closed) {
      await client.end().catch(() => undefined)
      throw new Error('the notifier is closed')
    }
    this.#client = client
    this.#pingTimer = setInterval(() => void this.#ping(client), this.#options.pingIntervalMs)
    this.#pingTimer.unref()
    this.#attempt = 0
    if (this.#lost) {
      this.#lost = false
      for (const s of this.#subscriptions) s.hooks?.onResume?.()
    }
    return client
  }

  #dropped(client: pg.Client): void {
    if (client !== this.#client) return
    this.#client = undefined
    clearInterval(this.#pingTimer)
    destroy(client)
    if (this.#closed) return
    this.#lost = true
    for (const s of this.#subscriptions) s.hooks?.onLost?.()
    this.#scheduleReconnect()
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#reconnectTimer || this.#subscriptions.size === 0) return
    const { minBackoffMs, maxBackoffMs } = this.#options
    const delay = Math.min(maxBackoffMs, minBackoffMs * 2 ** this.#attempt++) * (0.8 + Math.random() * 0.4)
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined
      // A failure schedules the next attempt (see #connection).
      this.#connection().catch(() => undefined)
    }, delay)
    this.#reconnectTimer.unref()
  }

  async #ping(client: pg.Client): Promise<void> {
    try {
      await this.#query(client, 'SELECT 1')
    } catch {
      this.#dropped(client)
    }
  }

  /**
   * A statement on the listening connection. Unanswered within `pingTimeoutMs`, the connection is
   * taken for dead (a blackholed server answers nothing and closes nothing) and destroyed, which
   * fails the statement: an UNLISTEN at shutdown or a LISTEN while reconnecting cannot hang.
   */
  async #query(client: pg.Client, text: string): Promise<void> {
    const timer = setTimeout(() => (client === this.#client ? this.#dropped(client) : destroy(client)), this.#options.pingTimeoutMs)
    try {
      await client.query(text)
    } finally {
      clearTimeout(timer)
    }
  }
}

/** Ends a client whose connection may be half-open: `end()` alone can wait forever on a dead peer. */
function destroy(client: pg.Client): void {
  client.end().catch(() => undefined)
  ;(client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy()
}
