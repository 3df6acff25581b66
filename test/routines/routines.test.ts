import { describe, expect, it } from 'vitest'
import { json } from '../support/agent'
import { defaultRoutines } from '../support/defaults'
import { manualClock } from '../support/users'
import { HOUR, routineHarness, START } from './routine-harness'

/** Routine schedules: cron slots in a time zone, firing once, misfires, toggling, and restarts. */
describe('routine schedules', async () => {
  const { llm, clock, gw, log, create, prompt, tick, runsOf, detail, disableOthers } = await routineHarness()

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
