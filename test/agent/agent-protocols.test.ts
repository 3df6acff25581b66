import { afterAll, describe, expect, it } from 'vitest'
import { agentGateway, json } from '../support/agent'
import { MockLlm } from '../support/mock-llm'

const uiBody = (id: string, text: string) => ({ id, messages: [{ id: `u-${text}`, role: 'user', parts: [{ type: 'text', text }] }] })

describe('the agent behind /v1/chat/completions, /v1/responses and the UI message stream: one budget, one ledger, documented', async () => {
  const llm = await MockLlm.start()
  afterAll(() => llm.close())

  it('every protocol draws from the one per-user model-call budget (429 rate_limited on each once it is spent)', async () => {
    const gw = await agentGateway(llm, { config: { limits: { chatMessagesPerWindow: 4 } } })
    llm.text('one').text('two').text('three').text('four')
    const ui = await gw.request('/api/chat/ui-stream', { method: 'POST', json: uiBody('c1', 'hi') })
    expect(ui.status).toBe(200)
    expect(await ui.text()).toContain('"type":"finish"')
    expect((await gw.request('/v1/responses', { method: 'POST', json: { model: 'agent', input: 'hi' } })).status).toBe(200)
    expect((await gw.request('/v1/responses', { method: 'POST', json: { model: 'mock-model', input: 'hi' } })).status).toBe(200)
    expect((await gw.request('/v1/chat/completions', { method: 'POST', json: { model: 'agent', messages: [{ role: 'user', content: 'hi' }] } })).status).toBe(200)

    const refused = await gw.request('/api/chat/ui-stream', { method: 'POST', json: uiBody('c1', 'again') })
    expect(refused.status).toBe(429)
    expect((await json(refused)).error).toMatchObject({ code: 'rate_limited' })
    const responses = await gw.request('/v1/responses', { method: 'POST', json: { model: 'agent', input: 'again' } })
    expect(responses.status).toBe(429)
    expect((await json(responses)).error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' })
    expect((await gw.request('/v1/chat/completions', { method: 'POST', json: { model: 'agent', messages: [{ role: 'user', content: 'x' }] } })).status).toBe(429)
    expect((await gw.request('/api/chat/send', { method: 'POST', json: { content: 'x' } })).status).toBe(429)
    await gw.close()
  })

  it('meters every model call in the usage ledger and stops all three at the daily budget', async () => {
    const gw = await agentGateway(llm, { llm: { prices: { 'mock-model': { input: 1000, output: 1000 } } }, config: { limits: { dailyBudgetUsd: 0.005 } } })
    llm.reply({ kind: 'text', chunks: ['costly'], usage: { prompt_tokens: 10, completion_tokens: 10 } })
    const first = await gw.request('/v1/responses', { method: 'POST', json: { model: 'agent', input: 'spend' } })
    expect(first.status).toBe(200)
    const usage = await gw.services.usage!.totals({ userId: 'owner' })
    expect(usage).toMatchObject({ calls: 1, input_tokens: 10, output_tokens: 10 })
    for (const [path, body] of [
      ['/v1/responses', { model: 'agent', input: 'more' }],
      ['/v1/responses', { model: 'mock-model', input: 'more' }],
      ['/v1/chat/completions', { model: 'agent', messages: [{ role: 'user', content: 'more' }] }],
      ['/api/chat/ui-stream', uiBody('c2', 'more')],
    ] as const) {
      const res = await gw.request(path, { method: 'POST', json: body })
      expect(res.status, path).toBe(429)
      expect(JSON.stringify(await json(res))).toContain('budget_exceeded')
    }
    await gw.close()
  })

  it('lists the routes in the OpenAPI document, and answers 503 agent_unavailable without an agent', async () => {
    const gw = await agentGateway(llm)
    const doc = await json(gw.request('/api/openapi.json', { token: null }))
    const responses = doc.paths['/v1/responses'].post
    expect(Object.keys(responses.requestBody.content['application/json'].schema.properties)).toEqual(expect.arrayContaining(['model', 'input', 'previous_response_id', 'stream', 'instructions']))
    expect(doc.paths['/api/chat/ui-stream'].post).toBeDefined()
    expect(Object.keys(doc.paths).find((p) => p.startsWith('/api/chat/ui-stream/') && p.endsWith('/stream'))).toBeDefined()
    const events = await json(gw.request('/api/events.schema.json', { token: null }))
    expect(JSON.stringify(events)).toContain('call_id')
    await gw.close()

    const bare = await agentGateway(llm, { agent: { onMessage: () => undefined } })
    const res = await bare.request('/v1/chat/completions', { method: 'POST', json: { model: 'agent', messages: [{ role: 'user', content: 'hi' }] } })
    expect(res.status).toBe(503)
    expect((await json(res)).error).toMatchObject({ code: 'agent_unavailable' })
    const models = await json(bare.request('/v1/models'))
    expect(models.data.map((m: { id: string }) => m.id)).not.toContain('agent')
    const ui = await bare.request('/api/chat/ui-stream', { method: 'POST', json: uiBody('c3', 'hi') })
    expect(ui.status).toBe(503)
    await bare.close()
  })
})
