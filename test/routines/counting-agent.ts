import type { ChannelAgent } from '../../src/hub/channel'

/** An embedder's agent that answers every awaited message at once, recording what it ran. */
export const countingAgent = (ran: string[], name = 'agent'): ChannelAgent => ({
  onMessage: () => undefined,
  async runMessage(message) {
    ran.push(message.content)
    return { status: 'completed', threadId: message.threadId, turnId: undefined, text: `done by ${name}`, inputTokens: 1, outputTokens: 1, costUsd: 0, model: null }
  },
})
