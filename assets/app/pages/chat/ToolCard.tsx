import { Icon } from '../../components/Icon'
import { Spinner } from '../../components/ui'
import type { ToolCallView } from '../../lib/turns'

/** A tool call as a collapsible card: name and outcome, then its arguments and result preview. */
export function ToolCard({ tool }: { tool: ToolCallView }) {
  const hasBody = !!(tool.parameters || tool.preview || tool.error)
  return (
    <details class={`tool-card tool-${tool.status}`}>
      <summary>
        <Icon name="tool" size={16} />
        <span class="tool-name">{tool.name}</span>
        <span class="tool-state">
          {tool.status === 'running' ? (
            <>
              <Spinner label="Running" /> running
            </>
          ) : tool.status === 'ok' ? (
            <>
              <Icon name="check" size={14} /> done
            </>
          ) : (
            <>
              <Icon name="alert" size={14} /> failed
            </>
          )}
        </span>
        {hasBody ? <Icon name="chevron" size={14} class="chevron" /> : null}
      </summary>
      {hasBody ? (
        <div class="tool-body">
          {tool.parameters ? (
            <>
              <p class="tool-label">Arguments</p>
              <pre class="tool-pre">{tool.parameters}</pre>
            </>
          ) : null}
          {tool.preview ? (
            <>
              <p class="tool-label">Result</p>
              <pre class="tool-pre">{tool.preview}</pre>
            </>
          ) : null}
          {tool.error ? (
            <>
              <p class="tool-label">Error</p>
              <pre class="tool-pre tool-error">{tool.error}</pre>
            </>
          ) : null}
        </div>
      ) : null}
    </details>
  )
}
