import OpenAI, { APIError } from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineTool } from '../../src/exports/agent'
import type { Gateway } from '../../src/index'
import { mockLlmConfig } from '../support/agent'
import { startTestServer, TEST_TOKEN, type TestServer } from '../support/gateway'
import { MockLlm } from '../support/mock-llm'

/** A tool that needs approval and records each run. */
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

describe('model "agent" on /v1/chat/completions (official openai SDK, real socket)', async () => {
  const llm = await MockLlm.start()
  let server: TestServer
  let launched: string[]
  let client: OpenAI
  const api = (path: string, init: RequestInit & { json?: unknown; token?: string } = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${init.token ?? TEST_TOKEN}`, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
    })
  beforeAll(async () => {
    server = await startTestServer({ config: { llm: mockLlmConfig(llm) } })
    launched = addLaunchTool(server.gateway)
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: TEST_TOKEN, maxRetries: 0 })
  })
  afterAll(async () => {
    await server.close()
    await llm.close()
  })

  it('runs a real turn in a thread the web app lists, continues it with agent:<thread-id>, lists agent among the models', async () => {
    const models = await client.models.list()
    expect(models.data.map((m) => m.id)).toEqual(['agent', 'mock-model', 'mock-embed'])

    llm.reply({ kind: 'text', chunks: ['Paris', ' is the capital.'], usage: { prompt_tokens: 20, completion_tokens: 5 } })
    const first = await client.chat.completions.create({ model: 'agent', messages: [{ role: 'user', content: 'Capital of France?' }] })
    expect(first.choices[0]!.message.content).toBe('Paris is the capital.')
    expect(first.model).toMatch(/^agent:[0-9a-f-]{36}$/)
    expect(first.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 })
    const threadId = first.model.slice('agent:'.length)

    const threads = await (await api('/api/chat/threads')).json()
    expect(threads.threads.map((t: { id: string }) => t.id)).toContain(threadId)
    const history = await (await api(`/api/chat/history?thread_id=${threadId}`)).json()
    expect(history.turns).toMatchObject([{ user_input: 'Capital of France?', response: 'Paris is the capital.', state: 'completed' }])

    // Streamed, continuing the thread: the agent sees the earlier turn as context.
    llm.reply({ kind: 'text', chunks: ['About', ' 2.1', ' million.'], delayMs: 5 })
    const stream = await client.chat.completions.create({ model: first.model, messages: [{ role: 'user', content: 'And its population?' }], stream: true, stream_options: { include_usage: true } })
    const deltas: string[] = []
    let finish: string | null | undefined
    let usage: unknown
    for await (const chunk of stream) {
      expect(chunk.model).toBe(first.model)
      if (chunk.usage) usage = chunk.usage
      const choice = chunk.choices[0]
      if (choice?.delta.content) deltas.push(choice.delta.content)
      if (choice?.finish_reason) finish = choice.finish_reason
    }
    expect(deltas.join('')).toBe('About 2.1 million.')
    expect(finish).toBe('stop')
    expect(usage).toMatchObject({ total_tokens: expect.any(Number) })
    const context = JSON.stringify(llm.chatRequests().at(-1)!.body.messages)
    expect(context).toContain('Capital of France?')
    expect(context).toContain('Paris is the capital.')
    const again = await (await api(`/api/chat/history?thread_id=${threadId}`)).json()
    expect(again.turns.map((t: { user_input: string }) => t.user_input)).toEqual(['Capital of France?', 'And its population?'])

    // Usage rows are the agent's (purpose chat), one per model call, for this user.
    const totals = await server.gateway.services.usage!.totals({ userId: 'owner' })
    expect(totals.calls).toBeGreaterThanOrEqual(2)
  })

  it('ends at an approval with an error naming its id and link; answering it resumes the turn in its thread', async () => {
    llm.toolCall('launch', { target: 'moon' }, 'call_m').text('Launched', ' at the moon.')
    const stream = await client.chat.completions.create({ model: 'agent', messages: [{ role: 'user', content: 'Launch at the moon' }], stream: true })
    const error = await (async () => {
      try {
        for await (const _ of stream) {
          // until the error chunk
        }
      } catch (e) {
        return e
      }
      return undefined
    })()
    expect(error).toBeInstanceOf(APIError)
    const body = (error as APIError).error as Record<string, string>
    expect(body).toMatchObject({ code: 'approval_required', tool_name: 'launch', approval_id: expect.stringMatching(/^[0-9a-f-]{36}$/) })
    expect(body.approval_url).toBe(`${server.url}/#/chat/${body.thread_id}`)
    expect(body.message).toContain(body.approval_id)
    expect(launched).toEqual([])

    // The same thread while the approval is pending: the same answer, nothing reaches the model.
    const before = llm.chatRequests().length
    const blocked = await client.chat.completions.create({ model: `agent:${body.thread_id}`, messages: [{ role: 'user', content: 'hello?' }] }).catch((e: unknown) => e)
    expect(blocked).toBeInstanceOf(APIError)
    expect((blocked as APIError).status).toBe(409)
    expect((blocked as APIError).error).toMatchObject({ code: 'approval_required', approval_id: body.approval_id })
    expect(llm.chatRequests().length).toBe(before)

    const approved = await api('/api/chat/approval', { method: 'POST', json: { request_id: body.approval_id, action: 'approve', thread_id: body.thread_id } })
    expect(approved.status).toBe(202)
    const deadline = Date.now() + 8_000
    let turn: { state: string; response: string } | undefined
    while (Date.now() < deadline) {
      turn = (await (await api(`/api/chat/history?thread_id=${body.thread_id}`)).json()).turns[0]
      if (turn?.state === 'completed') break
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(turn).toMatchObject({ state: 'completed', response: 'Launched at the moon.' })
    expect(launched).toEqual(['moon'])
  })

  it('with X-Gateway-Approvals: wait, holds the stream through the approval; tool activity reads as text, never as tool_calls', async () => {
    llm.toolCall('launch', { target: 'mars' }, 'call_r').text('Done', ', mars.')
    const stream = await client.chat.completions.create(
      { model: 'agent', messages: [{ role: 'user', content: 'Launch at mars' }], stream: true },
      { headers: { 'x-gateway-approvals': 'wait' } },
    )
    let text = ''
    const events: string[] = []
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta
      expect(delta?.tool_calls).toBeUndefined()
      if (delta?.content) text += delta.content
      const event = (chunk as unknown as { gateway_event?: { type: string; request_id?: string } }).gateway_event
      if (event) events.push(event.type)
      if (event?.type === 'approval_needed') {
        expect(text).toContain(event.request_id)
        const res = await api('/api/chat/approval', { method: 'POST', json: { request_id: event.request_id, action: 'approve' } })
        expect(res.status).toBe(202)
      }
    }
    expect(events).toEqual(['approval_needed', 'approval_resolved', 'tool_started', 'tool_completed'])
    expect(text).toContain('`launch`')
    expect(text.endsWith('Done, mars.')).toBe(true)
    expect(launched).toContain('mars')
  })

  it('keeps users apart: a member cannot continue the owner\'s agent thread; a malformed thread id is a 400', async () => {
    const created = await api('/api/admin/users', { method: 'POST', json: { display_name: 'Member', role: 'member' } })
    const member = (await created.json()) as { token: string }
    llm.text('Mine.')
    const owners = await client.chat.completions.create({ model: 'agent', messages: [{ role: 'user', content: 'owner secret' }] })
    const other = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: member.token, maxRetries: 0 })
    const denied = await other.chat.completions.create({ model: owners.model, messages: [{ role: 'user', content: 'show me' }] }).catch((e: unknown) => e)
    expect(denied).toBeInstanceOf(APIError)
    expect((denied as APIError).status).toBe(404)
    const bad = await other.chat.completions.create({ model: 'agent:nope', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)
    expect((bad as APIError).status).toBe(400)
    const empty = await other.chat.completions.create({ model: 'agent', messages: [{ role: 'system', content: 'x' }] }).catch((e: unknown) => e)
    expect((empty as APIError).status).toBe(400)
  })
})
