import { afterAll, describe, expect, it } from 'vitest'
import { agentGateway, EventLog, json, UPSTREAM_KEY } from '../support/agent'
import { MockLlm } from '../support/mock-llm'

/**
 * security-bar.md R5, the upstream failure modes test/agent/failures.test.ts does not already
 * cover (500, 429 with Retry-After, silence before and after headers, malformed chunk and reset
 * are there): a proxy's HTML error page, a stream that ends without `[DONE]`, and one 50 MB
 * chunk. Each ends the turn with an event, leaves the thread idle, and leaks nothing upstream.
 */
describe('LLM upstream failure modes', async () => {
  const llm = await MockLlm.start()
  afterAll(() => llm.close())

  const idle = async (gw: Awaited<ReturnType<typeof agentGateway>>, threadId: string) => {
    const history = await json(gw.request(`/api/chat/history?thread_id=${threadId}`))
    expect(history.in_progress).toBeNull()
    const threads = (await json(gw.request('/api/chat/threads'))).threads as Array<{ id: string; state: string }>
    expect(threads.find((t) => t.id === threadId)?.state).toBe('idle')
    return history
  }

  it('an HTML error page from a proxy is an error event without the page, after bounded retries', async () => {
    const gw = await agentGateway(llm, { llm: { maxRetries: 1 } })
    const log = new EventLog(gw)
    const before = llm.chatRequests().length
    llm.reply({ kind: 'html', status: 502 }, { kind: 'html', status: 502 })
    const { thread_id } = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'hi' } }))
    const error = await log.next('error', (e) => e.thread_id === thread_id)
    expect(error.message).toBe('The model provider failed (HTTP 502): an HTML error page ("502 Bad Gateway")')
    expect(error.message).not.toContain(UPSTREAM_KEY)
    expect(llm.chatRequests().length - before).toBe(2)
    await idle(gw, thread_id)
    // The OpenAI-compatible proxy answers in OpenAI's error shape, not with the page.
    llm.reply({ kind: 'html', status: 502 }, { kind: 'html', status: 502 })
    const proxied = await gw.request('/v1/chat/completions', { method: 'POST', json: { model: 'mock-model', messages: [{ role: 'user', content: 'hi' }] } })
    expect(proxied.status).toBeGreaterThanOrEqual(500)
    const text = await proxied.text()
    expect(text).not.toContain('<script>')
    expect((JSON.parse(text) as { error: { message: string } }).error.message).toBeTruthy()
    await gw.close()
  })

  it('a stream that ends without finish_reason or [DONE] ends the turn; the thread is not stuck', async () => {
    const gw = await agentGateway(llm)
    const log = new EventLog(gw)
    llm.reply({ kind: 'eof', chunks: ['half an ', 'answer'] })
    const { thread_id } = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'go' } }))
    await Promise.race([log.next('response', (e) => e.thread_id === thread_id), log.next('error', (e) => e.thread_id === thread_id)])
    const history = await idle(gw, thread_id)
    expect(history.turns[0].response).toContain('half an answer')
    llm.text('next one works')
    await gw.request('/api/chat/send', { method: 'POST', json: { content: 'again', thread_id } })
    expect((await log.next('response', (e) => e.thread_id === thread_id && e.content === 'next one works')).content).toBe('next one works')
    await gw.close()
  })

  it('one 50 MB chunk does not take the gateway down: the turn ends, the stream stays usable', async () => {
    const gw = await agentGateway(llm)
    const log = new EventLog(gw)
    llm.reply({ kind: 'huge', bytes: 50 * 1024 * 1024 })
    const { thread_id } = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'flood me' } }))
    const error = await log.next('error', (e) => e.thread_id === thread_id, 15_000)
    expect(error).toMatchObject({ code: 'llm_malformed', message: 'The model provider sent one stream event over 4 MiB' })
    await idle(gw, thread_id)
    // Nothing of that size went out as one event to the browser.
    for (const e of log.events) expect(JSON.stringify(e).length).toBeLessThan(2 * 1024 * 1024)
    llm.text('still here')
    await gw.request('/api/chat/send', { method: 'POST', json: { content: 'ok?', thread_id } })
    expect((await log.next('response', (e) => e.thread_id === thread_id && e.content === 'still here', 10_000)).content).toBe('still here')
    await gw.close()
  }, 60_000)
})
