import { z } from 'zod'

/**
 * `POST /v1/responses`, as OpenAI's Responses API clients send it (the official SDK's
 * `client.responses.create` / `.stream`). Shapes are checked here; unknown fields are dropped.
 * Input items: messages (`role` + text or `input_text` parts), `function_call` /
 * `function_call_output` (a client's own tools, plain models), `mcp_approval_response` (an answer
 * to the agent's `mcp_approval_request`).
 */
const InputPart = z.object({
  type: z.string(),
  text: z.string().optional(),
  image_url: z.string().optional(),
})

export const ResponseInputItem = z.object({
  type: z.string().optional(),
  id: z.string().max(256).optional(),
  role: z.string().optional(),
  content: z.union([z.string(), z.array(InputPart).max(256)]).optional(),
  call_id: z.string().max(256).optional(),
  name: z.string().max(256).optional(),
  arguments: z.string().optional(),
  output: z.union([z.string(), z.array(InputPart).max(256)]).optional(),
  approval_request_id: z.string().max(256).optional(),
  approve: z.boolean().optional(),
})
export type ResponseInputItem = z.infer<typeof ResponseInputItem>

export const ResponsesRequest = z.object({
  model: z.string(),
  input: z.union([z.string(), z.array(ResponseInputItem).max(2000)]).optional(),
  instructions: z.string().nullable().optional(),
  previous_response_id: z.string().max(256).nullable().optional(),
  stream: z.boolean().optional(),
  max_output_tokens: z.number().int().positive().nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  tools: z
    .array(z.object({ type: z.string(), name: z.string().max(64).optional(), description: z.string().max(8192).nullable().optional(), parameters: z.record(z.string(), z.unknown()).nullable().optional() }))
    .max(128)
    .optional(),
  tool_choice: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  store: z.boolean().nullable().optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
})
export type ResponsesRequest = z.infer<typeof ResponsesRequest>

const OutputText = z.object({ type: z.literal('output_text'), text: z.string(), annotations: z.array(z.unknown()) })

/** An item of a response's `output`: the answer, a client tool call, or the agent's own tool calls and approval requests. */
export const ResponseOutputItem = z.union([
  z.object({ type: z.literal('message'), id: z.string(), status: z.string(), role: z.literal('assistant'), content: z.array(OutputText) }),
  z.object({ type: z.literal('function_call'), id: z.string(), call_id: z.string(), name: z.string(), arguments: z.string(), status: z.string() }),
  z.object({ type: z.literal('mcp_call'), id: z.string(), server_label: z.string(), name: z.string(), arguments: z.string(), output: z.string().nullable(), error: z.string().nullable(), status: z.string() }),
  z.object({ type: z.literal('mcp_approval_request'), id: z.string(), server_label: z.string(), name: z.string(), arguments: z.string() }),
])
export type ResponseOutputItem = z.infer<typeof ResponseOutputItem>

export const ResponseUsage = z.object({
  input_tokens: z.number().int(),
  input_tokens_details: z.object({ cached_tokens: z.number().int() }),
  output_tokens: z.number().int(),
  output_tokens_details: z.object({ reasoning_tokens: z.number().int() }),
  total_tokens: z.number().int(),
})

export const ResponseObject = z.object({
  id: z.string(),
  object: z.literal('response'),
  created_at: z.number().int(),
  status: z.enum(['completed', 'failed', 'in_progress', 'incomplete', 'cancelled']),
  model: z.string(),
  output: z.array(ResponseOutputItem),
  output_text: z.string().optional(),
  previous_response_id: z.string().nullable(),
  instructions: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  incomplete_details: z.object({ reason: z.string() }).nullable(),
  usage: ResponseUsage.nullable(),
  parallel_tool_calls: z.boolean(),
  tool_choice: z.unknown(),
  tools: z.array(z.unknown()),
  metadata: z.record(z.string(), z.string()),
  temperature: z.number().nullable(),
  top_p: z.number().nullable(),
  max_output_tokens: z.number().int().nullable(),
  store: z.boolean(),
  text: z.object({ format: z.object({ type: z.literal('text') }) }),
  truncation: z.literal('disabled'),
})
export type ResponseObject = z.infer<typeof ResponseObject>
