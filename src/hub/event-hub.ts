import type { GatewayLimits } from '../config/gateway-config'
import { GatewayError } from '../lib/errors'
import { SlidingWindowLimiter } from '../lib/sliding-window-limiter'
import { type Clock, systemClock } from '../lib/time'
import { type AppEvent, appEvent } from '../protocol/events'
import type { EventBus } from '../ports/event-bus'
import type { EventSink } from '../ports/event-sink'
import { PreparedEvent } from '../ports/prepared-event'
import { KeepAlive } from './keep-alive'
import { Subscriber, type SubscriberInfo } from './subscriber'

export type StreamKind = 'sse' | 'ws'

export interface ConnectionCounts {
  sse: number
  ws: number
  total: number
}

/**
 * A connection slot taken before a stream is opened, so an over-cap client gets 503 before any
 * response or upgrade. `attach` turns it into a live subscriber; `release` gives it back.
 */
export interface Reservation {
  attach(sink: EventSink, options?: { lastEventId?: number | undefined }): Subscriber
  release(): void
}

type HubLimits = Pick<
  GatewayLimits,
  'maxConnections' | 'maxConnectionsPerUser' | 'subscriberQueue' | 'keepAliveMs' | 'streamOpensPerWindow' | 'streamOpenWindowMs'
> & Partial<Pick<GatewayLimits, 'adminReservedConnections'>>

/**
 * Fans AppEvents out to SSE and WS subscribers, scoped per user: an event for user A never
 * reaches user B. Events come from the bus in id order; each is encoded once (`PreparedEvent`)
 * and written to every subscriber of its user; a slow subscriber is dropped to `resync` and
 * never delays the others.
 */
export class EventHub {
  readonly #byUser = new Map<string, Set<Subscriber>>()
  readonly #reservedByUser = new Map<string, number>()
  readonly #counts = { sse: 0, ws: 0 }
  /** Each user's slots by kind (for a member's own view of the status). */
  readonly #userKinds = new Map<string, { sse: number; ws: number }>()
  /** Slots held by members (the rest by admins). */
  #memberSlots = 0
  /** How each attached subscriber gives its slot back (eviction releases it at once). */
  readonly #releases = new Map<Subscriber, () => void>()
  readonly #opens: SlidingWindowLimiter
  readonly #unsubscribe: Array<() => void>
  #closed = false
  dropped = 0
  /** The keep-alive owner of every stream of this gateway: the hub's own and the others' (jobs, logs, `/v1`). */
  readonly keepAlive: KeepAlive

