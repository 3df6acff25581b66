import { z } from 'zod'
import { defineTool, type Tool, type ToolProvider, type ToolResult } from '../../tools/tool'
import { GatewayError } from '../../lib/errors'
import type { MemoryPort } from './port'

/** Characters of a document handed to the model by `memory_read` before it is cut. */
const READ_LIMIT = 60_000
const TREE_LIMIT = 500

/**
 * Top-level files that shape the agent itself when it loads them. The agent may propose changes,
 * but the user approves each one, so text injected into a conversation cannot quietly rewrite
 * who the agent is.
 */
const IDENTITY_FILES: ReadonlySet<string> = new Set(['identity.md', 'soul.md', 'agents.md', 'user.md'])
const isIdentityFile = (path: string): boolean => IDENTITY_FILES.has(path.replace(/^\/+/, '').toLowerCase())

/** Turns a service failure (bad path, not found, conflict) into a result the model can act on. */
async function attempt(fn: () => Promise<string>): Promise<ToolResult> {
  try {
    return { output: await fn() }
  } catch (error) {
    if (error instanceof GatewayError) return { output: `${error.message} (${error.code})`, isError: true }
    throw error
  }
}

const formatBytes = (n: number): string => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`)

/** The memory tools, each scoped to the user whose turn calls it (`ctx.userId`). */
function memoryTools(memory: MemoryPort): Tool[] {
  return [
    defineTool({
      name: 'memory_search',
      description:
        "Search the user's long-term memory (their notes and what you saved in earlier conversations) by meaning and keywords. " +
        'Use it before answering questions about the user, their projects, preferences or past decisions. Returns matching passages with their document paths.',
      input: z.object({
        query: z.string().min(1).max(4000).describe('What to look for, in natural language or keywords'),
        limit: z.number().int().min(1).max(20).default(5).describe('How many passages to return'),
        path: z.string().max(512).optional().describe('Only search documents under this folder'),
      }),
      requiresApproval: false,
      source: 'memory',
      execute: (input, ctx) =>
        attempt(async () => {
          const { results } = await memory.search(ctx.userId, input)
          if (results.length === 0) return `No memory matches "${input.query}".`
          const lines = results.map((r, i) => {
            const where = r.heading ? `${r.path} (${r.heading})` : r.path
            return `${i + 1}. ${where} [score ${r.score.toFixed(2)}]\n${r.content.trim()}`
          })
          return `${results.length} passage(s) from memory:\n\n${lines.join('\n\n')}`
        }),
    }),
    defineTool({
      name: 'memory_read',
      description: "Read one document of the user's memory by its path (as shown by memory_search or memory_tree).",
      input: z.object({ path: z.string().min(1).max(512).describe('Document path, e.g. "notes/projects.md"') }),
      requiresApproval: false,
      source: 'memory',
      execute: (input, ctx) =>
        attempt(async () => {
          const doc = await memory.read(ctx.userId, input.path)
          const body = doc.content.length > READ_LIMIT ? `${doc.content.slice(0, READ_LIMIT)}\n\n[cut: ${doc.content.length - READ_LIMIT} more characters]` : doc.content
          return `# ${doc.path} (updated ${doc.updated_at})\n\n${body}`
        }),
    }),
    defineTool({
      name: 'memory_write',
      description:
        "Save a markdown document to the user's long-term memory, so you remember it in later conversations. " +
        'Prefer append=true to add to an existing note; use folders to organise (e.g. "people/alice.md"). Overwriting replaces the whole document.',
      input: z.object({
        path: z.string().min(1).max(512).describe('Document path, e.g. "notes/preferences.md"'),
        content: z.string().describe('Markdown text'),
        append: z.boolean().default(false).describe('Add to the end of the document instead of replacing it'),
      }),
      requiresApproval: (input) => isIdentityFile(input.path),
      source: 'memory',
      execute: (input, ctx) =>
        attempt(async () => {
          const result = await memory.write(ctx.userId, input)
          if (!result.changed) return `${result.path} already had exactly this content.`
          return `${result.created ? 'Created' : input.append ? 'Appended to' : 'Replaced'} ${result.path} (${formatBytes(result.size)}).`
        }),
    }),
    defineTool({
      name: 'memory_tree',
      description: "List the folders and documents in the user's memory.",
      input: z.object({
        path: z.string().max(512).default('').describe('Folder to list (default: everything)'),
        depth: z.number().int().min(1).max(16).default(4).describe('How many levels to show'),
      }),
      requiresApproval: false,
      source: 'memory',
      execute: (input, ctx) =>
        attempt(async () => {
          const { entries } = await memory.tree(ctx.userId, input)
          if (entries.length === 0) return input.path ? `${input.path} is empty.` : 'Memory is empty.'
          const base = input.path ? input.path.replace(/\/+$/, '').split('/').length : 0
          const lines = entries.slice(0, TREE_LIMIT).map((e) => {
            const level = e.path.split('/').length - 1 - base
            const name = e.path.slice(e.path.lastIndexOf('/') + 1)
            return `${'  '.repeat(Math.max(0, level))}${e.is_dir ? `${name}/` : `${name} (${formatBytes(e.size ?? 0)})`}`
          })
          if (entries.length > TREE_LIMIT) lines.push(`... ${entries.length - TREE_LIMIT} more entries; list a folder to see them`)
          return lines.join('\n')
        }),
    }),
  ]
}

/** The memory tools over whichever memory port is wired (none while none is). */
export function memoryToolProvider(memory: () => MemoryPort | undefined): ToolProvider {
  let built: { memory: MemoryPort; tools: Tool[] } | undefined
  return {
    name: 'memory',
    tools: () => {
      const current = memory()
      if (!current) return []
      if (built?.memory !== current) built = { memory: current, tools: memoryTools(current) }
      return built.tools
    },
  }
}
