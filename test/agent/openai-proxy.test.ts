import OpenAI from 'openai'
import { afterAll, describe, expect, it } from 'vitest'
import { agentGateway, json, mockLlmConfig, UPSTREAM_KEY } from '../support/agent'
import { startTestServer, TEST_TOKEN } from '../support/gateway'
import { MockLlm } from '../support/mock-llm'

describe('OpenAI-compatible proxy (/v1)', async () => {
  const llm = await MockLlm.start()
  afterAll(() => llm.close())

  it('serves the official openai client, streaming (with usage) and not, over a real socket', async () => {
    const server = await startTestServer({ config: { llm: mockLlmConfig(llm, { prices: { 'mock-model': { input: 2, output: 4 } } }) } })
    try {
      const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: TEST_TOKEN, maxRetries: 0 })
      llm.reply({ kind: 'text', chunks: ['Four', '.'], usage: { prompt_tokens: 11, completion_tokens: 2 } })
      const completion = await client.chat.completions.create({ model: 'mock-model', messages: [{ role: 'user', content: 'What is 2+2?' }] })
      expect(completion).toMatchObject({ object: 'chat.completion', model: 'mock-model', choices: [{ index: 0, message: { role: 'assistant', content: 'Four.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 11, completion_tokens: 2, total_tokens: 13 } })
      expect(completion.id).toMatch(/^chatcmpl-[0-9a-f]{32}$/)

      llm.reply({ kind: 'text', chunks: ['Two', ' plus', ' two'], delayMs: 5 })
      const stream = await client.chat.completions.create({ model: 'mock-model', messages: [{ role: 'user', content: 'again' }], stream: true, stream_options: { include_usage: true } })
      const deltas: string[] = []
      let usage: unknown
      let finish: string | null | undefined
      for await (const chunk of stream) {
        if (chunk.usage) usage = chunk.usage
        const choice = chunk.choices[0]
        if (choice?.delta.content) deltas.push(choice.delta.content)
        if (choice?.finish_reason) finish = choice.finish_reason
      }
      expect(deltas).toEqual(['Two', ' plus', ' two'])
      expect(finish).toBe('stop')
      expect(usage).toMatchObject({ prompt_tokens: 10, total_tokens: expect.any(Number) })

      llm.toolCall('get_weather', { city: 'Paris' }, 'call_w')
      const toolStream = await client.chat.completions.create({
        model: 'mock-model',
        messages: [{ role: 'user', content: 'weather?' }],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
        stream: true,
      })
      let args = ''
      let name = ''
      for await (const chunk of toolStream) {
        for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
          name += call.function?.name ?? ''
          args += call.function?.arguments ?? ''
        }
      }
      expect({ name, args: JSON.parse(args) }).toEqual({ name: 'get_weather', args: { city: 'Paris' } })

      // Usage is recorded per user, purpose proxy.
      const totals = await server.gateway.services.usage!.totals({ userId: 'owner' })
      expect(totals.calls).toBe(3)
      const models = await client.models.list()
      expect(models.data.map((m) => m.id)).toEqual(['agent', 'mock-model', 'mock-embed'])
    } finally {
      await server.close()
    }
  })

  it('forwards only whitelisted fields: upstream URL, key and headers stay the gateway\'s; max_tokens is clamped', async () => {
    const gw = await agentGateway(llm, { llm: { maxTokens: 1000 } })
    llm.text('ok')
    const res = await gw.request('/v1/chat/completions', {
      method: 'POST',
      headers: { 'x-forwarded-host': 'evil.example' },
      json: {
        model: 'mock-model',
        messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: [{ type: 'text', text: 'hi' }] }],
        max_tokens: 999_999,
        base_url: 'http://evil.example/v1',
        baseURL: 'http://evil.example/v1',
        headers: { authorization: 'Bearer stolen' },
        api_key: 'mine',
        stop: 'END',
        tools: [{ type: 'retrieval' }, { type: 'function', function: { name: 'noop' } }],
        tool_choice: { type: 'function', function: { name: 'noop' } },
      },
    })
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).not.toContain(UPSTREAM_KEY)
    const upstream = llm.chatRequests().at(-1)!
    expect(upstream.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`)
    expect(upstream.headers.host).toBe(new URL(llm.url).host)
    expect(upstream.body).toMatchObject({
      model: 'mock-model',
      max_tokens: 1000,
      stop: ['END'],
      tools: [{ type: 'function', function: { name: 'noop', parameters: { type: 'object', properties: {} } } }],
      tool_choice: { type: 'function', function: { name: 'noop' } },
    })
    expect(upstream.body).not.toHaveProperty('base_url')
    expect(upstream.body).not.toHaveProperty('headers')
    expect(upstream.body).not.toHaveProperty('api_key')
    await gw.close()
  })

  it('answers every error in OpenAI\'s shape: auth, validation, upstream failures', async () => {
    const gw = await agentGateway(llm, { llm: { maxRetries: 0 } })
    const post = (body: unknown, token?: string | null) => gw.request('/v1/chat/completions', { method: 'POST', json: body, ...(token !== undefined ? { token } : {}) })
    const unauth = await post({ model: 'm', messages: [] }, null)
    expect(unauth.status).toBe(401)
    expect((await json(unauth)).error).toMatchObject({ type: 'authentication_error', param: null })
    expect((await gw.request('/v1/models', { token: 'wrong' })).status).toBe(401)

    const cases: Array<[unknown, string]> = [
      [{ model: 'mock-model', messages: [] }, 'messages must not be empty'],
      [{ model: '', messages: [{ role: 'user', content: 'x' }] }, 'model must not be empty'],
      [{ model: ' m', messages: [{ role: 'user', content: 'x' }] }, 'model must not have leading or trailing whitespace'],
      [{ model: 'x'.repeat(257), messages: [{ role: 'user', content: 'x' }] }, 'model must be at most 256 bytes'],
      [{ model: 'a\u0007b', messages: [{ role: 'user', content: 'x' }] }, 'model contains control characters'],
      [{ model: 'm', messages: [{ role: 'wizard', content: 'x' }] }, "messages[0]: Unknown role: 'wizard'"],
      [{ model: 'm', messages: [{ role: 'user', content: 'x' }, { role: 'tool', content: 'r' }] }, "messages[1]: tool message requires 'tool_call_id'"],
    ]
    for (const [body, message] of cases) {
      const res = await post(body)
      expect(res.status).toBe(400)
      expect(await json(res)).toEqual({ error: { message, type: 'invalid_request_error', param: null, code: null } })
    }
    const badJson = await gw.request('/v1/chat/completions', { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } })
    expect(badJson.status).toBe(400)
    expect((await json(badJson)).error.type).toBe('invalid_request_error')

    const upstream: Array<[Parameters<MockLlm['reply']>[0], number, string, string]> = [
      [{ kind: 'error', status: 401, body: { error: { message: 'Incorrect API key provided: sk-upstream-secret-0123456789abcdef' } } }, 401, 'authentication_error', 'auth_error'],
      [{ kind: 'error', status: 429, headers: { 'retry-after': '3' } }, 429, 'rate_limit_error', 'rate_limit'],
      [{ kind: 'error', status: 400, body: { error: { message: "This model's maximum context length is 8192 tokens", code: 'context_length_exceeded' } } }, 400, 'invalid_request_error', 'context_length_exceeded'],
      [{ kind: 'error', status: 404, body: { error: { message: 'The model `nope` does not exist' } } }, 404, 'invalid_request_error', 'model_not_found'],
      [{ kind: 'error', status: 500 }, 502, 'server_error', 'internal_error'],
    ]
    for (const [step, status, type, code] of upstream) {
      llm.reply(step)
      const res = await post({ model: 'mock-model', messages: [{ role: 'user', content: 'x' }], stream: true })
      expect(res.status).toBe(status)
      const body = await res.text()
      expect(JSON.parse(body).error).toMatchObject({ type, code, param: null })
      expect(body).not.toContain(UPSTREAM_KEY)
      if (status === 429) expect(res.headers.get('retry-after')).toBe('3')
    }
    await gw.close()
  })

  it('ends a stream that fails midway with an error frame, and aborts the upstream when the client leaves', async () => {
    const gw = await agentGateway(llm, { llm: { maxRetries: 0 } })
    llm.reply({ kind: 'reset', afterChunks: ['Hel', 'lo'] })
    const res = await gw.request('/v1/chat/completions', { method: 'POST', json: { model: 'mock-model', stream: true, messages: [{ role: 'user', content: 'x' }] } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const frames = (await res.text()).split('\n\n').filter(Boolean)
    expect(frames.slice(0, 3).map((f) => JSON.parse(f.slice(6)).choices[0].delta)).toEqual([{ role: 'assistant', content: '' }, { content: 'Hel' }, { content: 'lo' }])
    expect(JSON.parse(frames.at(-1)!.slice(6)).error).toMatchObject({ type: 'server_error', param: null })
    expect(frames).not.toContain('data: [DONE]')

    const aborted = llm.abortedStreams
    llm.reply({ kind: 'text', chunks: Array.from({ length: 100 }, (_, i) => `${i} `), delayMs: 20 })
    const client = new AbortController()
    const streamed = await gw.request('/v1/chat/completions', { method: 'POST', signal: client.signal, json: { model: 'mock-model', stream: true, messages: [{ role: 'user', content: 'long' }] } })
    const reader = streamed.body!.getReader()
    await reader.read()
    await reader.read()
    await reader.cancel()
    await expect.poll(() => llm.abortedStreams, { timeout: 3_000 }).toBeGreaterThan(aborted)
    await gw.close()
  })

  it('shares the chat rate limit, per user', async () => {
    const gw = await agentGateway(llm, { config: { limits: { chatMessagesPerWindow: 2 } } })
    llm.text('a').text('b')
    const post = () => gw.request('/v1/chat/completions', { method: 'POST', json: { model: 'mock-model', messages: [{ role: 'user', content: 'x' }] } })
    expect((await post()).status).toBe(200)
    expect((await gw.request('/api/chat/send', { method: 'POST', json: { content: 'y' } })).status).toBe(202)
    const limited = await post()
    expect(limited.status).toBe(429)
    expect((await json(limited)).error).toMatchObject({ type: 'rate_limit_error' })
    expect(limited.headers.get('retry-after')).toBeTruthy()
    await gw.defaultAgent!.idle()
    await gw.close()
  })
})
