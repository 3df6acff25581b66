import { Hono } from 'hono'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { contentTypeFor, escapeHtml } from '../lib/content-type'
import { GatewayError, notFound } from '../lib/errors'
import type { JobRef, JobsPort, JobWorkspace } from '../services/jobs/port'
import { authorizeJob } from './job-access'

/**
 * Everything under `/projects` is written by a job, i.e. untrusted. It runs, if at all, in a
 * sandbox with an opaque origin: scripts cannot read the app's storage or cookies, call its API
 * with the user's credentials, open popups, submit forms or reach the network; the page cannot be
 * framed. Combined with `nosniff` and `Cross-Origin-Opener-Policy` (from the security headers).
 */
const PROJECT_CSP = [
  'sandbox allow-scripts',
  "default-src 'self' data: blob:",
  "script-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:",
  "style-src 'self' 'unsafe-inline' data:",
  "connect-src 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
].join('; ')

/** What a browser may render in the tab; anything else downloads as an attachment. */
const INLINE = /^(text\/|image\/|audio\/|video\/|font\/|application\/(json|pdf|xml|wasm)\b)/

/** `<job uuid>` (bearer header) or `<job uuid>.<exp>.<cred>.<sig>` (a signed browse link). */
const PROJECT_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\.(\d{1,12}\.(?:ses_)?[0-9a-fo-]{1,36}\.[A-Za-z0-9_-]{43}))?$/

function projectHeaders(contentType: string, extra: Record<string, string> = {}): Headers {
  return new Headers({
    'Content-Type': contentType,
    'Content-Security-Policy': PROJECT_CSP,
    'Cache-Control': 'private, no-cache',
    ...extra,
  })
}

function listingPage(title: string, entries: Array<{ name: string; dir: boolean }>, atRoot: boolean): string {
  const items = [
    ...(atRoot ? [] : ['<li><a href="../">../</a></li>']),
    ...entries.map((e) => {
      const href = encodeURIComponent(e.name) + (e.dir ? '/' : '')
      return `<li><a href="${escapeHtml(href)}">${escapeHtml(e.name)}${e.dir ? '/' : ''}</a></li>`
    }),
  ]
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem;color:#222}h1{font-size:1.2rem}ul{list-style:none;padding:0}a{text-decoration:none}a:hover{text-decoration:underline}</style>
</head><body><h1>${escapeHtml(title)}</h1><ul>${items.join('')}</ul>${entries.length === 0 ? '<p>(empty)</p>' : ''}</body></html>`
}

async function serve(c: { req: { url: string; method: string } }, jobs: JobsPort, job: JobRef, rawTail: string): Promise<Response> {
  const workspace = await jobs.workspace(job)
  const wantsDir = rawTail === '' || rawTail.endsWith('/')
  const segments = await workspace.segments(rawTail)
  const stat = await workspace.stat(segments)
  if (stat.kind === 'directory') {
    if (!wantsDir) {
      // Relative links in the page resolve against the directory only with the trailing slash.
      const url = new URL(c.req.url)
      return new Response(null, { status: 308, headers: { Location: `${url.pathname}/${url.search}` } })
    }
    const index = await workspace.stat([...segments, 'index.html']).catch(() => undefined)
    if (index?.kind === 'file') return sendFile(workspace, [...segments, 'index.html'])
    const entries = await workspace.list(segments)
    const title = `${job.title}: /${segments.join('/')}${segments.length ? '/' : ''}`
    const html = listingPage(title, entries.map((e) => ({ name: e.name, dir: e.kind === 'directory' })), segments.length === 0)
    return new Response(html, { status: 200, headers: projectHeaders('text/html; charset=utf-8') })
  }
  if (wantsDir || stat.kind !== 'file') throw notFound('path', 'Not found')
  return sendFile(workspace, segments)
}

async function sendFile(workspace: JobWorkspace, segments: string[]): Promise<Response> {
  const name = segments.at(-1) ?? ''
  const type = contentTypeFor(name)
  const { body, size } = await workspace.open(segments)
  const disposition = INLINE.test(type) ? 'inline' : 'attachment'
  const headers = projectHeaders(type, {
    'Content-Length': String(size),
    'Content-Disposition': `${disposition}; filename*=UTF-8''${encodeURIComponent(name)}`,
  })
  return new Response(body, { status: 200, headers })
}

/** The undecoded path after `/projects/<project id>/`, however the gateway is mounted. */
function rawTail(url: string, projectId: string): string | undefined {
  const parts = new URL(url).pathname.split('/')
  for (let i = 0; i < parts.length - 1; i++) {
    if (parts[i] !== 'projects') continue
    let decoded: string
    try {
      decoded = decodeURIComponent(parts[i + 1]!)
    } catch {
      continue
    }
    if (decoded === projectId) return parts.slice(i + 2).join('/')
  }
  return undefined
}

/**
 * `/projects/{project_id}/{*path}`: a job's workspace, served to its owner (bearer header) or to
 * whoever holds a signed browse link, whose signature is part of the project id
 * (`/projects/<job>.<exp>.<sig>/`) so relative links inside the pages keep working in a new tab.
 * Directories get an HTML listing (or their `index.html`); files are served under `PROJECT_CSP`.
 */
export const projectRoutes = (d: RouteDeps) => {
  const resolve = async (c: Parameters<typeof authorizeJob>[0], projectId: string) => {
    const match = PROJECT_ID.exec(projectId)
    if (!match) throw new GatewayError(404, 'not_found', 'Not found')
    return authorizeJob(c, d, match[1]!, { scope: 'browse', token: match[2] })
  }
  return new Hono<GatewayEnv>()
    .get('/projects/:project_id', routeDoc({ summary: 'Redirects to the project directory (trailing slash)', auth: false }), async (c) => {
      await resolve(c, c.req.param('project_id'))
      const url = new URL(c.req.url)
      return new Response(null, { status: 308, headers: { Location: `${url.pathname}/${url.search}` } })
    })
    .get('/projects/:project_id/*', async (c) => {
      const projectId = c.req.param('project_id')
      const { jobs, job } = await resolve(c, projectId)
      const tail = rawTail(c.req.url, projectId)
      if (tail === undefined) throw new GatewayError(404, 'not_found', 'Not found')
      return serve(c, jobs, job, tail)
    })
}
