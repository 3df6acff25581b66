import { useState } from 'preact/hooks'
import { api } from '../../api/index'
import { ErrorNotice, Loadable, useResource } from '../../components/Resource'
import { EmptyState, PageHeader } from '../../components/ui'
import { timeAgo } from '../../lib/format'
import { navigate, route } from '../../state/router'
import { errorMessage, toast } from '../../state/toasts'

/** Messaging channels (Telegram, Slack…) ask to pair a sender; approve them by code. */
export function PairingPage() {
  const channel = route.value.query.get('channel') ?? ''
  const [draft, setDraft] = useState(channel)
  return (
    <div class="page">
      <PageHeader title="Pairing" subtitle="When someone messages the agent on a channel for the first time, they get a code. Approve it here to let them in." />
      <form
        class="row search-row"
        onSubmit={(e) => {
          e.preventDefault()
          navigate(`/admin/pairing?channel=${encodeURIComponent(draft.trim().toLowerCase())}`)
        }}
      >
        <label class="visually-hidden" for="pairing-channel">Channel</label>
        <input id="pairing-channel" class="grow" placeholder="Channel name, e.g. telegram" value={draft} onInput={(e) => setDraft((e.target as HTMLInputElement).value)} />
        <button type="submit" class="btn" disabled={!draft.trim()}>
          Show requests
        </button>
      </form>
      {channel ? <Requests key={channel} channel={channel} /> : null}
    </div>
  )
}

function Requests({ channel }: { channel: string }) {
  const requests = useResource(() => api.system.pairing(channel), [channel])
  const [code, setCode] = useState('')
  const approve = async (value: string) => {
    try {
      const result = await api.system.approvePairing(channel, value)
      toast(result.message, result.success ? 'success' : 'error')
      if (result.success) {
        setCode('')
        await requests.reload()
      }
    } catch (error) {
      toast(errorMessage(error), 'error')
    }
  }
  if (requests.error) return <ErrorNotice error={requests.error} retry={() => void requests.reload()} />
  return (
    <>
      <form
        class="card card-pad section row"
        onSubmit={(e) => {
          e.preventDefault()
          void approve(code)
        }}
      >
        <div class="field grow">
          <label class="label" for="pairing-code">Code</label>
          <input id="pairing-code" autocomplete="off" spellcheck={false} placeholder="ABCD2345" value={code} onInput={(e) => setCode((e.target as HTMLInputElement).value)} />
        </div>
        <button type="submit" class="btn btn-primary align-end" disabled={!code.trim()}>
          Approve
        </button>
      </form>
      <div class="card section">
        <Loadable resource={requests}>
          {(data) =>
            data.requests.length ? (
              <ul class="list">
                {data.requests.map((r) => (
                  <li key={r.code} class="row">
                    <code class="grow">{r.code}</code>
                    <span class="muted">{r.sender_id}</span>
                    <span class="muted small">{timeAgo(r.created_at)}</span>
                    <button type="button" class="btn btn-small btn-primary" onClick={() => void approve(r.code)}>
                      Approve
                    </button>
                  </li>
                ))}
              </ul>
            ) : (
              <EmptyState icon="users" title={`No pending requests on ${channel}`} />
            )
          }
        </Loadable>
      </div>
    </>
  )
}
