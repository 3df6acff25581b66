import { randomBytes } from 'node:crypto'
import net from 'node:net'

/** A WebSocket frame built by hand, so tests can send what no well-behaved client would. */
export function wsFrame(opcode: number, payload: Buffer, options: { mask?: boolean; fin?: boolean } = {}): Buffer {
  const mask = options.mask ?? true
  const head: number[] = [(options.fin ?? true ? 0x80 : 0) | opcode]
  const len = payload.length
  if (len < 126) head.push((mask ? 0x80 : 0) | len)
  else if (len < 65536) head.push((mask ? 0x80 : 0) | 126, len >> 8, len & 0xff)
  else throw new Error('frame too large for this helper')
  if (!mask) return Buffer.concat([Buffer.from(head), payload])
  const key = randomBytes(4)
  const masked = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!))
  return Buffer.concat([Buffer.from(head), key, masked])
}

export interface RawWs {
  socket: net.Socket
  /** Frames received after the handshake, as [opcode, payload]. */
  frames: Array<[number, Buffer]>
  closed: Promise<void>
  /** The close code the server sent (undefined if it only dropped the connection). */
  closeCode(): number | undefined
}

/** Opens a WebSocket over a plain TCP socket; rejects with the status line if the upgrade is refused. */
export function rawWebSocket(port: number, path: string, headers: Record<string, string>): Promise<RawWs> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    let buffer = Buffer.alloc(0)
    let upgraded = false
    const frames: Array<[number, Buffer]> = []
    let ended: () => void = () => undefined
    const closed = new Promise<void>((r) => (ended = r))
    socket.on('close', () => {
      ended()
      if (!upgraded) reject(new Error(`closed before the upgrade: ${buffer.toString('latin1').split('\r\n')[0]}`))
    })
    socket.on('error', () => undefined)
    socket.on('data', (data) => {
      buffer = Buffer.concat([buffer, data])
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n')
        if (end === -1) return
        const status = buffer.subarray(0, end).toString('latin1').split('\r\n')[0]!
        if (!status.includes(' 101 ')) {
          socket.destroy()
          return reject(Object.assign(new Error(status), { status: Number(status.split(' ')[1]) }))
        }
        upgraded = true
        buffer = buffer.subarray(end + 4)
        resolve({ socket, frames, closed, closeCode })
      }
      // Unmasked server frames, payloads under 64 KiB are all these tests need.
      while (buffer.length >= 2) {
        let len = buffer[1]! & 0x7f
        let offset = 2
        if (len === 126) {
          if (buffer.length < 4) return
          len = buffer.readUInt16BE(2)
          offset = 4
        } else if (len === 127) {
          if (buffer.length < 10) return
          len = Number(buffer.readBigUInt64BE(2))
          offset = 10
        }
        if (buffer.length < offset + len) return
        frames.push([buffer[0]! & 0x0f, buffer.subarray(offset, offset + len)])
        buffer = buffer.subarray(offset + len)
      }
    })
    const closeCode = () => {
      const close = frames.find(([op]) => op === 0x8)
      return close && close[1].length >= 2 ? close[1].readUInt16BE(0) : undefined
    }
    const lines = [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`]
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`)
    socket.write(`${lines.join('\r\n')}\r\n\r\n`)
  })
}
