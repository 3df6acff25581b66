import { afterAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineTool } from '../../src/exports/agent'
import { agentGateway, EventLog, json } from '../support/agent'
import { waitFor } from '../support/gateway'
import { MockLlm } from '../support/mock-llm'

describe('upstream failures, timeouts and cancellation', async () => {
  const llm = await MockLlm.start()
  afterAll(() => llm.close())

  it('retries a 429 after its Retry-After and says so; a Retry-After beyond the cap fails at once', async () => {
    const gw = await agentGateway(llm, { llm: { maxRetries: 2, maxRetryDelayMs: 5_000 } })
    const log = new EventLog(gw)
    llm.reply({ kind: 'error', status: 429, headers: { 'retry-after': '1' } }).text('fine now')
    const { thread_id } = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'hi' } }))
    expect((await log.next('response', (e) => e.thread_id === thread_id)).content).toBe('fine now')
    expect(log.of('thinking', thread_id).some((e) => /rate limiting.*Retrying in 1 s/.test(e.message))).toBe(true)

    llm.reply({ kind: 'error', status: 429, headers: { 'retry-after': '600' } })
    await gw.request('/api/chat/send', { method: 'POST', json: { content: 'again', thread_id } })
    expect(await log.next('error', (e) => e.thread_id === thread_id)).toMatchObject({ code: 'llm_rate_limit' })
    expect(llm.queued).toBe(0)
    await gw.close()
  })

  it('reports a 500 after bounded retries, and the thread takes the next message', async () => {
    const gw = await agentGateway(llm, { llm: { maxRetries: 1 } })
    const log = new EventLog(gw)
    const before = llm.chatRequests().length
    llm.reply({ kind: 'error', status: 500, body: { error: { message: 'upstream exploded', type: 'server_error' } } }, { kind: 'error', status: 500 })
    const { thread_id } = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'hi' } }))
    const error = await log.next('error', (e) => e.thread_id === thread_id)
    expect(error.code).toBe('llm_server')
    expect(error.message).toContain('HTTP 500')
    expect(llm.chatRequests().length - before).toBe(2)
    llm.text('recovered')
    await gw.request('/api/chat/send', { method: 'POST', json: { content: 'again', thread_id } })
    expect((await log.next('response', (e) => e.thread_id === thread_id)).content).toBe('recovered')
    const history = await json(gw.request(`/api/chat/history?thread_id=${thread_id}`))
    expect(history.turns.map((t: { state: string }) => t.state)).toEqual(['failed', 'completed'])
    await gw.close()
  })

  it('fails a malformed stream and a reset connection with an error event (a reset before any output is retried)', async () => {
    const gw = await agentGateway(llm, { llm: { maxRetries: 1 } })
    const log = new EventLog(gw)
    llm.reply({ kind: 'malformed' })
    const a = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'malformed please' } }))
    expect(await log.next('error', (e) => e.thread_id === a.thread_id)).toMatchObject({ code: 'llm_malformed' })

    llm.reply({ kind: 'reset', afterChunks: ['partial '] })
    const b = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'reset please' } }))
    expect(await log.next('error', (e) => e.thread_id === b.thread_id)).toMatchObject({ code: 'llm_network' })
    const history = await json(gw.request(`/api/chat/history?thread_id=${b.thread_id}`))
    expect(history.turns[0]).toMatchObject({ state: 'failed', response: 'partial ' })

    llm.reply({ kind: 'reset' }).text('second try worked')
    const c = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'reset early' } }))
    expect((await log.next('response', (e) => e.thread_id === c.thread_id)).content).toBe('second try worked')
    await gw.close()
  })

  it('times out a hung upstream with an error event, and the thread is not stuck', async () => {
    const gw = await agentGateway(llm, { llm: { timeoutMs: 1_000, maxRetries: 0 } })
    const log = new EventLog(gw)
    llm.reply({ kind: 'hang', afterChunks: ['thinking about it'] })
    const { thread_id } = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'will you hang?' } }))
    const error = await log.next('error', (e) => e.thread_id === thread_id)
    expect(error.code).toBe('llm_timeout')
    expect(error.message).toContain('sent nothing')
    const history = await json(gw.request(`/api/chat/history?thread_id=${thread_id}`))
    expect(history.turns[0]).toMatchObject({ state: 'failed', response: 'thinking about it' })
    expect(history.in_progress).toBeNull()
    expect((await json(gw.request('/api/chat/threads'))).threads[0].state).toBe('idle')

    // Headers never come: same timeout.
    llm.reply({ kind: 'hang' })
    await gw.request('/api/chat/send', { method: 'POST', json: { content: 'and now?', thread_id } })
    await log.next('error', (e) => e.thread_id === thread_id && e !== error)
    llm.text('awake')
    await gw.request('/api/chat/send', { method: 'POST', json: { content: 'hello', thread_id } })
    expect((await log.next('response', (e) => e.thread_id === thread_id)).content).toBe('awake')
    await gw.close()
  })

  it('cancel mid-stream aborts the upstream request, emits turn_cancelled and keeps the partial answer', async () => {
    const gw = await agentGateway(llm)
    const log = new EventLog(gw)
    const aborted = llm.abortedStreams
    llm.reply({ kind: 'text', chunks: Array.from({ length: 100 }, (_, i) => `w${i} `), delayMs: 30 })
    const { thread_id } = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'write a long essay' } }))
    await log.next('stream_chunk', (e) => e.thread_id === thread_id && e.content === 'w2 ')
    expect(await json(gw.request('/api/chat/cancel', { method: 'POST', json: { thread_id } }))).toEqual({ status: 'cancelled', thread_id })
    const cancelled = await log.next('turn_cancelled', (e) => e.thread_id === thread_id)
    expect(cancelled.message).toBe('Stopped by the user')
    expect(log.of('response', thread_id)).toEqual([])
    const history = await json(gw.request(`/api/chat/history?thread_id=${thread_id}`))
    const partial = history.turns[0].response as string
    expect(history.turns[0].state).toBe('interrupted')
    expect(partial.startsWith('w0 w1 w2 ')).toBe(true)
    expect(partial.split(' ').length).toBeLessThan(100)
    await expect.poll(() => llm.abortedStreams, { timeout: 3_000 }).toBeGreaterThan(aborted)
    // Nothing is running now.
    expect(await json(gw.request('/api/chat/cancel', { method: 'POST', json: { thread_id } }))).toEqual({ status: 'idle', thread_id })
    await gw.close()
  })

  it('cancel stops a running tool through its signal, even one that ignores it; `/stop` in chat does the same', async () => {
    const gw = await agentGateway(llm)
    const log = new EventLog(gw)
    const signals: AbortSignal[] = []
    gw.tools.addProvider({
      name: 'test-slow',
      tools: () => [
        defineTool({
          name: 'wait_forever',
          description: 'Never finishes on its own',
          source: 'test',
          requiresApproval: false,
          input: z.object({ obedient: z.boolean() }),
          execute: ({ obedient }, ctx) =>
            new Promise((resolve) => {
              signals.push(ctx.signal)
              if (obedient) ctx.signal.addEventListener('abort', () => resolve('stopped'))
            }),
        }),
      ],
    })
    llm.toolCall('wait_forever', { obedient: true })
    const a = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'wait' } }))
    await log.next('tool_started', (e) => e.thread_id === a.thread_id)
    // The event goes out before the tool runs (on PostgreSQL its publish is awaited first); a
    // cancel in between rightly skips the tool, so wait until it is running.
    await waitFor(() => signals.length === 1, 5_000, 'the tool to run')
    await gw.request('/api/chat/cancel', { method: 'POST', json: { thread_id: a.thread_id } })
    await log.next('turn_cancelled', (e) => e.thread_id === a.thread_id)
    expect(signals[0]!.aborted).toBe(true)

    llm.toolCall('wait_forever', { obedient: false })
    const b = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'wait again' } }))
    await log.next('tool_started', (e) => e.thread_id === b.thread_id)
    await waitFor(() => signals.length === 2, 5_000, 'the tool to run')
    expect((await gw.request('/api/chat/send', { method: 'POST', json: { content: '/stop', thread_id: b.thread_id } })).status).toBe(202)
    await log.next('turn_cancelled', (e) => e.thread_id === b.thread_id)
    expect(signals[1]!.aborted).toBe(true)
    const history = await json(gw.request(`/api/chat/history?thread_id=${b.thread_id}`))
    expect(history.turns).toHaveLength(1)
    expect(history.turns[0]).toMatchObject({ state: 'interrupted', tool_calls: [{ name: 'wait_forever', has_error: true }] })

    await gw.request('/api/chat/send', { method: 'POST', json: { content: '/stop', thread_id: b.thread_id } })
    expect((await log.next('status', (e) => e.thread_id === b.thread_id)).message).toBe('Nothing is running in this thread.')
    await gw.close()
  })

  it('refuses chat and the proxy with 429 budget_exceeded once the daily budget is spent, before any LLM call', async () => {
    const gw = await agentGateway(llm, { llm: { prices: { 'mock-model': { input: 1000, output: 1000 } } }, config: { limits: { dailyBudgetUsd: 0.005 } } })
    const log = new EventLog(gw)
    llm.reply({ kind: 'text', chunks: ['costly'], usage: { prompt_tokens: 10, completion_tokens: 0 } })
    const { thread_id } = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'spend' } }))
    expect((await log.next('turn_cost', (e) => e.thread_id === thread_id)).cost_usd).toBe('0.010000')
    const before = llm.chatRequests().length
    const res = await gw.request('/api/chat/send', { method: 'POST', json: { content: 'more', thread_id } })
    expect(res.status).toBe(429)
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await json(res)).error.code).toBe('budget_exceeded')
    const proxy = await gw.request('/v1/chat/completions', { method: 'POST', json: { model: 'mock-model', messages: [{ role: 'user', content: 'hi' }] } })
    expect(proxy.status).toBe(429)
    expect((await json(proxy)).error).toMatchObject({ type: 'insufficient_quota', code: 'budget_exceeded', param: null })
    expect(llm.chatRequests().length).toBe(before)
    const status = await json(gw.request('/api/gateway/status'))
    expect(status.daily_cost).toBe('0.0100')
    await gw.close()
  })
})
