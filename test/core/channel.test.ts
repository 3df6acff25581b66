import { describe, expect, it } from 'vitest'
import { testGateway } from '../support/gateway'

describe('agent channel', () => {
  it('answers 503 until an agent is attached (no store, so no default agent)', async () => {
    const gw = await testGateway({ store: undefined })
    const res = await gw.request('/api/chat/send', { method: 'POST', json: { content: 'hi' } })
    expect(res.status).toBe(503)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('agent_unavailable')
    // The refused message did not use up the rate budget.
    expect(await gw.commands.limiter.hit('owner')).toMatchObject({ ok: true, remaining: gw.config.limits.chatMessagesPerWindow - 1 })
  })

  it('hands messages to an async-iterator agent and routes its replies to the user', async () => {
    const gw = await testGateway()
    const controller = new AbortController()
    const seen: string[] = []
    const loop = (async () => {
      for await (const message of gw.channel.messages({ signal: controller.signal })) {
        seen.push(message.content)
        expect(message.userId).toBe('owner')
        expect(message.source).toBe('http')
        expect(message.timezone).toBe('Europe/Paris')
        await gw.channel.sendStatus(message, { type: 'thinking', message: 'Thinking (step 1)...' })
        await gw.channel.respond(message, `you said ${message.content}`)
      }
    })()
    const events: string[] = []
    gw.hub.bus.onEvent((e) => events.push(e.json))
    const res = await gw.request('/api/chat/send', { method: 'POST', json: { content: 'ping' }, headers: { 'x-timezone': 'Europe/Paris' } })
    const { thread_id } = (await res.json()) as { thread_id: string }
    await new Promise((r) => setTimeout(r, 10))
    controller.abort()
    await loop
    expect(seen).toEqual(['ping'])
    expect(events.map((e) => JSON.parse(e))).toEqual([
      { type: 'thinking', message: 'Thinking (step 1)...', thread_id },
      { type: 'response', content: 'you said ping', thread_id },
    ])
  })

  it('validates thread ids and approval commands before reaching the agent', async () => {
    const gw = await testGateway()
    const decisions: unknown[] = []
    gw.withAgent({
      onMessage: () => {},
      onApproval: async (d) => {
        decisions.push(d)
        return d.requestId.startsWith('0') ? 'resolved' : d.requestId.startsWith('1') ? 'already_resolved' : 'not_found'
      },
    })
    expect((await gw.request('/api/chat/send', { method: 'POST', json: { content: 'x', thread_id: 'not-a-uuid' } })).status).toBe(400)
    const approve = (request_id: string, action = 'approve') => gw.request('/api/chat/approval', { method: 'POST', json: { request_id, action } })
    expect((await approve('00000000-0000-4000-8000-000000000000', 'maybe')).status).toBe(400)
    expect((await approve('nope')).status).toBe(400)
    expect((await approve('00000000-0000-4000-8000-000000000000')).status).toBe(202)
    expect((await approve('10000000-0000-4000-8000-000000000000', 'deny')).status).toBe(409)
    expect((await approve('20000000-0000-4000-8000-000000000000', 'always')).status).toBe(404)
    expect(decisions).toHaveLength(3)
    expect(decisions[0]).toMatchObject({ userId: 'owner', action: 'approve' })
  })
})
