import { z } from 'zod'

/**
 * The AppEvent union: everything the gateway streams to a browser over SSE and WebSocket.
 *
 * Adding an event is one entry in `eventShapes`: the SSE frame (`event: <type>`), the WS envelope
 * (`{"type":"event","event_type":<type>,"data":...}`), the JSON Schema served at
 * `/api/events.schema.json` and the exported client types all follow from it.
 * Field names match the original gateway's wire contract (contract.md §5.1) so existing clients work.
 */
const threadId = z.string().optional()

export const eventShapes = {
  /** Final text reply of a turn. */
  response: { content: z.string(), thread_id: z.string() },
  /** Progress while the agent reasons, e.g. `Thinking (step 2)...`. */
  thinking: { message: z.string(), thread_id: threadId },
  tool_started: { name: z.string(), thread_id: threadId, call_id: z.string().optional() },
  tool_completed: {
    name: z.string(),
    success: z.boolean(),
    error: z.string().optional(),
    parameters: z.string().optional(),
    thread_id: threadId,
    call_id: z.string().optional(),
  },
  tool_result: { name: z.string(), preview: z.string(), thread_id: threadId, call_id: z.string().optional() },
  /** A partial token of the answer being streamed. */
  stream_chunk: { content: z.string(), thread_id: threadId },
  status: { message: z.string(), thread_id: threadId },
  job_started: { job_id: z.string(), title: z.string(), browse_url: z.string() },
  /** A tool call waits for the user's decision; the turn is paused until then. */
  approval_needed: {
    request_id: z.uuid(),
    tool_name: z.string(),
    description: z.string(),
    /** Pretty-printed JSON text of the tool's arguments. */
    parameters: z.string(),
    thread_id: threadId,
    allow_always: z.boolean(),
    /** The paused tool call's id (the `call_id` of its `tool_started` once it runs). */
    call_id: z.string().optional(),
    /** The decisions the server accepts for this request (`approve`, `deny`, `always`), fixed now. */
    decisions: z.array(z.enum(['approve', 'deny', 'always'])).optional(),
    /** When the request expires unanswered (`approval_expired`); absent: never. */
    expires_at: z.string().optional(),
  },
  /** An approval was answered (from any tab, device or API client): cards elsewhere clear. */
  approval_resolved: {
    request_id: z.uuid(),
    action: z.enum(['approve', 'deny', 'always', 'cancelled']),
    thread_id: threadId,
  },
  /**
   * An approval expired unanswered (`GATEWAY_APPROVAL_TTL_SECS`, or its turn's instance died):
   * cards clear everywhere, a late answer gets 410 `approval_expired`. When its turn was waiting
   * for it, the turn ended with this event (stored `interrupted` with `message`).
   */
  approval_expired: { request_id: z.uuid(), thread_id: z.string(), tool_name: z.string(), turn_id: z.string(), message: z.string() },
  auth_required: {
    extension_name: z.string(),
    instructions: z.string().optional(),
    auth_url: z.string().optional(),
    setup_url: z.string().optional(),
  },
  auth_completed: { extension_name: z.string(), success: z.boolean(), message: z.string() },
  error: { message: z.string(), thread_id: threadId, code: z.string().optional() },
  /** Defined by the contract; the gateway keeps connections alive with comments instead. */
  heartbeat: {},
  job_message: { job_id: z.string(), role: z.string(), content: z.string() },
  job_tool_use: { job_id: z.string(), tool_name: z.string(), input: z.unknown() },
  job_tool_result: { job_id: z.string(), tool_name: z.string(), output: z.string() },
  /** A job's progress; `state` is set when its state changed (`running`, `completed`...). */
  job_status: { job_id: z.string(), message: z.string(), state: z.string().optional() },
  job_result: {
    job_id: z.string(),
    status: z.string(),
    session_id: z.string().optional(),
    fallback_deliverable: z.unknown().optional(),
  },
  image_generated: { data_url: z.string(), path: z.string().optional(), thread_id: threadId },
  suggestions: { suggestions: z.array(z.string()), thread_id: threadId },
  turn_cost: {
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    cost_usd: z.string(),
    thread_id: threadId,
    model: z.string().optional(),
  },
  /** A running turn was stopped by the user (`POST /api/chat/cancel` or `/stop`). */
  turn_cancelled: { thread_id: z.string(), message: z.string() },
  /**
   * A running turn ended without an answer because the gateway instance running it died (crash,
   * `kill -9`, lost host), seen by another instance or by the same one restarted. The turn is
   * stored `interrupted`; `user_input` is what the user sent, so a client can offer to send it again.
   */
  turn_interrupted: { thread_id: z.string(), turn_id: z.string(), message: z.string(), user_input: z.string() },
  extension_status: { extension_name: z.string(), status: z.string(), message: z.string().optional() },
  /**
   * The user's memory changed (from the web app, the API or the agent's tools): a document or
   * folder was written, deleted or moved (`to` is the new path). Open views refresh.
   */
  memory_changed: {
    action: z.enum(['written', 'deleted', 'moved']),
    path: z.string(),
    to: z.string().optional(),
    kind: z.enum(['document', 'folder']),
  },
  /**
   * A routine run started (`status: "running"`) or ended (`ok`, `attention`, `failed`). Its prompt
   * and answer arrive as ordinary turn events in the routine's thread (`thread_id`).
   */
  routine_run: {
    routine_id: z.string(),
    routine_name: z.string(),
    run_id: z.string(),
    trigger_type: z.string(),
    status: z.enum(['running', 'ok', 'attention', 'failed']),
    thread_id: z.string(),
    result_summary: z.string().optional(),
    job_id: z.string().optional(),
  },
  /**
   * The client missed events it cannot get back (its `Last-Event-ID` fell out of the replay window,
   * or it read too slowly and its queue overflowed): reload history instead of trusting the stream.
   */
  resync: { reason: z.enum(['replay_unavailable', 'overflow']), last_event_id: z.string().optional() },
  /** The server is shutting down; reconnect with `Last-Event-ID` to resume. */
  shutdown: { message: z.string() },
  /**
   * The gateway closed this stream to make room for others (`fair_share`: every stream was in
   * use and its user held the most). The last event on the stream; reconnect later, with fewer
   * streams open.
   */
  evicted: { reason: z.enum(['fair_share']), message: z.string() },
} satisfies Record<string, z.ZodRawShape>

