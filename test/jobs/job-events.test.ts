import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveGateway, type RunningServer } from '../../adapters/node/index'
import { SseClient } from '../support/sse-client'
import { TEST_TOKEN, waitFor } from '../support/gateway'
import { eventsWhen, jobsGateway, OTHER_TOKEN, startJob, waitForState } from './support'

type Gw = Awaited<ReturnType<typeof jobsGateway>>

describe('job event streams over real sockets', () => {
  let gw: Gw
  let server: RunningServer
  const auth = { authorization: `Bearer ${TEST_TOKEN}` }
  beforeAll(async () => {
    gw = await jobsGateway({ limits: { maxConnectionsPerUser: 4 } })
    server = await serveGateway(gw, { port: 0 })
  })
  afterAll(async () => {
    await server.close(500)
  })

  it('replays a finished job’s events in order, then resumes after Last-Event-ID', async () => {
    const job = await startJob(gw, 'write a.txt a; say hello')
    await waitForState(gw, job.id, ['completed'])
    const all = await SseClient.open(`${server.url}/api/jobs/${job.id}/events`, { headers: auth })
    expect(all.status).toBe(200)
    expect(all.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const result = await all.next((e) => e.event === 'job_result')
    all.close()
    const ids = all.events.map((e) => Number(e.id))
    expect(ids).toEqual(ids.map((_, i) => i + 1))
    expect(all.events.map((e) => e.event)).toEqual(['job_status', 'job_status', 'job_message', 'job_status', 'job_tool_use', 'job_tool_result', 'job_message', 'job_status', 'job_result'])
    expect(all.events[4]!.json).toEqual({ type: 'job_tool_use', job_id: job.id, tool_name: 'Write', input: { file_path: 'a.txt', content: 'a' } })
    expect(result.json).toMatchObject({ type: 'job_result', job_id: job.id, status: 'completed' })

    const resumed = await SseClient.open(`${server.url}/api/jobs/${job.id}/events`, { headers: { ...auth, 'last-event-id': '6' } })
    await resumed.next((e) => e.event === 'job_result')
    resumed.close()
    expect(resumed.events.map((e) => Number(e.id))).toEqual([7, 8, 9])
  })

  it('streams a running job live, and a follow-up turn on the same stream', async () => {
    const job = await startJob(gw, `sleep 1 live-${crypto.randomUUID()}; write late.txt late`)
    const stream = await SseClient.open(`${server.url}/api/jobs/${job.id}/events`, { headers: auth })
    await stream.next((e) => e.event === 'job_message' && e.json.content === 'sleeping', 10_000)
    const first = await stream.next((e) => e.event === 'job_result', 10_000)
    expect(first.json.status).toBe('completed')
    const from = stream.events.length
    await gw.request(`/api/jobs/${job.id}/prompt`, { method: 'POST', json: { content: 'say again' } })
    const again = await stream.next((e) => e.event === 'job_message' && e.json.content === 'again', 10_000, from)
    expect(Number(again.id)).toBeGreaterThan(Number(first.id))
    await stream.next((e) => e.event === 'job_result', 10_000, from)
    stream.close()
    const ids = stream.events.map((e) => Number(e.id))
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('the signed events_url works without a bearer header (EventSource); other tickets do not', async () => {
    const job = await startJob(gw, 'say ticket')
    await waitForState(gw, job.id, ['completed'])
    const detail = (await (await gw.request(`/api/jobs/${job.id}`)).json()) as { events_url: string; browse_url: string }
    const stream = await SseClient.open(`${server.url}${detail.events_url}`)
    expect(stream.status).toBe(200)
    await stream.next((e) => e.event === 'job_result')
    stream.close()
    const browseToken = /\.(\d+\.[\w-]+\.[\w-]+)\/$/.exec(detail.browse_url)![1]
    const wrongScope = await SseClient.open(`${server.url}/api/jobs/${job.id}/events?ticket=${browseToken}`)
    expect(wrongScope.status).toBe(404)
    const none = await SseClient.open(`${server.url}/api/jobs/${job.id}/events`)
    expect(none.status).toBe(401)
    const queryToken = await SseClient.open(`${server.url}/api/jobs/${job.id}/events?token=${TEST_TOKEN}`)
    expect(queryToken.status).toBe(401)
    const bob = await SseClient.open(`${server.url}/api/jobs/${job.id}/events`, { headers: { authorization: `Bearer ${OTHER_TOKEN}` } })
    expect(bob.status).toBe(404)
  })

  it('counts toward the per-user connection cap', async () => {
    const job = await startJob(gw, 'say cap')
    await waitForState(gw, job.id, ['completed'])
    const open: SseClient[] = []
    for (let i = 0; i < 4; i++) {
      const s = await SseClient.open(`${server.url}/api/jobs/${job.id}/events`, { headers: auth })
      expect(s.status).toBe(200)
      await s.next((e) => e.event === 'job_result')
      open.push(s)
    }
    const over = await SseClient.open(`${server.url}/api/jobs/${job.id}/events`, { headers: auth })
    expect(over.status).toBe(503)
    const chat = await SseClient.open(`${server.url}/api/chat/events`, { headers: auth })
    expect(chat.status).toBe(503)
    open[0]!.close()
    // The slot comes back when the client goes away.
    let again: SseClient | undefined
    for (let i = 0; i < 50 && again?.status !== 200; i++) {
      again = await SseClient.open(`${server.url}/api/jobs/${job.id}/events`, { headers: auth })
      if (again.status !== 200) await new Promise((r) => setTimeout(r, 50))
    }
    expect(again!.status).toBe(200)
    again!.close()
    for (const s of open) s.close()
    await waitFor(() => gw.hub.counts().sse === 0, 5_000, 'every slot released')
  })

  it('job events reach the owner’s chat stream too, and never another user’s', async () => {
    const mine = await SseClient.open(`${server.url}/api/chat/events`, { headers: auth })
    const bobs = await SseClient.open(`${server.url}/api/chat/events`, { headers: { authorization: `Bearer ${OTHER_TOKEN}` } })
    expect(mine.status).toBe(200)
    expect(bobs.status).toBe(200)
    const job = await startJob(gw, 'write x.txt x')
    const started = await mine.next((e) => e.event === 'job_started' && e.json.job_id === job.id, 10_000)
    expect(started.json).toMatchObject({ title: 'write x.txt x', browse_url: expect.stringMatching(/^\/projects\//) })
    for (const type of ['job_status', 'job_message', 'job_tool_use', 'job_tool_result', 'job_result']) {
      await mine.next((e) => e.event === type && e.json.job_id === job.id, 10_000)
    }
    await new Promise((r) => setTimeout(r, 100))
    expect(bobs.events.filter((e) => e.event.startsWith('job_'))).toEqual([])
    mine.close()
    bobs.close()
  })

  it('JSON form pages the persisted events (the original gateway’s shape)', async () => {
    const job = await startJob(gw, 'say json')
    await waitForState(gw, job.id, ['completed'])
    await eventsWhen(gw, job.id)
    const page = (await (await gw.request(`/api/jobs/${job.id}/events?after=2&limit=3`)).json()) as { job_id: string; events: Array<{ id: number; event_type: string }>; has_more: boolean }
    expect(page.job_id).toBe(job.id)
    expect(page.events.map((e) => e.id)).toEqual([3, 4, 5])
    expect(page.has_more).toBe(true)
    expect(page.events[0]).toMatchObject({ event_type: 'message', data: { role: 'user', content: 'say json' }, created_at: expect.any(String) })
  })

  it('ends open job streams with a shutdown event when the gateway closes', async () => {
    const job = await startJob(gw, 'say bye')
    await waitForState(gw, job.id, ['completed'])
    const stream = await SseClient.open(`${server.url}/api/jobs/${job.id}/events`, { headers: auth })
    const last = await stream.next((e) => e.event === 'job_result')
    const closing = server.close(1_000)
    const shutdown = await stream.next((e) => e.event === 'shutdown', 5_000)
    // It carries the last id, so a reconnect resumes where the stream ended.
    expect(shutdown.id).toBe(last.id)
    await closing
  })
})
