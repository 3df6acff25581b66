import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { agentGateway, EventLog, json } from '../support/agent'
import { MockLlm } from '../support/mock-llm'
import { createUser, manualClock } from '../support/users'
import { defaultRoutines } from '../support/defaults'

const HOUR = 3_600_000
// 2026-03-02 is a Monday; 07:30 UTC.
const START = Date.parse('2026-03-02T07:30:00.000Z')

describe('routines', async () => {
  const llm = await MockLlm.start()
  const clock = manualClock(START)
  const gw = await agentGateway(llm, { runtime: { name: 'node', clock } })
  const routines = defaultRoutines(gw)
  const log = new EventLog(gw)
  afterAll(async () => {
    await gw.close()
    await llm.close()
  })
  beforeEach(() => clock.advance(1_000))

  const create = (body: Record<string, unknown>, token?: string) => gw.request('/api/routines', { method: 'POST', json: body, ...(token ? { token } : {}) })
  const prompt = (text: string) => ({ type: 'lightweight', prompt: text })
  /** Fires what is due at the clock's time and waits for the runs to end. */
  const tick = async () => {
    const fired = await routines.scheduler.tick()
    await routines.runner.idle()
    await gw.defaultAgent!.idle()
    return fired
  }
  const runsOf = async (id: string) => (await json(gw.request(`/api/routines/${id}/runs`))).runs as Array<Record<string, any>>
  const detail = (id: string) => json(gw.request(`/api/routines/${id}`))
  const disableOthers = async (keep: string) => {
    for (const r of (await json(gw.request('/api/routines'))).routines) {
      if (r.id !== keep && r.enabled) await gw.request(`/api/routines/${r.id}/toggle`, { method: 'POST', json: { enabled: false } })
    }
  }

  it('creates a cron routine with its next slot in its time zone, and says why a schedule is wrong', async () => {
    const res = await create({ name: 'Weekday briefing', trigger: { type: 'cron', schedule: '0 9 * * 1-5', timezone: 'Europe/Paris' }, action: prompt('Summarise my inbox notes') })
    expect(res.status).toBe(201)
    const created = await json(res)
    // 09:00 in Paris (UTC+1 in March before DST) = 08:00 UTC, later the same Monday.
    expect(created).toMatchObject({
      name: 'Weekday briefing',
      enabled: true,
      trigger_type: 'cron',
      trigger_raw: '0 9 * * 1-5',
      action_type: 'lightweight',
      next_fire_at: '2026-03-02T08:00:00.000Z',
      run_count: 0,
      status: 'active',
      verification_status: 'unverified',
      recent_runs: [],
      guardrails: { cooldown: { secs: 0, nanos: 0 }, max_concurrent: 1, dedup_window: null },
    })
    expect(created.trigger_summary).toMatch(/09:00.*Monday through Friday.*Europe\/Paris/)

    const bad = await create({ name: 'x', trigger: { type: 'cron', schedule: '61 * * * *' }, action: prompt('p') })
    expect(bad.status).toBe(400)
    const error = (await json(bad)).error
    expect(error.code).toBe('invalid_schedule')
    expect(error.message).toContain('61 * * * *')
    const fields = await json(create({ name: 'x', trigger: { type: 'cron', schedule: '* * *' }, action: prompt('p') }))
    expect(fields.error.message).toMatch(/expected 5 fields/)
    const zone = await create({ name: 'x', trigger: { type: 'cron', schedule: '0 9 * * *', timezone: 'Mars/Olympus' }, action: prompt('p') })
    expect((await json(zone)).error.code).toBe('invalid_timezone')
    const regex = await create({ name: 'x', trigger: { type: 'event', pattern: '(' }, action: prompt('p') })
    expect((await json(regex)).error.code).toBe('invalid_pattern')
    const empty = await create({ name: '', trigger: { type: 'manual' }, action: prompt('p') })
    expect(empty.status).toBe(400)

    const list = await json(gw.request('/api/routines'))
    expect(list.routines.map((r: { id: string }) => r.id)).toContain(created.id)
    const summary = await json(gw.request('/api/routines/summary'))
    expect(summary).toMatchObject({ total: list.routines.length, disabled: 0, failing: 0 })
    expect(summary.unverified).toBeGreaterThanOrEqual(1)
    expect((await gw.request('/api/routines/not-a-uuid')).status).toBe(400)
    expect((await gw.request(`/api/routines/${crypto.randomUUID()}`)).status).toBe(404)
  })

  it('fires a due slot once, as a turn in the routine thread, and moves next_fire_at on', async () => {
    const created = await json(create({ name: 'Hourly', trigger: { type: 'cron', schedule: '0 * * * *' }, action: prompt('What time is it?') }))
    const slot = Date.parse(created.next_fire_at)
    expect(slot).toBeGreaterThan(clock.now())
    await tick()
    expect(await runsOf(created.id)).toEqual([])

    // Other tests' routines are disabled, so this is the only one due.
    await disableOthers(created.id)
    llm.text('It is ', 'routine time.')
    clock.advance(slot - clock.now() + 5_000)
    expect(await tick()).toBe(1)
    expect(await tick()).toBe(0) // the same slot never fires twice

    const [run, ...others] = await runsOf(created.id)
    expect(others).toEqual([])
    expect(run).toMatchObject({ trigger_type: 'cron', status: 'ok', result_summary: 'It is routine time.', thread_id: created.thread_id })
    expect(run!.tokens_used).toBeGreaterThanOrEqual(0)
    const after = await detail(created.id)
    expect(after).toMatchObject({ run_count: 1, consecutive_failures: 0, verification_status: 'verified', last_run_at: run!.started_at })
    expect(Date.parse(after.next_fire_at)).toBe(slot + HOUR)

    // The prompt and the answer are in the routine's thread, which the owner's thread list shows by name.
    const history = await json(gw.request(`/api/chat/history?thread_id=${created.thread_id}`))
    expect(history.turns.at(-1)).toMatchObject({ user_input: 'What time is it?', response: 'It is routine time.', state: 'completed' })
    const threads = await json(gw.request('/api/chat/threads'))
    expect(threads.threads.find((t: { id: string }) => t.id === created.thread_id)).toMatchObject({ channel: 'routine' })
    // The owner's stream got the turn and the run's start and end.
    const events = log.of('routine_run').filter((e) => e.routine_id === created.id)
    expect(events.map((e) => e.status)).toEqual(['running', 'ok'])
    expect(events[1]).toMatchObject({ userId: 'owner', thread_id: created.thread_id, run_id: run!.id, result_summary: 'It is routine time.' })
    expect(log.of('response', created.thread_id).map((e) => e.content)).toContain('It is routine time.')
  })

  it('runs a routine missed during downtime once, then continues from now (misfire policy)', async () => {
    const created = await json(create({ name: 'Missed', trigger: { type: 'cron', schedule: '*/10 * * * *' }, action: prompt('catch up') }))
    await disableOthers(created.id)
    clock.advance(5 * HOUR)
    expect(await tick()).toBe(1)
    const runs = await runsOf(created.id)
    expect(runs).toHaveLength(1)
    const next = Date.parse((await detail(created.id)).next_fire_at)
    expect(next).toBeGreaterThan(clock.now())
    expect(next - clock.now()).toBeLessThanOrEqual(10 * 60_000)
  })

  it('toggle disables (no slot, nothing fires) and re-enabling computes the next slot from now', async () => {
    const created = await json(create({ name: 'Toggled', trigger: { type: 'cron', schedule: '30 * * * *' }, action: prompt('p') }))
    const off = await json(gw.request(`/api/routines/${created.id}/toggle`, { method: 'POST' }))
    expect(off).toEqual({ status: 'disabled', routine_id: created.id, next_fire_at: null })
    expect((await detail(created.id)).status).toBe('disabled')
    clock.advance(3 * HOUR)
    await tick()
    expect(await runsOf(created.id)).toEqual([])
    const on = await json(gw.request(`/api/routines/${created.id}/toggle`, { method: 'POST', json: { enabled: true } }))
    expect(on.status).toBe('enabled')
    expect(Date.parse(on.next_fire_at)).toBeGreaterThan(clock.now())
    expect(new Date(on.next_fire_at).getUTCMinutes()).toBe(30)
    expect((await detail(created.id)).next_fire_at).toBe(on.next_fire_at)
    // PATCH with a new schedule recomputes it too.
    const patched = await json(gw.request(`/api/routines/${created.id}`, { method: 'PATCH', json: { trigger: { type: 'cron', schedule: '45 * * * *' } } }))
    expect(new Date(patched.next_fire_at).getUTCMinutes()).toBe(45)
    const badPatch = await gw.request(`/api/routines/${created.id}`, { method: 'PATCH', json: { trigger: { type: 'cron', schedule: 'nope nope nope nope nope' } } })
    expect((await json(badPatch)).error.code).toBe('invalid_schedule')
  })

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

describe('routines across a restart', async () => {
  const { reopenableStore } = await import('../support/store')
  const { testGateway } = await import('../support/gateway')
  const { countingAgent } = await import('./counting-agent')

  it('fires a slot missed while the gateway was down once, when it starts again', async () => {
    const db = await reopenableStore()
    const clock = manualClock(START)
    const ran: string[] = []
    const config = { masterKey: 'r'.repeat(32) }
    const first = await testGateway({ store: await db.open(), runtime: { name: 'node', clock }, agent: countingAgent(ran), config })
    const created = await json(first.request('/api/routines', { method: 'POST', json: { name: 'Every 5', trigger: { type: 'cron', schedule: '*/5 * * * *' }, action: { type: 'lightweight', prompt: 'tick' } } }))
    await first.close()

    clock.advance(3 * HOUR) // 36 slots pass with no gateway running
    const second = await testGateway({ store: await db.open(), runtime: { name: 'node', clock }, agent: countingAgent(ran), config })
    try {
      // Started by the gateway itself once its agent is attached (no test tick).
      for (let i = 0; i < 200 && ran.length === 0; i++) await new Promise((r) => setTimeout(r, 10))
      await defaultRoutines(second).idle()
      expect(ran).toEqual(['tick'])
      const after = await json(second.request(`/api/routines/${created.id}`))
      expect(after.run_count).toBe(1)
      expect(Date.parse(after.next_fire_at)).toBeGreaterThan(clock.now())
      expect(await defaultRoutines(second).scheduler.tick()).toBe(0)
    } finally {
      await second.close()
      await db.cleanup()
    }
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
