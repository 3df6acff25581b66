import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { BWRAP_AVAILABLE, processesWith } from '../jobs/support'
import { makeTarGz, makeZip, skillMd } from '../support/archives'
import { waitFor } from '../support/gateway'
import type { RuntimeTarget } from './targets'

type Json = Record<string, any>

const CONFIRM = { 'x-confirm-action': 'true' }

/** Every file under `dir`, as paths relative to it. */
function walk(dir: string, prefix = ''): string[] {
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return []
  }
  return entries.flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
}

/**
 * The contract's system cases: what needs the runtime's DNS, pinned HTTPS, filesystem, archive
 * unpacking, child processes and stdio pipes (skills, extensions, jobs). Each runtime runs them
 * for real against its own server; none of these subsystems may answer 503 on any runtime.
 */
export function systemContract(target: () => RuntimeTarget): void {
  const t = () => target()
  const request = (path: string, init: { method?: string; json?: unknown; headers?: Record<string, string> } = {}) =>
    fetch(`${t().url}${path}`, {
      method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
      headers: { ...t().auth, ...(init.json === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
      ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
    })
  const json = async (res: Response | Promise<Response>): Promise<Json> => (await (await res).json()) as Json
  const installSkill = (body: Json) => request('/api/skills/install', { json: body, headers: CONFIRM })
  const job = async (id: string): Promise<Json> => json(request(`/api/jobs/${id}`))
  const waitForJob = async (id: string, states: string[]): Promise<Json> => {
    let last: Json = {}
    await waitFor(async () => states.includes((last = await job(id)).state), 30_000, `job ${id} to reach ${states.join('|')} (last: ${last.state} ${last.failure_reason ?? ''})`)
    return last
  }

  it('reports its runtime and subsystems truthfully in the status', async () => {
    const status = await json(request('/api/gateway/status'))
    expect(status.runtime).toBe(t().runtime)
    expect(status.subsystems).toMatchObject({ skills: true, extensions: true, jobs: true })
    expect(status.isolation).toBe(BWRAP_AVAILABLE ? 'bwrap' : 'process')
  })

  it('installs skills from pasted content and from zip and tar.gz archives fetched over the SSRF guard', async () => {
    const { siteUrl, files } = t().system
    expect((await installSkill({ content: skillMd({ name: 'pasted', description: 'Pasted in' }) })).status).toBe(201)
    files.set('/zipped.zip', await makeZip([{ name: 'SKILL.md', data: skillMd({ name: 'zipped', description: 'From a zip' }) }, { name: 'scripts/run.sh', data: 'echo zip' }]))
    files.set('/tarred.tar.gz', makeTarGz([{ path: 'tarred/SKILL.md', data: skillMd({ name: 'tarred', description: 'From a tarball' }) }, { path: 'tarred/notes/a.txt', data: 'tar notes' }]))
    const zipped = await installSkill({ url: `${siteUrl}/zipped.zip` })
    expect(zipped.status, await zipped.clone().text()).toBe(201)
    expect((await json(zipped)).skill).toMatchObject({ name: 'zipped', description: 'From a zip' })
    const tarred = await installSkill({ url: `${siteUrl}/tarred.tar.gz` })
    expect(tarred.status, await tarred.clone().text()).toBe(201)
    expect((await json(tarred)).skill).toMatchObject({ name: 'tarred' })

    const listed = (await json(request('/api/skills'))).skills as Json[]
    expect(listed.map((s) => s.name)).toEqual(expect.arrayContaining(['pasted', 'zipped', 'tarred']))
    const onDisk = walk(join(t().dataDir, 'skills'))
    expect(onDisk.filter((p) => p.endsWith('scripts/run.sh'))).toHaveLength(1)
    const notes = onDisk.find((p) => p.endsWith('notes/a.txt'))
    expect(readFileSync(join(t().dataDir, 'skills', notes!), 'utf8')).toBe('tar notes')
    expect(onDisk.filter((p) => p.split('/').some((part) => part.startsWith('.')))).toEqual([])
  })

  it('refuses hostile archives (links, traversal) and leaves nothing behind', async () => {
    const { siteUrl, files } = t().system
    const skill = skillMd({ name: 'hostile', description: 'Should never install' })
    files.set('/tar-link.tar.gz', makeTarGz([{ path: 'SKILL.md', data: skill }, { path: 'passwd', type: 'SymbolicLink', linkpath: '/etc/passwd' }]))
    files.set('/tar-up.tar.gz', makeTarGz([{ path: 'SKILL.md', data: skill }, { path: '../../escaped.txt', data: 'out' }]))
    files.set('/zip-link.zip', await makeZip([{ name: 'SKILL.md', data: skill }, { name: 'passwd', data: '/etc/passwd', mode: 0o120777 }]))
    files.set('/zip-up.zip', await makeZip([{ name: 'SKILL.md', data: skill }, { name: '../../escaped.txt', data: 'out' }]))
    for (const path of ['/tar-link.tar.gz', '/tar-up.tar.gz', '/zip-link.zip', '/zip-up.zip']) {
      const res = await installSkill({ url: `${siteUrl}${path}` })
      expect(res.status, path).toBe(400)
      expect((await json(res)).error.code, path).toBe('invalid_archive')
    }
    const listed = (await json(request('/api/skills'))).skills as Json[]
    expect(listed.map((s) => s.name)).not.toContain('hostile')
    expect(walk(t().dataDir).filter((p) => p.endsWith('escaped.txt') || p.endsWith('passwd'))).toEqual([])
    expect(existsSync(join(t().dataDir, '..', 'escaped.txt'))).toBe(false)
  })

  it('refuses skill URLs that resolve to loopback, through the real resolver', async () => {
    const port = new URL(t().system.siteUrl).port
    const refused = await installSkill({ url: `https://localhost:${port}/zipped.zip` })
    expect(refused.status).toBe(400)
    expect((await json(refused)).error.code).toBe('url_refused')
  })

  it('activates a stdio MCP extension and lists its tools', async () => {
    const installed = await request('/api/extensions/install', { json: { name: 'fixture' } })
    expect(installed.status, await installed.clone().text()).toBe(201)
    expect(await json(installed)).toMatchObject({ success: true, activated: true })
    const [info] = (await json(request('/api/extensions'))).extensions as Json[]
    expect(info).toMatchObject({ name: 'fixture', active: true, activation_status: 'active' })
    expect(info!.tools).toEqual(expect.arrayContaining(['fixture__echo', 'fixture__add']))
    const tools = (await json(request('/api/extensions/tools'))).tools as Json[]
    expect(tools.find((tool) => tool.name === 'fixture__echo')).toMatchObject({ source: 'extension:fixture' })
    expect((await request('/api/extensions/fixture/remove', { method: 'POST' })).status).toBe(200)
  })

  it('runs a command job in the sandbox and reads the files it wrote', async () => {
    const created = await request('/api/jobs', { json: { kind: 'command', prompt: 'write out/hello.txt hello from a job; say done' } })
    expect(created.status, await created.clone().text()).toBe(201)
    const { id } = await json(created)
    expect(await waitForJob(id, ['completed', 'failed'])).toMatchObject({ state: 'completed', result: 'done turn 1' })
    expect(await json(request(`/api/jobs/${id}/files/read?path=out/hello.txt`))).toMatchObject({ content: 'hello from a job', size: 16 })

    // Links planted in the workspace lead nowhere outside it, through this runtime's file access.
    const jobs = join(t().dataDir, 'jobs')
    const workspace = readdirSync(jobs).map((w) => join(jobs, w, 'workspace')).find((w) => existsSync(join(w, 'out/hello.txt')))!
    symlinkSync('/etc', join(workspace, 'etc-link'))
    symlinkSync('/etc/passwd', join(workspace, 'out/passwd-link'))
    symlinkSync('hello.txt', join(workspace, 'out/inside-link'))
    expect((await request(`/api/jobs/${id}/files/read?path=etc-link/passwd`)).status).toBe(403)
    expect((await request(`/api/jobs/${id}/files/read?path=out/passwd-link`)).status).toBe(403)
    expect((await request(`/api/jobs/${id}/files/list?path=etc-link`)).status).toBe(403)
    expect((await json(request(`/api/jobs/${id}/files/read?path=out/inside-link`))).content).toBe('hello from a job')
  })

  it('cancels a running command job, killing the command it started', async () => {
    const marker = `cancel-${t().runtime}-${crypto.randomUUID()}`
    const { id } = await json(request('/api/jobs', { json: { kind: 'command', prompt: `sleep 60 ${marker}` } }))
    await waitFor(() => processesWith(marker).length > 0, 20_000, 'the sleeping command')
    const cancelled = await request(`/api/jobs/${id}/cancel`, { method: 'POST' })
    expect(cancelled.status).toBe(200)
    expect(await json(cancelled)).toEqual({ status: 'cancelled', job_id: id })
    expect(processesWith(marker)).toEqual([])
    expect(await waitForJob(id, ['cancelled'])).toMatchObject({ failure_reason: 'Cancelled by user' })
  })
}
