import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { createLlmProvider, fetchStreamRequest, LlmError, type Usage, type UpstreamEventStream } from '../../src/exports/agent'
import { createWebByteSink } from '../../src/hub/web-byte-sink'
import { GatewayConfig } from '../../src/index'
import { relayEventStream } from '../../src/llm/openai-relay'
import { agentGateway, json, mockLlmConfig, UPSTREAM_KEY } from '../support/agent'
import { startTestServer, TEST_TOKEN } from '../support/gateway'
import { MockLlm } from '../support/mock-llm'

const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-upstream', object: 'chat.completion.chunk', created: 1, model: 'mock-model-2025', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
const usageChunk = (prompt: number, completion: number) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-upstream', object: 'chat.completion.chunk', created: 1, model: 'mock-model-2025', choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } })}\n\n`
const DONE = 'data: [DONE]\n\n'

/** The `data:` payloads of an event-stream text, parsed (`[DONE]` kept as is). */
const frames = (text: string): unknown[] =>
  text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => (block === 'data: [DONE]' ? '[DONE]' : JSON.parse(block.slice(6))))

describe('OpenAI proxy streaming relay', async () => {
  const llm = await MockLlm.start()
  afterAll(() => llm.close())
  const post = (gw: Awaited<ReturnType<typeof agentGateway>>) =>
    gw.request('/v1/chat/completions', { method: 'POST', json: { model: 'mock-model', stream: true, messages: [{ role: 'user', content: 'hi' }] } })

  it('hands on the upstream\'s own events unchanged, without the usage chunk the client did not ask for, and meters it', async () => {
    const answer = [chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hé' }), chunk({ content: 'llo 👋' }), chunk({}, 'stop')]
    const server = await startTestServer({ config: { llm: mockLlmConfig(llm) } })
    try {
      const send = (body: Record<string, unknown>) =>
        fetch(`${server.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'mock-model', stream: true, messages: [{ role: 'user', content: 'hi' }], ...body }),
        })
      llm.reply({ kind: 'raw', pieces: [...answer, usageChunk(7, 3), DONE], delayMs: 2 })
      const plain = await send({})
      expect(plain.headers.get('content-type')).toContain('text/event-stream')
      expect(plain.headers.get('x-content-type-options')).toBe('nosniff')
      expect(await plain.text()).toBe(answer.join('') + DONE)
      // The gateway always asks for usage, whatever the client asked.
      expect(llm.chatRequests().at(-1)!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } })

      llm.reply({ kind: 'raw', pieces: [...answer, usageChunk(5, 2), DONE] })
      expect(await (await send({ stream_options: { include_usage: true } })).text()).toBe(answer.join('') + usageChunk(5, 2) + DONE)

      const usage = server.gateway.services.usage!
      expect(await usage.totals({ userId: 'owner' })).toMatchObject({ calls: 2, input_tokens: 12, output_tokens: 5 })
      expect((await usage.byModel({ userId: 'owner' })).map((m) => m.model)).toEqual(['mock-model-2025'])
    } finally {
      await server.close()
    }
  })

  it('keeps every event whole however the upstream\'s reads split it, CRLF line ends and multi-byte text included', async () => {
    const encoder = new TextEncoder()
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.boolean(),
        fc.boolean(),
        async (texts, cuts, crlf, includeUsage) => {
          const events = [chunk({ role: 'assistant', content: '' }), ...texts.map((t) => chunk({ content: t })), chunk({}, 'stop'), usageChunk(4, texts.length), DONE]
          const wire = encoder.encode(crlf ? events.join('').replace(/\n/g, '\r\n') : events.join(''))
          const at = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b)
          const pieces = [0, ...at].map((from, i) => wire.subarray(from, [...at, wire.length][i])).filter((p) => p.length > 0)
          const recorded: Usage[] = []
          const { sink, body } = createWebByteSink()
          const relayed = relayEventStream(scripted(pieces), sink, {
            includeUsage,
            model: 'mock-model',
            estimatedInputTokens: 1,
            record: async (_model, usage) => void recorded.push(usage),
            errorFrame: (error) => encoder.encode(`data: ${JSON.stringify({ error: error.kind })}\n\n`),
          })
          const text = await new Response(body).text()
          await relayed
          const expected = events.filter((e) => includeUsage || !e.includes('"usage"'))
          expect(text).toBe(expected.join(''))
          expect(recorded).toEqual([{ inputTokens: 4, outputTokens: texts.length }])
        },
      ),
      { numRuns: 200 },
    )
  })

  it('ends with an error frame, never [DONE], when the upstream fails mid-answer', async () => {
    const gw = await agentGateway(llm, { llm: { maxRetries: 0 } })
    const cases: Array<[Parameters<MockLlm['reply']>[0], string, RegExp]> = [
      [
        { kind: 'raw', pieces: [chunk({ role: 'assistant', content: '' }), chunk({ content: 'par' }), `data: {"error":{"message":"Overloaded (key ${UPSTREAM_KEY})","type":"server_error"}}\n\n`] },
        'internal_error',
        /^The model provider reported an error: Overloaded \(key \[redacted\]\)$/,
      ],
      [{ kind: 'raw', pieces: [chunk({ role: 'assistant', content: '' }), chunk({ content: 'par' }), 'data: {not json\n\n'] }, 'internal_error', /malformed stream/],
      [{ kind: 'eof', chunks: ['par'] }, 'internal_error', /ended its stream before finishing/],
    ]
    for (const [step, code, message] of cases) {
      llm.reply(step)
      const res = await post(gw)
      expect(res.status).toBe(200)
      const text = await res.text()
      expect(text).not.toContain(UPSTREAM_KEY)
      const got = frames(text)
      expect(got).not.toContain('[DONE]')
      expect((got.at(-2) as { choices: Array<{ delta: unknown }> }).choices[0]!.delta).toEqual({ content: 'par' })
      const error = (got.at(-1) as { error: { message: string; type: string; code: string; param: null } }).error
      expect(error).toMatchObject({ type: 'server_error', code, param: null })
      expect(error.message).toMatch(message)
    }
    // A failed answer is not metered.
    expect((await gw.services.usage!.totals({ userId: 'owner' })).calls).toBe(0)
    await gw.close()
  })

  it('meters an answer that reported no usage by estimate', async () => {
    const gw = await agentGateway(llm)
    llm.reply({ kind: 'raw', pieces: [chunk({ role: 'assistant', content: '' }), chunk({ content: 'x'.repeat(40) }), chunk({}, 'stop')] })
    const text = await (await post(gw)).text()
    // The upstream sent no [DONE]; the client still gets a complete stream.
    expect(frames(text).at(-1)).toBe('[DONE]')
    expect(await gw.services.usage!.totals({ userId: 'owner' })).toMatchObject({ calls: 1, output_tokens: 10 })
    expect((await gw.services.usage!.totals({ userId: 'owner' })).input_tokens).toBeGreaterThan(0)
    await gw.close()
  })

  it('fails a silent upstream with upstream_timeout and a 10 MB event with one clear error, on fetch as on node:http', async () => {
    const gw = await agentGateway(llm, { llm: { maxRetries: 0, timeoutMs: 400 } })
    for (const streamRequest of ['node:http', 'fetch'] as const) {
      if (streamRequest === 'fetch') {
        const config = GatewayConfig.parse({ llm: mockLlmConfig(llm, { maxRetries: 0, timeoutMs: 400 }) }).llm
        gw.withServices({ llm: await createLlmProvider(config, { streamRequest: fetchStreamRequest() }) })
      }
      llm.reply({ kind: 'hang', afterChunks: ['wait'] })
      const started = Date.now()
      const silent = frames(await (await post(gw)).text())
      expect(silent.at(-1)).toMatchObject({ error: { type: 'server_error', code: 'upstream_timeout' } })
      expect(Date.now() - started).toBeLessThan(3_000)

      llm.reply({ kind: 'huge', bytes: 10 * 1024 * 1024 })
      const huge = await (await post(gw)).text()
      expect(huge.length).toBeLessThan(64 * 1024)
      expect((frames(huge).at(-1) as { error: { message: string } }).error.message).toBe('The model provider sent one stream event over 4 MiB')

      // An upstream HTTP error is still a plain HTTP error, in OpenAI's shape.
      llm.reply({ kind: 'error', status: 429, headers: { 'retry-after': '2' }, body: { error: { message: 'slow down', code: 'rate_limit_exceeded' } } })
      const limited = await post(gw)
      expect(limited.status).toBe(429)
      expect(limited.headers.get('retry-after')).toBe('2')
      expect((await json(limited)).error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit' })
    }
    await gw.close()
  })
})

/** An upstream body that yields `pieces`, one per read. */
function scripted(pieces: Uint8Array[]): UpstreamEventStream {
  let next = 0
  return {
    read: async () => pieces[next++],
    cancel: () => undefined,
    errorEvent: () => new LlmError('server', 'upstream error event'),
  }
}
