import { signal } from '@preact/signals'
import { useEffect, useRef, useState } from 'preact/hooks'
import { Icon } from '../../components/Icon'
import { MAX_IMAGES, type PickedImage, readImage } from '../../lib/images'
import { ACCEPT_ATTACHMENTS, fileSize, isPickableImage, MAX_FILES } from '../../lib/uploads'
import { errorMessage, toast } from '../../state/toasts'

/** Text to put in the message box (a suggestion chip was clicked). */
export const draft = signal<string | null>(null)

interface Props {
  busy: boolean
  disabled?: boolean
  /** `files`: documents (PDF, DOCX, Markdown, text) whose text the gateway gives the model. */
  onSend: (text: string, images: PickedImage[], files: File[]) => Promise<boolean>
  onStop: () => void
}

/** The message box: Enter sends, Shift+Enter breaks the line; images and documents by button, drop or paste. */
export function Composer({ busy, disabled, onSend, onStop }: Props) {
  const [text, setText] = useState('')
  const [images, setImages] = useState<PickedImage[]>([])
  const [docs, setDocs] = useState<File[]>([])
  const [sending, setSending] = useState(false)
  const [dropping, setDropping] = useState(false)
  const area = useRef<HTMLTextAreaElement>(null)
  const file = useRef<HTMLInputElement>(null)

  const pending = draft.value
  useEffect(() => {
    if (pending === null) return
    setText(pending)
    draft.value = null
    area.current?.focus()
  }, [pending])

  // Grow with the text, up to a limit (then scroll).
  useEffect(() => {
    const el = area.current
    if (!el) return
    el.style.height = 'auto'
    el.style.height = `${Math.min(el.scrollHeight, 240)}px`
  }, [text])

  const addFiles = async (files: Iterable<File>) => {
    const all = [...files]
    // Documents are read by the gateway, which decides from their bytes what they are.
    const documents = all.filter((f) => !isPickableImage(f))
    if (documents.length) {
      const room = MAX_FILES - docs.length - images.length
      if (documents.length > room) toast(`At most ${MAX_FILES} files per message`, 'error')
      setDocs((current) => [...current, ...documents.slice(0, Math.max(0, room))])
    }
    for (const f of all.filter(isPickableImage)) {
      if (images.length >= MAX_IMAGES) {
        toast(`At most ${MAX_IMAGES} images per message`, 'error')
        break
      }
      try {
        const picked = await readImage(f)
        setImages((current) => (current.length < MAX_IMAGES ? [...current, picked] : current))
      } catch (error) {
        toast(errorMessage(error), 'error')
      }
    }
  }

  const submit = async (e?: Event) => {
    e?.preventDefault()
    const content = text.trim()
    if ((!content && !images.length && !docs.length) || sending || disabled) return
    setSending(true)
    const ok = await onSend(content, images, docs)
    setSending(false)
    if (ok) {
      setText('')
      setImages([])
      setDocs([])
    }
    area.current?.focus()
  }

  return (
    <form
      class="composer"
      onSubmit={submit}
      data-dropping={dropping ? 'true' : undefined}
      onDragOver={(e) => {
        e.preventDefault()
        setDropping(true)
      }}
      onDragLeave={() => setDropping(false)}
      onDrop={(e) => {
        e.preventDefault()
        setDropping(false)
        if (e.dataTransfer?.files) void addFiles(e.dataTransfer.files)
      }}
    >
      {images.length ? (
        <ul class="attachments" aria-label="Attached images">
          {images.map((img, i) => (
            <li key={img.url}>
              <img src={img.url} alt={img.name || `Image ${i + 1}`} />
              <button
                type="button"
                class="btn-icon remove"
                aria-label={`Remove ${img.name || `image ${i + 1}`}`}
                onClick={() => {
                  URL.revokeObjectURL(img.url)
                  setImages(images.filter((_, j) => j !== i))
                }}
              >
                <Icon name="close" size={12} />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {docs.length ? (
        <ul class="file-chips" aria-label="Attached files">
          {docs.map((doc, i) => (
            <li key={`${doc.name}-${i}`} class="file-chip">
              <Icon name="file" size={14} />
              <span class="file-chip-name">{doc.name}</span>
              <span class="muted small">{fileSize(doc.size)}</span>
              <button type="button" class="btn-icon" aria-label={`Remove ${doc.name}`} onClick={() => setDocs(docs.filter((_, j) => j !== i))}>
                <Icon name="close" size={12} />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div class="composer-row">
        <input
          ref={file}
          type="file"
          accept={ACCEPT_ATTACHMENTS}
          multiple
          hidden
          onChange={(e) => {
            const input = e.target as HTMLInputElement
            if (input.files) void addFiles(input.files)
            input.value = ''
          }}
        />
        <button type="button" class="btn-icon" aria-label="Attach files" title="Attach files (PDF, DOCX, Markdown, text, images)" onClick={() => file.current?.click()} disabled={disabled}>
          <Icon name="attach" />
        </button>
        <label for="message" class="visually-hidden">
          Message
        </label>
        <textarea
          id="message"
          ref={area}
          rows={1}
          placeholder={disabled ? 'Chat is not available' : 'Message the agent…'}
          value={text}
          disabled={disabled}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault()
              void submit()
            }
          }}
          onPaste={(e) => {
            const files = [...(e.clipboardData?.files ?? [])]
            if (files.length) {
              e.preventDefault()
              void addFiles(files)
            }
          }}
        />
        {busy ? (
          <button type="button" class="btn btn-stop" onClick={onStop} aria-label="Stop the answer">
            <Icon name="stop" /> <span class="hide-narrow">Stop</span>
          </button>
        ) : null}
        <button type="submit" class="btn btn-primary btn-send" aria-label="Send" disabled={sending || disabled || (!text.trim() && !images.length && !docs.length)}>
          <Icon name="send" />
        </button>
      </div>
    </form>
  )
}
