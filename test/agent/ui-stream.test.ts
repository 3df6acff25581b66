import { AbstractChat, type ChatInit, type ChatState, DefaultChatTransport, lastAssistantMessageIsCompleteWithApprovalResponses, readUIMessageStream, type UIMessage } from 'ai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineTool } from '../../src/exports/agent'
import { mockLlmConfig } from '../support/agent'
import { startTestServer, TEST_TOKEN, type TestServer, waitFor } from '../support/gateway'
import { MockLlm } from '../support/mock-llm'

/** `useChat` without React: the AI SDK's own chat (AbstractChat) over a plain array state. */
class TestChat extends AbstractChat<UIMessage> {
  constructor(init: Omit<ChatInit<UIMessage>, 'messages'>) {
    const messages: UIMessage[] = []
    const state: ChatState<UIMessage> = {
      status: 'ready',
      error: undefined,
      messages,
      pushMessage: (m) => void state.messages.push(m),
      popMessage: () => void state.messages.pop(),
      replaceMessage: (i, m) => void (state.messages[i] = m),
      snapshot: (thing) => structuredClone(thing),
    }
    super({ ...init, state })
  }
}

const textOf = (message: UIMessage | undefined): string => (message?.parts ?? []).flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('')

describe('AI SDK UI message stream (/api/chat/ui-stream) read by the ai package', async () => {
  const llm = await MockLlm.start()
  let server: TestServer
  const launched: string[] = []
  const transport = (token = TEST_TOKEN) => new DefaultChatTransport<UIMessage>({ api: `${server.url}/api/chat/ui-stream`, headers: { authorization: `Bearer ${token}` } })
  const history = async (threadId: string, token = TEST_TOKEN) => (await fetch(`${server.url}/api/chat/history?thread_id=${threadId}`, { headers: { authorization: `Bearer ${token}` } })).json()
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
  })
  afterAll(async () => {
    await server.close()
    await llm.close()
  })

  it('streams text and tool parts; an approval goes through the AI SDK\'s tool approval flow and the turn resumes', async () => {
    const chat = new TestChat({ id: 'chat-approvals', transport: transport(), sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithApprovalResponses })
    llm.text('Hi', ' there.')
    await chat.sendMessage({ text: 'hello' })
    expect(chat.error).toBeUndefined()
    expect(textOf(chat.lastMessage)).toBe('Hi there.')
    const threadId = (chat.lastMessage!.metadata as { thread_id: string }).thread_id
    expect(threadId).toMatch(/^[0-9a-f-]{36}$/)

    llm.toolCall('launch', { target: 'moon' }, 'call_m').text('Launched', ' at the moon.')
    await chat.sendMessage({ text: 'Launch at the moon' })
    const asked = chat.lastMessage!.parts.find((p) => p.type === 'dynamic-tool')
    expect(asked).toMatchObject({ type: 'dynamic-tool', toolName: 'launch', toolCallId: 'call_m', state: 'approval-requested', input: { target: 'moon' } })
    expect(launched).toEqual([])

    const approvalId = (asked as { approval: { id: string } }).approval.id
    await chat.addToolApprovalResponse({ id: approvalId, approved: true })
    await waitFor(() => chat.status === 'ready' && textOf(chat.lastMessage).endsWith('at the moon.'), 8_000, 'the resumed turn')
    const tools = chat.lastMessage!.parts.filter((p) => p.type === 'dynamic-tool')
    expect(tools).toHaveLength(1)
    expect(tools[0]).toMatchObject({ toolName: 'launch', toolCallId: 'call_m', state: 'output-available', output: 'Rocket launched at moon' })
    expect(launched).toEqual(['moon'])

    // One thread, in the web app's history, for every request of the chat.
    const turns = (await history(threadId)).turns
    expect(turns.map((t: { user_input: string; state: string }) => [t.user_input, t.state])).toEqual([['hello', 'completed'], ['Launch at the moon', 'completed']])
    expect(turns[1].response).toBe('Launched at the moon.')
  })

  it('stop() cancels the run: the upstream call is aborted and the turn ends interrupted', async () => {
    const chat = new TestChat({ id: 'chat-cancel', transport: transport() })
    const abortedBefore = llm.abortedStreams
    llm.reply({ kind: 'text', chunks: ['Partial', ...Array.from({ length: 40 }, (_, i) => ` word${i}`)], delayMs: 100 })
    const sending = chat.sendMessage({ text: 'Write a long story' })
    await waitFor(() => textOf(chat.lastMessage).includes('Partial'), 8_000, 'the first chunk')
    const threadId = (chat.lastMessage!.metadata as { thread_id: string }).thread_id
    await chat.stop()
    await sending
    await waitFor(async () => (await history(threadId)).turns[0]?.state === 'interrupted', 8_000, 'the turn to stop')
    await waitFor(() => llm.abortedStreams > abortedBefore, 8_000, 'the upstream call to be aborted')
  })

  it('resumes an active stream (GET .../:id/stream, read with readUIMessageStream); 204 when nothing runs', async () => {
    llm.reply({ kind: 'text', chunks: ['One', ' two', ' three', ' four.'], delayMs: 150 })
    const started = await fetch(`${server.url}/api/chat/ui-stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'chat-resume', messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: 'Count' }] }], trigger: 'submit-message' }),
    })
    expect(started.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1')
    const threadId = started.headers.get('x-gateway-thread-id')!
    await waitFor(async () => ((await history(threadId)).in_progress?.response_so_far ?? '').length > 0, 8_000, 'the first chunk')

    // The page reloads: the AI SDK reconnects to the chat's stream.
    const chunks = await transport().reconnectToStream({ chatId: 'chat-resume' })
    expect(chunks).not.toBeNull()
    let last: UIMessage | undefined
    for await (const message of readUIMessageStream({ stream: chunks! })) last = message
    expect(textOf(last)).toBe('One two three four.')
    await started.body?.cancel().catch(() => undefined)
    expect(await transport().reconnectToStream({ chatId: 'chat-resume' })).toBeNull()
  })

  it('a reconnect at any point of the turn shows the whole answer exactly once', async () => {
    // Repeated chunks: a snapshot that doubled or dropped one would show it in the text.
    const chunks = Array.from({ length: 400 }, (_, i) => (i % 3 === 2 ? ' ha.' : ' ha'))
    llm.reply({ kind: 'text', chunks, delayMs: 2 })
    const started = await fetch(`${server.url}/api/chat/ui-stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'chat-reconnects', messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: 'Laugh' }] }], trigger: 'submit-message' }),
    })
    const threadId = started.headers.get('x-gateway-thread-id')!
    await waitFor(async () => (await history(threadId)).in_progress !== null, 8_000, 'the turn to start')
    const readers: Promise<string>[] = []
    // One reconnect every few milliseconds while the turn runs: each lands between other chunks.
    while ((await history(threadId)).in_progress !== null) {
      const stream = await transport().reconnectToStream({ chatId: 'chat-reconnects' })
      if (!stream) break
      readers.push((async () => {
        let last: UIMessage | undefined
        for await (const message of readUIMessageStream({ stream })) last = message
        return textOf(last)
      })())
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    expect(readers.length).toBeGreaterThan(5)
    for (const text of await Promise.all(readers)) expect(text).toBe(chunks.join(''))
    await started.body?.cancel().catch(() => undefined)
  })

  it('keeps users apart and refuses bad input with the JSON error envelope', async () => {
    const created = await fetch(`${server.url}/api/admin/users`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ display_name: 'M', role: 'member' }) })
    const member = ((await created.json()) as { token: string }).token
    llm.text('Owner answer.')
    const owner = new TestChat({ id: 'chat-owner', transport: transport() })
    await owner.sendMessage({ text: 'owner secret' })
    const ownerThread = (owner.lastMessage!.metadata as { thread_id: string }).thread_id

    // The member names the owner's thread as its chat id: it gets a thread of its own.
    llm.text('Member answer.')
    const intruder = new TestChat({ id: ownerThread, transport: transport(member) })
    await intruder.sendMessage({ text: 'show me' })
    expect(textOf(intruder.lastMessage)).toBe('Member answer.')
    expect((intruder.lastMessage!.metadata as { thread_id: string }).thread_id).not.toBe(ownerThread)
    expect((await history(ownerThread)).turns.map((t: { user_input: string }) => t.user_input)).toEqual(['owner secret'])
    expect(JSON.stringify(llm.chatRequests().at(-1)!.body)).not.toContain('owner secret')

    // Another user's approval id: 404.
    const post = (body: unknown, token = member) =>
      fetch(`${server.url}/api/chat/ui-stream`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const foreign = await post({ id: 'x', messages: [{ id: 'a', role: 'assistant', parts: [{ type: 'dynamic-tool', toolCallId: 'c', state: 'approval-responded', approval: { id: crypto.randomUUID(), approved: true } }] }] })
    expect(foreign.status).toBe(404)
    const empty = await post({ id: 'x', messages: [] })
    expect(empty.status).toBe(400)
    expect(await empty.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } })
    const noText = await post({ id: 'x', messages: [{ id: 'a', role: 'user', parts: [{ type: 'file' }] }] })
    expect(noText.status).toBe(400)
    expect((await fetch(`${server.url}/api/chat/ui-stream`, { method: 'POST', body: '{}' })).status).toBe(401)
  })
})
