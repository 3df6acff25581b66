import OpenAI, { APIError } from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineTool } from '../../src/exports/agent'
import { mockLlmConfig } from '../support/agent'
import { startTestServer, TEST_TOKEN, type TestServer } from '../support/gateway'
import { MockLlm } from '../support/mock-llm'

describe('POST /v1/responses (official openai SDK, real socket)', async () => {
  const llm = await MockLlm.start()
  let server: TestServer
  let client: OpenAI
  const launched: string[] = []
  beforeAll(async () => {
    server = await startTestServer({ config: { llm: mockLlmConfig(llm) } })
    server.gateway.tools.addProvider({
      name: 'test-rockets',
      tools: () => [
        defineTool({
          name: 'launch', description: 'Launch a rocket at a target', source: 'test', requiresApproval: true,
          input: z.object({ target: z.string() }),
          async execute({ target }) {
            launched.push(target)
            return `Rocket launched at ${target}`
          },
        }),
      ],
    })
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: TEST_TOKEN, maxRetries: 0 })
  })
  afterAll(async () => {
    await server.close()
    await llm.close()
  })

  it('plain model: responses.create and .stream over the provider\'s chat completions, previous_response_id continues the chain', async () => {
    llm.reply({ kind: 'text', chunks: ['Four', '.'], usage: { prompt_tokens: 11, completion_tokens: 2 } })
    const first = await client.responses.create({ model: 'mock-model', instructions: 'Be brief.', input: 'What is 2+2?' })
    expect(first).toMatchObject({ object: 'response', status: 'completed', model: 'mock-model', usage: { input_tokens: 11, output_tokens: 2, total_tokens: 13 } })
    expect(first.output_text).toBe('Four.')
    expect(first.id).toMatch(/^resp_[0-9a-f]{48}$/)
    expect(llm.chatRequests().at(-1)!.body).toMatchObject({ model: 'mock-model', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'What is 2+2?' }] })

    llm.reply({ kind: 'text', chunks: ['Eight', ' now.'], delayMs: 5 })
    const stream = client.responses.stream({ model: 'mock-model', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Double it' }] }], previous_response_id: first.id })
    const types: string[] = []
    const deltas: string[] = []
    for await (const event of stream) {
      types.push(event.type)
      if (event.type === 'response.output_text.delta') deltas.push(event.delta)
    }
    const final = await stream.finalResponse()
    expect(deltas).toEqual(['Eight', ' now.'])
    expect(final.output_text).toBe('Eight now.')
    expect(types[0]).toBe('response.created')
    expect(types.at(-1)).toBe('response.completed')
    expect(types).toEqual(expect.arrayContaining(['response.in_progress', 'response.output_item.added', 'response.content_part.added', 'response.output_text.done', 'response.content_part.done', 'response.output_item.done']))
    const sent = llm.chatRequests().at(-1)!.body.messages as Array<{ role: string; content: unknown }>
    expect(sent.map((m) => m.role)).toEqual(['user', 'assistant', 'user'])
    expect(sent[1]!.content).toBe('Four.')

    // A client's function tool: a function_call item out, its function_call_output back as a tool message.
    llm.toolCall('get_weather', { city: 'Paris' }, 'call_w')
    const call = await client.responses.create({ model: 'mock-model', input: 'Weather in Paris?', tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false }] })
    const fc = call.output.find((o) => o.type === 'function_call')
    expect(fc).toMatchObject({ type: 'function_call', name: 'get_weather', call_id: 'call_w' })
    expect(JSON.parse((fc as { arguments: string }).arguments)).toEqual({ city: 'Paris' })
    llm.text('Sunny.')
    const after = await client.responses.create({ model: 'mock-model', previous_response_id: call.id, input: [{ type: 'function_call_output', call_id: 'call_w', output: '22C, sunny' }] })
    expect(after.output_text).toBe('Sunny.')
    expect((llm.chatRequests().at(-1)!.body.messages as unknown[]).at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_w', content: '22C, sunny' })

    const totals = await server.gateway.services.usage!.totals({ userId: 'owner' })
    expect(totals.calls).toBeGreaterThanOrEqual(4)
    const missing = await client.responses.create({ model: 'mock-model', input: 'x', previous_response_id: 'resp_unknown' }).catch((e: unknown) => e)
    expect((missing as APIError).status).toBe(404)
    const badTool = await client.responses.create({ model: 'mock-model', input: 'x', tools: [{ type: 'web_search' }] }).catch((e: unknown) => e)
    expect((badTool as APIError).status).toBe(400)
  })

  it('plain model on an Anthropic provider: the same request answered through its messages API', async () => {
    const anthropic = await startTestServer({ config: { llm: { ...mockLlmConfig(llm), backend: 'anthropic', baseUrl: llm.url.replace(/\/v1$/, ''), model: 'claude-sonnet-4-6' } } })
    try {
      const claude = new OpenAI({ baseURL: `${anthropic.url}/v1`, apiKey: TEST_TOKEN, maxRetries: 0 })
      llm.text('Bonjour', '!')
      const stream = claude.responses.stream({ model: 'claude-sonnet-4-6', instructions: 'Answer in French.', input: 'Hello' })
      const final = await stream.finalResponse()
      expect(final.output_text).toBe('Bonjour!')
      expect(final.usage?.output_tokens).toBeGreaterThan(0)
      const upstream = llm.chatRequests().at(-1)!
      expect(upstream.path).toBe('/v1/messages')
      expect(upstream.body).toMatchObject({ model: 'claude-sonnet-4-6', system: 'Answer in French.', messages: [{ role: 'user' }] })
    } finally {
      await anthropic.close()
    }
  })

  it('agent: a turn in a thread, its tools as mcp_call items, an approval as mcp_approval_request answered by mcp_approval_response', async () => {
    llm.text('Hello', ' there.')
    const hello = await client.responses.create({ model: 'agent', input: 'Hi agent' })
    expect(hello.output_text).toBe('Hello there.')
    expect(hello.model).toMatch(/^agent:[0-9a-f-]{36}$/)
    const threadId = hello.model.slice('agent:'.length)

    llm.toolCall('launch', { target: 'moon' }, 'call_m').text('Launched', ' at the moon.')
    const paused = await client.responses.stream({ model: 'agent', input: 'Launch at the moon', previous_response_id: hello.id }).finalResponse()
    const request = paused.output.find((o) => o.type === 'mcp_approval_request') as { id: string; name: string; arguments: string } | undefined
    expect(request).toMatchObject({ name: 'launch', server_label: 'agent' })
    expect(JSON.parse(request!.arguments)).toEqual({ target: 'moon' })
    expect(paused.model).toBe(hello.model)
    expect(launched).toEqual([])

    const resumed = client.responses.stream({ model: 'agent', previous_response_id: paused.id, input: [{ type: 'mcp_approval_response', approval_request_id: request!.id, approve: true }] })
    const done = await resumed.finalResponse()
    expect(done.output_text).toBe('Launched at the moon.')
    expect(done.output.find((o) => o.type === 'mcp_call')).toMatchObject({ name: 'launch', output: 'Rocket launched at moon', status: 'completed' })
    expect(launched).toEqual(['moon'])

    const history = await (await fetch(`${server.url}/api/chat/history?thread_id=${threadId}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).json()
    expect(history.turns.map((t: { user_input: string; state: string }) => [t.user_input, t.state])).toEqual([['Hi agent', 'completed'], ['Launch at the moon', 'completed']])

    // Another user cannot continue the thread, by response id or by model.
    const created = await fetch(`${server.url}/api/admin/users`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ display_name: 'M', role: 'member' }) })
    const member = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: ((await created.json()) as { token: string }).token, maxRetries: 0 })
    const denied = await member.responses.create({ model: 'agent', input: 'mine now', previous_response_id: done.id }).catch((e: unknown) => e)
    expect((denied as APIError).status).toBe(404)
  })
})
