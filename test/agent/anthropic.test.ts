import { afterAll, describe, expect, it } from 'vitest'
import { agentGateway, EventLog, json } from '../support/agent'
import { MockLlm } from '../support/mock-llm'

describe('Anthropic provider (official SDK against a loopback messages API)', async () => {
  const llm = await MockLlm.start()
  afterAll(() => llm.close())
  const anthropic = { backend: 'anthropic' as const, baseUrl: llm.url.replace(/\/v1$/, ''), apiKey: 'sk-ant-test-key-0123456789', model: 'claude-sonnet-4-6' }

  it('runs a turn with a tool call: tool_use blocks out, tool_result blocks back, usage and cost', async () => {
    const gw = await agentGateway(llm, { llm: anthropic })
    const log = new EventLog(gw)
    llm.toolCall('current_time', { timezone: 'Asia/Tokyo' }, 'toolu_1').text('It is ', 'evening in Tokyo.')
    const { thread_id } = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'Time in Tokyo?' } }))
    expect((await log.next('response', (e) => e.thread_id === thread_id)).content).toBe('It is evening in Tokyo.')
    const cost = await log.next('turn_cost', (e) => e.thread_id === thread_id)
    // message_start input_tokens (12) per call, message_delta output_tokens (9, then 7); Sonnet list price $3/$15 per M.
    expect(cost).toMatchObject({ input_tokens: 24, output_tokens: 16, model: 'claude-sonnet-4-6' })
    expect(Number(cost.cost_usd)).toBeCloseTo((24 * 3 + 16 * 15) / 1e6, 9)
    expect(log.of('tool_result', thread_id)[0]!.preview).toContain('Asia/Tokyo')

    const [first, second] = llm.chatRequests().slice(-2)
    expect(first!.path).toBe('/v1/messages')
    expect(first!.headers['x-api-key'] ?? first!.headers.authorization).toContain(anthropic.apiKey)
    expect(first!.body).toMatchObject({ model: 'claude-sonnet-4-6', stream: true, max_tokens: 4096, messages: [{ role: 'user', content: [{ type: 'text', text: 'Time in Tokyo?' }] }] })
    expect(typeof first!.body.system).toBe('string')
    expect((first!.body.tools as Array<{ name: string; input_schema: unknown }>).map((t) => t.name).sort()).toEqual(['create_job', 'create_routine', 'current_time', 'http_fetch', 'list_routines', 'memory_read', 'memory_search', 'memory_tree', 'memory_write'])
    const messages = second!.body.messages as Array<{ role: string; content: Array<Record<string, unknown>> }>
    expect(messages.at(-2)).toEqual({ role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'current_time', input: { timezone: 'Asia/Tokyo' } }] })
    expect(messages.at(-1)!.role).toBe('user')
    expect(messages.at(-1)!.content[0]).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_1' })
    await gw.close()
  })

  it('maps Anthropic errors and serves /v1 through the same provider', async () => {
    const gw = await agentGateway(llm, { llm: { ...anthropic, maxRetries: 0 } })
    llm.reply({ kind: 'error', status: 429, headers: { 'retry-after': '2' }, body: { type: 'error', error: { type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit' } } })
    const limited = await gw.request('/v1/chat/completions', { method: 'POST', json: { model: 'claude-sonnet-4-6', messages: [{ role: 'user', content: 'hi' }] } })
    expect(limited.status).toBe(429)
    expect((await json(limited)).error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit' })
    llm.text('Hello', ' there')
    const ok = await json(gw.request('/v1/chat/completions', { method: 'POST', json: { model: 'claude-sonnet-4-6', messages: [{ role: 'system', content: 'short' }, { role: 'user', content: 'hi' }] } }))
    expect(ok.choices[0]).toMatchObject({ message: { content: 'Hello there' }, finish_reason: 'stop' })
    expect(llm.chatRequests().at(-1)!.body).toMatchObject({ system: 'short', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] })
    await gw.close()
  })
})
