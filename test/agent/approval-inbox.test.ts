import { afterAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineTool } from '../../src/exports/agent'
import { loadConfig } from '../../src/config/gateway-config'
import type { Gateway } from '../../src/index'
import { agentGateway, EventLog, json } from '../support/agent'
import { MockLlm } from '../support/mock-llm'
import { createUser, manualClock } from '../support/users'

/** Two tools that need approval: `launch` may be always-allowed, `self_destruct` must be approved each time. */
function addTools(gateway: Gateway): string[] {
  const ran: string[] = []
  gateway.tools.addProvider({
    name: 'test-rockets',
    tools: () => [
      defineTool({
        name: 'launch', description: 'Launch a rocket at a target', source: 'test', requiresApproval: true, input: z.object({ target: z.string() }),
        async execute({ target }) {
          ran.push(`launch ${target}`)
          return `Rocket launched at ${target}`
        },
      }),
      defineTool({
        name: 'self_destruct', description: 'Destroy the rocket', source: 'test', requiresApproval: true, allowAlways: false, input: z.object({ code: z.string() }),
        async execute({ code }) {
          ran.push(`destruct ${code}`)
          return 'Boom'
        },
      }),
    ],
  })
  return ran
}

const answer = (gw: Awaited<ReturnType<typeof agentGateway>>, request_id: string, action: string, token?: string) =>
  gw.request('/api/chat/approval', { method: 'POST', json: { request_id, action }, ...(token ? { token } : {}) })

