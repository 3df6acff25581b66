import { TOOL_NAME, type Tool } from '../../tools/tool'
import type { ExtensionManifest } from '../../protocol/extensions'
import type { McpConnection, McpTool } from './mcp-connection'

/** FNV-1a, for short stable suffixes on shortened names. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0).toString(16).padStart(8, '0').slice(0, 6)
}

/**
 * The agent-facing name of an MCP tool: `<extension>__<tool>`, with characters outside
 * `[a-zA-Z0-9_-]` replaced and the whole kept within 64 (a shortened or clashing name gets a
 * hash suffix), so every server's tools fit the model's tool-name rules and never collide.
 */
function exposedToolName(extension: string, tool: string, taken: ReadonlySet<string>): string {
  const room = 64 - extension.length - 2
  let clean = tool.replace(/[^a-zA-Z0-9_-]/g, '_') || 'tool'
  if (clean.length > room) clean = `${clean.slice(0, room - 7)}_${fnv1a(tool)}`
  let name = `${extension}__${clean}`
  if (taken.has(name)) name = `${extension}__${clean.slice(0, room - 7)}_${fnv1a(`${tool}#${taken.size}`)}`
  if (!TOOL_NAME.test(name)) throw new Error(`cannot name tool ${tool} of ${extension}`)
  return name
}

/** Whether the manifest wants the user asked before this tool runs (default: yes). */
export const needsApproval = (manifest: ExtensionManifest, tool: string): boolean =>
  manifest.tools.overrides[tool]?.requires_approval ?? manifest.tools.requires_approval

/** The server's tools as agent tools, bound to the live connection. */
export function extensionTools(extension: string, manifest: ExtensionManifest, connection: McpConnection, toolTimeoutMs: number): Tool[] {
  const taken = new Set<string>()
  return connection.tools.map((tool: McpTool) => {
    const name = exposedToolName(extension, tool.name, taken)
    taken.add(name)
    return {
      name,
      description: tool.description ? `${tool.description} (from the ${manifest.display_name} extension)` : `${tool.name} (from the ${manifest.display_name} extension)`,
      inputSchema: normaliseSchema(tool.inputSchema),
      requiresApproval: needsApproval(manifest, tool.name),
      source: `extension:${extension}`,
      execute: async (input, ctx) => {
        if (!connection.alive) return { output: `The ${manifest.display_name} extension is not running; activate it again.`, isError: true }
        return connection.callTool(tool.name, input, { signal: ctx.signal, timeoutMs: toolTimeoutMs })
      },
    } satisfies Tool
  })
}

/** Model APIs want `type: "object"` at the top of a tool schema. */
function normaliseSchema(schema: Record<string, unknown>): Record<string, unknown> {
  if (schema && typeof schema === 'object' && schema.type === 'object') return schema
  return { type: 'object', properties: {}, ...(schema && typeof schema === 'object' ? schema : {}) }
}