type Shapes = typeof eventShapes
export type AppEventType = keyof Shapes & string
type WithType<K extends AppEventType> = { type: z.ZodLiteral<K> } & Shapes[K] extends infer S extends z.ZodRawShape ? S : never
type EventSchema<K extends AppEventType> = z.ZodObject<WithType<K>>

/** One zod object per event type, each with its `type` literal. */
export const eventSchemas = Object.fromEntries(
  Object.entries(eventShapes).map(([type, shape]) => [type, z.object({ type: z.literal(type), ...shape })]),
) as { [K in AppEventType]: EventSchema<K> }

export const appEventTypes = Object.keys(eventShapes) as AppEventType[]

export const AppEvent = z.discriminatedUnion(
  'type',
  Object.values(eventSchemas) as unknown as [EventSchema<'response'>, ...EventSchema<AppEventType>[]],
)

/** An event of one type, e.g. `EventOf<'stream_chunk'>`. */
export type EventOf<K extends AppEventType> = z.infer<EventSchema<K>>
export type AppEvent = { [K in AppEventType]: EventOf<K> }[AppEventType]

/** Builds a typed event: `appEvent('stream_chunk', { content, thread_id })`. */
export const appEvent = <K extends AppEventType>(type: K, fields: Omit<EventOf<K>, 'type'>): EventOf<K> =>
  ({ type, ...fields }) as EventOf<K>
