import { getLogger } from '@logtape/logtape'
import { afterAll, describe, expect, it } from 'vitest'
import { configureLogging, GatewayLogging } from '../../src/logging/gateway-logging'
import { Redactor } from '../../src/logging/redactor'
import { loggableUrl } from '../../src/middleware/access-log'
import { TEST_TOKEN, testGateway, waitFor } from '../support/gateway'
import { createUser } from '../support/users'

/** Reads SSE frames from a Response body as they arrive. */
function sseReader(res: Response) {
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  const frames: Array<{ event: string; data: any }> = []
  let ended = false
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      buffer += decoder.decode(value, { stream: true })
      let cut: number
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut)
        buffer = buffer.slice(cut + 2)
        const event = /^event: (.*)$/m.exec(block)?.[1]
        const data = /^data: (.*)$/m.exec(block)?.[1]
        if (event && data) frames.push({ event, data: JSON.parse(data) })
      }
    }
    ended = true
  })().catch(() => (ended = true))
  return {
    frames,
    get ended() {
      return ended
    },
    done: pump,
    cancel: () => reader.cancel().catch(() => undefined),
  }
}

describe('redaction', () => {
  const r = new Redactor()
  r.add('my-stored-secret-value')

  it('masks bearer tokens, sk- keys, API tokens, URL tokens and known secret values', () => {
    const hex = 'ab'.repeat(32)
    const cases: Array<[string, string]> = [
      ['Authorization: Bearer abc.def-123', 'Authorization: Bearer [REDACTED]'],
      ['retrying with bearer xyz', 'retrying with bearer [REDACTED]'],
      ['key sk-proj-AbCdEf0123456789xyz failed', 'key [REDACTED] failed'],
      ['anthropic sk-ant-api03-abcdefghijkl', 'anthropic [REDACTED]'],
      [`token ${hex} used`, 'token [REDACTED] used'],
      ['GET /api/chat/events?token=s3cr3t&last_event_id=4 200', 'GET /api/chat/events?token=[REDACTED]&last_event_id=4 200'],
      ['{"api_key":"abc","password": "p", "token_id":"t1"}', '{"api_key":"[REDACTED]","password": "[REDACTED]", "token_id":"t1"}'],
      ['github ghp_abcdefghijklmnopqrstuvwxyz0123', 'github [REDACTED]'],
      ['value my-stored-secret-value here', 'value [REDACTED] here'],
      ['url my-stored-secret-value%21', 'url [REDACTED]%21'],
      ['nothing to hide: llm.model=gpt', 'nothing to hide: llm.model=gpt'],
    ]
    for (const [input, output] of cases) expect(r.redact(input), input).toBe(output)
  })

  it('masks the JSON-escaped and URL-encoded spellings of a known value', () => {
    const q = new Redactor()
    q.add('p@ss "word"/1')
    expect(q.redact(`json ${JSON.stringify('p@ss "word"/1')}`)).toBe('json "[REDACTED]"')
    expect(q.redact(`url ?x=${encodeURIComponent('p@ss "word"/1')}`)).toBe('url ?x=[REDACTED]')
  })

  it('masks overlapping secrets as one span, leaving no fragment of either', () => {
    const q = new Redactor()
    q.add('abcdef-secret')
    q.add('secret-xyz1')
    expect(q.redact('a abcdef-secret-xyz1 b secret-xyz1 c abcdef-secret')).toBe('a [REDACTED] b [REDACTED] c [REDACTED]')
    q.remove('secret-xyz1')
    expect(q.redact('abcdef-secret-xyz1')).toBe('[REDACTED]-xyz1')
  })

  it('masks credentials in logged URLs at the source', () => {
    expect(loggableUrl('http://h:1/api/logs/events?token=abc&x=1')).toBe('/api/logs/events?token=[REDACTED]&x=1')
    expect(loggableUrl('http://h/a?b=1')).toBe('/a?b=1')
  })

  /** Issue 19, defect 6: signed links carry their capability in the path. */
  it('masks every capability a URL carries, in the path or the query, however spelled', () => {
    const job = '0f8fad5b-d9cb-469f-a165-70867728950e'
    const sig = 'Zm9vYmFyYmF6cXV4MDEyMzQ1Njc4OWFiY2RlZmdoaWpr'
    const cases: Array<[string, string]> = [
      [`/projects/${job}.1700000000.o.${sig}/site/index.html`, `/projects/${job}.[REDACTED]/site/index.html`],
      [`/agent/projects/${job}.1700000000.${crypto.randomUUID()}.${sig}/`, `/agent/projects/${job}.[REDACTED]/`],
      [`/projects/${job}%2E1700000000%2Eo%2E${sig}/x`, `/projects/${job}.[REDACTED]/x`],
      [`/projects/${job}/plain.txt`, `/projects/${job}/plain.txt`],
      [`/api/jobs/${job}/events?ticket=1700000000.o.${sig}&last_event_id=3`, `/api/jobs/${job}/events?ticket=[REDACTED]&last_event_id=3`],
      ['/oauth/callback?code=abc123&state=def456', '/oauth/callback?code=[REDACTED]&state=[REDACTED]'],
      ['/api/chat/events?ticket=' + 'f'.repeat(64), '/api/chat/events?ticket=[REDACTED]'],
      // Spellings a client might send by mistake: the capability is just as live.
      [`/PROJECTS/${job}.1700000000.o.${sig}/`, `/PROJECTS/${job}.[REDACTED]/`],
      [`/pr%6Fjects/${job}.1700000000.o.${sig}/`, `/pr%6Fjects/${job}.[REDACTED]/`],
      [`/api/chat/history?tic%6Bet=${sig}&TOKEN=${sig}`, '/api/chat/history?tic%6Bet=[REDACTED]&TOKEN=[REDACTED]'],
      [`/other/${job}.1700000000/x?ticketing=1`, `/other/${job}.1700000000/x?ticketing=1`],
    ]
    for (const [url, masked] of cases) {
      expect(loggableUrl(`http://h${url}`), url).toBe(masked)
      // The same function behind every sink and the live stream.
      expect(r.redact(`GET ${url} 200 1ms`), url).toBe(`GET ${masked} 200 1ms`)
    }
  })
})

