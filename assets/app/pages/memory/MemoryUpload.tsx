import type { ComponentChildren } from 'preact'
import { useRef, useState } from 'preact/hooks'
import { api } from '../../api/index'
import type { MemoryUploadedFile } from '../../api/types'
import { Icon } from '../../components/Icon'
import { ACCEPT_DOCUMENTS, fileSize } from '../../lib/uploads'
import { errorMessage, toast } from '../../state/toasts'
import { openPath } from './NoteView'

/**
 * Files into memory, by the Upload button or dropped anywhere on the page: the gateway reads their
 * text (PDF, DOCX, Markdown, text) into documents under `uploads/`, where search finds them.
 */
export function useMemoryUpload(onUploaded: () => void) {
  const input = useRef<HTMLInputElement>(null)
  const [busy, setBusy] = useState(false)
  const [dropping, setDropping] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<MemoryUploadedFile[] | null>(null)

  const upload = async (files: File[]) => {
    if (!files.length || busy) return
    setBusy(true)
    setError(null)
    setDone(null)
    try {
      const result = await api.memory.upload(files)
      setDone(result.files)
      toast(`Added ${result.files.length} file${result.files.length === 1 ? '' : 's'} to memory`, 'success')
      onUploaded()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  const dropZone = {
    'data-dropping': dropping ? 'true' : undefined,
    onDragOver: (e: DragEvent) => {
      if (!e.dataTransfer?.types.includes('Files')) return
      e.preventDefault()
      setDropping(true)
    },
    onDragLeave: (e: DragEvent) => {
      if (e.currentTarget === e.target) setDropping(false)
    },
    onDrop: (e: DragEvent) => {
      if (!e.dataTransfer?.files.length) return
      e.preventDefault()
      setDropping(false)
      void upload([...e.dataTransfer.files])
    },
  }

  const button = (
    <>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        accept={ACCEPT_DOCUMENTS}
        aria-label="Files to upload into memory"
        onChange={(e) => {
          const el = e.target as HTMLInputElement
          void upload([...(el.files ?? [])])
          el.value = ''
        }}
      />
      <button type="button" class="btn" onClick={() => input.current?.click()} disabled={busy} title="Upload PDF, DOCX, Markdown or text files">
        <Icon name="attach" size={16} /> {busy ? 'Uploading…' : 'Upload'}
      </button>
    </>
  )

  const status: ComponentChildren = (
    <>
      {dropping ? (
        <p class="drop-hint" aria-live="polite">
          Drop files to add them to memory
        </p>
      ) : null}
      {error ? (
        <p class="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {done?.length ? (
        <ul class="file-chips upload-done" aria-label="Uploaded files">
          {done.map((f) => (
            <li key={f.path} class="file-chip">
              <Icon name="file" size={14} />
              <button type="button" class="link" onClick={() => openPath(f.path)}>
                {f.path}
              </button>
              <span class="muted small">
                {fileSize(f.size)} · {f.chars.toLocaleString()} characters
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </>
  )

  return { button, status, dropZone }
}
