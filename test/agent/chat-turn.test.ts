import { afterAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../src/lib/crypto'
import { agentGateway, EventLog, json, mockLlmConfig, UPSTREAM_KEY } from '../support/agent'
import { startTestServer, testGateway, TEST_TOKEN } from '../support/gateway'
import { MockLlm } from '../support/mock-llm'
import { SseClient } from '../support/sse-client'
import { WsClient } from '../support/ws-client'

const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='

describe('a chat turn with the default agent', async () => {
  const llm = await MockLlm.start()
  afterAll(() => llm.close())

  it('streams "What is 2+2?" over SSE: thinking, chunks, response, turn_cost; then history and usage', async () => {
    const server = await startTestServer({ config: { llm: mockLlmConfig(llm, { prices: { 'mock-model': { input: 1, output: 2 } } }) } })
    try {
      const sse = await SseClient.open(`${server.url}/api/chat/events`, { headers: server.auth })
      llm.reply({ kind: 'text', chunks: ['2 + 2', ' = ', '4'], usage: { prompt_tokens: 20, completion_tokens: 5 } })
      const res = await fetch(`${server.url}/api/chat/send`, {
        method: 'POST',
        headers: { ...server.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ content: 'What is 2+2?', timezone: 'Europe/Paris' }),
      })
      expect(res.status).toBe(202)
      const accepted = (await res.json()) as { thread_id: string; message_id: string; status: string }
      expect(accepted.status).toBe('accepted')
      const response = await sse.next((e) => e.event === 'response')
      expect(response.json).toEqual({ type: 'response', content: '2 + 2 = 4', thread_id: accepted.thread_id })
      const cost = await sse.next((e) => e.event === 'turn_cost')
      expect(cost.json).toMatchObject({ input_tokens: 20, output_tokens: 5, cost_usd: '0.000030', thread_id: accepted.thread_id, model: 'mock-model' })
      const kinds = sse.events.map((e) => e.event)
      expect(kinds.slice(kinds.indexOf('thinking'))).toEqual(['thinking', 'stream_chunk', 'stream_chunk', 'stream_chunk', 'response', 'turn_cost'])
      expect(sse.ofType('stream_chunk').map((e) => e.json.content).join('')).toBe('2 + 2 = 4')

      // What the model was sent: the question, the tools, the upstream key (never the gateway token).
      const upstream = llm.chatRequests().at(-1)!
      expect(upstream.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`)
      const body = upstream.body as { messages: Array<{ role: string; content: unknown }>; tools: Array<{ function: { name: string } }>; stream: boolean; stream_options: unknown }
      expect(body.stream).toBe(true)
      expect(body.stream_options).toEqual({ include_usage: true })
      expect(body.messages[0]!.role).toBe('system')
      expect(String(body.messages[0]!.content)).toContain('Europe/Paris')
      expect(body.messages.at(-1)).toEqual({ role: 'user', content: 'What is 2+2?' })
      expect(body.tools.map((t) => t.function.name).sort()).toEqual(['create_job', 'create_routine', 'current_time', 'http_fetch', 'list_routines', 'memory_read', 'memory_search', 'memory_tree', 'memory_write'])

      const history = await json(fetch(`${server.url}/api/chat/history?thread_id=${accepted.thread_id}`, { headers: server.auth }))
      expect(history).toMatchObject({ thread_id: accepted.thread_id, has_more: false, pending_approval: null, in_progress: null })
      expect(history.turns).toHaveLength(1)
      expect(history.turns[0]).toMatchObject({ turn_number: 0, user_input: 'What is 2+2?', response: '2 + 2 = 4', state: 'completed', tool_calls: [] })

      const threads = await json(fetch(`${server.url}/api/chat/threads`, { headers: server.auth }))
      expect(threads.threads[0]).toMatchObject({ id: accepted.thread_id, title: 'What is 2+2?', turn_count: 1, state: 'idle', thread_type: 'thread', channel: 'gateway' })
      expect(threads.assistant_thread).toMatchObject({ thread_type: 'assistant', turn_count: 0 })
      expect(threads.active_thread).toBe(accepted.thread_id)

      const status = await json(fetch(`${server.url}/api/gateway/status`, { headers: server.auth }))
      expect(status).toMatchObject({ llm_backend: 'openai_compatible', llm_model: 'mock-model', daily_cost: '0.0000' })
      expect(status.model_usage).toEqual([{ model: 'mock-model', input_tokens: 20, output_tokens: 5, cost: '0.000030' }])
      expect(JSON.stringify(sse.events)).not.toContain(UPSTREAM_KEY)
      sse.close()
    } finally {
      await server.close()
    }
  })

  it('runs the same turn over WebSocket, acked with the new thread id', async () => {
    const server = await startTestServer({ config: { llm: mockLlmConfig(llm) } })
    try {
      const ws = await WsClient.connect(`${server.wsUrl}/api/chat/ws`, { headers: server.auth, origin: server.origin })
      llm.text('The answer', ' is 4.')
      ws.send({ type: 'message', content: 'What is 2+2?', id: 'm1' })
      const ack = await ws.next((f) => f.type === 'ack' && f.id === 'm1')
      const threadId = (ack.result as { thread_id: string }).thread_id
      const response = await ws.next((f) => f.type === 'event' && f.event_type === 'response')
      expect(response.data).toEqual({ type: 'response', content: 'The answer is 4.', thread_id: threadId })
      await ws.next((f) => f.type === 'event' && f.event_type === 'turn_cost')
      const chunks = ws.frames.filter((f) => f.event_type === 'stream_chunk').map((f) => (f.data as { content: string }).content)
      expect(chunks.join('')).toBe('The answer is 4.')
      ws.close()
    } finally {
      await server.close()
    }
  })

  it('answers a message with an error event that says how to configure a provider when none is', async () => {
    const gw = await testGateway()
    const log = new EventLog(gw)
    expect(gw.services.llm).toBeUndefined()
    const { thread_id } = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'hello?' } }))
    const error = await log.next('error')
    expect(error).toMatchObject({ thread_id, code: 'llm_not_configured' })
    expect(error.message).toContain('LLM_BASE_URL')
    const history = await json(gw.request(`/api/chat/history?thread_id=${thread_id}`))
    expect(history.turns[0]).toMatchObject({ user_input: 'hello?', state: 'failed', response: null })
    expect((await json(gw.request('/v1/models'))).error).toMatchObject({ type: 'server_error', code: 'llm_not_configured' })
    await gw.close()
  })

  it('passes images to a vision model, and tells a text-only model they were attached', async () => {
    const gw = await agentGateway(llm, { llm: { model: 'gpt-4o-mini' } })
    const log = new EventLog(gw)
    llm.text('A tiny image.')
    const { thread_id } = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'What is this?', images: [{ media_type: 'image/png', data: PNG_1PX }] } }))
    await log.next('response', (e) => e.thread_id === thread_id)
    const user = (llm.chatRequests().at(-1)!.body.messages as Array<{ role: string; content: unknown }>).at(-1)!
    expect(user.content).toEqual([
      { type: 'text', text: 'What is this?' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_1PX}` } },
    ])
    const history = await json(gw.request(`/api/chat/history?thread_id=${thread_id}`))
    expect(history.turns[0].image_count).toBe(1)
    await gw.close()

    const textOnly = await agentGateway(llm, { llm: { model: 'mock-model' } })
    const log2 = new EventLog(textOnly)
    llm.text('I cannot see it.')
    await textOnly.request('/api/chat/send', { method: 'POST', json: { content: 'Look', images: [{ media_type: 'image/png', data: PNG_1PX }] } })
    await log2.next('response')
    const content = (llm.chatRequests().at(-1)!.body.messages as Array<{ content: unknown }>).at(-1)!.content
    expect(content).toContain('cannot see images')
    await textOnly.close()
  })

  it('refuses images that are not standard base64 of a supported type, or too large (400)', async () => {
    const gw = await agentGateway(llm)
    const send = (images: unknown) => gw.request('/api/chat/send', { method: 'POST', json: { content: 'x', images } })
    expect((await send([{ media_type: 'image/svg+xml', data: PNG_1PX }])).status).toBe(400)
    expect((await send([{ media_type: 'image/png', data: 'not base64!' }])).status).toBe(400)
    expect((await send([{ media_type: 'image/png', data: `data:image/png;base64,${PNG_1PX}` }])).status).toBe(400)
    expect((await send([{ media_type: 'image/png', data: 'A'.repeat(7 * 1024 * 1024) }])).status).toBe(400)
    expect(llm.queued).toBe(0)
    await gw.close()
  })

  it('keeps two users apart: threads, history, sends, approvals and cancels of another user are 404', async () => {
    const gw = await agentGateway(llm)
    const bobHash = await sha256Hex('bob-token-0123456789')
    gw.auth.resolver = { resolve: async (hash) => (hash === bobHash ? { userId: 'bob', role: 'member', tokenId: 'tok-bob', displayName: 'Bob' } : null) }
    const log = new EventLog(gw)
    llm.text('Owner answer')
    const { thread_id } = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'owner secret plans' } }))
    await log.next('turn_cost', (e) => e.thread_id === thread_id)
    const bob = { token: 'bob-token-0123456789' }

    expect((await gw.request(`/api/chat/history?thread_id=${thread_id}`, bob)).status).toBe(404)
    const res = await gw.request('/api/chat/send', { ...bob, method: 'POST', json: { content: 'hi', thread_id } })
    expect(res.status).toBe(404)
    expect((await json(res)).error.code).toBe('thread_not_found')
    expect((await gw.request('/api/chat/cancel', { ...bob, method: 'POST', json: { thread_id } })).status).toBe(404)
    const bobThreads = await json(gw.request('/api/chat/threads', bob))
    expect(JSON.stringify(bobThreads)).not.toContain(thread_id)
    expect(bobThreads.assistant_thread.id).not.toBe((await json(gw.request('/api/chat/threads'))).assistant_thread.id)
    // Events of the owner's turn were published for the owner only.
    expect(log.events.filter((e) => e.userId !== 'owner')).toEqual([])
    expect(TEST_TOKEN).not.toBe(bob.token)
    await gw.close()
  })
})
