import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testGateway } from '../support/gateway'
import { ELF_EXECUTABLE, makeDocx, makePdf, PNG_1X1, WINDOWS_EXECUTABLE } from '../support/upload-fixtures'
import { expectJson } from '../memory/support'
import { form, post } from './support'

type TestGateway = Awaited<ReturnType<typeof testGateway>>

/** Files dropped into memory: sniffed by their bytes, their text extracted and found by search. */
describe('POST /api/memory/upload', () => {
  let gateway: TestGateway
  beforeAll(async () => {
    gateway = await testGateway()
  })
  afterAll(() => gateway.close())

  const upload = (body: FormData) => gateway.request('/api/memory/upload', post(body))

  it('takes a PDF, a DOCX, Markdown and plain text, and search finds the PDF by its words', async () => {
    const pdf = makePdf(['Quarterly zebra migration report', 'Herds crossed the river in March.'])
    const docx = await makeDocx(['Okapi budget', 'The okapi sanctuary budget was approved.'])
    const body = await expectJson(
      upload(
        form([
          { name: 'report.pdf', data: pdf, type: 'application/pdf' },
          { name: 'budget.docx', data: docx },
          { name: 'notes.md', data: '# Notes\n\nThe capybara likes **warm** baths.\n' },
          { name: 'todo.txt', data: 'buy axolotl food\n' },
        ]),
      ),
      201,
    )
    expect(body.files).toEqual([
      expect.objectContaining({ name: 'report.pdf', kind: 'pdf', media_type: 'application/pdf', size: pdf.length, path: 'uploads/report.pdf.md' }),
      expect.objectContaining({ name: 'budget.docx', kind: 'docx', media_type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', path: 'uploads/budget.docx.md' }),
      expect.objectContaining({ name: 'notes.md', kind: 'markdown', media_type: 'text/markdown', path: 'uploads/notes.md' }),
      expect.objectContaining({ name: 'todo.txt', kind: 'text', media_type: 'text/plain', path: 'uploads/todo.txt' }),
    ])
    const read = await expectJson(gateway.request(`/api/memory/read?path=${encodeURIComponent('uploads/report.pdf.md')}`))
    expect(read.content).toBe('# report.pdf\n\nQuarterly zebra migration report\nHerds crossed the river in March.\n')
    const docText = await expectJson(gateway.request(`/api/memory/read?path=${encodeURIComponent('uploads/budget.docx.md')}`))
    expect(docText.content).toContain('The okapi sanctuary budget was approved.')

    const hits = await expectJson(gateway.request('/api/memory/search', { method: 'POST', json: { query: 'zebra migration' } }))
    expect(hits.results[0]).toMatchObject({ path: 'uploads/report.pdf.md' })
    expect(hits.results[0].snippet).toContain('zebra')
    const okapi = await expectJson(gateway.request('/api/memory/search', { method: 'POST', json: { query: 'okapi sanctuary' } }))
    expect(okapi.results[0].path).toBe('uploads/budget.docx.md')
  })

  it('puts files in the folder asked for, and replaces a document uploaded again', async () => {
    const first = await expectJson(upload(form([{ name: 'plan.txt', data: 'first plan' }], { folder: 'projects/garden/' })), 201)
    expect(first.files[0].path).toBe('projects/garden/plan.txt')
    await expectJson(upload(form([{ name: 'plan.txt', data: 'second plan' }], { folder: 'projects/garden' })), 201)
    const read = await expectJson(gateway.request('/api/memory/read?path=projects%2Fgarden%2Fplan.txt'))
    expect(read.content).toBe('second plan')
  })

  it('keeps only the last segment of a name that tries to climb out of the folder', async () => {
    const body = await expectJson(upload(form([{ name: '../../etc/passwd.md', data: 'harmless' }])), 201)
    expect(body.files[0].path).toBe('uploads/passwd.md')
    expect((await expectJson(upload(form([{ name: 'x.md', data: 'x' }], { folder: '../up' })), 400)).error.code).toBe('invalid_path')
  })

  it.each([
    ['an ELF executable renamed report.pdf', 'report.pdf', ELF_EXECUTABLE, /application\/x-elf/],
    ['a Windows executable renamed notes.txt', 'notes.txt', WINDOWS_EXECUTABLE, /application\/x-msdownload/],
    ['a Windows executable renamed budget.docx', 'budget.docx', WINDOWS_EXECUTABLE, /application\/x-msdownload/],
    ['binary bytes that match no format', 'data.md', new Uint8Array([0xde, 0xad, 0x00, 0xbe, 0xef, 0x00, 0x01]), /not a type the gateway reads/],
  ])('refuses %s with 415 unsupported_file_type, whatever the name or Content-Type claim', async (_what, name, data, message) => {
    const res = await upload(form([{ name, data, type: name.endsWith('.pdf') ? 'application/pdf' : 'text/plain' }]))
    const body = await expectJson(res, 415)
    expect(body.error.code).toBe('unsupported_file_type')
    expect(body.error.message).toMatch(message)
    expect(body.error.message).toContain('accepted: PDF, DOCX')
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/)
  })

  it('writes nothing when one file of several is refused', async () => {
    const before = await expectJson(gateway.request('/api/memory/status'))
    await expectJson(upload(form([{ name: 'fine.txt', data: 'fine' }, { name: 'evil.pdf', data: ELF_EXECUTABLE }])), 415)
    expect((await expectJson(gateway.request('/api/memory/status'))).documents).toBe(before.documents)
  })

  it('refuses an image (memory holds text) and an empty file', async () => {
    expect((await expectJson(upload(form([{ name: 'cat.png', data: PNG_1X1 }])), 415)).error.message).toContain('memory holds text')
    expect((await expectJson(upload(form([{ name: 'empty.txt', data: '' }])), 400)).error.code).toBe('empty_file')
  })

  it('answers 422 for a file that looks like a PDF but does not parse', async () => {
    const body = await expectJson(upload(form([{ name: 'broken.pdf', data: '%PDF-1.4\nthis is not really a pdf\n%%EOF' }])), 422)
    expect(body.error.code).toBe('unreadable_file')
  })

  it('refuses a DOCX whose zip says it expands past the bound, before inflating it', async () => {
    const docx = Buffer.from(await makeDocx(['small']))
    // Patch every central-directory entry's uncompressed size to 1 GB.
    for (let at = docx.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); at !== -1; at = docx.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4)) docx.writeUInt32LE(1 << 30, at + 24)
    const body = await expectJson(upload(form([{ name: 'bomb.docx', data: docx }])), 413)
    expect(body.error).toMatchObject({ code: 'file_too_large' })
  })

  it('answers 415 for a body that is not multipart, 400 for a malformed one or one without files', async () => {
    expect((await expectJson(gateway.request('/api/memory/upload', { method: 'POST', json: { file: 'x' } }), 415)).error.code).toBe('unsupported_media_type')
    const broken = await gateway.request('/api/memory/upload', post('--x\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nno end', { 'content-type': 'multipart/form-data; boundary=y' }))
    expect((await expectJson(broken, 400)).error.code).toMatch(/invalid_multipart|no_files/)
    expect((await expectJson(upload(form([], { folder: 'x' })), 400)).error.code).toBe('no_files')
  })

  it('is in the OpenAPI document as a multipart upload', async () => {
    const doc = await expectJson(gateway.request('/api/openapi.json'))
    const op = doc.paths['/api/memory/upload'].post
    expect(Object.keys(op.requestBody.content)).toEqual(['multipart/form-data'])
    expect(op.responses['201']).toBeDefined()
    expect(Object.keys(doc.paths['/api/chat/send'].post.requestBody.content)).toEqual(['application/json', 'multipart/form-data'])
  })
})

