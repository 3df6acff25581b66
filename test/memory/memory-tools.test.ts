import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Tool, ToolContext } from '../../src/tools/tool'
import { testGateway } from '../support/gateway'
import { addMember, expectJson, MEMBER_ID, write } from './support'

const ctx = (userId: string): ToolContext => ({ userId, threadId: crypto.randomUUID(), signal: new AbortController().signal, callId: 'call_1' })

describe('memory tools for the agent', () => {
  let gateway: Awaited<ReturnType<typeof testGateway>>
  let tools: Map<string, Tool>
  beforeAll(async () => {
    gateway = await testGateway()
    addMember(gateway)
    tools = new Map((await gateway.tools.list('owner')).map((t) => [t.name, t]))
  })
  afterAll(() => gateway.close())
  const run = (name: string, input: unknown, userId = 'owner') => tools.get(name)!.execute(input, ctx(userId))

  it('are registered as the `memory` provider, with JSON Schemas, without approval', () => {
    for (const name of ['memory_search', 'memory_read', 'memory_write', 'memory_tree']) {
      const tool = tools.get(name)!
      expect(tool.source).toBe('memory')
      expect(tool.inputSchema).toMatchObject({ type: 'object' })
    }
    expect(tools.get('memory_search')!.requiresApproval).toBe(false)
    expect(tools.get('memory_read')!.requiresApproval).toBe(false)
    expect(tools.get('memory_tree')!.requiresApproval).toBe(false)
    const writeApproval = tools.get('memory_write')!.requiresApproval as (input: unknown) => boolean
    expect(writeApproval({ path: 'notes/a.md', content: 'x' })).toBe(false)
    // Files that define the agent itself need the user's yes (contract-gaps #14).
    expect(writeApproval({ path: 'SOUL.md', content: 'x' })).toBe(true)
    expect(writeApproval({ path: 'identity.md', content: 'x' })).toBe(true)
  })

  it('remember across threads: a note written in the web app is found, read and extended by the agent', async () => {
    await expectJson(write(gateway, 'people/alice.md', '# Alice\n\nAlice prefers green tea and hates meetings before 10.'))
    const found = await run('memory_search', { query: 'What does Alice like to drink?' })
    expect(found.isError).toBeFalsy()
    expect(found.output).toContain('people/alice.md')
    expect(found.output).toContain('green tea')

    const read = await run('memory_read', { path: 'people/alice.md' })
    expect(read.output).toContain('hates meetings before 10')

    expect((await run('memory_write', { path: 'people/alice.md', content: 'Birthday: 3 May.', append: true })).output).toBe('Appended to people/alice.md (79 B).')
    expect((await run('memory_write', { path: 'projects/gateway.md', content: '# Gateway\n\nShip memory search.' })).output).toMatch(/^Created projects\/gateway\.md/)
    const doc = await expectJson(gateway.request('/api/memory/read?path=people/alice.md'))
    expect(doc.content).toBe('# Alice\n\nAlice prefers green tea and hates meetings before 10.\nBirthday: 3 May.')

    const tree = await run('memory_tree', {})
    expect(tree.output).toBe('people/\n  alice.md (79 B)\nprojects/\n  gateway.md (30 B)')
  })

  it('turn bad input and missing documents into error results the model can correct', async () => {
    const missing = await run('memory_read', { path: 'nope.md' })
    expect(missing).toMatchObject({ isError: true })
    expect(missing.output).toContain('document_not_found')
    const traversal = await run('memory_write', { path: '../../etc/passwd', content: 'x' })
    expect(traversal).toMatchObject({ isError: true })
    expect(traversal.output).toContain('invalid_path')
    expect(await run('memory_search', { query: '' })).toMatchObject({ isError: true })
    expect((await run('memory_search', { query: 'zebra crossing' })).output).toBe('No memory matches "zebra crossing".')
  })

  it('are scoped to the calling user', async () => {
    expect((await run('memory_search', { query: 'Alice green tea' }, MEMBER_ID)).output).toContain('No memory matches')
    expect(await run('memory_read', { path: 'people/alice.md' }, MEMBER_ID)).toMatchObject({ isError: true })
    expect((await run('memory_tree', {}, MEMBER_ID)).output).toBe('Memory is empty.')
    await run('memory_write', { path: 'people/alice.md', content: 'Bob knows a different Alice.' }, MEMBER_ID)
    expect((await expectJson(gateway.request('/api/memory/read?path=people/alice.md'))).content).toContain('green tea')
  })
})
