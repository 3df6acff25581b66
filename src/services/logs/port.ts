import type { EventSink } from '../../ports/event-sink'
import type { LogLevel, LogLevelState } from '../../protocol/logs'

/** A log-stream slot, taken before the response is opened so an over-cap client gets a plain 503. */
export interface LogStreamReservation {
  /** Events the stream's sink must be able to queue: the replayed lines and some live ones. */
  readonly queue: number
  /** Replays the recent lines to `sink`, then follows new ones until it closes or `stillAllowed` says no. */
  follow(sink: EventSink): void
  /** Gives the slot back unused (the response could not be opened). */
  release(): void
}

/** The live logs behind `/api/logs/*`: level control and bounded SSE streams. */
export interface LogsPort {
  state(): LogLevelState
  /** Sets the level here and on every instance sharing the bus; audited with `by`. */
  setLevel(level: LogLevel, by: string): Promise<LogLevelState>
  /**
   * Reserves a stream of the recent lines, then live ones. `stillAllowed` is asked again whenever
   * credentials change anywhere (revoke, suspend, role change); the stream ends when it says no.
   * Throws 503 when `maxStreams` are open.
   */
  reserveStream(options: { stillAllowed: () => Promise<boolean> }): LogStreamReservation
  readonly openStreams: number
}
