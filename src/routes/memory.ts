import { Hono } from 'hono'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { need } from '../lib/errors'
import { bodyLimit } from '../middleware/body-limit'
import { jsonBody, query } from '../middleware/validate'
import {
  MemoryDeleteQuery,
  MemoryDeleteResponse,
  MemoryDocument,
  MemoryListQuery,
  MemoryListResponse,
  MemoryMoveRequest,
  MemoryMoveResponse,
  MemoryPathQuery,
  MemorySearchRequest,
  MemorySearchResponse,
  MemoryStatusResponse,
  MemoryTreeQuery,
  MemoryTreeResponse,
  MemoryWriteRequest,
  MemoryWriteResponse,
} from '../protocol/memory'

/** Move and search bodies are small; a document write may carry up to the document cap (1 MiB). */
const SMALL_BODY = 64 * 1024

/**
 * The memory workspace (contract §7, plus delete, move and status): the caller's own tree of
 * markdown documents and hybrid search over it. Paths travel in the query or body, never in the
 * URL path, so no router decoding can turn `..%2f` into a segment.
 */
export const memoryRoutes = (d: RouteDeps) => {
  const memory = () => need(d.services.memory, 'memory')
  return new Hono<GatewayEnv>()
    .get('/api/memory/tree', routeDoc({ summary: 'Every document and folder of your memory', response: MemoryTreeResponse }), query(MemoryTreeQuery), async (c) =>
      c.json(await memory().tree(c.get('principal').userId, c.req.valid('query'))),
    )
    .get('/api/memory/list', routeDoc({ summary: 'The folders and documents directly in a folder (paged)', response: MemoryListResponse }), query(MemoryListQuery), async (c) =>
      c.json(await memory().list(c.get('principal').userId, c.req.valid('query'))),
    )
    .get('/api/memory/read', routeDoc({ summary: 'Read a document', response: MemoryDocument }), query(MemoryPathQuery), async (c) =>
      c.json(await memory().read(c.get('principal').userId, c.req.valid('query').path)),
    )
    .post('/api/memory/write', routeDoc({ summary: 'Create, replace or append to a document', response: MemoryWriteResponse }), jsonBody(MemoryWriteRequest), async (c) =>
      c.json(await memory().write(c.get('principal').userId, c.req.valid('json'))),
    )
    .delete('/api/memory', routeDoc({ summary: 'Delete a document, or a folder with recursive=true', response: MemoryDeleteResponse }), query(MemoryDeleteQuery), async (c) => {
      const { path, recursive } = c.req.valid('query')
      return c.json(await memory().delete(c.get('principal').userId, path, { recursive: recursive === 'true' }))
    })
    .post('/api/memory/move', routeDoc({ summary: 'Move or rename a document or folder', response: MemoryMoveResponse }), bodyLimit(SMALL_BODY), jsonBody(MemoryMoveRequest), async (c) =>
      c.json(await memory().move(c.get('principal').userId, c.req.valid('json'))),
    )
    .post('/api/memory/search', routeDoc({ summary: 'Hybrid full-text and semantic search over your memory', response: MemorySearchResponse }), bodyLimit(SMALL_BODY), jsonBody(MemorySearchRequest), async (c) =>
      c.json(await memory().search(c.get('principal').userId, c.req.valid('json'))),
    )
    .get('/api/memory/status', routeDoc({ summary: 'Sizes of your memory and its embedding progress', response: MemoryStatusResponse }), async (c) =>
      c.json(await memory().status(c.get('principal').userId)),
    )
}
