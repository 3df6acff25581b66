import { describe, expect, it } from 'vitest'
import { ToolRegistry } from '../../src/agent/tools/tool-registry'
import { GatewayConfig } from '../../src/config'
import { systemClock } from '../../src/lib/time'
import { createDefaultServices } from '../../src/services/default-services'
import type { ServiceContext } from '../../src/services/service-context'
import { testStore } from '../support/store'

describe('memory in the default services', () => {
  it('is created with a store, adds the memory tools, erases a deleted user and stops on close', async () => {
    const store = await testStore()
    const erasers: Array<(userId: string) => Promise<void>> = []
    const closers: Array<() => void | Promise<void>> = []
    const tools = new ToolRegistry()
    const published: unknown[] = []
    const ctx = {
      config: GatewayConfig.parse({}),
      store,
      clock: systemClock,
      tools,
      hub: { publish: async (userId: string, event: unknown) => void published.push({ userId, event }) },
      onClose: (fn: () => void | Promise<void>) => void closers.push(fn),
      onDeleteUser: (fn: (userId: string) => Promise<void>) => void erasers.push(fn),
    } as unknown as ServiceContext
    try {
      const services = await createDefaultServices(ctx)
      const memory = services.memory!
      await memory.write('carol', { path: 'a.md', content: 'carol remembers' })
      await memory.write('dave', { path: 'a.md', content: 'dave remembers' })
      expect(published).toEqual([
        { userId: 'carol', event: { type: 'memory_changed', action: 'written', path: 'a.md', kind: 'document' } },
        { userId: 'dave', event: { type: 'memory_changed', action: 'written', path: 'a.md', kind: 'document' } },
      ])
      expect((await tools.list('carol')).filter((t) => t.source === 'memory').map((t) => t.name).sort()).toEqual(['memory_read', 'memory_search', 'memory_tree', 'memory_write'])

      for (const erase of erasers) await erase('carol')
      expect((await memory.tree('carol')).entries).toEqual([])
      expect((await memory.search('carol', { query: 'remembers' })).results).toEqual([])
      expect((await memory.read('dave', 'a.md')).content).toBe('dave remembers')
      expect(closers.length).toBeGreaterThan(0)
    } finally {
      for (const close of closers.reverse()) await close()
      await store.close()
    }
  })
})
