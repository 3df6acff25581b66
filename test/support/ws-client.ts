import WebSocket from 'ws'

/** A `ws` client that records frames and lets a test await them. */
export class WsClient {
  readonly frames: Array<Record<string, unknown>> = []
  closeCode: number | undefined
  closeReason = ''
  #waiters: Array<() => void> = []

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      if (isBinary) return
      try {
        this.frames.push(JSON.parse(data.toString()) as Record<string, unknown>)
      } catch {
        this.frames.push({ raw: data.toString() })
      }
      this.#wake()
    })
    socket.on('close', (code, reason) => {
      this.closeCode = code
      this.closeReason = reason.toString()
      this.#wake()
    })
  }

  /** Connects, or rejects with the HTTP status of a refused upgrade (`Error & { status }`). */
  static connect(url: string, options: { headers?: Record<string, string>; origin?: string } = {}): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers: options.headers, origin: options.origin })
      socket.once('open', () => resolve(new WsClient(socket)))
      socket.once('unexpected-response', (_req, res) => {
        reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode }))
        socket.terminate()
      })
      socket.once('error', (error) => reject(error))
    })
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter()
  }

  async next(predicate: (f: Record<string, unknown>) => boolean = () => true, timeoutMs = 5_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.frames.find(predicate)
      if (found) return found
      if (this.closeCode !== undefined) throw new Error(`socket closed (${this.closeCode}) before a matching frame`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out; frames: ${JSON.stringify(this.frames).slice(0, 500)}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  async waitClose(timeoutMs = 5_000): Promise<number> {
    const deadline = Date.now() + timeoutMs
    while (this.closeCode === undefined) {
      if (Date.now() > deadline) throw new Error('socket did not close')
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50)
        this.#waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
    return this.closeCode
  }

  close(): void {
    this.socket.close()
  }
}
