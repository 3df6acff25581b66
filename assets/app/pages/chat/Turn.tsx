import { Icon } from '../../components/Icon'
import { Markdown } from '../../components/Markdown'
import { count, usd } from '../../lib/format'
import type { DisplayTurn } from '../../lib/turns'
import { splitAttachments } from '../../lib/uploads'
import { link } from '../../state/router'
import { ApprovalCard } from './ApprovalCard'
import { ToolCard } from './ToolCard'

const STATUS_NOTE: Partial<Record<DisplayTurn['status'], string>> = {
  cancelled: 'Stopped',
  interrupted: 'Interrupted',
  failed: 'This turn failed',
}

/** One exchange: the user's message, then the agent's work (tools, approvals) and answer. */
export function Turn({ turn, threadId, last, onSuggestion, onRetry }: {
  turn: DisplayTurn
  threadId: string
  last: boolean
  onSuggestion: (text: string) => void
  /** Sends the turn's message again (offered on the last turn when it ended without an answer). */
  onRetry?: (text: string) => void
}) {
  const running = turn.status === 'sending' || turn.status === 'streaming'
  const hasAnswer = turn.text.length > 0
  const own = splitAttachments(turn.userInput ?? '')
  return (
    <article class="turn" data-turn={turn.key} aria-busy={running}>
      {turn.userInput !== undefined && (turn.userInput !== '' || turn.images?.length || turn.imageCount) ? (
        <div class="msg msg-user">
          <span class="visually-hidden">You said:</span>
          {turn.images?.length ? (
            <div class="msg-images">
              {turn.images.map((src) => (
                <img key={src} src={src} alt="Attached image" />
              ))}
            </div>
          ) : null}
          {!turn.images?.length && turn.imageCount ? (
            <p class="msg-attachments">
              <Icon name="image" size={14} /> {turn.imageCount} image{turn.imageCount === 1 ? '' : 's'}
            </p>
          ) : null}
          {own.attachments.length ? (
            <ul class="file-chips" aria-label="Attached files">
              {own.attachments.map((a, i) => (
                <li key={`${a.name}-${i}`} class="file-chip" title={a.type}>
                  <Icon name="file" size={14} /> <span class="file-chip-name">{a.name}</span>
                </li>
              ))}
            </ul>
          ) : null}
          {own.text ? <p class="msg-text">{own.text}</p> : null}
        </div>
      ) : null}
      <div class="msg msg-agent">
        <span class="visually-hidden">The agent answered:</span>
        {turn.tools.length ? (
          <div class="tools">
            {turn.tools.map((tool) => (
              <ToolCard key={tool.key} tool={tool} />
            ))}
          </div>
        ) : null}
        {turn.approvals.map((a) => (
          <ApprovalCard key={a.request_id} approval={a} threadId={threadId} />
        ))}
        {turn.gap && running ? <p class="note">Reconnected: the rest of this answer appears when it is complete.</p> : null}
        {hasAnswer ? <Markdown text={turn.text} class={running ? 'streaming' : ''} /> : null}
        {running && turn.thinking ? (
          <p class="thinking">
            <span class="pulse" aria-hidden="true" /> {turn.thinking}
          </p>
        ) : running && !hasAnswer && !turn.approvals.some((a) => !a.resolved) ? (
          <p class="thinking">
            <span class="pulse" aria-hidden="true" /> {turn.status === 'sending' ? 'Sending…' : 'Working…'}
          </p>
        ) : null}
        {turn.generated?.map((img) => (
          <figure key={img.data_url.slice(-32)} class="generated">
            <img src={img.data_url} alt={img.path ? `Generated image ${img.path}` : 'Generated image'} />
            {img.path ? <figcaption>{img.path}</figcaption> : null}
          </figure>
        ))}
        {turn.jobs?.map((job) => (
          <a key={job.job_id} class="job-link" href={link(`/jobs/${encodeURIComponent(job.job_id)}`)}>
            <Icon name="jobs" size={16} /> Job started: {job.title}
          </a>
        ))}
        {turn.error ? (
          <p class="turn-error" role="alert">
            <Icon name="alert" size={16} /> {turn.error}
          </p>
        ) : null}
        {!running && STATUS_NOTE[turn.status] ? <p class="note">{STATUS_NOTE[turn.status]}</p> : null}
        {last && onRetry && turn.userInput && (turn.status === 'interrupted' || turn.status === 'cancelled') ? (
          <button type="button" class="btn btn-ghost btn-small turn-retry" onClick={() => onRetry(turn.userInput!)}>
            <Icon name="refresh" size={14} /> Retry
          </button>
        ) : null}
        {turn.cost ? (
          <p class="turn-cost" title="Tokens and cost of this turn">
            {count(turn.cost.input_tokens)} in · {count(turn.cost.output_tokens)} out · {usd(turn.cost.cost_usd)}
            {turn.cost.model ? ` · ${turn.cost.model}` : ''}
          </p>
        ) : null}
        {last && !running && turn.suggestions?.length ? (
          <div class="suggestions" aria-label="Suggested replies">
            {turn.suggestions.map((s) => (
              <button key={s} type="button" class="chip" onClick={() => onSuggestion(s)}>
                {s}
              </button>
            ))}
          </div>
        ) : null}
      </div>
    </article>
  )
}
