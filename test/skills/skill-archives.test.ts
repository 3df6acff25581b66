import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { makeTarGz, makeZip, replaceAll } from '../support/archives'
import { CONFIRM, downloadHarness, json, SKILL } from './download-harness'

/** Skill archives downloaded by URL: zip and tar.gz unpacked, hostile ones refused with nothing left behind. */
describe('skill archives', async () => {
  const { files, gw, skillsRoot, installUrl, base, installedNames, noLeftovers } = await downloadHarness()
  const serve = async (name: string, bytes: Buffer) => {
    files[`/${name}`] = { body: bytes, headers: { 'content-type': 'application/octet-stream' } }
    return installUrl(`${base}/${name}`)
  }

  it('installs a zip and a tar.gz with supporting files (a single top folder is stripped)', async () => {
    const zip = await makeZip([{ name: 'gifgrep/SKILL.md', data: SKILL }, { name: 'gifgrep/refs/notes.md', data: 'notes' }])
    expect((await serve('a.zip', zip)).status).toBe(201)
    expect(readdirSync(join(skillsRoot, 'users')).length).toBe(1)
    const [user] = readdirSync(join(skillsRoot, 'users'))
    expect(readdirSync(join(skillsRoot, 'users', user!, 'gifgrep')).sort()).toEqual(['SKILL.md', 'refs'])
    await gw.request('/api/skills/gifgrep', { method: 'DELETE', headers: CONFIRM })
    const tgz = makeTarGz([{ path: 'SKILL.md', data: SKILL }, { path: 'bin', type: 'Directory' }, { path: 'bin/tool.py', data: 'print(1)' }])
    expect((await serve('a.tgz', tgz)).status).toBe(201)
    await gw.request('/api/skills/gifgrep', { method: 'DELETE', headers: CONFIRM })
  })

  it('refuses hostile zips, leaving nothing behind', async () => {
    const evil: Array<[string, Promise<Buffer> | Buffer]> = [
      ['traversal', makeZip([{ name: 'SKILL.md', data: SKILL }, { name: '../../.bashrc', data: 'rm -rf ~' }])],
      ['absolute', makeZip([{ name: 'SKILL.md', data: SKILL }, { name: '/abs', data: 'x' }])],
      ['backslash', makeZip([{ name: 'SKILL.md', data: SKILL }, { name: '..\\x', data: 'x' }])],
      ['symlink', makeZip([{ name: 'SKILL.md', data: SKILL }, { name: 'link', data: '/etc/passwd', mode: 0o120777 }])],
      ['many', makeZip([{ name: 'SKILL.md', data: SKILL }, ...Array.from({ length: 10_000 }, (_, i) => ({ name: `f/${i}`, data: '', compress: false }))])],
      ['bomb', makeZip([{ name: 'SKILL.md', data: SKILL }, { name: 'bomb.bin', data: Buffer.alloc(50 * 1024 * 1024) }])],
      ['total', makeZip([{ name: 'SKILL.md', data: SKILL }, ...Array.from({ length: 12 }, (_, i) => ({ name: `part${i}.bin`, data: Buffer.alloc(1.9 * 1024 * 1024) }))])],
      ['duplicates', makeZip([{ name: 'SKILL.md', data: SKILL }, { name: 'a.md', data: '1' }, { name: 'A.md', data: '2' }])],
      ['no-skill', makeZip([{ name: 'README.md', data: 'hi' }])],
    ]
    // Lying sizes: a 3 MiB entry whose headers claim 100 bytes; the inflated bytes are counted.
    const honest = await makeZip([{ name: 'SKILL.md', data: SKILL }, { name: 'liar.bin', data: Buffer.alloc(3 * 1024 * 1024) }])
    const size = Buffer.alloc(4)
    size.writeUInt32LE(3 * 1024 * 1024)
    const small = Buffer.alloc(4)
    small.writeUInt32LE(100)
    evil.push(['lying', replaceAll(honest, size, small)])
    for (const [name, archive] of evil) {
      const res = await serve(`${name}.zip`, await archive)
      expect(res.status, name).toBe(400)
      const code = (await json(res)).error.code
      expect(['invalid_archive', 'invalid_skill'], name).toContain(code)
    }
    expect(await installedNames()).toEqual([])
    noLeftovers()
    expect(readdirSync(gw.config.dataDir)).not.toContain('.bashrc')
  })

  it('refuses hostile tarballs', async () => {
    const evil: Array<[string, Buffer]> = [
      ['traversal', makeTarGz([{ path: 'SKILL.md', data: SKILL }, { path: '../../.bashrc', data: 'x' }])],
      ['absolute', makeTarGz([{ path: 'SKILL.md', data: SKILL }, { path: '/etc/cron.d/x', data: 'x' }])],
      ['symlink', makeTarGz([{ path: 'SKILL.md', data: SKILL }, { path: 'link', type: 'SymbolicLink', linkpath: '/etc/passwd' }])],
      ['hardlink', makeTarGz([{ path: 'SKILL.md', data: SKILL }, { path: 'hard', type: 'Link', linkpath: '/etc/passwd' }])],
      ['bomb', makeTarGz([{ path: 'SKILL.md', data: SKILL }, { path: 'bomb.bin', data: Buffer.alloc(30 * 1024 * 1024) }])],
      ['duplicates', makeTarGz([{ path: 'SKILL.md', data: SKILL }, { path: 'SKILL.md', data: SKILL }])],
      ['many', makeTarGz([{ path: 'SKILL.md', data: SKILL }, ...Array.from({ length: 300 }, (_, i) => ({ path: `f${i}`, data: '' }))])],
      ['garbage', Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(100, 7)])],
    ]
    for (const [name, archive] of evil) {
      const res = await serve(`${name}.tgz`, archive)
      expect(res.status, name).toBe(400)
      expect((await json(res)).error.code, name).toBe('invalid_archive')
    }
    expect(await installedNames()).toEqual([])
    noLeftovers()
  })
})
