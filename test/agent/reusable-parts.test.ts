import { afterAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ContextContributors, createLlmProvider, defineTool, emptyState, runAgentLoop } from '../../src/exports/agent'
import { loadConfig } from '../../src/index'
import { agentGateway, EventLog, json, mockLlmConfig } from '../support/agent'
import { MockLlm } from '../support/mock-llm'

describe('reusable parts of the agent', async () => {
  const llm = await MockLlm.start()
  afterAll(() => llm.close())

  it('runAgentLoop runs without any channel, with its own tools and approval policy (as a job would)', async () => {
    const provider = (await createLlmProvider(mockLlmConfig(llm) as never))!
    const files: Record<string, string> = {}
    const write = defineTool({
      name: 'write_file',
      description: 'Write a file in the workspace',
      source: 'jobs',
      requiresApproval: (input) => input.path.startsWith('/'),
      input: z.object({ path: z.string(), content: z.string() }),
      async execute({ path, content }, ctx) {
        expect(ctx.jobId).toBe('job-1')
        files[path] = content
        return `wrote ${path}`
      },
    })
    const asked: string[] = []
    const deltas: string[] = []
    llm.toolCall('write_file', { path: 'notes.md', content: 'hi' }, 'c1').toolCall('write_file', { path: '/etc/passwd', content: 'x' }, 'c2').text('Done: one file written.')
    const result = await runAgentLoop({
      llm: provider,
      system: 'You are a job worker.',
      state: emptyState([{ role: 'user', content: 'write notes' }]),
      tools: [write],
      context: { userId: 'owner', threadId: 'job-thread', jobId: 'job-1' },
      signal: new AbortController().signal,
      maxSteps: 5,
      approval: (call) => {
        asked.push(call.id)
        return 'deny'
      },
      observer: { text: (d) => void deltas.push(d) },
    })
    expect(result.status).toBe('completed')
    expect(files).toEqual({ 'notes.md': 'hi' })
    expect(asked).toEqual(['c2'])
    expect(result.state.text).toBe('Done: one file written.')
    expect(deltas.join('')).toBe(result.state.text)
    expect(result.state.steps).toBe(3)
    expect(result.state.toolCalls.map((c) => [c.name, c.has_error])).toEqual([['write_file', false], ['write_file', true]])
  })

  it('stops at maxSteps with a last call that offers no tool choice, so the turn ends with an answer', async () => {
    const provider = (await createLlmProvider(mockLlmConfig(llm) as never))!
    const ping = defineTool({ name: 'ping', description: 'ping', source: 'test', requiresApproval: false, input: z.object({}), execute: async () => 'pong' })
    llm.toolCall('ping', {}).toolCall('ping', {})
    const result = await runAgentLoop({
      llm: provider, system: 's', state: emptyState([{ role: 'user', content: 'loop' }]), tools: [ping], context: { userId: 'u', threadId: 't' },
      signal: new AbortController().signal, maxSteps: 2, approval: () => 'approve',
    })
    expect(result.status).toBe('completed')
    expect(llm.chatRequests().at(-1)!.body.tool_choice).toBe('none')
    // The call made on the last step is not run and not left dangling in the transcript.
    expect(result.state.toolCalls).toHaveLength(1)
    expect(result.state.transcript.at(-1)).toEqual({ role: 'assistant', content: '' })
  })

  it('context contributors add to the system prompt per message; a slow or failing one is skipped', async () => {
    const gw = await agentGateway(llm, { config: { agent: { contributorTimeoutMs: 200 } } })
    const log = new EventLog(gw)
    const seen: string[] = []
    gw.contextContributors.add({
      name: 'skills',
      contribute: ({ message, userId }) => {
        seen.push(`${userId}:${message}`)
        return message.includes('poem') ? '## Skill: poetry\nWrite in iambic pentameter.' : undefined
      },
    })
    gw.contextContributors.add({ name: 'broken', contribute: () => Promise.reject(new Error('boom')) })
    gw.contextContributors.add({ name: 'slow', contribute: () => new Promise((resolve) => setTimeout(() => resolve('too late'), 10_000)) })
    llm.text('A poem.')
    const { thread_id } = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'write a poem' } }))
    await log.next('response', (e) => e.thread_id === thread_id)
    const system = String((llm.chatRequests().at(-1)!.body.messages as Array<{ content: string }>)[0]!.content)
    expect(system).toContain('## Skill: poetry')
    expect(system).not.toContain('too late')
    expect(seen).toEqual(['owner:write a poem'])
    await gw.close()

    const registry = new ContextContributors(50)
    const remove = registry.add({ name: 'a', contribute: () => 'A' })
    expect(await registry.collect({ userId: 'u', threadId: 't', message: 'm' })).toEqual([{ name: 'a', text: 'A' }])
    remove()
    expect(registry.size).toBe(0)
  })

  it('reads the agent settings from the environment', () => {
    const config = loadConfig({ GATEWAY_DAILY_BUDGET_USD: '2.5', LLM_TIMEOUT_SECS: '12', LLM_VISION: 'true', LLM_BACKEND: 'anthropic', ANTHROPIC_API_KEY: 'k' })
    expect(config.limits.dailyBudgetUsd).toBe(2.5)
    expect(config.llm).toMatchObject({ timeoutMs: 12_000, vision: true, backend: 'anthropic', apiKey: 'k' })
    expect(loadConfig({}).limits.dailyBudgetUsd).toBeUndefined()
    expect(() => loadConfig({ GATEWAY_DAILY_BUDGET_USD: 'lots' })).toThrow()
  })
})
