/** What a running turn streamed so far, and the id of the last event it came in. */
export interface Streamed {
  text: string
  /** The bus id of the last `stream_chunk` in `text`: a client following the turn skips chunks up to it. */
  lastEventId: number | undefined
}

/** Text streamed so far by running turns, so a page loaded mid-turn shows it (`in_progress`). */
export class LiveText {
  readonly #text = new Map<string, Streamed>()

  append(turnId: string, delta: string, eventId?: number): void {
    const streamed = this.#text.get(turnId)
    this.#text.set(turnId, { text: (streamed?.text ?? '') + delta, lastEventId: eventId ?? streamed?.lastEventId })
  }

  get(turnId: string): Streamed | undefined {
    return this.#text.get(turnId)
  }

  delete(turnId: string): void {
    this.#text.delete(turnId)
  }
}
