import { afterAll, describe, expect, it } from 'vitest'
import { mockLlmConfig } from '../support/agent'
import { MockLlm } from '../support/mock-llm'
import { createUser } from '../support/users'
import { waitFor } from '../support/gateway'
import { jobsGateway } from '../jobs/support'
import { defaultRoutines } from '../support/defaults'
import { RoutineRepository } from '../../src/services/routines/routine-repository'

const BUDGET = 4

/**
 * Issue 19, defect 3: after chat answered 429, routine triggers and agent jobs still started
 * model work. Every path that starts model calls now draws from one per-user budget
 * (`limits.chatMessagesPerWindow` per `chatWindowMs`), and every one of them answers 429
 * `rate_limited` with Retry-After once it is spent.
 */
describe('one model-call budget per user, whatever the path', async () => {
  const llm = await MockLlm.start()
  const gw = await jobsGateway({ llm: mockLlmConfig(llm), limits: { chatMessagesPerWindow: BUDGET, chatWindowMs: 60_000 } })
  afterAll(async () => {
    await gw.close()
    await llm.close()
  })
  const status = async (res: Response) => ({ status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, any> })

  it('refuses chat, /v1, routine triggers, agent and command jobs, restarts and job prompts alike once it is spent', async () => {
    const member = await createUser(gw)
    const as = (path: string, init: { method?: string; json?: unknown } = {}) => gw.request(path, { method: 'POST', token: member.token, ...init })
    const routine = (await (await as('/api/routines', { json: { name: 'digest', trigger: { type: 'manual' }, action: { type: 'lightweight', prompt: 'summarise' } } })).json()) as { id: string }
    const job = (await (await as('/api/jobs', { json: { prompt: 'say one', kind: 'command' } })).json()) as { id: string } // draw 1
    await waitFor(async () => ((await (await gw.request(`/api/jobs/${job.id}`, { token: member.token })).json()) as { state: string }).state === 'completed', 15_000, 'job done')
    for (let i = 0; i < BUDGET - 1; i++) expect((await as('/api/chat/send', { json: { content: `m${i}` } })).status).toBe(202) // draws 2..4

    const refusals: Array<[string, Response]> = [
      ['chat', await as('/api/chat/send', { json: { content: 'one more' } })],
      ['routine trigger', await as(`/api/routines/${routine.id}/trigger`)],
      ['agent job', await as('/api/jobs', { json: { prompt: 'do it', kind: 'agent' } })],
      ['command job', await as('/api/jobs', { json: { prompt: 'say two', kind: 'command' } })],
      ['job prompt', await as(`/api/jobs/${job.id}/prompt`, { json: { content: 'say more' } })],
    ]
    for (const [what, res] of refusals) {
      const r = await status(res)
      expect(r.status, what).toBe(429)
      expect(r.body.error.code, what).toBe('rate_limited')
      expect(Number(r.retryAfter), what).toBeGreaterThan(0)
    }
    const v1 = await status(await as('/v1/chat/completions', { json: { model: 'mock-model', messages: [{ role: 'user', content: 'hi' }] } }))
    expect(v1.status).toBe(429)
    expect(v1.body.error).toMatchObject({ type: 'rate_limit_error' })
    expect(Number(v1.retryAfter)).toBeGreaterThan(0)
    // Reads are not model work.
    expect((await gw.request('/v1/models', { token: member.token })).status).toBe(200)
    // Nothing refused was started: one job, no second run of the routine.
    expect(((await (await gw.request('/api/jobs', { token: member.token })).json()) as { jobs: unknown[] }).jobs).toHaveLength(1)
    expect(((await (await gw.request(`/api/routines/${routine.id}/runs`, { token: member.token })).json()) as { runs: unknown[] }).runs).toHaveLength(0)

    // Another user's budget is their own.
    const other = await createUser(gw)
    expect((await gw.request('/api/chat/send', { method: 'POST', token: other.token, json: { content: 'hello' } })).status).toBe(202)
  })

  it('records a scheduled run over budget as failed, without running it', async () => {
    const member = await createUser(gw)
    const created = (await (await gw.request('/api/routines', { method: 'POST', token: member.token, json: { name: 'nightly', trigger: { type: 'cron', schedule: '0 3 * * *' }, action: { type: 'lightweight', prompt: 'report' } } })).json()) as { id: string }
    for (let i = 0; i < BUDGET; i++) expect((await gw.request('/api/chat/send', { method: 'POST', token: member.token, json: { content: `n${i}` } })).status).toBe(202)
    const requests = llm.requests.length
    const routines = defaultRoutines(gw)
    const stored = await new RoutineRepository(gw.store!.db).owned(member.id, created.id)
    // What the scheduler does when the slot is due.
    expect(await routines.runner.fire(stored!, { type: 'cron', key: 'cron:slot-1' })).toBeUndefined()
    const runs = ((await (await gw.request(`/api/routines/${created.id}/runs`, { token: member.token })).json()) as { runs: Array<{ status: string; result_summary: string }> }).runs
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ status: 'failed', result_summary: expect.stringMatching(/^Not run: Rate limit exceeded/) })
    await routines.idle()
    // The refused slot made no model call (the four chat turns may still be finishing theirs).
    await waitFor(() => llm.requests.length >= requests, 5_000)
    expect(llm.requests.filter((r) => JSON.stringify(r.body).includes('report'))).toHaveLength(0)
  })
})
