import { describe, expect, it } from 'vitest'
import { PreparedEvent } from '../../src/index'
import { KeepAlive } from '../../src/hub/keep-alive'
import { createWebByteSink } from '../../src/hub/web-byte-sink'
import { waitFor } from '../support/gateway'
import { RecordingSink } from '../support/recording-sink'

describe('KeepAlive', () => {
  // The clock is the test's; the timer is real (every 50 ms at this idle time), so "nothing yet"
  // is checked after several ticks and "one now" is waited for.
  const ticks = () => new Promise((r) => setTimeout(r, 200))

  it('keeps an idle stream alive, counting idleness from its last write, until it closes', async () => {
    let now = 0
    const keepAlive = new KeepAlive(1_000, { now: () => now })
    const inner = new RecordingSink()
    const sink = keepAlive.eventSink(inner)
    now = 900
    await ticks()
    expect(inner.keepAlives).toBe(0)
    now = 1_000
    await waitFor(() => inner.keepAlives === 1)
    sink.write(new PreparedEvent(1, 'u', 'status', '{"type":"status","message":"x"}'))
    now = 1_900
    await ticks()
    expect(inner.keepAlives).toBe(1)
    now = 2_000
    await waitFor(() => inner.keepAlives === 2)
    inner.closed.fire()
    now = 10_000
    await ticks()
    expect(inner.keepAlives).toBe(2)
    keepAlive.close()
  })

  it("gives a byte stream an SSE comment after its own idle time, and one timer serves the hub's sweep too", async () => {
    let now = 0
    const keepAlive = new KeepAlive(60_000, { now: () => now })
    const sweeps: number[] = []
    keepAlive.onTick((at) => sweeps.push(at))
    const { sink, body } = createWebByteSink()
    const kept = keepAlive.byteSink(sink, 15_000)
    const reader = body.getReader()
    kept.write(new TextEncoder().encode('data: 1\n\n'))
    now = 15_000
    await waitFor(() => sweeps.includes(15_000))
    kept.end()
    let text = ''
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += new TextDecoder().decode(r.value)
    expect(text).toBe('data: 1\n\n: keep-alive\n\n')
    keepAlive.close()
  })
})
