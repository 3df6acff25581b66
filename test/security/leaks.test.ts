import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configureLogging, GatewayLogging } from '../../src/logging/gateway-logging'
import { mockLlmConfig, UPSTREAM_KEY } from '../support/agent'
import { startTestServer, TEST_TOKEN, type TestServer, waitFor } from '../support/gateway'
import { MockLlm } from '../support/mock-llm'
import { SseClient } from '../support/sse-client'
import { WsClient } from '../support/ws-client'

const MASTER_KEY = 'master-key-for-the-leak-test-0123456789abcdef'
const SECRET_VALUE = 'ghp_secretValueThatMustNeverShow0123456789'

/**
 * security-bar.md "no leak", across one busy session rather than per feature: every response
 * body and header, every SSE event and WebSocket frame, and every log line the gateway produced
 * is searched for the owner token, a member's token, the upstream API key, a stored secret and the
 * master key. The upstream is made to echo its key back in an error, as OpenAI's 401 does.
 */
describe('secrets never leave', () => {
  let t: TestServer
  let llm: MockLlm
  let logging: GatewayLogging
  const seen: string[] = []
  beforeAll(async () => {
    llm = await MockLlm.start()
    logging = new GatewayLogging({ level: 'debug' })
    await configureLogging(logging)
    t = await startTestServer({ logging, config: { masterKey: MASTER_KEY, llm: mockLlmConfig(llm, { maxRetries: 0 }), logLevel: 'debug' } })
  })
  afterAll(async () => {
    await t.close()
    await llm.close()
  })

  const call = async (path: string, init: { method?: string; json?: unknown; token?: string } = {}) => {
    const res = await fetch(`${t.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${init.token ?? TEST_TOKEN}`, ...(init.json === undefined ? {} : { 'content-type': 'application/json' }) },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    })
    const text = await res.text()
    res.headers.forEach((value, name) => seen.push(`${name}: ${value}`))
    seen.push(text)
    return { status: res.status, text }
  }

  it('shows no token, key or secret in any response, event, frame or log line', async () => {
    const sse = await SseClient.open(`${t.url}/api/chat/events`, { headers: t.auth })
    const ws = await WsClient.connect(`${t.wsUrl}/api/chat/ws`, { headers: t.auth, origin: t.origin })

    const member = JSON.parse((await call('/api/admin/users', { method: 'POST', json: { display_name: 'Mia' } })).text) as { id: string; token: string }
    // The creation response is the one place a new token is shown; it is not searched.
    seen.pop()
    const memberToken = member.token
    const token = JSON.parse((await call('/api/tokens', { method: 'POST', json: { name: 'cli' } })).text) as { token: string }
    seen.pop()
    expect((await call(`/api/admin/users/${member.id}/secrets/github`, { method: 'PUT', json: { value: SECRET_VALUE } })).status).toBeLessThan(300)
    await call(`/api/admin/users/${member.id}/secrets`)
    await call('/api/tokens')
    await call('/api/tokens', { token: memberToken })
    await call('/api/admin/users')
    await call('/api/gateway/status')
    await call('/api/auth/whoami', { token: token.token })
    await call('/api/settings/export')
    await call(`/api/chat/threads?token=${TEST_TOKEN}`)
    await call('/api/chat/threads', { token: `${TEST_TOKEN}x` })

    // A chat turn, a failing one whose upstream error quotes the key, and the proxy both ways.
    llm.text('Fine, thanks.')
    await call('/api/chat/send', { method: 'POST', json: { content: `my token is ${TEST_TOKEN}, keep it` } })
    await sse.next((e) => e.event === 'response')
    llm.reply({ kind: 'error', status: 401, body: { error: { message: `Incorrect API key provided: ${UPSTREAM_KEY}. You can find your API key at https://platform.openai.com`, type: 'invalid_request_error', code: 'invalid_api_key' } } })
    await call('/api/chat/send', { method: 'POST', json: { content: 'again' } })
    await sse.next((e) => e.event === 'error')
    llm.reply({ kind: 'error', status: 401, body: { error: { message: `Incorrect API key provided: ${UPSTREAM_KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' } } })
    await call('/v1/chat/completions', { method: 'POST', json: { model: 'mock-model', messages: [{ role: 'user', content: 'hi' }] } })
    llm.text('proxied')
    await call('/v1/chat/completions', { method: 'POST', json: { model: 'mock-model', messages: [{ role: 'user', content: 'hi' }] } })
    // Whatever the client sent as its own Authorization stays with the gateway.
    expect(JSON.stringify(llm.chatRequests().map((r) => r.headers.authorization))).not.toContain(TEST_TOKEN)

    const logs = await SseClient.open(`${t.url}/api/logs/events`, { headers: t.auth })
    await logs.next((e) => e.event === 'log')
    await waitFor(() => ws.frames.some((f) => f.event_type === 'error'), 5_000, 'the error on the WebSocket')

    const everything = [
      ...seen,
      ...sse.events.map((e) => e.data),
      ...ws.frames.map((f) => JSON.stringify(f)),
      ...logs.events.map((e) => e.data),
      ...logging.feed.recent().map((line) => JSON.stringify(line)),
    ].join('\n')
    expect(everything.length).toBeGreaterThan(1_000)
    for (const [name, value] of Object.entries({ TEST_TOKEN, memberToken, apiToken: token.token, UPSTREAM_KEY, SECRET_VALUE, MASTER_KEY })) {
      expect(everything.includes(value), `${name} leaked`).toBe(false)
    }
    // The echoed message was kept, with the key cut out.
    expect(everything).toContain('Incorrect API key provided')
    sse.close()
    logs.close()
    ws.close()
  })
})
