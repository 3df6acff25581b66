import type { ByteSink } from '../ports/byte-sink'
import { Once } from '../ports/event-sink'

/** A `ByteSink` on a Web `ReadableStream`, its queue bounded by `highWaterMark` chunks. */
export function createWebByteSink(highWaterMark = 16): { sink: ByteSink; body: ReadableStream<Uint8Array> } {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  let drain: (() => void) | undefined
  const gone = new Once()
  let ended = false
  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c
      },
      pull() {
        const callback = drain
        drain = undefined
        callback?.()
      },
      cancel() {
        ended = true
        gone.fire()
      },
    },
    { highWaterMark, size: () => 1 },
  )
  const sink: ByteSink = {
    write(bytes) {
      if (ended) return true
      controller.enqueue(bytes)
      return (controller.desiredSize ?? 0) > 0
    },
    onDrain(callback) {
      drain = callback
    },
    end() {
      if (ended) return
      ended = true
      controller.close()
    },
    onClose(callback) {
      gone.add(callback)
    },
  }
  return { sink, body }
}
