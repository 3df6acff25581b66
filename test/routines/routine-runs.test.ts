import { afterAll, describe, expect, it } from 'vitest'
import { agentGateway, json } from '../support/agent'
import { defaultRoutines } from '../support/defaults'
import { MockLlm } from '../support/mock-llm'
import { createUser } from '../support/users'
import { HOUR, routineHarness } from './routine-harness'

/** Routine runs: on demand, busy and abandoned runs, approvals, failures, event triggers, ownership. */
describe('routine runs', async () => {
  const { llm, clock, gw, routines, log, create, prompt, tick, runsOf, detail, disableOthers } = await routineHarness()

  it('runs on demand (manual trigger), refuses a disabled routine with 409, and pages runs newest first', async () => {
    const created = await json(create({ name: 'Manual', trigger: { type: 'manual' }, action: prompt('do it') }))
    expect(created.next_fire_at).toBeNull()
    expect(created.trigger_summary).toBe('manual only')
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      clock.advance(1_000)
      const res = await gw.request(`/api/routines/${created.id}/trigger`, { method: 'POST' })
      expect(res.status).toBe(200)
      const body = await json(res)
      expect(body).toMatchObject({ status: 'triggered', routine_id: created.id })
      ids.push(body.run_id)
      await routines.runner.idle()
    }
    const page1 = await json(gw.request(`/api/routines/${created.id}/runs?limit=2`))
    expect(page1.runs.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]])
    expect(page1.runs[0]).toMatchObject({ trigger_type: 'manual', status: 'ok' })
    const page2 = await json(gw.request(`/api/routines/${created.id}/runs?limit=2&cursor=${page1.next_cursor}`))
    expect(page2.runs.map((r: { id: string }) => r.id)).toEqual([ids[0]])
    expect(page2.next_cursor).toBeUndefined()
    expect((await detail(created.id)).recent_runs).toHaveLength(3)

    await gw.request(`/api/routines/${created.id}/toggle`, { method: 'POST', json: { enabled: false } })
    const refused = await gw.request(`/api/routines/${created.id}/trigger`, { method: 'POST' })
    expect(refused.status).toBe(409)
    expect((await json(refused)).error.code).toBe('routine_disabled')
  })

  it('refuses a run while one is in progress (409), and sweeps runs a stopped instance abandoned', async () => {
    const created = await json(create({ name: 'Busy', trigger: { type: 'manual' }, action: prompt('p') }))
    await disableOthers(created.id)
    const leftRunning = (id: string, startedAt: number) =>
      gw.store!.db
        .insertInto('routine_runs')
        .values({ id, routine_id: created.id, user_id: 'owner', trigger_type: 'manual', trigger_key: null, status: 'running', result_summary: null, tokens_used: null, job_id: null, thread_id: created.thread_id, started_at: new Date(startedAt).toISOString(), completed_at: null })
        .execute()
    const recent = crypto.randomUUID()
    await leftRunning(recent, clock.now() - 60_000)
    const busy = await gw.request(`/api/routines/${created.id}/trigger`, { method: 'POST' })
    expect(busy.status).toBe(409)
    expect((await json(busy)).error.code).toBe('routine_busy')

    clock.advance(2 * HOUR) // the instance running it is long gone
    const again = await gw.request(`/api/routines/${created.id}/trigger`, { method: 'POST' })
    expect(again.status).toBe(200)
    await tick()
    const runs = await runsOf(created.id)
    expect(runs.find((r) => r.id === recent)).toMatchObject({ status: 'failed', result_summary: expect.stringMatching(/stopped before the run ended/) })
    expect(runs.find((r) => r.id !== recent)).toMatchObject({ status: 'ok' })
  })

  it('ends a run at attention when its turn waits for an approval, which waits in the routine thread', async () => {
    const created = await json(create({ name: 'Fetcher', trigger: { type: 'manual' }, action: prompt('Check the status page') }))
    llm.toolCall('http_fetch', { url: 'https://status.example.com/' })
    await gw.request(`/api/routines/${created.id}/trigger`, { method: 'POST' })
    await routines.runner.idle()
    const [run] = await runsOf(created.id)
    expect(run).toMatchObject({ status: 'attention', result_summary: 'Waiting for your approval in the routine thread' })
    const history = await json(gw.request(`/api/chat/history?thread_id=${created.thread_id}`))
    expect(history.pending_approval).toMatchObject({ tool_name: 'http_fetch' })
    expect((await detail(created.id)).consecutive_failures).toBe(0)
    // Denied, the turn finishes and the thread is free for the next run.
    llm.text('Skipped.')
    await gw.request('/api/chat/approval', { method: 'POST', json: { request_id: history.pending_approval.request_id, action: 'deny', thread_id: created.thread_id } })
    await gw.defaultAgent!.idle()
  })

  it('records a failed run and counts failures in a row', async () => {
    const created = await json(create({ name: 'Failing', trigger: { type: 'manual' }, action: prompt('fail please') }))
    llm.reply({ kind: 'error', status: 400, body: { error: { message: 'bad request from test' } } })
    await gw.request(`/api/routines/${created.id}/trigger`, { method: 'POST' })
    await routines.runner.idle()
    const [run] = await runsOf(created.id)
    expect(run!.status).toBe('failed')
    expect(run!.result_summary).toBeTruthy()
    expect(await detail(created.id)).toMatchObject({ consecutive_failures: 1, status: 'failing', verification_status: 'unverified' })
    expect((await json(gw.request('/api/routines/summary'))).failing).toBeGreaterThanOrEqual(1)
  })

  it('fires an event routine on a matching chat message only, with the message quoted', async () => {
    const created = await json(create({ name: 'Invoices', trigger: { type: 'event', pattern: 'invoice\\s+#\\d+' }, action: prompt('File this invoice') }))
    expect(created.trigger_summary).toBe('on any /invoice\\s+#\\d+/')
    await gw.request('/api/chat/send', { method: 'POST', json: { content: 'nothing to see' } })
    await gw.request('/api/chat/send', { method: 'POST', json: { content: 'Here is Invoice #42 from ACME' } })
    await log.next('routine_run', (e) => e.routine_id === created.id && e.status !== 'running')
    await routines.runner.idle()
    await gw.defaultAgent!.idle()
    const runs = await runsOf(created.id)
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ trigger_type: 'event', status: 'ok' })
    const history = await json(gw.request(`/api/chat/history?thread_id=${created.thread_id}`))
    expect(history.turns[0].user_input).toContain('File this invoice')
    expect(history.turns[0].user_input).toContain('> Here is Invoice #42 from ACME')
  })

  it('fires a system_event routine on a matching event of the owner\'s stream, not on its own runs', async () => {
    const created = await json(
      create({ name: 'On notes', trigger: { type: 'system_event', event_type: 'memory_changed', filters: { action: 'written' } }, action: prompt('A note changed') }),
    )
    expect(created.trigger_summary).toBe('event: gateway.memory_changed (action=written)')
    const write = await gw.request('/api/memory/write', { method: 'POST', json: { path: 'notes/today.md', content: 'buy milk' } })
    expect(write.status).toBe(200)
    await log.next('routine_run', (e) => e.routine_id === created.id && e.status !== 'running')
    await routines.runner.idle()
    await gw.defaultAgent!.idle()
    const runs = await runsOf(created.id)
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ trigger_type: 'system_event', status: 'ok' })
    // A delete does not match the filter.
    await gw.request('/api/memory?path=notes/today.md', { method: 'DELETE' })
    await routines.runner.idle()
    expect(await runsOf(created.id)).toHaveLength(1)
  })

  it("answers 404 for another user's routine everywhere, and erases a deleted user's routines", async () => {
    const member = await createUser(gw)
    const mine = await json(create({ name: 'Owner only', trigger: { type: 'manual' }, action: prompt('p') }))
    const theirs = await json(create({ name: 'Member routine', trigger: { type: 'cron', schedule: '0 9 * * *' }, action: prompt('p') }, member.token))
    const asMember = (path: string, init: RequestInit & { json?: unknown } = {}) => gw.request(path, { ...init, token: member.token })
    for (const [path, init] of [
      [`/api/routines/${mine.id}`, {}],
      [`/api/routines/${mine.id}/runs`, {}],
      [`/api/routines/${mine.id}/trigger`, { method: 'POST' }],
      [`/api/routines/${mine.id}/toggle`, { method: 'POST' }],
      [`/api/routines/${mine.id}`, { method: 'PATCH', json: { name: 'stolen' } }],
      [`/api/routines/${mine.id}`, { method: 'DELETE' }],
    ] as const) {
      const res = await asMember(path, init)
      expect(res.status, `${init && 'method' in init ? init.method : 'GET'} ${path}`).toBe(404)
      expect((await json(res)).error.code).toBe('routine_not_found')
    }
    const list = await json(asMember('/api/routines'))
    expect(list.routines.map((r: { id: string }) => r.id)).toEqual([theirs.id])
    expect((await json(asMember('/api/routines/summary'))).total).toBe(1)
    expect((await detail(mine.id)).name).toBe('Owner only')

    expect((await gw.request(`/api/admin/users/${member.id}`, { method: 'DELETE' })).status).toBe(200)
    expect((await gw.request(`/api/routines/${theirs.id}`)).status).toBe(404)
    expect(await gw.store!.db.selectFrom('routines').select('id').where('user_id', '=', member.id).execute()).toEqual([])
  })

  it('deletes a routine and its runs', async () => {
    const created = await json(create({ name: 'Doomed', trigger: { type: 'manual' }, action: prompt('p') }))
    await gw.request(`/api/routines/${created.id}/trigger`, { method: 'POST' })
    await routines.runner.idle()
    expect(await json(gw.request(`/api/routines/${created.id}`, { method: 'DELETE' }))).toEqual({ status: 'deleted', routine_id: created.id })
    expect((await gw.request(`/api/routines/${created.id}`)).status).toBe(404)
    expect(await gw.store!.db.selectFrom('routine_runs').select('id').where('routine_id', '=', created.id).execute()).toEqual([])
  })
})

describe('full_job routines', async () => {
  const llm = await MockLlm.start()
  const gw = await agentGateway(llm)
  afterAll(async () => {
    await gw.close()
    await llm.close()
  })

  it('start a sandbox job in the routine thread and record it on the run', async () => {
    const created = await json(
      gw.request('/api/routines', { method: 'POST', json: { name: 'Nightly build', trigger: { type: 'manual' }, action: { type: 'full_job', title: 'Build the report', description: 'Write report.md' } } }),
    )
    expect(created.action_type).toBe('full_job')
    llm.text('Report written.')
    await gw.request(`/api/routines/${created.id}/trigger`, { method: 'POST' })
    await defaultRoutines(gw).idle()
    const [run] = (await json(gw.request(`/api/routines/${created.id}/runs`))).runs
    expect(run).toMatchObject({ status: 'ok', result_summary: 'Started job "Build the report"' })
    const job = await json(gw.request(`/api/jobs/${run.job_id}`))
    expect(job).toMatchObject({ title: 'Build the report', thread_id: created.thread_id, kind: 'agent', description: 'Write report.md' })
  })
})
