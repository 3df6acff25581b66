import { sql } from 'kysely'
import { afterAll, describe, expect, it, vi } from 'vitest'
import type { IncomingMessage } from '../../src/index'
import { ChatRepository } from '../../src/services/chat/chat-repository'
import type { ThreadService } from '../../src/services/chat/thread-service'
import { agentGateway, json } from '../support/agent'
import { MockLlm } from '../support/mock-llm'
import { testStore, testStoreOf } from '../support/store'

const message = (threadId: string, content: string, source: IncomingMessage['source'] = 'routine'): IncomingMessage => ({
  id: crypto.randomUUID(),
  userId: 'owner',
  threadId,
  content,
  images: [],
  source,
  receivedAt: new Date().toISOString(),
})

describe('threads and history', async () => {
  const llm = await MockLlm.start()
  afterAll(() => llm.close())

  it('runMessage resolves with the outcome of the turn (text, tokens, status), for routines', async () => {
    const gw = await agentGateway(llm)
    const threadId = crypto.randomUUID()
    llm.reply({ kind: 'text', chunks: ['Daily ', 'summary'], usage: { prompt_tokens: 30, completion_tokens: 4 } })
    const outcome = await gw.defaultAgent!.runMessage(message(threadId, 'Summarise my day'))
    expect(outcome).toMatchObject({ status: 'completed', threadId, text: 'Daily summary', inputTokens: 30, outputTokens: 4, model: 'mock-model' })
    // A fresh thread id from a routine becomes a thread of that channel.
    const threads = await json(gw.request('/api/chat/threads'))
    expect(threads.threads[0]).toMatchObject({ id: threadId, channel: 'routine', title: 'Summarise my day' })
    llm.reply({ kind: 'error', status: 400, body: { error: { message: 'bad request' } } })
    const failed = await gw.defaultAgent!.runMessage(message(threadId, 'again'))
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'llm_bad_request' } })
    await gw.close()
  })

  it('pages by turns, newest page first, with an opaque cursor and the legacy `before`', async () => {
    const gw = await agentGateway(llm)
    const { id: threadId } = await json(gw.request('/api/chat/thread/new', { method: 'POST' }))
    for (let i = 0; i < 5; i++) {
      llm.text(`answer ${i}`)
      await gw.defaultAgent!.runMessage(message(threadId, `question ${i}`, 'http'))
    }
    const page1 = await json(gw.request(`/api/chat/history?thread_id=${threadId}&limit=2`))
    expect(page1.turns.map((t: { user_input: string }) => t.user_input)).toEqual(['question 3', 'question 4'])
    expect(page1.turns.map((t: { turn_number: number }) => t.turn_number)).toEqual([3, 4])
    expect(page1.has_more).toBe(true)
    expect(page1.oldest_timestamp).toBe(page1.turns[0].started_at)
    const page2 = await json(gw.request(`/api/chat/history?thread_id=${threadId}&limit=2&cursor=${page1.next_cursor}`))
    expect(page2.turns.map((t: { response: string }) => t.response)).toEqual(['answer 1', 'answer 2'])
    const page3 = await json(gw.request(`/api/chat/history?thread_id=${threadId}&limit=2&cursor=${page2.next_cursor}`))
    expect(page3.turns.map((t: { turn_number: number }) => t.turn_number)).toEqual([0])
    expect(page3.has_more).toBe(false)
    expect(page3.next_cursor).toBeUndefined()

    const legacy = await json(gw.request(`/api/chat/history?thread_id=${threadId}&before=${encodeURIComponent(page1.oldest_timestamp)}`))
    expect(legacy.turns.map((t: { turn_number: number }) => t.turn_number)).toEqual([0, 1, 2])

    // The model saw earlier turns as context.
    const sent = llm.chatRequests().at(-1)!.body.messages as Array<{ role: string; content: string }>
    expect(sent.filter((m) => m.role !== 'system').map((m) => m.content)).toEqual([
      'question 0', 'answer 0', 'question 1', 'answer 1', 'question 2', 'answer 2', 'question 3', 'answer 3', 'question 4',
    ])

    expect((await gw.request(`/api/chat/history?thread_id=${threadId}&cursor=garbage`)).status).toBe(400)
    expect((await gw.request(`/api/chat/history?thread_id=${threadId}&before=yesterday`)).status).toBe(400)
    expect((await gw.request(`/api/chat/history?thread_id=${threadId}&limit=0`)).status).toBe(400)
    expect((await gw.request(`/api/chat/history?thread_id=${crypto.randomUUID()}`)).status).toBe(404)
    // Without thread_id: the thread last talked in.
    expect((await json(gw.request('/api/chat/history'))).thread_id).toBe(threadId)
    await gw.close()
  })

  it('lists threads newest activity first, titled by their first message, and creates empty ones', async () => {
    const gw = await agentGateway(llm)
    const empty = await json(gw.request('/api/chat/thread/new', { method: 'POST' }))
    expect(empty).toMatchObject({ state: 'idle', turn_count: 0, thread_type: 'thread', channel: 'gateway' })
    expect(empty.title).toBeUndefined()
    llm.text('one')
    const a = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: `${'long title '.repeat(20)}end` } }))
    await gw.defaultAgent!.idle()
    llm.text('two')
    await gw.request('/api/chat/send', { method: 'POST', json: { content: 'into the empty one', thread_id: empty.id } })
    await gw.defaultAgent!.idle()
    const list = await json(gw.request('/api/chat/threads'))
    expect(list.threads.map((t: { id: string }) => t.id)).toEqual([empty.id, a.thread_id])
    expect(list.threads[0]).toMatchObject({ title: 'into the empty one', turn_count: 1 })
    expect([...list.threads[1].title].length).toBe(101)
    expect(list.threads[1].updated_at >= list.threads[1].created_at).toBe(true)
    expect(list.assistant_thread).toMatchObject({ thread_type: 'assistant', channel: 'gateway' })
    // The assistant thread is stable and takes messages like any other.
    llm.text('hi from the assistant thread')
    await gw.request('/api/chat/send', { method: 'POST', json: { content: 'hello assistant', thread_id: list.assistant_thread.id } })
    await gw.defaultAgent!.idle()
    const again = await json(gw.request('/api/chat/threads'))
    expect(again.assistant_thread).toMatchObject({ id: list.assistant_thread.id, turn_count: 1 })
    expect(again.threads.map((t: { id: string }) => t.id)).not.toContain(list.assistant_thread.id)
    expect((await gw.request('/api/chat/threads?limit=1').then(json)).threads).toHaveLength(1)
    await gw.close()
  })

  it('answers 503 threads_unavailable without a store', async () => {
    const gw = await agentGateway(llm, { store: undefined })
    expect((await json(gw.request('/api/chat/threads'))).error.code).toBe('threads_unavailable')
    expect((await gw.request('/api/chat/history')).status).toBe(503)
    await gw.close()
  })

  it('serves a kept page only until the thread moves, whichever instance wrote to it', async () => {
    const store = await testStore()
    const gw = await agentGateway(llm, { store })
    // Another gateway instance on the same database: its writes never pass through this one.
    const elsewhere = new ChatRepository(store.db)
    const { id: threadId } = await json(gw.request('/api/chat/thread/new', { method: 'POST' }))
    llm.text('first answer')
    await gw.defaultAgent!.runMessage(message(threadId, 'first question', 'http'))
    const history = async () => json(gw.request(`/api/chat/history?thread_id=${threadId}`))
    const first = await history()
    expect(first.turns.map((t: { response: string }) => t.response)).toEqual(['first answer'])
    expect(await history()).toEqual(first)

    await elsewhere.updateTurn(first.turns[0].id, { response: 'edited elsewhere' })
    expect((await history()).turns[0].response).toBe('edited elsewhere')

    const at = new Date().toISOString()
    const turn = {
      id: crypto.randomUUID(), thread_id: threadId, user_id: 'owner', seq: 1, user_input: 'second question', images: [], image_count: 0,
      response: null, state: 'processing' as const, error: null, tool_calls: [], transcript: [], pending_calls: null, steps: 0,
      input_tokens: 0, output_tokens: 0, cost_usd: 0, model: null, source: 'http', timezone: null, started_at: at, completed_at: null,
    }
    await elsewhere.insertTurn(turn)
    const running = await history()
    expect(running.turns).toHaveLength(2)
    expect(running.in_progress).toMatchObject({ turn_id: turn.id, state: 'processing' })

    const requestId = crypto.randomUUID()
    await elsewhere.pauseTurn(turn.id, {}, {
      request_id: requestId, user_id: 'owner', thread_id: threadId, turn_id: turn.id, call_id: 'call-1', tool_name: 'shell',
      description: 'Run a command', parameters: '{}', status: 'pending', created_at: at, resolved_at: null, expires_at: null,
      decisions: ['approve', 'deny'], decision: null,
    })
    expect((await history()).pending_approval).toMatchObject({ request_id: requestId, tool_name: 'shell' })
    await elsewhere.resolveApproval(requestId, 'denied', at)
    await elsewhere.updateTurn(turn.id, { state: 'completed', response: 'second answer', completed_at: at })
    const done = await history()
    expect(done.pending_approval).toBeNull()
    expect(done.in_progress).toBeNull()
    expect(done.turns.map((t: { response: string }) => t.response)).toEqual(['edited elsewhere', 'second answer'])
    await gw.close()
  })
  it('on SQLite, sends a kept page without reading the version while nothing was written, to its owner only', async () => {
    const store = await testStoreOf('sqlite')
    const gw = await agentGateway(llm, { store })
    const threads = gw.services.threads as ThreadService
    const versionReads = vi.spyOn(ChatRepository.prototype, 'threadVersion')
    const { id: threadId } = await json(gw.request('/api/chat/thread/new', { method: 'POST' }))
    llm.text('an answer')
    await gw.defaultAgent!.runMessage(message(threadId, 'a question', 'http'))
    const history = async () => json(gw.request(`/api/chat/history?thread_id=${threadId}`))
    const first = await history()
    const reads = versionReads.mock.calls.length
    expect(await history()).toEqual(first)
    expect(await history()).toEqual(first)
    expect(versionReads.mock.calls.length).toBe(reads)
    // Raw SQL passes no repository: the store's count still moves, and the next page shows it.
    await sql`update chat_turns set response = ${'changed by hand'} where id = ${first.turns[0].id}`.execute(store.db)
    expect((await history()).turns[0].response).toBe('changed by hand')
    expect(versionReads.mock.calls.length).toBe(reads + 1)
    // The skipped read is also the ownership check: another user still gets 404.
    await expect(threads.historyJson('someone-else', { thread_id: threadId, limit: 50 })).rejects.toMatchObject({ status: 404 })
    await gw.close()
  })
})
