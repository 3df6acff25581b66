import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineTool } from '../../src/exports/agent'
import type { Gateway } from '../../src/index'
import { json, mockLlmConfig } from '../support/agent'
import { startTestServer, type TestServer } from '../support/gateway'
import { MockLlm } from '../support/mock-llm'
import { SseClient } from '../support/sse-client'
import { createTestSchema, dropTestSchema, openSchemaStore, POSTGRES_URL } from '../support/store'
import { manualClock } from '../support/users'

/** The tool that needs approval; either instance may run it (the one the answer reaches resumes the turn). */
function addLaunchTool(gateway: Gateway): void {
  gateway.tools.addProvider({
    name: 'test-rockets',
    tools: () => [
      defineTool({
        name: 'launch', description: 'Launch a rocket at a target', source: 'test', requiresApproval: true, input: z.object({ target: z.string() }),
        execute: async ({ target }) => `Rocket launched at ${target}`,
      }),
    ],
  })
}

const post = (server: TestServer, path: string, body: unknown) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { ...server.auth, 'content-type': 'application/json' }, body: JSON.stringify(body) })
const get = (server: TestServer, path: string) => fetch(`${server.url}${path}`, { headers: server.auth })

/** Two gateways on one PostgreSQL database, as behind a load balancer; a browser tab on each. */
describe.skipIf(!POSTGRES_URL)('approvals across two instances sharing PostgreSQL', () => {
  const clock = manualClock()
  let llm: MockLlm
  let schema: string
  let a: TestServer
  let b: TestServer
  let tabA: SseClient
  let tabB: SseClient

  beforeAll(async () => {
    llm = await MockLlm.start()
    schema = await createTestSchema()
    const [storeA, storeB] = await Promise.all([openSchemaStore(schema), openSchemaStore(schema)])
    const options = { runtime: { name: 'node' as const, clock }, config: { llm: mockLlmConfig(llm) } }
    a = await startTestServer({ ...options, store: storeA })
    b = await startTestServer({ ...options, store: storeB })
    // Either instance may run the tool: the one the answer reaches resumes the turn.
    for (const server of [a, b]) addLaunchTool(server.gateway)
    tabA = await SseClient.open(`${a.url}/api/chat/events`, { headers: a.auth })
    tabB = await SseClient.open(`${b.url}/api/chat/events`, { headers: b.auth })
  })
  afterAll(async () => {
    tabA?.close()
    tabB?.close()
    await Promise.all([a?.close(), b?.close()])
    await llm?.close()
    if (schema) await dropTestSchema(schema)
  })

  it('an answer on one instance clears the card on both, and a second answer on the other gets 409 with the first decision', async () => {
    llm.toolCall('launch', { target: 'moon' })
    const { thread_id } = await json(post(a, '/api/chat/send', { content: 'moon' }))
    const neededA = await tabA.next((e) => e.event === 'approval_needed')
    const neededB = await tabB.next((e) => e.event === 'approval_needed')
    expect(neededB.json).toEqual(neededA.json)
    const requestId = neededA.json.request_id as string
    // The inbox on either instance lists it.
    expect((await json(get(b, '/api/approvals'))).approvals).toEqual([expect.objectContaining({ request_id: requestId, thread_id, status: 'pending' })])

    llm.text('Launched.')
    expect((await post(b, '/api/chat/approval', { request_id: requestId, action: 'approve' })).status).toBe(202)
    for (const tab of [tabA, tabB]) {
      expect((await tab.next((e) => e.event === 'approval_resolved')).json).toMatchObject({ request_id: requestId, action: 'approve', thread_id })
      expect((await tab.next((e) => e.event === 'response' && e.json.thread_id === thread_id)).json.content).toBe('Launched.')
    }
    const again = await post(a, '/api/chat/approval', { request_id: requestId, action: 'deny' })
    expect(again.status).toBe(409)
    expect((await again.json()).error).toMatchObject({ code: 'approval_already_resolved', details: { decision: 'approve' } })
    expect((await json(get(a, '/api/approvals?status=resolved'))).approvals).toEqual([expect.objectContaining({ request_id: requestId, decision: 'approve' })])
  })

  it('an expired approval is claimed by one instance: one approval_expired on every tab, the turn ends, 410 on both', async () => {
    llm.toolCall('launch', { target: 'mars' })
    const { thread_id } = await json(post(b, '/api/chat/send', { content: 'mars' }))
    const needed = await tabA.next((e) => e.event === 'approval_needed' && e.json.thread_id === thread_id)
    const requestId = needed.json.request_id as string
    clock.advance(24 * 3600_000 + 1_000)
    // Both instances' timers race for it; each approval is expired once.
    const [byA, byB] = await Promise.all([a.gateway.defaultAgent!.expireApprovals(), b.gateway.defaultAgent!.expireApprovals()])
    expect(byA + byB).toBe(1)
    for (const tab of [tabA, tabB]) {
      expect((await tab.next((e) => e.event === 'approval_expired')).json).toMatchObject({ request_id: requestId, thread_id, tool_name: 'launch' })
    }
    for (const server of [a, b]) {
      const late = await post(server, '/api/chat/approval', { request_id: requestId, action: 'approve' })
      expect(late.status).toBe(410)
      expect((await late.json()).error.code).toBe('approval_expired')
    }
    const history = await json(get(a, `/api/chat/history?thread_id=${thread_id}`))
    expect(history.turns.at(-1)).toMatchObject({ state: 'interrupted', error: 'The approval of "launch" expired without an answer' })
    expect(history.pending_approval).toBeNull()
    await new Promise((r) => setTimeout(r, 300))
    expect(tabA.events.filter((e) => e.event === 'approval_expired')).toHaveLength(1)
    expect(tabB.events.filter((e) => e.event === 'approval_expired')).toHaveLength(1)
  })
})
