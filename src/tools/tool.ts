import { z } from 'zod'

/** What a running tool knows about its call. */
export interface ToolContext {
  userId: string
  threadId: string
  /** Aborted when the user cancels the turn (or the job); tools must stop promptly. */
  signal: AbortSignal
  /** The call's id from the model, for correlating events. */
  callId: string
  /** Set when the tool runs inside a sandbox job (file and shell tools are confined to it). */
  jobId?: string | undefined
  /** The user's IANA time zone, when their client sent one. */
  timezone?: string | undefined
}

export interface ToolResult {
  /** Text given back to the model (and, cut to a preview, to the user in `tool_result`). */
  output: string
  isError?: boolean
}

/** JSON Schema of a tool's input, as the model sees it (`type: "object"`). */
export type JsonSchema = Record<string, unknown>

/**
 * A tool the agent can call. Built-in tools are written with `defineTool` (zod input); extension
 * tools come from MCP servers with their own JSON Schema. Every tool says whether it needs the
 * user's approval before running.
 */
export interface Tool {
  /** `[a-zA-Z0-9_-]{1,64}`; extension tools are namespaced `<extension>__<tool>`. */
  name: string
  description: string
  inputSchema: JsonSchema
  /** true = pause the turn with `approval_needed` until the user answers. */
  requiresApproval: boolean | ((input: unknown) => boolean)
  /**
   * false = each call needs its own approval: the user is not offered "always allow" for it
   * (the approval's decisions are `approve` and `deny`). Default true.
   */
  allowAlways?: boolean
  /** Where it comes from: `builtin`, `memory`, `jobs`, `routines`, `extension:<name>`. */
  source: string
  execute(input: unknown, ctx: ToolContext): Promise<ToolResult>
}

/** Contributes the tools one user may use (built-ins, their active extensions, ...). */
export interface ToolProvider {
  readonly name: string
  tools(userId: string): Tool[] | Promise<Tool[]>
}

export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/

/**
 * A tool whose input is validated by a zod schema before `execute` runs; invalid input becomes
 * an error result the model can correct, never an exception. The JSON Schema is derived when a
 * model request first needs it, not when the gateway starts and defines its tools.
 *
 * @example
 * ```ts
 * const lookUp = defineTool({
 *   name: 'look_up_order',
 *   description: 'The status of one of the user\'s orders',
 *   input: z.object({ orderId: z.string() }),
 *   requiresApproval: false,
 *   source: 'shop',
 *   execute: async ({ orderId }, ctx) => (await orders.status(ctx.userId, orderId, { signal: ctx.signal })) ?? 'No such order',
 * })
 * gateway.tools.addProvider({ name: 'shop', tools: () => [lookUp] })
 * ```
 */
export function defineTool<S extends z.ZodType>(spec: {
  name: string
  description: string
  input: S
  requiresApproval: boolean | ((input: z.output<S>) => boolean)
  allowAlways?: boolean
  source: string
  execute(input: z.output<S>, ctx: ToolContext): Promise<ToolResult | string>
}): Tool {
  if (!TOOL_NAME.test(spec.name)) throw new Error(`invalid tool name: ${spec.name}`)
  let schema: JsonSchema | undefined
  return {
    name: spec.name,
    description: spec.description,
    get inputSchema() {
      if (!schema) {
        schema = z.toJSONSchema(spec.input, { io: 'input', unrepresentable: 'any' }) as JsonSchema
        delete schema.$schema
      }
      return schema
    },
    source: spec.source,
    ...(spec.allowAlways === false ? { allowAlways: false } : {}),
    requiresApproval:
      typeof spec.requiresApproval === 'function'
        ? (input) => {
            const parsed = spec.input.safeParse(input)
            return parsed.success ? (spec.requiresApproval as (i: z.output<S>) => boolean)(parsed.data) : true
          }
        : spec.requiresApproval,
    async execute(input, ctx) {
      const parsed = spec.input.safeParse(input)
      if (!parsed.success) {
        const issue = parsed.error.issues[0]
        return { output: `Invalid input for ${spec.name}: ${issue ? `${issue.path.join('.') || 'input'}: ${issue.message}` : 'invalid'}`, isError: true }
      }
      const result = await spec.execute(parsed.data, ctx)
      return typeof result === 'string' ? { output: result } : result
    },
  }
}