describe('approvals as resources', async () => {
  const llm = await MockLlm.start()
  afterAll(() => llm.close())

  it("lists the caller's approvals across threads, fixes their decisions at creation, and answers a second answer with the first decision", async () => {
    const gw = await agentGateway(llm)
    const ran = addTools(gw)
    const log = new EventLog(gw)
    const member = await createUser(gw)
    const before = Date.now()

    // One script for the whole process: each answer's follow-up is queued just before the answer.
    llm.toolCall('launch', { target: 'moon' }, 'call_a')
    const first = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'Launch at the moon' } }))
    const launch = await log.next('approval_needed', (e) => e.thread_id === first.thread_id)
    llm.toolCall('self_destruct', { code: 'x'.repeat(2000) }, 'call_b')
    const second = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'Blow it up' } }))
    const destruct = await log.next('approval_needed', (e) => e.thread_id === second.thread_id)

    expect(launch).toMatchObject({ allow_always: true, decisions: ['approve', 'deny', 'always'] })
    expect(destruct).toMatchObject({ allow_always: false, decisions: ['approve', 'deny'] })
    const ttl = Date.parse(launch.expires_at!) - before
    expect(ttl).toBeGreaterThanOrEqual(24 * 3600_000)
    expect(ttl).toBeLessThan(24 * 3600_000 + 60_000)

    const pending = await json(gw.request('/api/approvals'))
    expect(pending.pending_count).toBe(2)
    expect(pending.approvals.map((a: { request_id: string }) => a.request_id)).toEqual([destruct.request_id, launch.request_id])
    expect(pending.approvals[1]).toEqual({
      request_id: launch.request_id, tool_name: 'launch', description: 'Launch a rocket at a target', parameters_preview: '{\n  "target": "moon"\n}',
      thread_id: first.thread_id, thread_title: 'Launch at the moon', turn_id: expect.any(String), status: 'pending',
      decisions: ['approve', 'deny', 'always'], decision: null, created_at: expect.any(String), expires_at: launch.expires_at, resolved_at: null,
    })
    // The arguments are previewed; the card has them whole.
    expect(pending.approvals[0].parameters_preview.length).toBeLessThan(520)
    expect(pending.approvals[0].parameters_preview.endsWith('…')).toBe(true)
    expect((await json(gw.request(`/api/chat/history?thread_id=${second.thread_id}`))).pending_approval).toMatchObject({
      request_id: destruct.request_id, allow_always: false, decisions: ['approve', 'deny'], expires_at: destruct.expires_at,
    })

    // Another user sees none of them, and cannot answer them.
    expect(await json(gw.request('/api/approvals', { token: member.token }))).toEqual({ approvals: [], pending_count: 0 })
    expect((await answer(gw, launch.request_id, 'approve', member.token)).status).toBe(404)

    // A decision the approval was not created with is refused, and leaves it pending.
    const refused = await answer(gw, destruct.request_id, 'always')
    expect(refused.status).toBe(400)
    expect((await json(refused)).error).toMatchObject({ code: 'action_not_allowed', details: { allowed: ['approve', 'deny'] } })
    llm.text('Not destroyed.')
    expect((await answer(gw, destruct.request_id, 'deny')).status).toBe(202)
    await log.next('response', (e) => e.thread_id === second.thread_id)

    llm.text('Launched.')
    expect((await answer(gw, launch.request_id, 'always')).status).toBe(202)
    await log.next('response', (e) => e.thread_id === first.thread_id)
    const again = await answer(gw, launch.request_id, 'deny')
    expect(again.status).toBe(409)
    expect((await json(again)).error).toMatchObject({ code: 'approval_already_resolved', details: { decision: 'always', resolved_at: expect.any(String) } })
    expect(ran).toEqual(['launch moon'])

    const resolved = await json(gw.request('/api/approvals?status=resolved'))
    expect(resolved.pending_count).toBe(0)
    expect(resolved.approvals.map((a: { decision: string; status: string }) => [a.status, a.decision])).toEqual([['resolved', 'deny'], ['resolved', 'always']])
    expect(await json(gw.request('/api/approvals?status=pending'))).toEqual({ approvals: [], pending_count: 0 })
    expect((await json(gw.request('/api/approvals?status=expired'))).approvals).toEqual([])
    await gw.close()
  })

  it('is documented: the route in the OpenAPI document, the event in the event schema, the setting in the environment', async () => {
    const gw = await agentGateway(llm)
    const doc = await json(gw.request('/api/openapi.json', { token: null }))
    expect(Object.keys(doc.paths['/api/approvals'])).toEqual(['get'])
    const events = JSON.stringify(await json(gw.request('/api/events.schema.json', { token: null })))
    expect(events).toContain('approval_expired')
    expect(loadConfig({ GATEWAY_APPROVAL_TTL_SECS: '90' }).agent.approvalTtlMs).toBe(90_000)
    expect(loadConfig({ GATEWAY_APPROVAL_TTL_SECS: '90', GATEWAY_TURN_LEASE_SECS: '8' }).agent).toMatchObject({ approvalTtlMs: 90_000, turnLeaseMs: 8_000 })
    expect(loadConfig({}).agent.approvalTtlMs).toBe(86_400_000)
    expect(() => loadConfig({ GATEWAY_APPROVAL_TTL_SECS: '0' })).toThrow()
    await gw.close()
  })

  it('refuses a bad status or limit with the error envelope', async () => {
    const gw = await agentGateway(llm)
    for (const q of ['status=open', 'limit=0', 'limit=201', 'limit=x']) {
      const res = await gw.request(`/api/approvals?${q}`)
      expect(res.status).toBe(400)
      expect((await json(res)).error).toMatchObject({ code: expect.any(String), message: expect.any(String) })
    }
    expect((await gw.request('/api/approvals', { token: null })).status).toBe(401)
    await gw.close()
  })

  it('expires an unanswered approval: approval_expired, the turn ends, a late answer gets 410, the thread takes messages again', async () => {
    const gw = await agentGateway(llm, { config: { agent: { approvalTtlMs: 1_000 } } })
    const ran = addTools(gw)
    const log = new EventLog(gw)
    llm.toolCall('launch', { target: 'mars' }, 'call_m')
    const { thread_id } = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'mars' } }))
    const needed = await log.next('approval_needed', (e) => e.thread_id === thread_id)
    // The timer checks every quarter of the lifetime: nobody calls it here.
    const expired = await log.next('approval_expired', (e) => e.thread_id === thread_id, 5_000)
    expect(expired).toMatchObject({ request_id: needed.request_id, tool_name: 'launch', message: 'The approval of "launch" expired without an answer' })
    const history = await json(gw.request(`/api/chat/history?thread_id=${thread_id}`))
    expect(history.pending_approval).toBeNull()
    expect(history.in_progress).toBeNull()
    expect(history.turns[0]).toMatchObject({ state: 'interrupted', error: 'The approval of "launch" expired without an answer' })
    expect(expired.turn_id).toBe(history.turns[0].id)

    const late = await answer(gw, needed.request_id, 'approve')
    expect(late.status).toBe(410)
    expect((await json(late)).error).toMatchObject({ code: 'approval_expired', details: { expires_at: needed.expires_at } })
    const list = await json(gw.request('/api/approvals?status=expired'))
    expect(list.approvals).toEqual([expect.objectContaining({ request_id: needed.request_id, status: 'expired', decision: 'expired' })])
    expect(list.pending_count).toBe(0)
    expect(log.of('approval_expired')).toHaveLength(1)
    expect(await gw.defaultAgent!.expireApprovals()).toBe(0)

    llm.text('Hello again.')
    await gw.request('/api/chat/send', { method: 'POST', json: { content: 'still there?', thread_id } })
    expect((await log.next('response', (e) => e.thread_id === thread_id)).content).toBe('Hello again.')
    expect(ran).toEqual([])
    await gw.close()
  })

  it('an answer after expires_at but before the check expires it then and there (410), once', async () => {
    const clock = manualClock()
    const gw = await agentGateway(llm, { runtime: { name: 'node', clock }, config: { agent: { approvalTtlMs: 60_000 } } })
    addTools(gw)
    const log = new EventLog(gw)
    llm.toolCall('launch', { target: 'venus' })
    const { thread_id } = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'venus' } }))
    const needed = await log.next('approval_needed', (e) => e.thread_id === thread_id)
    // Not yet due: listed as pending.
    expect((await json(gw.request('/api/approvals'))).pending_count).toBe(1)
    clock.advance(60_001)
    // Due, not swept: the inbox already shows it expired, so nobody is offered an answer that would fail.
    expect(await json(gw.request('/api/approvals'))).toEqual({ approvals: [], pending_count: 0 })
    expect((await json(gw.request('/api/approvals?status=expired'))).approvals).toEqual([expect.objectContaining({ request_id: needed.request_id, status: 'expired' })])
    const late = await answer(gw, needed.request_id, 'approve')
    expect(late.status).toBe(410)
    expect(log.of('approval_expired', thread_id)).toEqual([expect.objectContaining({ request_id: needed.request_id })])
    expect((await json(gw.request(`/api/chat/history?thread_id=${thread_id}`))).turns[0].state).toBe('interrupted')
    expect(await gw.defaultAgent!.expireApprovals()).toBe(0)
    expect((await answer(gw, needed.request_id, 'deny')).status).toBe(410)
    expect(log.of('approval_expired', thread_id)).toHaveLength(1)
    await gw.close()
  })
})
