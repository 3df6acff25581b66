import { afterAll, describe, expect, it } from 'vitest'
import { agentGateway, EventLog, json } from '../support/agent'
import { MockLlm } from '../support/mock-llm'
import { startTestServer, waitFor } from '../support/gateway'
import { ELF_EXECUTABLE, makeDocx, makePdf, PNG_1X1 } from '../support/upload-fixtures'
import { expectJson } from '../memory/support'
import { form, post } from './support'
import { mockLlmConfig } from '../support/agent'

type Message = { role: string; content: unknown }
const lastUser = (llm: MockLlm): Message => (llm.chatRequests().at(-1)!.body.messages as Message[]).at(-1)!

/** Files attached to a chat message (multipart `POST /api/chat/send`): documents' text and images reach the model. */
describe('files attached to a chat message', async () => {
  const llm = await MockLlm.start()
  afterAll(() => llm.close())

  it('gives the model the text of an attached PDF and DOCX, each in its own block', async () => {
    const gw = await agentGateway(llm)
    try {
      const log = new EventLog(gw)
      llm.text('The report is about zebras.')
      const files = [
        { name: 'report.pdf', data: makePdf(['Quarterly zebra migration report']) },
        { name: 'minutes.docx', data: await makeDocx(['Minutes', 'The board approved the okapi budget.']) },
      ]
      const accepted = await expectJson(gw.request('/api/chat/send', post(form(files, { content: 'Summarise these', timezone: 'Europe/Paris' }))), 202)
      await log.next('response', (e) => e.thread_id === accepted.thread_id)
      const content = String(lastUser(llm).content)
      expect(content).toBe(
        'Summarise these\n\n<attachment name="report.pdf" type="application/pdf">\nQuarterly zebra migration report\n</attachment>' +
          '\n\n<attachment name="minutes.docx" type="application/vnd.openxmlformats-officedocument.wordprocessingml.document">\nMinutes\n\nThe board approved the okapi budget.\n</attachment>',
      )
      const history = await json(gw.request(`/api/chat/history?thread_id=${accepted.thread_id}`))
      expect(history.turns[0].user_input).toBe(content)
    } finally {
      await gw.close()
    }
  })

  it('cuts attached text past GATEWAY_UPLOAD_MAX_TEXT_CHARS and tells the model', async () => {
    const gw = await agentGateway(llm, { config: { uploads: { maxTextChars: 100 } } })
    try {
      const log = new EventLog(gw)
      llm.text('ok')
      const accepted = await expectJson(gw.request('/api/chat/send', post(form([{ name: 'long.txt', data: 'word '.repeat(100) }], { content: 'Read' }))), 202)
      await log.next('response', (e) => e.thread_id === accepted.thread_id)
      const content = String(lastUser(llm).content)
      expect(content).toContain('[… cut: the first 100 of 500 characters are shown]')
      expect(content.length).toBeLessThan(300)
    } finally {
      await gw.close()
    }
  })

  it('sends an attached image to a model that sees images, as an image_url part', async () => {
    const gw = await agentGateway(llm, { llm: { model: 'gpt-4o-mini' } })
    try {
      const log = new EventLog(gw)
      llm.text('A red pixel.')
      // The name and declared type lie; the bytes are a PNG.
      const accepted = await expectJson(gw.request('/api/chat/send', post(form([{ name: 'photo.jpg', data: PNG_1X1, type: 'image/jpeg' }], { content: 'What is this?' }))), 202)
      await log.next('response', (e) => e.thread_id === accepted.thread_id)
      expect(lastUser(llm).content).toEqual([
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_1X1.toString('base64')}` } },
      ])
      const history = await json(gw.request(`/api/chat/history?thread_id=${accepted.thread_id}`))
      expect(history.turns[0]).toMatchObject({ user_input: 'What is this?', image_count: 1 })
    } finally {
      await gw.close()
    }
  })

  it('sends an attached image to Claude as an image block', async () => {
    const anthropic = { backend: 'anthropic' as const, baseUrl: llm.url.replace(/\/v1$/, ''), apiKey: 'sk-ant-test-key-0123456789', model: 'claude-sonnet-4-6' }
    const gw = await agentGateway(llm, { llm: anthropic })
    try {
      const log = new EventLog(gw)
      llm.text('A pixel.')
      const accepted = await expectJson(gw.request('/api/chat/send', post(form([{ name: 'p.png', data: PNG_1X1 }], { content: 'Look' }))), 202)
      await log.next('response', (e) => e.thread_id === accepted.thread_id)
      const request = llm.chatRequests().at(-1)!
      expect(request.path).toBe('/v1/messages')
      expect((request.body.messages as Message[]).at(-1)!.content).toEqual([
        { type: 'text', text: 'Look' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1X1.toString('base64') } },
      ])
    } finally {
      await gw.close()
    }
  })

  it('refuses an image for a model that cannot see images with 415 images_not_supported, before any turn starts', async () => {
    const gw = await agentGateway(llm, { llm: { model: 'mock-model' } })
    try {
      const calls = llm.chatRequests().length
      const body = await expectJson(gw.request('/api/chat/send', post(form([{ name: 'p.png', data: PNG_1X1 }], { content: 'Look' }))), 415)
      expect(body.error.code).toBe('images_not_supported')
      expect(body.error.message).toContain('mock-model cannot see images')
      expect(body.error.message).toContain('LLM_VISION')
      expect(llm.chatRequests().length).toBe(calls)
      const threads = await json(gw.request('/api/chat/threads'))
      expect(threads.threads).toEqual([])
    } finally {
      await gw.close()
    }
  })

  it('refuses a renamed executable (415), too many files (413), and an empty message (400)', async () => {
    const gw = await agentGateway(llm, { config: { uploads: { maxFiles: 1 } } })
    try {
      const exe = await expectJson(gw.request('/api/chat/send', post(form([{ name: 'invoice.pdf', data: ELF_EXECUTABLE, type: 'application/pdf' }], { content: 'Read' }))), 415)
      expect(exe.error.code).toBe('unsupported_file_type')
      const many = await expectJson(gw.request('/api/chat/send', post(form([{ name: 'a.txt', data: 'a' }, { name: 'b.txt', data: 'b' }], { content: 'Read' }))), 413)
      expect(many.error.code).toBe('too_many_files')
      expect((await expectJson(gw.request('/api/chat/send', post(form([], { content: '  ' }))), 400)).error.code).toBe('invalid_request')
      // The JSON body works as before.
      await expectJson(gw.request('/api/chat/send', { method: 'POST', json: { content: 'plain' } }), 202)
    } finally {
      await gw.close()
    }
  })

  it('takes a real multipart request over a socket (fetch with FormData)', async () => {
    const server = await startTestServer({ config: { llm: mockLlmConfig(llm) } })
    try {
      llm.text('Seen.')
      const res = await fetch(`${server.url}/api/chat/send`, { method: 'POST', headers: server.auth, body: form([{ name: 'notes.md', data: '# Plan\n\nplant tulips' }], { content: 'Plan?' }) })
      expect(res.status).toBe(202)
      const { thread_id } = (await res.json()) as { thread_id: string }
      let history: any
      await waitFor(async () => {
        history = await json(fetch(`${server.url}/api/chat/history?thread_id=${thread_id}`, { headers: server.auth }))
        return history.turns.length === 1
      }, 5_000, 'the turn in history')
      expect(history.turns[0].user_input).toContain('<attachment name="notes.md" type="text/markdown">\n# Plan\n\nplant tulips\n</attachment>')
    } finally {
      await server.close()
    }
  })
})
