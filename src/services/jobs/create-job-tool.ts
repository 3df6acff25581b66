import { z } from 'zod'
import { defineTool, type Tool, type ToolProvider } from '../../tools/tool'
import { GatewayError } from '../../lib/errors'
import { JobKind } from '../../protocol/jobs'
import type { JobsService } from './jobs-service'

/**
 * The `jobs` tool provider: `create_job` lets the chat agent hand long work to a sandbox job.
 * It needs the user's approval (it starts unattended work), and is offered only while some job
 * kind is available.
 */
export class JobsToolProvider implements ToolProvider {
  readonly name = 'jobs'

  constructor(private readonly jobs: JobsService) {}

  tools(): Tool[] {
    const kinds = this.jobs.availableKinds()
    if (kinds.length === 0) return []
    const commands = this.jobs.config.commands.map((c) => (c.description ? `${c.name} (${c.description})` : c.name))
    return [
      defineTool({
        name: 'create_job',
        description: [
          'Start a background job that works on a task in its own workspace (write code, process files) while the user does something else.',
          'The user can watch it, browse the files it produces, send follow-ups and cancel it.',
          kinds.includes('command') ? `kind "command" runs a coding-agent CLI: ${commands.join(', ')}.` : '',
        ].join(' ').trim(),
        input: z.object({
          prompt: z.string().min(1).max(100_000).describe('The complete task: the job cannot ask questions'),
          title: z.string().min(1).max(200).optional().describe('Short title for the job list'),
          kind: JobKind.refine((k) => kinds.includes(k), 'this kind of job is not available').default(kinds[0]!),
          command: z.string().max(32).optional().describe('For kind "command": which configured command'),
        }),
        requiresApproval: true,
        source: 'jobs',
        execute: async (input, ctx) => {
          try {
            const job = await this.jobs.create(ctx.userId, input, { threadId: ctx.threadId })
            // No signed link for the model to repeat into the chat history: the Jobs panel makes fresh ones.
            return `Started job "${job.title}" (id ${job.id}). It runs in the background; the user can follow it and browse its files in the Jobs panel (${this.jobs.projectPath(job)}).`
          } catch (error) {
            if (error instanceof GatewayError) return { output: `Could not start the job: ${error.message}`, isError: true }
            throw error
          }
        },
      }),
    ]
  }
}
