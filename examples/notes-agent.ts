import type { ChannelAgent, WebChannel } from 'agent-gateway'

/**
 * A host app's own agent, plugged into the gateway's channel instead of the default LLM agent:
 * it answers from the app's notes. Output goes out as events (streamed chunks, then a response).
 */
export function notesAgent(channel: WebChannel, notes: readonly string[]): ChannelAgent {
  return {
    async onMessage(message) {
      const to = { userId: message.userId, threadId: message.threadId }
      const words = message.content.toLowerCase().split(/\W+/).filter((w) => w.length > 3)
      const hits = notes.filter((note) => words.some((word) => note.toLowerCase().includes(word)))
      const reply = hits.length ? `From your notes: ${hits.join('; ')}` : 'None of your notes mention that.'
      for (const chunk of reply.match(/.{1,24}/g) ?? []) await channel.sendStatus(to, { type: 'stream_chunk', content: chunk })
      await channel.respond(to, reply)
    },
  }
}
