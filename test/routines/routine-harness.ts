import { afterAll, beforeEach } from 'vitest'
import { agentGateway, EventLog, json } from '../support/agent'
import { defaultRoutines } from '../support/defaults'
import { MockLlm } from '../support/mock-llm'
import { manualClock } from '../support/users'

export const HOUR = 3_600_000
// 2026-03-02 is a Monday; 07:30 UTC.
export const START = Date.parse('2026-03-02T07:30:00.000Z')

/**
 * A gateway with the default agent on a mock LLM and a manual clock (one second on before each
 * test), closed after the file, with the calls the routine tests make. Call it in a `describe`.
 */
export async function routineHarness() {
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
  return { llm, clock, gw, routines, log, create, prompt, tick, runsOf, detail, disableOthers }
}
