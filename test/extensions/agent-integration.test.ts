import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { skillMd } from '../support/archives'
import { agentGateway, EventLog, json } from '../support/agent'
import { waitFor } from '../support/gateway'
import { MockLlm } from '../support/mock-llm'
import { tempDir } from '../support/store'
import { manifestDir, stdioFixture } from './helpers'

type UpstreamBody = { messages: Array<{ role: string; content: unknown }>; tools: Array<{ function: { name: string; description: string } }> }

/**
 * The "done when": a user pastes a skill, installs an MCP extension from the registry,
 * fills in its secret in the setup wizard, and the agent (driven by the mock LLM) calls the new
 * tool in the next message, with the skill's instructions in its system prompt.
 */
describe('skills and extensions with the default agent', async () => {
  const llm = await MockLlm.start()
  const marker = join(tempDir('gw-agent-ext-'), 'marks.log')
  const dir = manifestDir([
    stdioFixture(
      'notes',
      {
        secrets: [{ name: 'notes_token', prompt: 'Notes API token' }],
        tools: { requires_approval: true, overrides: { echo: { requires_approval: false }, slow: { requires_approval: false } } },
      },
      { FIXTURE_TOKEN: '${secret:notes_token}', MARKER_FILE: marker },
    ),
  ])
  const gw = await agentGateway(llm, { config: { extensions: { dir } } })
  const log = new EventLog(gw)
  afterAll(async () => {
    await gw.close()
    await llm.close()
  })
  const send = async (content: string) => (await json(gw.request('/api/chat/send', { method: 'POST', json: { content } }))) as { thread_id: string }

  it('pastes a skill, installs and sets up an extension, and the agent uses both in the next message', async () => {
    const skill = skillMd({ name: 'meeting-notes', description: 'Write meeting notes', keywords: ['meeting notes'] }, 'Always end meeting notes with a list of action items.')
    expect((await gw.request('/api/skills/install', { method: 'POST', json: { content: skill }, headers: { 'x-confirm-action': 'true' } })).status).toBe(201)
    const installed = await json(gw.request('/api/extensions/install', { method: 'POST', json: { name: 'notes' } }))
    expect(installed).toMatchObject({ success: true, activated: false, message: expect.stringContaining('needs setup: notes_token') })
    const setup = await gw.request('/api/extensions/notes/setup', { method: 'POST', json: { secrets: { notes_token: 'tok-123' } } })
    expect(setup.status).toBe(200)

    llm.toolCall('notes__echo', { text: 'standup' }, 'call_1').text('Here are your meeting notes.')
    const { thread_id } = await send('Draft the meeting notes for the standup')
    expect((await log.next('response', (e) => e.thread_id === thread_id)).content).toBe('Here are your meeting notes.')
    expect(log.of('tool_result', thread_id)[0]).toMatchObject({ name: 'notes__echo', preview: expect.stringContaining('echo: standup') })

    const [first, second] = llm.chatRequests().slice(-2).map((r) => r.body as UpstreamBody)
    const system = String(first!.messages[0]!.content)
    expect(system).toContain('- meeting-notes: Write meeting notes')
    expect(system).toContain('Always end meeting notes with a list of action items.')
    const tools = first!.tools.map((t) => t.function.name)
    expect(tools).toEqual(expect.arrayContaining(['notes__echo', 'notes__whoami', 'current_time']))
    expect(first!.tools.find((t) => t.function.name === 'notes__echo')!.function.description).toContain('Echoes the text back')
    // The tool's output went back to the model.
    expect(JSON.stringify(second!.messages)).toContain('echo: standup')
  })

  it('asks before a tool the manifest does not mark safe, and runs it once approved', async () => {
    llm.toolCall('notes__whoami', {}, 'call_2').text('You are authenticated.')
    const { thread_id } = await send('Which token does the notes server use?')
    const needed = await log.next('approval_needed', (e) => e.thread_id === thread_id)
    expect(needed.tool_name).toBe('notes__whoami')
    expect((await gw.request('/api/chat/approval', { method: 'POST', json: { request_id: needed.request_id, action: 'approve', thread_id } })).status).toBe(202)
    expect((await log.next('response', (e) => e.thread_id === thread_id)).content).toBe('You are authenticated.')
    expect(log.of('tool_result', thread_id)[0]!.preview).toContain('token=tok-123')
  })

  it('stopping a turn sends MCP cancellation to the running tool', async () => {
    llm.toolCall('notes__slow', {}, 'call_3').text('never reached')
    const { thread_id } = await send('Run the slow notes job')
    await waitFor(() => existsSync(marker) && readFileSync(marker, 'utf8').includes('slow:started'), 10_000, 'the slow tool to start')
    expect(await json(gw.request('/api/chat/cancel', { method: 'POST', json: { thread_id } }))).toEqual({ status: 'cancelled', thread_id })
    await waitFor(() => readFileSync(marker, 'utf8').includes('slow:cancelled'), 10_000, 'the MCP server to see notifications/cancelled')
    await log.next('turn_cancelled', (e) => e.thread_id === thread_id)
  })
})
