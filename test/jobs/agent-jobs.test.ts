import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jobHistory } from '../../src/agent/job-agent'
import { createLlmProvider } from '../../src/llm/create-provider'
import { GatewayConfig } from '../../src/config/gateway-config'
import { EventLog, mockLlmConfig } from '../support/agent'
import { waitFor } from '../support/gateway'
import { MockLlm } from '../support/mock-llm'
import { eventsWhen, jobDetail, jobsGateway, processesWith, type StoredEvent, waitForState } from './support'

type Gw = Awaited<ReturnType<typeof jobsGateway>>

const startAgentJob = async (gw: Gw, prompt: string): Promise<Record<string, any>> => {
  const res = await gw.request('/api/jobs', { method: 'POST', json: { prompt, kind: 'agent' } })
  if (res.status !== 201) throw new Error(`start failed: ${res.status} ${await res.text()}`)
  return (await res.json()) as Record<string, any>
}

/** The job's events without the status lines (queued, started, one per model call, finished). */
const shape = (events: StoredEvent[]) => events.filter((e) => e.event_type !== 'status').map((e) => `${e.event_type}${e.data.role ? `:${e.data.role}` : ''}`)

const resultsAtLeast = (n: number) => (events: StoredEvent[]) => events.filter((e) => e.event_type === 'result').length >= n && events.at(-1)?.event_type === 'result'

