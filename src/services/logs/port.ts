import type { LogStream } from '../../logging/log-stream'
import type { LogLevel, LogLevelState } from '../../protocol/logs'

/** The live logs behind `/api/logs/*`: level control and bounded SSE streams. */
export interface LogsPort {
  state(): LogLevelState
  /** Sets the level here and on every instance sharing the bus; audited with `by`. */
  setLevel(level: LogLevel, by: string): Promise<LogLevelState>
  /**
   * Opens a stream of the recent lines, then live ones. `stillAllowed` is asked again whenever
   * credentials change anywhere (revoke, suspend, role change); the stream ends when it says no.
   * Throws 503 when `maxStreams` are open.
   */
  openStream(options: { stillAllowed: () => Promise<boolean>; signal?: AbortSignal }): LogStream
  readonly openStreams: number
}