describe('upload limits', () => {
  it('answers 413 file_too_large past GATEWAY_UPLOAD_MAX_BYTES and too_many_files past GATEWAY_UPLOAD_MAX_FILES', async () => {
    const gateway = await testGateway({ config: { uploads: { maxBytes: 1000, maxFiles: 2 } } })
    try {
      const big = await expectJson(gateway.request('/api/memory/upload', post(form([{ name: 'big.txt', data: 'a'.repeat(1001) }]))), 413)
      expect(big.error).toMatchObject({ code: 'file_too_large' })
      expect(big.error.message).toContain('1000')
      const many = await expectJson(gateway.request('/api/memory/upload', post(form([1, 2, 3].map((i) => ({ name: `${i}.txt`, data: 'x' }))))), 413)
      expect(many.error).toMatchObject({ code: 'too_many_files' })
      await expectJson(gateway.request('/api/memory/upload', post(form([{ name: 'ok.txt', data: 'a'.repeat(1000) }]))), 201)
    } finally {
      await gateway.close()
    }
  })

  it('reads the limits from the environment', async () => {
    const { loadConfig } = await import('../../src/config/gateway-config')
    const config = loadConfig({ GATEWAY_UPLOAD_MAX_BYTES: '2048', GATEWAY_UPLOAD_MAX_FILES: '3', GATEWAY_UPLOAD_MAX_TEXT_CHARS: '500' })
    expect(config.uploads).toEqual({ maxBytes: 2048, maxFiles: 3, maxTextChars: 500 })
    expect(loadConfig({}).uploads).toEqual({ maxBytes: 10 * 1024 * 1024, maxFiles: 8, maxTextChars: 100_000 })
  })

  it('answers 413 payload_too_large for a body past the gateway body limit', async () => {
    const gateway = await testGateway({ config: { limits: { bodyLimitBytes: 4096 } } })
    try {
      const res = await gateway.request('/api/memory/upload', post(form([{ name: 'big.txt', data: 'a'.repeat(10_000) }])))
      expect((await expectJson(res, 413)).error.code).toBe('payload_too_large')
    } finally {
      await gateway.close()
    }
  })
})