describe('live logs', async () => {
  const logging = new GatewayLogging({ level: 'info', maxStreams: 3 })
  await configureLogging(logging)
  const gw = await testGateway({ logging, config: { limits: { keepAliveMs: 60_000 } } })
  afterAll(() => gw.close())
  const log = getLogger(['gateway', 'test'])
  const json = async (res: Response) => (await res.json()) as Record<string, any>
  const open = (init: Parameters<typeof gw.request>[1] = {}, query = '') => gw.request(`/api/logs/events${query}`, init)

  it('reads and changes the level at run time, case-insensitively, and audits who did it', async () => {
    expect(await json(await gw.request('/api/logs/level'))).toEqual({ level: 'info', changed_by: null, changed_at: null })
    log.debug('hidden at info')
    const res = await gw.request('/api/logs/level', { method: 'PUT', json: { level: 'DEBUG' } })
    expect(res.status).toBe(200)
    expect(await json(res)).toMatchObject({ level: 'debug', changed_by: 'owner' })
    log.debug('shown at debug')
    const messages = logging.feed.recent().map((l) => l.message)
    expect(messages).toContain('shown at debug')
    expect(messages).not.toContain('hidden at info')
    expect(messages).toContain('log level changed from info to debug by owner')
    // The audit line passes even when the new level would hide it.
    await gw.request('/api/logs/level', { method: 'PUT', json: { level: 'error' } })
    expect(logging.feed.recent().at(-1)).toMatchObject({ level: 'WARN', target: 'gateway.logs', message: 'log level changed from debug to error by owner' })
    await gw.request('/api/logs/level', { method: 'PUT', json: { level: 'info' } })
  })

  it('refuses a missing or unknown level with a clear message', async () => {
    const missing = await gw.request('/api/logs/level', { method: 'PUT', json: {} })
    expect(missing.status).toBe(400)
    expect((await json(missing)).error.message).toContain("missing 'level' field")
    const unknown = await gw.request('/api/logs/level', { method: 'PUT', json: { level: 'loud' } })
    expect((await json(unknown)).error.message).toContain("invalid level 'loud', must be one of: trace, debug, info, warn, error")
  })

  it('applies a level set on another instance (bus control message)', async () => {
    await gw.hub.bus.publishControl({ kind: 'custom', topic: 'log_level', payload: { level: 'warn', by: 'admin-on-b' } })
    expect(await json(await gw.request('/api/logs/level'))).toMatchObject({ level: 'warn', changed_by: 'admin-on-b' })
    await gw.request('/api/logs/level', { method: 'PUT', json: { level: 'info' } })
  })

  it('replays the last 500 lines oldest first, then streams new ones, as `event: log`', async () => {
    for (let i = 0; i < 600; i++) log.info('line {i}', { i })
    const res = await open()
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    const sse = sseReader(res)
    await waitFor(() => sse.frames.length >= 500)
    expect(sse.frames.every((f) => f.event === 'log')).toBe(true)
    const replayed = sse.frames.slice(0, 500).map((f) => f.data.message)
    expect(replayed.at(-1)).toBe('line 599')
    expect(replayed.indexOf('line 100')).toBe(replayed.lastIndexOf('line 100'))
    expect(sse.frames[499]!.data).toEqual({ level: 'INFO', target: 'gateway.test', message: 'line 599', timestamp: expect.stringMatching(/Z$/) })
    log.warn('live {what}', { what: 'one', token: 'abc' })
    await waitFor(() => sse.frames.some((f) => f.data.message.startsWith('live one')))
    expect(sse.frames.find((f) => f.data.message.startsWith('live one'))!.data).toMatchObject({ level: 'WARN', message: 'live one token=[REDACTED]' })
    await sse.cancel()
    await waitFor(() => gw.services.logs!.openStreams === 0)
  })

  it('redacts what it streams', async () => {
    const sse = sseReader(await open())
    log.info(`calling with Authorization: Bearer ${TEST_TOKEN}`)
    log.info('key sk-abcdefghijklmnopqrstuvwx in use')
    await waitFor(() => sse.frames.some((f) => f.data.message.startsWith('key ')))
    const text = JSON.stringify(sse.frames)
    expect(text).not.toContain(TEST_TOKEN)
    expect(text).not.toContain('sk-abcdefghijklmnopqrstuvwx')
    await sse.cancel()
  })

  it('accepts ?token= on the stream, and logs that URL with the token masked', async () => {
    await gw.request('/api/logs/level', { method: 'PUT', json: { level: 'debug' } })
    const res = await open({ token: null }, `?token=${encodeURIComponent(TEST_TOKEN)}`)
    expect(res.status).toBe(200)
    await res.body!.cancel()
    await waitFor(() => logging.feed.recent().some((l) => l.target === 'gateway.http.access' && l.message.startsWith('GET /api/logs/events')))
    const access = logging.feed.recent().filter((l) => l.target === 'gateway.http.access').map((l) => l.message)
    expect(access.some((m) => m.startsWith('GET /api/logs/events?token=[REDACTED] 200'))).toBe(true)
    expect(JSON.stringify(logging.feed.recent())).not.toContain(TEST_TOKEN)
    expect((await gw.request('/api/logs/level', { token: null })).status).toBe(401)
    expect((await gw.request(`/api/logs/level?token=${TEST_TOKEN}`, { token: null })).status).toBe(401)
    await gw.request('/api/logs/level', { method: 'PUT', json: { level: 'info' } })
  })

  it('shows no signed link, ticket or OAuth code on the live stream or in the access log at debug (issue 19)', async () => {
    await gw.request('/api/logs/level', { method: 'PUT', json: { level: 'debug' } })
    const stream = sseReader(await open())
    const job = '0f8fad5b-d9cb-469f-a165-70867728950e'
    const sig = 'Zm9vYmFyYmF6cXV4MDEyMzQ1Njc4OWFiY2RlZmdoaWpr'
    const capabilities = [`1700000000.o.${sig}`, 'code-secret-42', 'state-secret-42']
    await gw.request(`/projects/${job}.${capabilities[0]}/index.html`, { token: null })
    await gw.request(`/api/jobs/${job}/events?ticket=${capabilities[0]}`, { token: null })
    await gw.request(`/oauth/callback?code=${capabilities[1]}&state=${capabilities[2]}`, { token: null })
    await waitFor(() => stream.frames.some((f) => f.data.message.startsWith('GET /oauth/callback')), 5_000, 'the access lines')
    const lines = stream.frames.map((f) => f.data.message as string).filter((m) => /^GET \/(projects|api\/jobs|oauth)/.test(m))
    expect(lines.some((m) => m.startsWith(`GET /projects/${job}.[REDACTED]/index.html `))).toBe(true)
    const everything = JSON.stringify([stream.frames, logging.feed.recent()])
    for (const secret of [...capabilities, sig]) expect(everything).not.toContain(secret)
    await stream.cancel()
    await gw.request('/api/logs/level', { method: 'PUT', json: { level: 'info' } })
  })

  it('is admin only, even with a query token', async () => {
    const member = await createUser(gw)
    expect((await open({ token: null }, `?token=${member.token}`)).status).toBe(403)
    expect((await open({ token: member.token })).status).toBe(403)
  })

  it('caps its own streams without touching the chat stream cap', async () => {
    const chatBefore = gw.hub.counts().total
    const streams = [await open(), await open(), await open()]
    expect(streams.map((r) => r.status)).toEqual([200, 200, 200])
    expect(gw.hub.counts().total).toBe(chatBefore)
    const over = await open()
    expect(over.status).toBe(503)
    expect(over.headers.get('retry-after')).toBe('5')
    await streams[0]!.body!.cancel()
    await waitFor(() => gw.services.logs!.openStreams === 2)
    const again = await open()
    expect(again.status).toBe(200)
    for (const r of [again, ...streams.slice(1)]) await r.body!.cancel()
    await waitFor(() => gw.services.logs!.openStreams === 0)
  })

  it('ends a log stream when its token is revoked or its admin demoted', async () => {
    const admin = await createUser(gw, { role: 'admin' })
    const second = await json(await gw.request('/api/tokens', { method: 'POST', token: admin.token, json: { name: 'logs' } }))
    const byRevoked = sseReader(await open({ token: second.token }))
    const byDemoted = sseReader(await open({ token: admin.token }))
    const byOwner = sseReader(await open())
    await gw.request(`/api/tokens/${second.id}`, { method: 'DELETE', token: admin.token })
    await byRevoked.done
    expect(byDemoted.ended).toBe(false)
    await gw.request(`/api/admin/users/${admin.id}`, { method: 'PATCH', json: { role: 'member' } })
    await byDemoted.done
    expect(byOwner.ended).toBe(false)
    await byOwner.cancel()
  })

  it('answers 503 logs_unavailable when the gateway was given no logging', async () => {
    const bare = await testGateway({ store: undefined })
    expect((await bare.request('/api/logs/level')).status).toBe(503)
    expect((await bare.request('/api/logs/events')).status).toBe(503)
    await bare.close()
  })

  it('keeps an idle log stream alive with an SSE comment, through the gateway\'s one keep-alive timer', async () => {
    const quick = await testGateway({ store: undefined, logging, config: { limits: { keepAliveMs: 100 } } })
    const res = await quick.request('/api/logs/events')
    const reader = res.body!.getReader()
    let text = ''
    while (!text.includes(': keep-alive\n\n')) text += new TextDecoder().decode((await reader.read()).value)
    expect(text.startsWith('retry: 3000\n\n')).toBe(true)
    await reader.cancel()
    await waitFor(() => quick.services.logs!.openStreams === 0)
    await quick.close()
  })
})