  constructor(
    readonly bus: EventBus,
    readonly limits: HubLimits,
    readonly clock: Clock = systemClock,
  ) {
    this.#unsubscribe = [
      bus.onEvent((event) => this.#dispatch(event)),
      bus.onControl((message) => {
        if (message.kind === 'disconnect') this.disconnect(message)
      }),
    ]
    this.#opens = new SlidingWindowLimiter(limits.streamOpensPerWindow, limits.streamOpenWindowMs, () => clock.now())
    this.keepAlive = new KeepAlive(limits.keepAliveMs, clock)
    this.keepAlive.onTick((now) => this.#sweep(now))
  }

  /** Publishes an event to one user's streams (on every instance). */
  publish(userId: string, event: AppEvent): Promise<PreparedEvent> {
    return this.bus.publish(userId, event)
  }

  /** Publishes an event to every user's streams. */
  broadcast(event: AppEvent): Promise<PreparedEvent> {
    return this.bus.publish(null, event)
  }

  /**
   * Takes a connection slot or throws 503 `too_many_connections`. The cap is shared fairly:
   * `adminReservedConnections` of it are for admins only, so members cannot fill it; and when
   * every slot a caller may use is taken, the oldest stream of the user holding the most (more
   * than the caller would after this one) ends with a final `evicted` event to make room, so no
   * group of users can deny streams to the others.
   */
  reserve(userId: string, kind: StreamKind, info: Omit<SubscriberInfo, 'userId'> = {}): Reservation {
    if (this.#closed) throw new GatewayError(503, 'shutting_down', 'The gateway is shutting down')
    const admin = info.role === 'admin'
    const mine = this.#reservedByUser.get(userId) ?? 0
    if (mine >= this.limits.maxConnectionsPerUser) {
      throw new GatewayError(503, 'too_many_connections', 'Too many connections for this user', {
        headers: { 'Retry-After': '5' },
      })
    }
    const total = this.#counts.sse + this.#counts.ws
    const full = total >= this.limits.maxConnections || (!admin && this.#memberSlots >= this.#memberCap())
    const victim = full ? this.#heaviestOldest(userId, mine, admin) : undefined
    if (full && !victim) {
      throw new GatewayError(503, 'too_many_connections', 'Too many connections', { headers: { 'Retry-After': '5' } })
    }
    // Counted only once a slot is free: a refused open must not use up the reconnect budget.
    const budget = this.#opens.hit(userId)
    if (!budget.ok) {
      throw new GatewayError(429, 'rate_limited', 'Too many stream connections opened; reconnect later', {
        headers: { 'Retry-After': String(Math.ceil(budget.retryAfterMs / 1000)) },
      })
    }
    if (victim) this.#evict(victim)
    this.#counts[kind]++
    this.#reservedByUser.set(userId, mine + 1)
    const kinds = this.#userKinds.get(userId) ?? { sse: 0, ws: 0 }
    kinds[kind]++
    this.#userKinds.set(userId, kinds)
    if (!admin) this.#memberSlots++

    let state: 'reserved' | 'attached' | 'released' = 'reserved'
    let subscriber: Subscriber | undefined
    const release = (): void => {
      if (state === 'released') return
      state = 'released'
      this.#counts[kind]--
      if (!admin) this.#memberSlots--
      const left = (this.#reservedByUser.get(userId) ?? 1) - 1
      if (left <= 0) {
        this.#reservedByUser.delete(userId)
        this.#userKinds.delete(userId)
      } else {
        this.#reservedByUser.set(userId, left)
        const kinds = this.#userKinds.get(userId)
        if (kinds) kinds[kind]--
      }
      if (subscriber) {
        this.#releases.delete(subscriber)
        const set = this.#byUser.get(userId)
        set?.delete(subscriber)
        if (set?.size === 0) this.#byUser.delete(userId)
        this.dropped += subscriber.dropped
      }
    }

    return {
      release,
      attach: (sink, options = {}) => {
        if (state !== 'reserved') throw new Error('reservation already used')
        state = 'attached'
        const sub = new Subscriber({ userId, ...info }, sink, this.limits.subscriberQueue, () =>
          this.clock.now(),
        )
        subscriber = sub
        this.#releases.set(sub, release)
        sink.onClose(release)
        let set = this.#byUser.get(userId)
        if (!set) this.#byUser.set(userId, (set = new Set()))
        set.add(sub)
        if (options.lastEventId !== undefined) this.#replay(sub, options.lastEventId)
        return sub
      },
    }
  }

  /** Streams held on this instance: all of them, or one user's. */
  counts(userId?: string): ConnectionCounts {
    const of = userId === undefined ? this.#counts : (this.#userKinds.get(userId) ?? { sse: 0, ws: 0 })
    return { sse: of.sse, ws: of.ws, total: of.sse + of.ws }
  }

  /** Open streams of one user (or of all users). */
  subscriberCount(userId?: string): number {
    if (userId !== undefined) return this.#byUser.get(userId)?.size ?? 0
    let n = 0
    for (const set of this.#byUser.values()) n += set.size
    return n
  }

  /** Closes the streams of a user or of one token on this instance (see `BusControl`). */
  disconnect(filter: { userId?: string | undefined; tokenId?: string | undefined }): number {
    let closed = 0
    for (const [userId, set] of this.#byUser) {
      if (filter.userId !== undefined && filter.userId !== userId) continue
      for (const sub of set) {
        if (filter.tokenId !== undefined && sub.info.tokenId !== filter.tokenId) continue
        this.#closeQuietly(sub)
        closed++
      }
    }
    return closed
  }

  /** Sends every stream a final `shutdown` event and closes it (WS with 1001). */
  async close(message = 'The gateway is shutting down'): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.keepAlive.close()
    for (const off of this.#unsubscribe) off()
    const json = JSON.stringify(appEvent('shutdown', { message }))
    for (const set of this.#byUser.values()) {
      for (const sub of [...set]) this.#closeQuietly(sub, new PreparedEvent(this.bus.lastId(), sub.userId, 'shutdown', json))
    }
  }

  /** Slots members may hold together: the cap less what is set aside for admins. */
  #memberCap(): number {
    const { maxConnections, maxConnectionsPerUser, adminReservedConnections = 0 } = this.limits
    return maxConnections - Math.min(adminReservedConnections, Math.max(0, maxConnections - maxConnectionsPerUser))
  }

  /**
   * The oldest live stream of the user holding the most slots, when that is more than the
   * caller would hold after this open (so evictions converge on equal shares instead of
   * bouncing between users). A member's open only ever displaces another member's stream.
   */
  #heaviestOldest(requester: string, mine: number, admin: boolean): Subscriber | undefined {
    let best: Subscriber | undefined
    let bestCount = mine + 1
    for (const [userId, set] of this.#byUser) {
      if (userId === requester) continue
      const held = this.#reservedByUser.get(userId) ?? 0
      if (held <= bestCount) continue
      for (const sub of set) {
        if (!admin && sub.info.role === 'admin') break
        best = sub
        bestCount = held
        break
      }
    }
    return best
  }

  #evict(sub: Subscriber): void {
    const json = JSON.stringify(appEvent('evicted', { reason: 'fair_share', message: 'Every stream was in use; this one was closed to make room for another user. Reconnect later, with fewer streams open.' }))
    this.#closeQuietly(sub, new PreparedEvent(this.bus.lastId(), sub.userId, 'evicted', json))
    // The slot is needed now, whenever the sink reports its close.
    this.#releases.get(sub)?.()
  }

  #dispatch(event: PreparedEvent): void {
    // One clock read per event, not per subscriber (1,000 reads per event at 1,000 streams).
    const now = this.clock.now()
    if (event.userId !== null) {
      const set = this.#byUser.get(event.userId)
      if (set) for (const sub of set) this.#deliver(sub, event, now)
      return
    }
    for (const set of this.#byUser.values()) for (const sub of set) this.#deliver(sub, event, now)
  }

  /** One broken socket must not stop delivery to the others, nor fail the publisher. */
  #deliver(sub: Subscriber, event: PreparedEvent, now: number): void {
    try {
      sub.deliver(event, now)
    } catch {
      this.#closeQuietly(sub)
    }
  }

  #closeQuietly(sub: Subscriber, final?: PreparedEvent): void {
    try {
      sub.sink.close(final)
    } catch {
      // the sink is already broken; its onClose releases the slot
    }
  }

  #replay(sub: Subscriber, afterId: number): void {
    sub.startReplay()
    this.bus.replay(sub.userId, afterId).then(
      (missed) => sub.finishReplay(missed, this.bus.lastId()),
      () => sub.finishReplay(null, this.bus.lastId()),
    )
  }

  /** Keeps idle streams alive and cuts readers that have not taken a byte for two keep-alive periods. */
  #sweep(now: number): void {
    const stallLimit = Math.max(2 * this.limits.keepAliveMs, 10_000)
    for (const set of this.#byUser.values()) {
      for (const sub of [...set]) {
        if (sub.stalledSince !== undefined && now - sub.stalledSince > stallLimit) this.#closeQuietly(sub)
        else sub.keepAlive(this.limits.keepAliveMs)
      }
    }
  }
}