describe('agent jobs (the agent loop on the mock LLM)', () => {
  let llm: MockLlm
  let gw: Gw
  beforeAll(async () => {
    llm = await MockLlm.start()
    // A long upstream timeout: the cancel test's stream must end by the cancel, not by a timeout.
    gw = await jobsGateway({ llm: mockLlmConfig(llm, { timeoutMs: 60_000 }) })
  })
  afterAll(async () => {
    await gw.close()
    await llm.close()
  })

  it('writes a file with the workspace tools and completes with the summary and token usage', async () => {
    llm.reply(
      { kind: 'tool_calls', content: 'Writing the greeting.', calls: [{ name: 'write_file', arguments: { path: 'out/hello.txt', content: 'hello from the agent' } }] },
      { kind: 'text', chunks: ['Wrote ', 'out/hello.txt.'], usage: { prompt_tokens: 30, completion_tokens: 7 } },
    )
    const sent = llm.chatRequests().length
    const job = await startAgentJob(gw, 'Write a greeting to out/hello.txt')
    expect(job).toMatchObject({ kind: 'agent', state: 'pending' })
    const done = await waitForState(gw, job.id, ['completed', 'failed'])
    expect(done).toMatchObject({ state: 'completed', result: 'Wrote out/hello.txt.', usage: { input_tokens: 40, output_tokens: 12 }, can_prompt: true })

    const read = await gw.request(`/api/jobs/${job.id}/files/read?path=out/hello.txt`)
    expect(await read.json()).toMatchObject({ path: 'out/hello.txt', content: 'hello from the agent', binary: false })

    const events = await eventsWhen(gw, job.id)
    expect(shape(events)).toEqual(['message:user', 'message:assistant', 'tool_use', 'tool_result', 'message:assistant', 'result'])
    expect(events.find((e) => e.event_type === 'message' && e.data.role === 'assistant')!.data.content).toBe('Writing the greeting.')
    expect(events.find((e) => e.event_type === 'tool_use')!.data).toEqual({ tool_name: 'write_file', input: { path: 'out/hello.txt', content: 'hello from the agent' } })
    expect(events.find((e) => e.event_type === 'tool_result')!.data).toMatchObject({ tool_name: 'write_file' })
    expect(events.find((e) => e.event_type === 'tool_result')!.data.is_error).toBeUndefined()
    expect(events.at(-1)!.data).toMatchObject({ status: 'completed' })

    // The model saw the job's instructions and only the workspace tools.
    const first = llm.chatRequests()[sent]!.body as { messages: Array<{ role: string; content: string }>; tools: Array<{ function: { name: string } }> }
    expect(first.messages[0]).toMatchObject({ role: 'system', content: expect.stringContaining('background job') })
    expect(first.messages.at(-1)).toEqual({ role: 'user', content: 'Write a greeting to out/hello.txt' })
    expect(first.tools.map((t) => t.function.name).sort()).toEqual(['list_files', 'read_file', 'run_command', 'write_file'])

    // Every model call is in the usage ledger as job spend.
    const rows = await gw.store!.db.selectFrom('llm_usage').selectAll().where('purpose', '=', 'job').execute()
    expect(rows.map((r) => [r.input_tokens, r.output_tokens])).toEqual([
      [10, 5],
      [30, 7],
    ])
  })

  it('continues a completed job with a follow-up prompt, its earlier turns as context', async () => {
    llm.text('Noted: kiwi.')
    const job = await startAgentJob(gw, 'Remember the word kiwi')
    await waitForState(gw, job.id, ['completed'])
    llm.text('The word was kiwi.')
    const sent = llm.chatRequests().length
    const res = await gw.request(`/api/jobs/${job.id}/prompt`, { method: 'POST', json: { content: 'Which word?' } })
    expect(res.status).toBeLessThan(300)
    await eventsWhen(gw, job.id, resultsAtLeast(2))
    const done = await waitForState(gw, job.id, ['completed'])
    expect(done.result).toBe('The word was kiwi.')

    const follow = llm.chatRequests()[sent]!.body as { messages: Array<{ role: string; content: string }> }
    expect(follow.messages.slice(1)).toEqual([
      { role: 'user', content: 'Remember the word kiwi' },
      { role: 'assistant', content: 'Noted: kiwi.' },
      { role: 'user', content: 'Which word?' },
    ])
  })

  it('cancel mid-stream aborts the model request and ends the job as cancelled', async () => {
    const aborted = llm.abortedStreams
    llm.reply({ kind: 'text', chunks: Array.from({ length: 400 }, (_, i) => `w${i} `), delayMs: 25 })
    const sent = llm.chatRequests().length
    const job = await startAgentJob(gw, 'Write a very long essay')
    await waitFor(() => llm.chatRequests().length > sent, 10_000, 'the model request')
    const cancel = await gw.request(`/api/jobs/${job.id}/cancel`, { method: 'POST' })
    expect(cancel.status).toBe(200)
    // The upstream stream was hung up on: cancel reached the HTTP request, not just the job record.
    await expect.poll(() => llm.abortedStreams, { timeout: 5_000 }).toBeGreaterThan(aborted)
    const events = await eventsWhen(gw, job.id)
    expect(events.at(-1)!.data).toMatchObject({ status: 'cancelled' })
    expect((await waitForState(gw, job.id, ['cancelled'])).result ?? null).toBeNull()
    // Nothing more was asked of the model, and no answer was recorded after the cancel.
    expect(llm.chatRequests().length).toBe(sent + 1)
    expect(shape(events)).toEqual(['message:user', 'result'])
  })

  it('cancel during a shell tool kills its process and ends the job as cancelled', async () => {
    const marker = `agent-job-sleep-${Date.now()}`
    llm.toolCall('run_command', { command: `sleep 30 # ${marker}` })
    const sent = llm.chatRequests().length
    const job = await startAgentJob(gw, 'Wait a while')
    await waitFor(() => processesWith(marker).length > 0, 10_000, 'the command to start')
    expect((await gw.request(`/api/jobs/${job.id}/cancel`, { method: 'POST' })).status).toBe(200)
    await waitFor(() => processesWith(marker).length === 0, 5_000, 'the command to be killed')
    expect((await waitForState(gw, job.id, ['cancelled', 'completed', 'failed'])).state).toBe('cancelled')
    const events = await eventsWhen(gw, job.id)
    expect(events.at(-1)!.data).toMatchObject({ status: 'cancelled' })
    // The loop did not go on to ask the model about the killed command.
    expect(llm.chatRequests().length).toBe(sent + 1)
    // The model call made before the cancel still counts in the job's usage.
    await waitFor(async () => (await jobDetail(gw, job.id)).usage.input_tokens === 10, 5_000, 'the cancelled turn usage')
  })

  it('notes a retried model request in the job log (steps themselves show as tool events)', async () => {
    llm.reply({ kind: 'error', status: 503 }, { kind: 'text', chunks: ['Recovered.'] })
    const job = await startAgentJob(gw, 'Survive a hiccup')
    expect((await waitForState(gw, job.id, ['completed', 'failed'])).result).toBe('Recovered.')
    const statuses = (await eventsWhen(gw, job.id)).filter((e) => e.event_type === 'status').map((e) => String(e.data.message))
    expect(statuses.filter((m) => /Retrying/.test(m))).toHaveLength(1)
    expect(statuses.filter((m) => /Thinking/.test(m))).toEqual([])
  })

  it('starts from chat: create_job (approved) runs an agent job whose events reach the chat stream', async () => {
    const log = new EventLog(gw)
    llm.toolCall('create_job', { prompt: 'Say hello from the job', title: 'From chat' })
    const send = await gw.request('/api/chat/send', { method: 'POST', json: { content: 'Start a job that says hello' } })
    const { thread_id } = (await send.json()) as { thread_id: string }
    const needed = await log.next('approval_needed', (e) => e.thread_id === thread_id)
    expect(needed.tool_name).toBe('create_job')
    // From here the chat turn and the job each make one model call, in either order: both get the default reply.
    expect(llm.queued).toBe(0)
    expect((await gw.request('/api/chat/approval', { method: 'POST', json: { request_id: needed.request_id, action: 'approve', thread_id } })).status).toBe(202)
    const started = await log.next('job_started', (e) => e.title === 'From chat')
    const done = await waitForState(gw, started.job_id, ['completed', 'failed'])
    expect(done).toMatchObject({ kind: 'agent', state: 'completed', thread_id, result: llm.defaultReply })
    await log.next('job_result', (e) => e.job_id === started.job_id && e.status === 'completed')
    expect(log.of('job_message').some((e) => e.job_id === started.job_id)).toBe(true)
  })

  it('fails the job with the provider error, keeping the tokens already spent', async () => {
    llm.reply(
      { kind: 'tool_calls', calls: [{ name: 'list_files', arguments: {} }] },
      { kind: 'error', status: 400, body: { error: { message: 'context too long', type: 'invalid_request_error', param: null, code: null } } },
    )
    const job = await startAgentJob(gw, 'List and fail')
    const done = await waitForState(gw, job.id, ['completed', 'failed'])
    expect(done.state).toBe('failed')
    expect(done.failure_reason).toMatch(/context too long/)
    expect(done.usage).toEqual({ input_tokens: 10, output_tokens: 5 })
    expect(done.can_restart).toBe(true)
  })
})

