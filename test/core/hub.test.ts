import { describe, expect, it } from 'vitest'
import { EventHub } from '../../src/hub/event-hub'
import { MemoryEventBus } from '../../src/exports/store'
import { GatewayError } from '../../src/lib/errors'
import { RecordingSink } from '../support/recording-sink'

const limits = { maxConnections: 5, maxConnectionsPerUser: 3, subscriberQueue: 4, keepAliveMs: 30_000, streamOpensPerWindow: 1_000, streamOpenWindowMs: 60_000 }
const chunk = (content: string) => ({ type: 'stream_chunk' as const, content })
const tick = () => new Promise((r) => setTimeout(r, 0))

describe('EventHub', () => {
  it('scopes events to their user and broadcasts to all', async () => {
    const hub = new EventHub(new MemoryEventBus(), limits)
    const a = new RecordingSink()
    const b = new RecordingSink()
    hub.reserve('alice', 'sse').attach(a)
    hub.reserve('bob', 'sse').attach(b)
    await hub.publish('alice', chunk('for alice'))
    await hub.publish('bob', chunk('for bob'))
    await hub.broadcast({ type: 'status', message: 'everyone' })
    expect(a.written.map((e) => e.json.content ?? e.json.message)).toEqual(['for alice', 'everyone'])
    expect(b.written.map((e) => e.json.content ?? e.json.message)).toEqual(['for bob', 'everyone'])
    await hub.close()
  })

  it('assigns monotonic ids and encodes each event once', async () => {
    const bus = new MemoryEventBus()
    const hub = new EventHub(bus, limits)
    const first = await hub.publish('alice', chunk('1'))
    const second = await hub.publish('alice', chunk('2'))
    expect(second.id).toBeGreaterThan(first.id)
    expect(new TextDecoder().decode(first.sse)).toBe(`event: stream_chunk\nid: ${first.id}\ndata: {"type":"stream_chunk","content":"1"}\n\n`)
    expect(first.sse).toBe(first.sse)
    expect(JSON.parse(first.wsText)).toEqual({ type: 'event', event_type: 'stream_chunk', data: { type: 'stream_chunk', content: '1' }, id: String(first.id) })
    await hub.close()
  })

  it('replays missed events after Last-Event-ID, then continues live without duplicates', async () => {
    const hub = new EventHub(new MemoryEventBus(), limits)
    const e1 = await hub.publish('alice', chunk('1'))
    await hub.publish('alice', chunk('2'))
    await hub.publish('bob', chunk('not yours'))
    await hub.publish('alice', chunk('3'))
    const sink = new RecordingSink()
    hub.reserve('alice', 'sse').attach(sink, { lastEventId: e1.id })
    await hub.publish('alice', chunk('4'))
    await tick()
    expect(sink.written.map((e) => e.json.content)).toEqual(['2', '3', '4'])
    await hub.close()
  })

  it('sends resync when the requested events are no longer available', async () => {
    const bus = new MemoryEventBus({ replayPerUser: 2 })
    const hub = new EventHub(bus, limits)
    const e1 = await hub.publish('alice', chunk('1'))
    for (const n of ['2', '3', '4']) await hub.publish('alice', chunk(n))
    const sink = new RecordingSink()
    hub.reserve('alice', 'sse').attach(sink, { lastEventId: e1.id })
    await tick()
    expect(sink.written[0]).toMatchObject({ type: 'resync', json: { reason: 'replay_unavailable' } })
    // An id from before this process started is unavailable too.
    const stale = new RecordingSink()
    hub.reserve('alice', 'sse').attach(stale, { lastEventId: 12 })
    await tick()
    expect(stale.types()).toEqual(['resync'])
    await hub.close()
  })

  it('tells a slow subscriber to resync without slowing the others', async () => {
    const hub = new EventHub(new MemoryEventBus(), limits)
    const slow = new RecordingSink()
    const fast = new RecordingSink()
    hub.reserve('alice', 'sse').attach(slow)
    hub.reserve('alice', 'sse').attach(fast)
    await hub.publish('alice', chunk('1'))
    slow.full = true
    for (let i = 2; i <= 6; i++) await hub.publish('alice', chunk(String(i)))
    expect(fast.written).toHaveLength(6)
    expect(slow.written).toHaveLength(1)
    slow.drain()
    await hub.publish('alice', chunk('7'))
    expect(slow.types()).toEqual(['stream_chunk', 'resync', 'stream_chunk'])
    expect(slow.written[1]!.json).toMatchObject({ reason: 'overflow', last_event_id: String(fast.written[5]!.id) })
    expect(slow.written[2]!.json.content).toBe('7')
    await hub.close()
  })

  it('answers 429 to a user reconnecting in a loop, past the budget, and not to others (R10)', async () => {
    let now = 0
    const hub = new EventHub(new MemoryEventBus(), { ...limits, streamOpensPerWindow: 4, streamOpenWindowMs: 10_000 }, { now: () => now })
    // A refused open (over the per-user cap) does not use up the budget.
    const held = [1, 2, 3].map(() => hub.reserve('alice', 'sse'))
    expect(() => hub.reserve('alice', 'sse')).toThrow(expect.objectContaining({ code: 'too_many_connections' }))
    for (const r of held) r.release()
    hub.reserve('alice', 'ws').release()
    now += 1_000
    try {
      hub.reserve('alice', 'sse')
      expect.unreachable()
    } catch (error) {
      expect(error).toMatchObject({ status: 429, code: 'rate_limited' })
      // The oldest open leaves the window 9 s later.
      expect((error as GatewayError).headers).toMatchObject({ 'Retry-After': '9' })
    }
    expect(hub.counts().total).toBe(0)
    hub.reserve('bob', 'sse').release()
    now += 9_000
    hub.reserve('alice', 'sse').release()
    await hub.close()
  })

  it('enforces the global and per-user connection caps before attaching', async () => {
    const hub = new EventHub(new MemoryEventBus(), limits)
    const held = [1, 2, 3].map(() => hub.reserve('alice', 'sse'))
    expect(() => hub.reserve('alice', 'ws')).toThrow(GatewayError)
    hub.reserve('bob', 'ws')
    hub.reserve('bob', 'sse')
    expect(hub.counts()).toEqual({ sse: 4, ws: 1, total: 5 })
    try {
      hub.reserve('carol', 'sse')
      expect.unreachable()
    } catch (error) {
      expect((error as GatewayError).status).toBe(503)
      expect((error as GatewayError).code).toBe('too_many_connections')
    }
    held[0]!.release()
    held[0]!.release()
    expect(hub.counts().total).toBe(4)
    hub.reserve('carol', 'sse')
    await hub.close()
  })

  it('releases the slot when the client goes away', async () => {
    const hub = new EventHub(new MemoryEventBus(), limits)
    const sink = new RecordingSink()
    hub.reserve('alice', 'sse').attach(sink)
    expect(hub.subscriberCount('alice')).toBe(1)
    sink.closed.fire()
    expect(hub.subscriberCount('alice')).toBe(0)
    expect(hub.counts().total).toBe(0)
    await hub.close()
  })

  it('closes the streams of a revoked token and sends shutdown on close', async () => {
    const bus = new MemoryEventBus()
    const hub = new EventHub(bus, limits)
    const revoked = new RecordingSink()
    const other = new RecordingSink()
    hub.reserve('alice', 'sse', { tokenId: 't1' }).attach(revoked)
    hub.reserve('alice', 'sse', { tokenId: 't2' }).attach(other)
    await bus.publishControl({ kind: 'disconnect', tokenId: 't1' })
    expect(revoked.closed.fired).toBe(true)
    expect(other.closed.fired).toBe(false)
    await hub.close()
    expect(other.finalEvent?.type).toBe('shutdown')
    expect(() => hub.reserve('alice', 'sse')).toThrow(/shutting down/)
  })

  /**
   * Issue 19, defect 4: five members at their per-user cap filled the global cap and the owner got
   * 503. Admins keep `adminReservedConnections`; past what a caller may use, the oldest stream of
   * the user holding the most ends with a final `evicted` event.
   */
  describe('fair share of the connection cap', () => {
    const fair = { ...limits, maxConnections: 10, maxConnectionsPerUser: 4, adminReservedConnections: 2 }
    const open = (hub: EventHub, userId: string, role: 'admin' | 'member' = 'member') => {
      const sink = new RecordingSink()
      hub.reserve(userId, 'sse', { role }).attach(sink)
      return sink
    }

    it('keeps headroom for admins that members together cannot take', async () => {
      const hub = new EventHub(new MemoryEventBus(), fair)
      for (const user of ['m1', 'm2']) for (let i = 0; i < 4; i++) open(hub, user)
      expect(hub.counts().total).toBe(8)
      // The member pool (10 - 2) is full; the owner still gets the two slots set aside, and no
      // member stream is closed for them.
      open(hub, 'owner', 'admin')
      open(hub, 'owner', 'admin')
      expect(hub.counts().total).toBe(10)
      expect(hub.subscriberCount('m1') + hub.subscriberCount('m2')).toBe(8)
      await hub.close()
    })

    it("makes room by evicting the heaviest user's oldest stream, with a final evicted event", async () => {
      const hub = new EventHub(new MemoryEventBus(), fair)
      const m1 = [0, 1, 2, 3].map(() => open(hub, 'm1'))
      const m2 = [0, 1, 2, 3].map(() => open(hub, 'm2'))
      const m3 = open(hub, 'm3')
      expect(m1[0]!.closed.fired).toBe(true)
      expect(m1[0]!.finalEvent?.type).toBe('evicted')
      expect(JSON.parse(m1[0]!.finalEvent!.json)).toMatchObject({ type: 'evicted', reason: 'fair_share' })
      expect(m1.slice(1).some((s) => s.closed.fired)).toBe(false)
      expect(m2.some((s) => s.closed.fired)).toBe(false)
      expect(m3.closed.fired).toBe(false)
      expect(hub.counts().total).toBe(8)
      expect([hub.subscriberCount('m1'), hub.subscriberCount('m2'), hub.subscriberCount('m3')]).toEqual([3, 4, 1])
      // Admins fill their headroom, then take from the heaviest too.
      open(hub, 'owner', 'admin')
      open(hub, 'owner', 'admin')
      const third = open(hub, 'owner', 'admin')
      expect(third.closed.fired).toBe(false)
      expect(m2[0]!.finalEvent?.type).toBe('evicted')
      expect(hub.counts().total).toBe(10)
      await hub.close()
    })

    it('refuses (503) when nobody holds more than the caller would, so shares settle instead of bouncing', async () => {
      const hub = new EventHub(new MemoryEventBus(), { ...fair, adminReservedConnections: 0 })
      for (const user of ['a', 'b', 'c', 'd', 'e']) for (let i = 0; i < 2; i++) open(hub, user)
      expect(() => open(hub, 'f')).not.toThrow() // f holds 0, the others 2: one of them gives one up
      expect(() => open(hub, 'f')).toThrow(expect.objectContaining({ status: 503, code: 'too_many_connections' }))
      // A member's open never displaces an admin's stream.
      const admins = new EventHub(new MemoryEventBus(), { ...fair, adminReservedConnections: 0 })
      for (let i = 0; i < 4; i++) open(admins, 'owner', 'admin')
      for (let i = 0; i < 4; i++) open(admins, 'root', 'admin')
      open(admins, 'm')
      open(admins, 'n')
      expect(() => open(admins, 'p')).toThrow(expect.objectContaining({ status: 503 }))
      await hub.close()
      await admins.close()
    })
  })
})
