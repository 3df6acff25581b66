import { type Context, Hono, type MiddlewareHandler } from 'hono'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { badRequest, GatewayError, need } from '../lib/errors'
import { jsonBody } from '../middleware/validate'
import { attachDoc } from '../middleware/route-doc'
import { SendMessageRequest } from '../protocol/chat'
import { MemoryUploadForm, MemoryUploadResponse, SendMessageForm } from '../protocol/uploads'
import type { UploadInput } from '../services/uploads/port'

const MULTIPART = /^multipart\/form-data\s*;/i
/** Field names a file may come under (`file` is the documented one). */
const FILE_FIELDS = ['file', 'file[]', 'files', 'files[]']

interface ParsedForm {
  files: UploadInput[]
  fields: Map<string, string>
}

export const isMultipart = (c: Context): boolean => MULTIPART.test(c.req.header('content-type') ?? '')

/** A multipart body through Hono's `parseBody` (the runtime's `Request.formData`): 400 `invalid_multipart` when it does not parse. */
async function readForm(c: Context<GatewayEnv>): Promise<ParsedForm> {
  if (!isMultipart(c)) throw new GatewayError(415, 'unsupported_media_type', 'Expected Content-Type: multipart/form-data')
  let body: Record<string, string | File | Array<string | File>>
  try {
    body = await c.req.parseBody({ all: true })
  } catch (error) {
    // The edge's body limit fails the read from inside the parser: keep its 413.
    if (error instanceof GatewayError) throw error
    throw badRequest('invalid_multipart', 'Malformed multipart/form-data body')
  }
  const files: UploadInput[] = []
  const fields = new Map<string, string>()
  for (const [key, value] of Object.entries(body)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item === 'string') {
        if (!fields.has(key)) fields.set(key, item)
      } else if (FILE_FIELDS.includes(key)) {
        files.push({ name: item.name || 'upload', bytes: new Uint8Array(await item.arrayBuffer()) })
      } else {
        throw badRequest('invalid_multipart', `Unexpected file in field "${key}"; send files as "file"`)
      }
    }
  }
  return { files, fields }
}

/**
 * `POST /api/chat/send`'s body: JSON as always, or `multipart/form-data` with the same fields plus
 * files, whose documents' text and images the uploads subsystem turns into the message.
 */
export function messageBody(d: RouteDeps): ReturnType<typeof jsonBody<typeof SendMessageRequest>> {
  const json = jsonBody(SendMessageRequest)
  const middleware: MiddlewareHandler<GatewayEnv> = async function messageBody(c, next) {
    if (!isMultipart(c)) return json(c as never, next)
    const uploads = need(d.services.uploads, 'uploads')
    const { files, fields } = await readForm(c)
    const parsed = SendMessageRequest.safeParse({
      content: fields.get('content') ?? '',
      ...(fields.get('thread_id') ? { thread_id: fields.get('thread_id') } : {}),
      ...(fields.get('timezone') ? { timezone: fields.get('timezone') } : {}),
    })
    if (!parsed.success) throw badRequest('invalid_request', parsed.error.issues[0]?.message ?? 'Invalid message')
    if (!parsed.data.content.trim() && files.length === 0) throw badRequest('invalid_request', 'A message needs text or at least one file')
    const llm = d.services.llm
    const model = llm?.model ?? 'configured'
    const message = await uploads.toMessage(files, { content: parsed.data.content, vision: { supported: llm?.supportsVision(model) ?? false, model } })
    c.req.addValidatedData('json', { ...parsed.data, content: message.content, ...(message.images.length ? { images: message.images } : {}) })
    await next()
  }
  return attachDoc(middleware, { body: SendMessageRequest, form: SendMessageForm }) as never
}

/** `POST /api/memory/upload`: documents dropped into memory, their text indexed for search. */
export const memoryUploadRoutes = (d: RouteDeps) =>
  new Hono<GatewayEnv>().post(
    '/api/memory/upload',
    routeDoc({
      summary: 'Upload files (PDF, DOCX, Markdown, text) into memory; their text is indexed for search',
      form: MemoryUploadForm,
      response: MemoryUploadResponse,
      status: 201,
    }),
    async (c) => {
      const uploads = need(d.services.uploads, 'uploads')
      const { files, fields } = await readForm(c)
      return c.json(await uploads.toMemory(c.get('principal').userId, files, { folder: fields.get('folder') }), 201)
    },
  )
