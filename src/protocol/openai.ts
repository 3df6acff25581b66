import { z } from 'zod'

/**
 * `/v1/chat/completions` request, as OpenAI clients send it. Shapes are checked here; the
 * contract's semantic rules (empty messages, model name, roles) are checked by the route with
 * OpenAI-style messages. Unknown fields (`base_url`, `headers`, ...) are dropped, never forwarded.
 */
const ToolCallIn = z.object({
  id: z.string().max(256),
  type: z.string().optional(),
  function: z.object({ name: z.string().max(256), arguments: z.unknown().optional() }),
})

export const OpenAIMessageIn = z.object({
  role: z.string(),
  content: z.union([z.string(), z.array(z.record(z.string(), z.unknown())), z.null()]).optional(),
  name: z.string().max(256).optional(),
  tool_call_id: z.string().max(256).optional(),
  tool_calls: z.array(ToolCallIn).max(128).optional(),
})
export type OpenAIMessageIn = z.infer<typeof OpenAIMessageIn>

export const ChatCompletionRequest = z.object({
  model: z.string(),
  messages: z.array(OpenAIMessageIn).max(2000),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().positive().optional(),
  max_completion_tokens: z.number().int().positive().optional(),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  tools: z
    .array(z.object({ type: z.string(), function: z.object({ name: z.string().max(64), description: z.string().max(8192).optional(), parameters: z.record(z.string(), z.unknown()).optional() }).optional() }))
    .max(128)
    .optional(),
  tool_choice: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
})
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>

const UsageOut = z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() })

const ToolCallOut = z.object({ id: z.string(), type: z.literal('function'), function: z.object({ name: z.string(), arguments: z.string() }) })

export const ChatCompletion = z.object({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      message: z.object({ role: z.literal('assistant'), content: z.string().nullable(), tool_calls: z.array(ToolCallOut).optional() }),
      finish_reason: z.enum(['stop', 'length', 'tool_calls', 'content_filter']),
    }),
  ),
  usage: UsageOut,
})
export type ChatCompletion = z.infer<typeof ChatCompletion>

export const ModelList = z.object({
  object: z.literal('list'),
  data: z.array(z.object({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.string() })),
})
