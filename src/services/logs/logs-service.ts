import { getLogger } from '@logtape/logtape'
import type { EventBus } from '../../ports/event-bus'
import { GatewayError } from '../../lib/errors'
import type { GatewayLogging } from '../../logging/gateway-logging'
import { followLog, type LogStream } from '../../logging/log-stream'
import type { LogLevel, LogLevelState } from '../../protocol/logs'
import type { LogStreamReservation, LogsPort } from './port'

const log = getLogger(['gateway', 'logs'])
const LEVEL_TOPIC = 'log_level'

interface OpenStream {
  /** Unset while the slot is reserved and the response not yet open. */
  stream: LogStream | undefined
  stillAllowed: () => Promise<boolean>
}

/**
 * One gateway's view of the process's logging. Log streams are capped on their own (they do not
 * take chat stream slots) and re-checked on every auth control message, so a revoked token or a
 * demoted admin stops receiving logs within moments, on every instance.
 */
export class LogsService implements LogsPort {
  readonly #streams = new Set<OpenStream>()
  readonly #offControl: () => void

  constructor(
    readonly logging: GatewayLogging,
    private readonly bus: EventBus,
  ) {
    this.#offControl = bus.onControl((message) => {
      if (message.kind === 'disconnect' || message.kind === 'invalidate_auth') {
        // After every other listener has run (the auth cache is invalidated by one of them).
        queueMicrotask(() => void this.#recheck())
      } else if (message.kind === 'custom' && message.topic === LEVEL_TOPIC) {
        const { level, by } = message.payload as { level: LogLevel; by: string }
        if (level !== this.logging.level) this.logging.setLevel(level, by)
      }
    })
  }

  state(): LogLevelState {
    return this.logging.state()
  }

  async setLevel(level: LogLevel, by: string): Promise<LogLevelState> {
    const previous = this.logging.level
    this.logging.setLevel(level, by)
    log.warn('log level changed from {previous} to {level} by {by}', { previous, level, by, audit: true })
    await this.bus.publishControl({ kind: 'custom', topic: LEVEL_TOPIC, payload: { level, by } })
    return this.logging.state()
  }

  get openStreams(): number {
    return this.#streams.size
  }

  reserveStream(options: { stillAllowed: () => Promise<boolean> }): LogStreamReservation {
    if (this.#streams.size >= this.logging.maxStreams) {
      throw new GatewayError(503, 'too_many_connections', 'Too many log streams', { headers: { 'Retry-After': '5' } })
    }
    const entry: OpenStream = { stillAllowed: options.stillAllowed, stream: undefined }
    this.#streams.add(entry)
    const feed = this.logging.feed
    return {
      queue: Math.max(1_000, feed.capacity + 1),
      follow: (sink) => {
        entry.stream = followLog(feed, sink, () => this.#streams.delete(entry))
      },
      release: () => {
        if (!entry.stream) this.#streams.delete(entry)
      },
    }
  }

  close(): void {
    this.#offControl()
    for (const { stream } of [...this.#streams]) stream?.close()
  }

  async #recheck(): Promise<void> {
    await Promise.all(
      [...this.#streams].map(async ({ stream, stillAllowed }) => {
        const allowed = await stillAllowed().catch(() => false)
        if (!allowed) stream?.close()
      }),
    )
  }
}
