/** Text streamed so far by running turns, so a page loaded mid-turn shows it (`in_progress`). */
export class LiveText {
  readonly #text = new Map<string, string>()

  append(turnId: string, delta: string): void {
    this.#text.set(turnId, (this.#text.get(turnId) ?? '') + delta)
  }

  get(turnId: string): string | undefined {
    return this.#text.get(turnId)
  }

  delete(turnId: string): void {
    this.#text.delete(turnId)
  }
}
