import { afterAll, describe, expect, it } from 'vitest'
import { openTracing, tracingRequested } from '../../adapters/shared/open-tracing'
import { tracesUrl } from '../../adapters/shared/otel-tracing'
import { agentGateway, EventLog } from '../support/agent'
import { MockLlm } from '../support/mock-llm'
import { OtlpReceiver } from '../support/otlp-receiver'
import { waitFor } from '../support/gateway'

describe('OpenTelemetry traces over OTLP/HTTP', async () => {
  const llm = await MockLlm.start()
  const receiver = await OtlpReceiver.start()
  afterAll(async () => {
    await llm.close()
    await receiver.close()
  })

  it('exports the spans of one turn: the request, the turn, its model calls and its tool call, linked', async () => {
    const tracing = await openTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.url}/`, OTEL_SERVICE_NAME: 'gateway-under-test' })
    expect(tracing).toBeDefined()
    const gateway = await agentGateway(llm, { tracing })
    const events = new EventLog(gateway)
    llm.reply({ kind: 'tool_calls', calls: [{ name: 'current_time', arguments: {}, id: 'call-1' }] }, { kind: 'text', chunks: ['It is ', 'noon.'], usage: { prompt_tokens: 30, completion_tokens: 4 } })
    const res = await gateway.request('/api/chat/send', { method: 'POST', json: { content: 'What time is it?' } })
    expect(res.status).toBe(202)
    const { thread_id: threadId } = (await res.json()) as { thread_id: string }
    await events.next('turn_cost', (e) => e.thread_id === threadId)
    // Closing the gateway flushes the batch (the exporter would otherwise send it within 5 s).
    await gateway.close()
    await waitFor(() => receiver.named('agent.turn').length > 0, 5_000, 'the turn span')

    expect(receiver.paths.every((p) => p === '/v1/traces')).toBe(true)
    const [turn] = receiver.named('agent.turn')
    expect(turn!.parentSpanId).toBe('')
    expect(turn!.attributes).toMatchObject({ 'gateway.thread.id': threadId, 'enduser.id': 'owner', 'gateway.turn.status': 'completed', 'gateway.turn.steps': 2 })
    expect(turn!.resource['service.name']).toBe('gateway-under-test')

    const calls = receiver.named('llm.call')
    expect(calls).toHaveLength(2)
    for (const call of calls) {
      expect(call.traceId).toBe(turn!.traceId)
      expect(call.parentSpanId).toBe(turn!.spanId)
      expect(call.attributes['gen_ai.request.model']).toBe('mock-model')
    }
    expect(calls.map((c) => c.attributes['gateway.tool_calls']).sort()).toEqual([0, 1])
    expect(calls.find((c) => c.attributes['gateway.tool_calls'] === 0)!.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 30, 'gen_ai.usage.output_tokens': 4 })

    const [tool] = receiver.named('tool.call')
    expect(tool).toMatchObject({ traceId: turn!.traceId, parentSpanId: turn!.spanId })
    expect(tool!.attributes).toMatchObject({ 'gen_ai.tool.name': 'current_time', 'gen_ai.tool.call.id': 'call-1', 'gateway.tool.outcome': 'ok' })

    const [send] = receiver.named('POST /api/chat/send')
    expect(send!.attributes).toMatchObject({ 'http.route': '/api/chat/send', 'http.response.status_code': 202, 'http.request.method': 'POST' })
  })

  it('names request spans by route template, with the status; a 404 is not a failure', async () => {
    const tracing = await openTracing({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces` })
    const gateway = await agentGateway(llm, { tracing })
    expect((await gateway.request('/api/chat/history?thread_id=00000000-0000-4000-8000-000000000000')).status).toBeLessThan(500)
    expect((await gateway.request('/api/jobs/00000000-0000-4000-8000-00000000abcd')).status).toBe(404)
    await gateway.close()
    await waitFor(() => receiver.spans.some((s) => s.name === 'GET /api/chat/history'), 5_000, 'the history span')
    const jobs = receiver.spans.find((s) => s.attributes['url.path'] === '/api/jobs/00000000-0000-4000-8000-00000000abcd')!
    expect(jobs.name).toMatch(/^GET \/api\/jobs\/:[a-z_]+$/)
    expect(jobs.attributes['http.response.status_code']).toBe(404)
    expect(jobs.status.code ?? 0).not.toBe(2)
    expect(jobs.resource['service.name']).toBe('agent-gateway')
  })

  it('is off, SDK not loaded, when no endpoint is set or tracing is disabled', async () => {
    expect(await openTracing({})).toBeUndefined()
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x', OTEL_SDK_DISABLED: 'true' })).toBe(false)
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x', OTEL_TRACES_EXPORTER: 'none' })).toBe(false)
    expect(tracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe('http://collector:4318/v1/traces')
    expect(tracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:9/x' })).toBe('http://t:9/x')
  })
})
