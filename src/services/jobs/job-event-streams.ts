import type { EventBus } from '../../ports/event-bus'
import type { EventSink } from '../../ports/event-sink'
import { PreparedEvent } from '../../ports/prepared-event'
import { appEvent } from '../../protocol/events'
import { toAppEvent } from './job-event-log'
import type { JobRepository } from './job-repository'

const BATCH = 200

/**
 * One job's SSE stream: replays the persisted events after `Last-Event-ID`, then follows new ones.
 * Events are always read from the job's log, in `seq` order; the bus only says "something new for
 * this job" (every instance sees `job_*` events), so a stream on one instance follows a job
 * running on another, and a slow reader simply reads later (backpressure, nothing dropped). The
 * sink comes kept alive (`openSseResponse({ keepAlive })`).
 */
class JobEventStream {
  #lastSeq: number
  #pulling = false
  #again = false
  readonly #stops: Array<() => void> = []

  constructor(
    private readonly repo: JobRepository,
    readonly job: { id: string; userId: string },
    readonly sink: EventSink,
    afterSeq: number,
    /** The API token that opened it (bearer or the link's minting token), so revoking it ends the stream. */
    readonly tokenId: string | null,
  ) {
    this.#lastSeq = afterSeq
  }

  start(bus: EventBus, onEnd: () => void): void {
    const marker = `"job_id":"${this.job.id}"`
    this.#stops.push(
      bus.onEvent((event) => {
        // Cheap filter first: only this user's job events that name this job.
        if (event.userId === this.job.userId && event.type.startsWith('job_') && event.json.includes(marker)) this.wake()
      }),
    )
    this.sink.onClose(() => {
      for (const stop of this.#stops.splice(0)) stop()
      onEnd()
    })
    this.wake()
  }

  /** The id of the last event written (a final event reuses it, so a reconnect resumes right there). */
  get lastSeq(): number {
    return this.#lastSeq
  }

  wake(): void {
    if (this.#pulling) {
      this.#again = true
      return
    }
    this.#pulling = true
    void this.#pull().finally(() => {
      this.#pulling = false
      if (this.#again) {
        this.#again = false
        this.wake()
      }
    })
  }

  async #pull(): Promise<void> {
    try {
      for (;;) {
        const events = await this.repo.events(this.job.id, this.#lastSeq, BATCH)
        for (const stored of events) {
          if (!this.sink.ready()) await new Promise<void>((resolve) => this.sink.onDrain(resolve))
          const event = toAppEvent(this.job.id, stored.type, stored.data)
          this.sink.write(PreparedEvent.from(stored.seq, this.job.userId, event))
          this.#lastSeq = stored.seq
        }
        if (events.length < BATCH) return
      }
    } catch {
      // The database hiccuped: the next wake-up (or the client's reconnect) resumes from #lastSeq.
    }
  }
}

/**
 * The open job event streams of this instance, so shutdown can end them, and so a revoked token
 * or a suspended user loses them at once (the bus's `disconnect`, from any instance), like the
 * chat streams.
 */
export class JobEventStreams {
  readonly #open = new Set<JobEventStream>()
  readonly #off: () => void

  constructor(
    private readonly repo: JobRepository,
    private readonly bus: EventBus,
  ) {
    this.#off = bus.onControl((message) => {
      if (message.kind === 'disconnect') this.disconnect(message)
    })
  }

  open(job: { id: string; userId: string }, sink: EventSink, afterSeq: number, opener: { tokenId: string | null }): void {
    const stream = new JobEventStream(this.repo, job, sink, afterSeq, opener.tokenId)
    this.#open.add(stream)
    stream.start(this.bus, () => this.#open.delete(stream))
  }

  /** Ends the streams of a user or of one token (revoked, suspended, deleted). */
  disconnect(filter: { userId?: string | undefined; tokenId?: string | undefined }): number {
    let closed = 0
    for (const stream of [...this.#open]) {
      if (filter.userId !== undefined && stream.job.userId !== filter.userId) continue
      if (filter.tokenId !== undefined && stream.tokenId !== filter.tokenId) continue
      try {
        stream.sink.close()
      } catch {
        // already broken
      }
      closed++
    }
    return closed
  }

  get size(): number {
    return this.#open.size
  }

  /** Ends every stream with a final `shutdown` event (clients reconnect with `Last-Event-ID`). */
  closeAll(message = 'The gateway is shutting down'): void {
    this.#off()
    const json = JSON.stringify(appEvent('shutdown', { message }))
    for (const stream of [...this.#open]) {
      try {
        stream.sink.close(new PreparedEvent(stream.lastSeq, null, 'shutdown', json))
      } catch {
        // already broken
      }
    }
  }
}
