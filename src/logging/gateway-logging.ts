import { configure, type Filter, type LogLevel as LogTapeLevel, type LogRecord, type Sink } from '@logtape/logtape'
import type { LogLevel } from '../protocol/logs'
import type { LogLevelState } from '../protocol/logs'
import { LogFeed } from './log-feed'
import { redactRecord, toLogLine } from './log-line'
import { Redactor } from './redactor'

const RANK: Record<LogTapeLevel, number> = { trace: 0, debug: 1, info: 2, warning: 3, error: 4, fatal: 5 }
/** The feed's sink name in the LogTape configuration (distinct from any caller's sink names). */
const FEED_SINK = 'gateway:live-feed'
const CONFIG_TO_LOGTAPE: Record<LogLevel, LogTapeLevel> = { trace: 'trace', debug: 'debug', info: 'info', warn: 'warning', error: 'error' }

export interface GatewayLoggingOptions {
  /** Initial level (`GATEWAY_LOG_LEVEL`). */
  level?: LogLevel
  /** Lines replayed to a new `/api/logs/events` client (500). */
  replay?: number
  /** Concurrent `/api/logs/events` streams per gateway (10); they do not count against the chat cap. */
  maxStreams?: number
  now?: () => number
}

/**
 * The process's logging: the run-time level, the redactor every line goes through, and the feed
 * behind `GET /api/logs/events`. LogTape's configuration is process-wide, so one instance is made
 * by the entry point (the CLI, a Bun or Deno main) and given to `createGateway({ logging })`;
 * `configureLogging` installs it.
 *
 * @example
 * ```ts
 * const logging = new GatewayLogging({ level: 'info' })
 * await configureLogging(logging, { console: getConsoleSink() })
 * const gateway = await createGateway({ logging }) // `/api/logs/*` live
 * ```
 */
export class GatewayLogging {
  readonly redactor = new Redactor()
  readonly feed: LogFeed
  readonly maxStreams: number
  #level: LogLevel
  #rank: number
  #changedBy: string | null = null
  #changedAt: string | null = null
  readonly #now: () => number

  constructor(options: GatewayLoggingOptions = {}) {
    this.#level = options.level ?? 'info'
    this.#rank = RANK[CONFIG_TO_LOGTAPE[this.#level]]
    this.feed = new LogFeed(options.replay ?? 500)
    this.maxStreams = options.maxStreams ?? 10
    this.#now = options.now ?? Date.now
  }

  get level(): LogLevel {
    return this.#level
  }

  state(): LogLevelState {
    return { level: this.#level, changed_by: this.#changedBy, changed_at: this.#changedAt }
  }

  /** Whether lines of `level` pass now: lets hot paths skip building a record that would be dropped. */
  enabled(level: LogLevel): boolean {
    return RANK[CONFIG_TO_LOGTAPE[level]] >= this.#rank
  }

  /** Changes the level at once for every `gateway` logger; `by` is recorded for the audit trail. */
  setLevel(level: LogLevel, by: string | null = null): void {
    this.#level = level
    this.#rank = RANK[CONFIG_TO_LOGTAPE[level]]
    this.#changedBy = by
    this.#changedAt = new Date(this.#now()).toISOString()
  }

  /** The run-time level as a LogTape filter. Audit records (`{ audit: true }`) always pass. */
  readonly filter: Filter = (record) => RANK[record.level] >= this.#rank || record.properties.audit === true

  /** Tees records into the live feed, redacted. */
  readonly feedSink: Sink = (record) => {
    const line = toLogLine(record, this.redactor)
    if (line) this.feed.push(line)
  }

  /** Wraps a sink (console, file, stream) so it only ever receives redacted records. */
  redacting(sink: Sink): Sink {
    return (record: LogRecord) => sink(redactRecord(record, this.redactor))
  }
}

/**
 * Installs `logging` as the process's LogTape configuration: every `gateway.*` logger goes through
 * the run-time level filter, into the live feed and into `sinks` (each behind the redactor).
 * Replaces any earlier configuration.
 *
 * @example await configureLogging(logging, { console: getConsoleSink() })
 */
export async function configureLogging(logging: GatewayLogging, sinks: Record<string, Sink> = {}): Promise<void> {
  const names = Object.keys(sinks)
  const wrapped: Record<string, Sink> = { [FEED_SINK]: logging.feedSink }
  for (const name of names) wrapped[name] = logging.redacting(sinks[name]!)
  await configure({
    reset: true,
    sinks: wrapped,
    filters: { level: logging.filter },
    loggers: [
      { category: ['gateway'], lowestLevel: 'trace', sinks: [FEED_SINK, ...names], filters: ['level'] },
      { category: ['logtape', 'meta'], lowestLevel: 'warning', sinks: names },
    ],
  })
}
