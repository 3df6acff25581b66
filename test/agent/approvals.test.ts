import { afterAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineTool } from '../../src/exports/agent'
import type { Gateway } from '../../src/index'
import { agentGateway, EventLog, json, mockLlmConfig } from '../support/agent'
import { startTestServer } from '../support/gateway'
import { MockLlm } from '../support/mock-llm'
import { reopenableStore } from '../support/store'
import { WsClient } from '../support/ws-client'

/** A tool that needs approval and records each run, registered like any provider's. */
function addLaunchTool(gateway: Gateway): string[] {
  const launched: string[] = []
  gateway.tools.addProvider({
    name: 'test-rockets',
    tools: () => [
      defineTool({
        name: 'launch',
        description: 'Launch a rocket at a target',
        source: 'test',
        requiresApproval: true,
        input: z.object({ target: z.string() }),
        async execute({ target }) {
          launched.push(target)
          return `Rocket launched at ${target}`
        },
      }),
    ],
  })
  return launched
}

describe('approvals', async () => {
  const llm = await MockLlm.start()
  afterAll(() => llm.close())

  it('pauses on approval_needed, answers other messages with the pending tool, then approve runs the tool and finishes', async () => {
    const gw = await agentGateway(llm)
    const launched = addLaunchTool(gw)
    const log = new EventLog(gw)
    llm.toolCall('launch', { target: 'moon' }, 'call_1').text('Launched', ' at the moon.')
    const { thread_id } = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'Launch a rocket at the moon' } }))
    const needed = await log.next('approval_needed')
    expect(needed).toMatchObject({ tool_name: 'launch', description: 'Launch a rocket at a target', parameters: '{\n  "target": "moon"\n}', allow_always: true, thread_id })
    expect(needed.request_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(launched).toEqual([])

    const history = await json(gw.request(`/api/chat/history?thread_id=${thread_id}`))
    expect(history.pending_approval).toMatchObject({ request_id: needed.request_id, tool_name: 'launch', parameters: needed.parameters })
    expect(history.in_progress).toMatchObject({ state: 'awaiting_approval', turn_number: 0 })
    expect(history.turns[0].state).toBe('awaiting_approval')
    expect((await json(gw.request('/api/chat/threads'))).threads[0]).toMatchObject({ id: thread_id, state: 'awaiting_approval' })

    // Another message to the thread: a clear, non-error reply naming the tool; nothing reaches the model.
    const before = llm.chatRequests().length
    await gw.request('/api/chat/send', { method: 'POST', json: { content: 'hello?', thread_id } })
    const waiting = await log.next('response', (e) => e.thread_id === thread_id)
    expect(waiting.content).toMatch(/^Waiting for approval/)
    expect(waiting.content).toContain('launch')
    expect(waiting.content).toContain('Launch a rocket at a target')
    expect(llm.chatRequests().length).toBe(before)

    const approve = (action: string, request_id = needed.request_id) => gw.request('/api/chat/approval', { method: 'POST', json: { request_id, action, thread_id } })
    const accepted = await approve('approve')
    expect(accepted.status).toBe(202)
    expect(await json(accepted)).toEqual({ status: 'accepted', request_id: needed.request_id })
    expect((await approve('approve')).status).toBe(409)
    expect((await approve('deny', crypto.randomUUID())).status).toBe(404)

    const final = await log.next('response', (e) => e.thread_id === thread_id && e.content.startsWith('Launched'))
    expect(final.content).toBe('Launched at the moon.')
    await log.next('turn_cost', (e) => e.thread_id === thread_id)
    expect(launched).toEqual(['moon'])
    expect(log.of('approval_resolved')).toEqual([expect.objectContaining({ request_id: needed.request_id, action: 'approve', thread_id })])
    expect(log.types(thread_id).slice(log.types(thread_id).indexOf('approval_resolved'))).toEqual([
      'approval_resolved', 'tool_started', 'tool_completed', 'tool_result', 'thinking', 'stream_chunk', 'stream_chunk', 'response', 'turn_cost',
    ])
    expect(log.of('tool_result')[0]).toMatchObject({ name: 'launch', preview: 'Rocket launched at moon', call_id: 'call_1' })

    // The model got the tool result after its own call.
    const second = llm.chatRequests().at(-1)!.body.messages as Array<Record<string, unknown>>
    expect(second.at(-2)).toMatchObject({ role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'launch', arguments: '{"target":"moon"}' } }] })
    expect(second.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_1', content: 'Rocket launched at moon' })

    const after = await json(gw.request(`/api/chat/history?thread_id=${thread_id}`))
    expect(after.pending_approval).toBeNull()
    expect(after.in_progress).toBeNull()
    expect(after.turns).toHaveLength(1)
    expect(after.turns[0]).toMatchObject({
      state: 'completed',
      response: 'Launched at the moon.',
      tool_calls: [{ call_id: 'call_1', name: 'launch', has_result: true, has_error: false, result_preview: 'Rocket launched at moon' }],
    })
    await gw.close()
  })

  it('deny (over WebSocket) skips the tool and tells the model; other tabs see approval_resolved', async () => {
    const server = await startTestServer({ config: { llm: mockLlmConfig(llm) } })
    try {
      const launched = addLaunchTool(server.gateway)
      const tabA = await WsClient.connect(`${server.wsUrl}/api/chat/ws`, { headers: server.auth, origin: server.origin })
      const tabB = await WsClient.connect(`${server.wsUrl}/api/chat/ws`, { headers: server.auth, origin: server.origin })
      llm.toolCall('launch', { target: 'mars' }).text('Understood, no launch.')
      tabA.send({ type: 'message', content: 'Launch at mars', id: 'm1' })
      const needed = await tabB.next((f) => f.event_type === 'approval_needed')
      const requestId = (needed.data as { request_id: string }).request_id
      tabA.send({ type: 'approval', request_id: requestId, action: 'deny', id: 'a1' })
      expect(await tabA.next((f) => f.id === 'a1')).toMatchObject({ type: 'ack', result: { status: 'accepted' } })
      expect((await tabB.next((f) => f.event_type === 'approval_resolved')).data).toMatchObject({ request_id: requestId, action: 'deny' })
      const done = await tabB.next((f) => f.event_type === 'tool_completed')
      expect(done.data).toMatchObject({ name: 'launch', success: false, error: 'Denied by the user' })
      expect((await tabA.next((f) => f.event_type === 'response')).data).toMatchObject({ content: 'Understood, no launch.' })
      expect(launched).toEqual([])
      const toolMessage = (llm.chatRequests().at(-1)!.body.messages as Array<{ role: string; content: string }>).at(-1)!
      expect(toolMessage.role).toBe('tool')
      expect(toolMessage.content).toContain('denied')
      // A second answer over WS is refused as stale.
      tabA.send({ type: 'approval', request_id: requestId, action: 'approve', id: 'a2' })
      expect(await tabA.next((f) => f.id === 'a2')).toMatchObject({ type: 'error', code: 'approval_already_resolved' })
      tabA.close()
      tabB.close()
    } finally {
      await server.close()
    }
  })

  it('always approves this tool for this user from then on', async () => {
    const gw = await agentGateway(llm)
    const launched = addLaunchTool(gw)
    const log = new EventLog(gw)
    llm.toolCall('launch', { target: 'venus' }).text('Done once.')
    const { thread_id } = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'venus please' } }))
    const needed = await log.next('approval_needed')
    expect((await gw.request('/api/chat/approval', { method: 'POST', json: { request_id: needed.request_id, action: 'always' } })).status).toBe(202)
    await log.next('turn_cost', (e) => e.thread_id === thread_id)
    llm.toolCall('launch', { target: 'saturn' }).text('Done twice.')
    await gw.request('/api/chat/send', { method: 'POST', json: { content: 'and saturn', thread_id } })
    await log.next('response', (e) => e.content === 'Done twice.')
    expect(log.of('approval_needed')).toHaveLength(1)
    expect(launched).toEqual(['venus', 'saturn'])
    await gw.close()
  })

  it('survives a restart: the pending approval is in history and answering it continues the turn', async () => {
    const db = await reopenableStore()
    try {
      const first = await agentGateway(llm, { store: await db.open() })
      addLaunchTool(first)
      const log = new EventLog(first)
      llm.toolCall('launch', { target: 'jupiter' }, 'call_j')
      const { thread_id } = await json(first.request('/api/chat/send', { method: 'POST', json: { content: 'jupiter' } }))
      const needed = await log.next('approval_needed')
      // A second thread whose turn is running when the gateway stops.
      llm.reply({ kind: 'hang', afterChunks: ['half an ans'] })
      const other = await json(first.request('/api/chat/send', { method: 'POST', json: { content: 'long question' } }))
      await log.next('stream_chunk', (e) => e.thread_id === other.thread_id)
      await first.close()

      const second = await agentGateway(llm, { store: await db.open() })
      const launched = addLaunchTool(second)
      const log2 = new EventLog(second)
      const history = await json(second.request(`/api/chat/history?thread_id=${thread_id}`))
      expect(history.pending_approval).toMatchObject({ request_id: needed.request_id, tool_name: 'launch' })
      expect(history.turns[0].state).toBe('awaiting_approval')
      const stopped = await json(second.request(`/api/chat/history?thread_id=${other.thread_id}`))
      expect(stopped.turns[0]).toMatchObject({ state: 'interrupted', response: 'half an ans' })
      expect(stopped.in_progress).toBeNull()

      llm.text('Jupiter reached.')
      expect((await second.request('/api/chat/approval', { method: 'POST', json: { request_id: needed.request_id, action: 'approve' } })).status).toBe(202)
      expect((await log2.next('response', (e) => e.thread_id === thread_id)).content).toBe('Jupiter reached.')
      expect(launched).toEqual(['jupiter'])
      const messages = llm.chatRequests().at(-1)!.body.messages as Array<Record<string, unknown>>
      expect(messages.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_j', content: 'Rocket launched at jupiter' })
      const done = await json(second.request(`/api/chat/history?thread_id=${thread_id}`))
      expect(done.turns[0]).toMatchObject({ state: 'completed', response: 'Jupiter reached.' })
      expect(done.pending_approval).toBeNull()
      await second.close()
    } finally {
      await db.cleanup()
    }
  })

  it('cancel while waiting for approval resolves the request as cancelled and ends the turn', async () => {
    const gw = await agentGateway(llm)
    const launched = addLaunchTool(gw)
    const log = new EventLog(gw)
    llm.toolCall('launch', { target: 'pluto' })
    const { thread_id } = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'pluto' } }))
    const needed = await log.next('approval_needed')
    expect(await json(gw.request('/api/chat/cancel', { method: 'POST', json: { thread_id } }))).toEqual({ status: 'cancelled', thread_id })
    expect(log.of('approval_resolved')).toEqual([expect.objectContaining({ request_id: needed.request_id, action: 'cancelled' })])
    await log.next('turn_cancelled', (e) => e.thread_id === thread_id)
    expect((await gw.request('/api/chat/approval', { method: 'POST', json: { request_id: needed.request_id, action: 'approve' } })).status).toBe(409)
    const history = await json(gw.request(`/api/chat/history?thread_id=${thread_id}`))
    expect(history.turns[0].state).toBe('interrupted')
    expect(history.pending_approval).toBeNull()
    expect(launched).toEqual([])
    await gw.close()
  })
})