describe('agent jobs without a model provider', () => {
  let llm: MockLlm
  let gw: Gw
  beforeAll(async () => {
    llm = await MockLlm.start()
    gw = await jobsGateway()
  })
  afterAll(async () => {
    await gw.close()
    await llm.close()
  })

  it('answer 503 job_agent_unavailable, and run once a provider is wired', async () => {
    const res = await gw.request('/api/jobs', { method: 'POST', json: { prompt: 'do it', kind: 'agent' } })
    expect(res.status).toBe(503)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('job_agent_unavailable')
    expect(gw.services.jobs!.availableKinds()).toEqual(['command'])

    gw.withServices({ llm: await createLlmProvider(GatewayConfig.parse({ llm: mockLlmConfig(llm) }).llm) })
    expect(gw.services.jobs!.availableKinds()).toEqual(['agent', 'command'])
    llm.text('Done without tools.')
    const job = await startAgentJob(gw, 'Say done')
    expect((await waitForState(gw, job.id, ['completed', 'failed'])).result).toBe('Done without tools.')
  })
})

describe('jobHistory', () => {
  const turns = [
    { role: 'user' as const, content: 'a'.repeat(40) },
    { role: 'assistant' as const, content: 'b'.repeat(40) },
    { role: 'user' as const, content: 'c'.repeat(10) },
    { role: 'assistant' as const, content: 'd'.repeat(10) },
  ]

  it('keeps the newest turns within the budget, oldest first, never starting on an answer', () => {
    expect(jobHistory(turns, 1_000).map((m) => m.content)).toEqual(turns.map((t) => t.content))
    expect(jobHistory(turns, 60).map((m) => m.content)).toEqual(['c'.repeat(10), 'd'.repeat(10)])
    expect(jobHistory(turns, 25).map((m) => m.content)).toEqual(['c'.repeat(10), 'd'.repeat(10)])
    // The budget ends inside a prompt/answer pair: the lone answer is dropped too.
    expect(jobHistory(turns, 15).map((m) => m.content)).toEqual([])
    expect(jobHistory([], 100)).toEqual([])
  })
})
