import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, serveGateway } from '../../adapters/node/index'
import { defaultJobs, jobsGateway, startJob, waitForState } from '../jobs/support'
import { TEST_TOKEN } from '../support/gateway'
import { rawGet } from '../support/raw-http'

/**
 * security-bar.md 11-16 as properties over a real socket: generated paths mixing dot segments,
 * every encoding of them, separators of both kinds, NUL and look-alike characters, sent byte for
 * byte (no client normalises them), at the memory API, the job file API and `/projects`. Each
 * answer is a success inside the root or a 4xx; never a 500, never a byte from outside.
 */

/** Path pieces that have broken path checks somewhere. */
const piece = fc.constantFrom(
  '..', '.', '', '%2e%2e', '%2E%2E', '.%2e', '%252e%252e', '..%2f', '..%2F', '..%5c', '%5c', '\\', '..\\',
  '%c0%ae%c0%ae', '%ef%bc%8e%ef%bc%8e', '%00', 'a.md%00.png', '%2f', '//', 'etc', 'passwd', 'C:', '\\\\host', '~',
  'notes', 'a.txt', 'site', '%20', '%', '%zz', 'secret.txt', 'workspace',
)

describe('path traversal properties over a real socket', () => {
  let gw: Awaited<ReturnType<typeof jobsGateway>>
  let server: RunningServer
  let jobId: string
  let siblingId: string
  const OUTSIDE = ['SIBLING SECRET', 'DATA DIR SECRET', 'root:x:0:0']

  beforeAll(async () => {
    gw = await jobsGateway()
    const job = await startJob(gw, 'write notes/a.txt alpha')
    await waitForState(gw, job.id, ['completed'])
    jobId = job.id
    const root = defaultJobs(gw).workspaceOf({ workspace_id: jobId })
    // A sibling whose name extends ours (job1/job10), and a file in the data directory.
    siblingId = `${jobId}0`
    mkdirSync(join(dirname(dirname(root)), siblingId, 'workspace'), { recursive: true })
    writeFileSync(join(dirname(dirname(root)), siblingId, 'workspace/secret.txt'), 'SIBLING SECRET')
    writeFileSync(join(gw.config.dataDir, 'secret.txt'), 'DATA DIR SECRET')
    const note = await gw.request('/api/memory/write', { method: 'POST', json: { path: 'notes/a.md', content: 'inside' } })
    expect(note.status).toBeLessThan(300)
    server = await serveGateway(gw, { port: 0 })
  })
  afterAll(async () => {
    await server?.close(500)
    await gw?.close()
  })

  const check = async (target: string) => {
    const res = await rawGet(server.port, target, { Authorization: `Bearer ${TEST_TOKEN}` })
    expect(res.status, `${target} -> ${res.text.slice(0, 120)}`).toBeGreaterThanOrEqual(200)
    expect(res.status, `${target} -> ${res.text.slice(0, 120)}`).toBeLessThan(500)
    for (const secret of OUTSIDE) expect(res.body, target).not.toContain(secret)
    expect(res.body, target).not.toMatch(/\/tmp\/|node_modules|at .*\.ts:\d+/)
  }
  const joined = fc.array(piece, { minLength: 1, maxLength: 8 }).chain((parts) => fc.constantFrom('/', '\\', '%2f', '%5c').map((sep) => parts.join(sep)))
  const absolute = fc.tuple(fc.constantFrom('', '/', '//', '\\\\', 'C:\\', '%2f'), joined).map(([lead, rest]) => lead + rest)

  it('memory read/list/tree take any generated path as data inside the user\'s notes', async () => {
    await fc.assert(
      fc.asyncProperty(absolute, fc.constantFrom('read', 'list', 'tree'), async (path, route) => {
        await check(`/api/memory/${route}?path=${path.replace(/ /g, '%20')}`)
      }),
      { numRuns: 150 },
    )
  })

  it('job files/read and files/list stay in the workspace', async () => {
    await fc.assert(
      fc.asyncProperty(absolute, fc.constantFrom('read', 'list'), async (path, route) => {
        await check(`/api/jobs/${jobId}/files/${route}?path=${path.replace(/ /g, '%20')}`)
      }),
      { numRuns: 150 },
    )
  })

  it('/projects/{id}/{path} stays in the workspace, and the id itself is not a path', async () => {
    await fc.assert(
      fc.asyncProperty(joined, async (path) => {
        await check(`/projects/${jobId}/${path.replace(/ /g, '%20')}`)
      }),
      { numRuns: 200 },
    )
    await fc.assert(
      fc.asyncProperty(joined, async (id) => {
        await check(`/projects/${id.replace(/ /g, '%20')}/`)
      }),
      { numRuns: 80 },
    )
    for (const id of ['..', '%2e%2e', '.', 'not-a-uuid', siblingId, `${jobId.slice(0, -1)}0`]) await check(`/projects/${id}/secret.txt`)
  })
})
