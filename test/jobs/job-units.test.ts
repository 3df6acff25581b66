import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/index'
import { parseJobCommands } from '../../src/config/jobs-config'
import { CappedOutput, LineSplitter } from '../../src/services/jobs/process-output'
import { StreamJsonReader } from '../../src/services/jobs/stream-json'
import { decodeText } from '../../src/services/jobs/text-file'

const bytes = (text: string) => new TextEncoder().encode(text)

describe('job configuration', () => {
  it('reads GATEWAY_JOB_COMMANDS (one object or an array) and GATEWAY_JOB_ISOLATION', () => {
    const config = loadConfig({ GATEWAY_JOB_COMMANDS: '{"name":"claude","argv":["claude","-p","{prompt}"]}', GATEWAY_JOB_ISOLATION: 'process' })
    expect(config.jobs.isolation).toBe('process')
    expect(config.jobs.commands).toEqual([expect.objectContaining({ name: 'claude', argv: ['claude', '-p', '{prompt}'], resume_argv: [], env: [], network: true })])
    expect(parseJobCommands('[{"name":"a","argv":["a"]},{"name":"b","argv":["b"]}]').map((c) => c.name)).toEqual(['a', 'b'])
    expect(parseJobCommands(undefined)).toEqual([])
    expect(() => parseJobCommands('{nope')).toThrow(/GATEWAY_JOB_COMMANDS must be JSON/)
    expect(() => parseJobCommands('{"name":"Bad Name","argv":["x"]}')).toThrow()
    expect(() => loadConfig({ GATEWAY_JOB_ISOLATION: 'chroot' })).toThrow()
  })
})

describe('StreamJsonReader', () => {
  it('maps stream-JSON lines to job updates, naming tool results after their call', () => {
    const reader = new StreamJsonReader()
    expect(reader.read('{"type":"system","subtype":"init","session_id":"s1","model":"m"}')).toEqual([{ kind: 'session', sessionId: 's1', model: 'm' }])
    expect(reader.read(JSON.stringify({ type: 'assistant', message: { content: [{ type: 'thinking', thinking: '...' }, { type: 'text', text: 'Hi' }, { type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls' } }] } }))).toEqual([
      { kind: 'message', content: 'Hi' },
      { kind: 'tool_use', toolName: 'Bash', input: { command: 'ls' } },
    ])
    expect(reader.read(JSON.stringify({ type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'a\nb' }], is_error: true }] } }))).toEqual([
      { kind: 'tool_result', toolName: 'Bash', output: 'a\nb', isError: true },
    ])
    expect(reader.read('{"type":"result","subtype":"error_max_turns","session_id":"s1","usage":{"input_tokens":3,"output_tokens":4}}')).toEqual([
      { kind: 'result', text: null, isError: true, sessionId: 's1', usage: { input: 3, output: 4 } },
    ])
    expect(reader.read('plain output')).toEqual([{ kind: 'text', text: 'plain output' }])
    expect(reader.read('{not json')).toEqual([{ kind: 'text', text: '{not json' }])
    expect(reader.read('{"type":"unknown_kind"}')).toEqual([])
    expect(reader.read('   ')).toEqual([])
  })
})

describe('output helpers', () => {
  it('CappedOutput keeps head and tail and counts what it dropped', () => {
    const out = new CappedOutput(10)
    for (const chunk of ['abc', 'defgh', 'ijklmnop', 'qrstuvwxyz']) out.push(bytes(chunk))
    expect(out.total).toBe(26)
    expect(out.truncated).toBe(true)
    expect(out.text()).toBe('abcde\n[... 16 bytes omitted ...]\nvwxyz')
    const small = new CappedOutput(100)
    small.push(bytes('hello'))
    expect(small.text()).toBe('hello')
    expect(small.truncated).toBe(false)
  })

  it('LineSplitter joins chunks into lines, across split UTF-8, and cuts very long lines', () => {
    const lines: string[] = []
    const splitter = new LineSplitter((line) => lines.push(line), 8)
    const euro = bytes('€')
    splitter.push(new Uint8Array([...bytes('a'), euro[0]!]))
    splitter.push(new Uint8Array([...euro.subarray(1), ...bytes('\r\nsecond\n0123456789')]))
    splitter.end()
    expect(lines).toEqual(['a€', 'second', '01234567', '89'])
  })

  it('decodeText tells text from binary and tolerates a character cut at the cap', () => {
    expect(decodeText(bytes('plain'), false)).toBe('plain')
    expect(decodeText(new Uint8Array([0x68, 0, 0x69]), false)).toBeNull()
    expect(decodeText(new Uint8Array([0xff, 0xfe]), false)).toBeNull()
    const cut = bytes('é€').subarray(0, 4)
    expect(decodeText(cut, true)).toBe('é')
    expect(decodeText(cut, false)).toBeNull()
  })
})
