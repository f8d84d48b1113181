import type { ComponentChildren } from 'preact'
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { CannedAnswer } from '../types'
import { ApiError, messageOf } from '../api'
import { MAX_TEXT_BYTES, utf8Length } from '../format'

/** The largest file the server accepts (it says so too, with 413). */
const MAX_ATTACHMENT_BYTES = 20 << 20
/** The files the picker offers: those the server takes (ui/api_whatsapp.go: allowedAttachments,
 * by content, and officeTypes, the documents that are zips, by name), and no others
 * (TestBrowserPickerOffersWhatTheServerTakes). */
const ATTACHMENT_ACCEPT = '.pdf,.jpg,.jpeg,.png,.gif,.webp,.txt,.zip,.xlsx,.docx,.pptx,.ods,.odt,.odp'
import { store } from '../store'
import { t } from '../strings'
import { IconClip, IconSend } from './icons'

/** Composer: Enter sends, Shift+Enter breaks the line; the draft survives a lost session. */
/** fill replaces {cliente}, {empresa} and {atendente} in a canned answer; an empty value takes
 * the comma or space before it along ("Olá, {cliente}!" → "Olá!"), as the server's messages do. */
function fill(text: string, vars: Record<string, string>): string {
  return text.replace(/(,\s*|\s+)?\{(cliente|empresa|atendente)\}/g, (_, lead: string | undefined, k: string) => (vars[k] ? (lead ?? '') + vars[k] : ''))
}

/** A text, or a file with the text as its caption, on its way to the client. */
type Outgoing = { text: string; file?: File }

export function Composer({
  id,
  enabled,
  locked,
  vars = {},
}: {
  id: string
  enabled: boolean
  locked: ComponentChildren
  vars?: Record<string, string>
}) {
  const [text, setText] = useState(() => store.draft(id))
  const [canned, setCanned] = useState<CannedAnswer[]>([])
  const [pick, setPick] = useState(0)
  const [closed, setClosed] = useState(false)
  useEffect(() => {
    if (!enabled) return
    store
      .call<{ canned: CannedAnswer[] }>('GET', '/api/canned')
      .then((r) => setCanned(r.canned))
      .catch(() => setCanned([]))
  }, [enabled])
  // "/atalho" alone in the composer opens the list of matching canned answers.
  const slash = /^\/(\S*)$/.exec(text)
  const matches = slash && !closed ? canned.filter((c) => c.shortcut.startsWith(slash[1].toLowerCase())).slice(0, 6) : []
  const choose = (c: CannedAnswer) => {
    change(fill(c.text, vars))
    setPick(0)
    area.current?.focus()
  }
  const [error, setError] = useState('')
  const area = useRef<HTMLTextAreaElement>(null)
  const picker = useRef<HTMLInputElement>(null)

  /** Sends the chosen file; the text typed so far goes as its caption. */
  const attach = (file: File | undefined) => {
    if (picker.current) picker.current.value = ''
    if (!file) return
    if (file.size > MAX_ATTACHMENT_BYTES) {
      setError(t.attachTooBig((file.size / (1 << 20)).toLocaleString('pt-BR', { minimumFractionDigits: 1, maximumFractionDigits: 1 })))
      return
    }
    enqueue({ text: area.current?.value ?? '', file })
  }

  useLayoutEffect(() => {
    const el = area.current
    if (!el) return
    el.style.height = 'auto'
    el.style.height = Math.min(el.scrollHeight, 200) + 'px'
  }, [text, enabled])

  const change = (v: string) => {
    setClosed(false)
    setText(v)
    store.setDraft(id, v)
    if (error) setError('')
  }

  // What is sent waits here, in order, and goes one at a time: Enter pressed while the previous
  // message or a file is still on its way sends the new text after it, never drops it.
  const queue = useRef<Outgoing[]>([])
  const draining = useRef(false)
  const [sending, setSending] = useState('') // the name of the file on its way

  const send = () => {
    // Read the field itself: a paste followed at once by Enter may not have re-rendered yet.
    const text = area.current?.value ?? ''
    if (!text.trim()) return // nothing to send, as in any chat
    const size = utf8Length(text)
    if (size > MAX_TEXT_BYTES) {
      setError(t.tooLong(Math.round(size / 1024).toLocaleString('pt-BR')))
      return
    }
    enqueue({ text })
  }

  /** Clears the composer at once, as chat apps do, and sends what it held after what waits. */
  const enqueue = (out: Outgoing) => {
    setText('')
    store.setDraft(id, '')
    setError('')
    queue.current.push(out)
    void drain()
  }

  const drain = async () => {
    if (draining.current) return
    draining.current = true
    try {
      while (queue.current.length > 0) {
        const next = queue.current[0]
        if (next.file) {
          setSending(next.file.name)
          await store.sendFile(id, next.file, next.text)
          setSending('')
        } else {
          await store.send(id, next.text)
        }
        queue.current.shift()
      }
    } catch (err) {
      // The texts and captions that did not go come back into the composer, ahead of anything
      // typed since, with the error; a file that did not go has to be chosen again.
      setError(err instanceof ApiError && err.unauthorized ? t.sessionEndedNotSent : messageOf(err))
      setSending('')
      const back = [...queue.current.splice(0).map((q) => q.text), area.current?.value ?? ''].filter((s) => s !== '').join('\n')
      setText(back)
      store.setDraft(id, back)
    } finally {
      draining.current = false
      area.current?.focus()
    }
  }

  if (!enabled) {
    return (
      <footer class="composer locked" id="composer-locked">
        {locked}
      </footer>
    )
  }
  return (
    <footer class="composer">
      {error && (
        <p class="error" role="alert" id="composer-error">
          {error}
        </p>
      )}
      {slash && !closed && (
        <ul class="canned" id="canned" role="listbox" aria-label={t.cannedHint} title={t.cannedHint}>
          {matches.length === 0 && <li class="canned-none">{t.cannedNone}</li>}
          {matches.map((c, i) => (
            <li
              key={c.id}
              role="option"
              aria-selected={i === pick}
              class={i === pick ? 'active' : ''}
              data-shortcut={c.shortcut}
              onMouseDown={(e) => {
                e.preventDefault()
                choose(c)
              }}
            >
              <strong>/{c.shortcut}</strong> <span>{fill(c.text, vars)}</span>
            </li>
          ))}
        </ul>
      )}
      {sending && (
        <p class="hint" id="composer-sending">
          {t.attaching(sending)}
        </p>
      )}
      <div class="composer-row">
        <input
          ref={picker}
          type="file"
          id="attachment"
          hidden
          accept={ATTACHMENT_ACCEPT}
          onChange={(e) => attach(e.currentTarget.files?.[0])}
        />
        <button class="attach" onClick={() => picker.current?.click()} aria-label={t.attach} title={t.attach} id="attach">
          <IconClip />
        </button>
        <textarea
          ref={area}
          id="composer"
          rows={1}
          placeholder={t.composerPlaceholder}
          aria-label={t.composerPlaceholder}
          title={t.composerHint}
          value={text}
          onInput={(e) => change(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (matches.length > 0) {
              if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                e.preventDefault()
                setPick((p) => (p + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length)
                return
              }
              if (e.key === 'Enter' || e.key === 'Tab') {
                e.preventDefault()
                choose(matches[Math.min(pick, matches.length - 1)])
                return
              }
              if (e.key === 'Escape') {
                setClosed(true)
                return
              }
            }
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault()
              send()
            }
          }}
        />
        <button class="send" onClick={send} aria-label={t.send} title={t.send} id="send">
          <IconSend />
        </button>
      </div>
    </footer>
  )
}
