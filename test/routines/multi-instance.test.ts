import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appEvent } from '../../src/protocol/events'
import { json } from '../support/agent'
import { testGateway } from '../support/gateway'
import { createTestSchema, dropTestSchema, openSchemaStore, POSTGRES_URL } from '../support/store'
import { manualClock } from '../support/users'
import { countingAgent } from './counting-agent'
import { defaultRoutines } from '../support/defaults'

type Gw = Awaited<ReturnType<typeof testGateway>>

/** Two gateways on one PostgreSQL database, both running the scheduler, as behind a load balancer. */
describe.skipIf(!POSTGRES_URL)('routines on two instances sharing PostgreSQL', () => {
  const clock = manualClock(Date.parse('2026-03-02T07:30:30.000Z'))
  const ran: string[] = []
  let schema: string
  let a: Gw
  let b: Gw

  beforeAll(async () => {
    schema = await createTestSchema()
    const [storeA, storeB] = await Promise.all([openSchemaStore(schema), openSchemaStore(schema)])
    a = await testGateway({ store: storeA, runtime: { name: 'node', clock }, agent: countingAgent(ran, 'a'), config: { masterKey: 'k'.repeat(32) } })
    b = await testGateway({ store: storeB, runtime: { name: 'node', clock }, agent: countingAgent(ran, 'b'), config: { masterKey: 'k'.repeat(32) } })
  })
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()])
    if (schema) await dropTestSchema(schema)
  })

  it('never fires a slot twice, however the two schedulers race', async () => {
    const ids: string[] = []
    for (let i = 0; i < 4; i++) {
      const res = await a.request('/api/routines', { method: 'POST', json: { name: `every minute ${i}`, trigger: { type: 'cron', schedule: '* * * * *' }, action: { type: 'lightweight', prompt: `p${i}` } } })
      ids.push((await json(res)).id)
    }
    const rounds = 8
    for (let round = 0; round < rounds; round++) {
      clock.advance(60_000)
      const fired = await Promise.all([defaultRoutines(a).scheduler.tick(), defaultRoutines(b).scheduler.tick()])
      expect(fired.reduce((x, y) => x + y, 0)).toBe(ids.length)
      await Promise.all([defaultRoutines(a).idle(), defaultRoutines(b).idle()])
    }
    for (const id of ids) {
      const runs = (await json(b.request(`/api/routines/${id}/runs`))).runs as Array<{ status: string }>
      expect(runs).toHaveLength(rounds)
      expect(runs.every((r) => r.status === 'ok')).toBe(true)
    }
    expect(ran).toHaveLength(ids.length * rounds)
    // Each slot of each routine ran once (on whichever instance claimed it first).
    const keys = await a.store!.db.selectFrom('routine_runs').select(['routine_id', 'trigger_key']).execute()
    expect(new Set(keys.map((k) => `${k.routine_id} ${k.trigger_key}`)).size).toBe(ids.length * rounds)
  })

  it('runs a system_event routine once although both instances see the event', async () => {
    ran.length = 0
    const created = await json(
      a.request('/api/routines', {
        method: 'POST',
        json: { name: 'on failures', trigger: { type: 'system_event', event_type: 'status', filters: { message: 'deploy failed' } }, action: { type: 'lightweight', prompt: 'why?' } },
      }),
    )
    // B learns about the routine from the database (as after its periodic refresh).
    await defaultRoutines(b).reloadTriggers()
    // B's matcher listens before this listener, so once B has the last event it has started matching both.
    const bSawLast = new Promise<void>((resolve) => {
      const off = b.hub.bus.onEvent((e) => {
        if (e.json.includes('deploy ok')) {
          off()
          resolve()
        }
      })
    })
    await a.hub.publish('owner', appEvent('status', { message: 'deploy failed' }))
    await a.hub.publish('owner', appEvent('status', { message: 'deploy ok' }))
    await bSawLast
    await Promise.all([defaultRoutines(a).idle(), defaultRoutines(b).idle()])
    const runs = (await json(a.request(`/api/routines/${created.id}/runs`))).runs
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ trigger_type: 'system_event' })
    expect(ran.filter((content) => content.startsWith('why?'))).toHaveLength(1)
  })
})
