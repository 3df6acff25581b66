import { afterAll, describe, expect, it } from 'vitest'
import { agentGateway, EventLog, json } from '../support/agent'
import { MockLlm } from '../support/mock-llm'
import { manualClock } from '../support/users'
import { defaultRoutines } from '../support/defaults'

/** The "done when": asked in chat, the agent creates a routine; it fires; its result is in its thread. */
describe('routines from chat', async () => {
  const llm = await MockLlm.start()
  const clock = manualClock(Date.parse('2026-03-02T07:30:00.000Z'))
  const gw = await agentGateway(llm, { runtime: { name: 'node', clock } })
  const log = new EventLog(gw)
  afterAll(async () => {
    await gw.close()
    await llm.close()
  })

  it('creates a routine after the user approves, lists it, and its run answers in the routine thread', async () => {
    llm.toolCall('create_routine', { name: 'Morning notes', prompt: 'Summarise my inbox notes', schedule: '0 8 * * 1-5', timezone: 'UTC' })
    llm.text('Done: your routine runs at 8:00 on weekdays.')
    const sent = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'Every weekday at 8 summarise my inbox notes' } }))

    // Creating a routine sets up unattended work: the user approves it first.
    const needed = await log.next('approval_needed', (e) => e.thread_id === sent.thread_id)
    expect(needed.tool_name).toBe('create_routine')
    expect((await json(gw.request('/api/routines'))).routines).toEqual([])
    const approved = await gw.request('/api/chat/approval', { method: 'POST', json: { request_id: needed.request_id, action: 'approve', thread_id: sent.thread_id } })
    expect(approved.status).toBe(202)
    await log.next('response', (e) => e.thread_id === sent.thread_id)
    await gw.defaultAgent!.idle()

    const [routine, ...others] = (await json(gw.request('/api/routines'))).routines
    expect(others).toEqual([])
    expect(routine).toMatchObject({ name: 'Morning notes', trigger_type: 'cron', trigger_raw: '0 8 * * 1-5', next_fire_at: '2026-03-02T08:00:00.000Z', enabled: true })
    const toolResult = log.of('tool_result', sent.thread_id).find((e) => e.name === 'create_routine')
    expect(toolResult?.preview).toContain('Created the routine "Morning notes"')
    expect(toolResult?.preview).toContain('2026-03-02T08:00:00.000Z')

    // list_routines needs no approval.
    llm.toolCall('list_routines', {})
    llm.text('You have one routine.')
    await gw.request('/api/chat/send', { method: 'POST', json: { content: 'What routines do I have?', thread_id: sent.thread_id } })
    await log.next('response', (e) => e.thread_id === sent.thread_id && e.content === 'You have one routine.')
    const listed = log.of('tool_result', sent.thread_id).find((e) => e.name === 'list_routines')
    expect(listed?.preview).toContain('Morning notes')
    expect(listed?.preview).toContain('next run 2026-03-02T08:00:00.000Z')

    // 08:00: the scheduler fires; the agent answers in the routine's own thread.
    llm.text('Three notes: rent, dentist, call mum.')
    clock.advance(31 * 60_000)
    expect(await defaultRoutines(gw).scheduler.tick()).toBe(1)
    await defaultRoutines(gw).runner.idle()
    const history = await json(gw.request(`/api/chat/history?thread_id=${routine.thread_id}`))
    expect(history.turns).toHaveLength(1)
    expect(history.turns[0]).toMatchObject({ user_input: 'Summarise my inbox notes', response: 'Three notes: rent, dentist, call mum.' })
    const thread = (await json(gw.request('/api/chat/threads'))).threads.find((t: { id: string }) => t.id === routine.thread_id)
    expect(thread).toMatchObject({ channel: 'routine', title: 'Morning notes' })
    const finished = await log.next('routine_run', (e) => e.routine_id === routine.id && e.status === 'ok')
    expect(finished.result_summary).toBe('Three notes: rent, dentist, call mum.')
    // The last model request was the routine's prompt, in a thread of its own (no chat history).
    const last = llm.chatRequests().at(-1)!.body.messages as Array<{ role: string; content: unknown }>
    expect(JSON.stringify(last)).not.toContain('Every weekday at 8')
  })

  it('turns a bad schedule into an error the model can correct', async () => {
    llm.toolCall('create_routine', { name: 'Broken', prompt: 'x', schedule: 'every morning' })
    llm.text('Sorry, let me fix that.')
    const sent = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'make a broken routine' } }))
    const needed = await log.next('approval_needed', (e) => e.thread_id === sent.thread_id)
    await gw.request('/api/chat/approval', { method: 'POST', json: { request_id: needed.request_id, action: 'approve', thread_id: sent.thread_id } })
    await log.next('response', (e) => e.thread_id === sent.thread_id)
    const completed = log.of('tool_completed', sent.thread_id).find((e) => e.name === 'create_routine')
    expect(completed?.success).toBe(false)
    expect(completed?.error).toMatch(/Could not create the routine: Invalid cron schedule "every morning"/)
    expect((await json(gw.request('/api/routines'))).routines.map((r: { name: string }) => r.name)).not.toContain('Broken')
  })
})
