import type { ComponentChildren } from 'preact'
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { CannedAnswer } from '../types'
import { messageOf } from '../api'
import { MAX_TEXT_BYTES, utf8Length } from '../format'

/** The largest file the server accepts (it says so too, with 413). */
const MAX_ATTACHMENT_BYTES = 20 << 20
import { store } from '../store'
import { t } from '../strings'
import { IconClip, IconSend } from './icons'

/** Composer: Enter sends, Shift+Enter breaks the line; the draft survives a lost session. */
/** fill replaces {cliente}, {empresa} and {atendente} in a canned answer; an empty value takes
 * the comma or space before it along ("Olá, {cliente}!" → "Olá!"), as the server's messages do. */
function fill(text: string, vars: Record<string, string>): string {
  return text.replace(/(,\s*|\s+)?\{(cliente|empresa|atendente)\}/g, (_, lead: string | undefined, k: string) => (vars[k] ? (lead ?? '') + vars[k] : ''))
}

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
  const [busy, setBusy] = useState(false)
  const area = useRef<HTMLTextAreaElement>(null)
  const picker = useRef<HTMLInputElement>(null)
  const [sending, setSending] = useState('')

  /** Sends the chosen file; the text typed so far goes as its caption. */
  const attach = async (file: File | undefined) => {
    if (!file || busy) return
    if (file.size > MAX_ATTACHMENT_BYTES) {
      setError(t.attachTooBig((file.size / (1 << 20)).toFixed(1)))
      return
    }
    const caption = area.current?.value ?? ''
    setBusy(true)
    setSending(file.name)
    setError('')
    try {
      await store.sendFile(id, file, caption)
      setText('')
      store.setDraft(id, '')
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(false)
      setSending('')
      if (picker.current) picker.current.value = ''
      area.current?.focus()
    }
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

  const send = async () => {
    if (busy) return
    // Read the field itself: a paste followed at once by Enter may not have re-rendered yet.
    const text = area.current?.value ?? ''
    if (!text.trim()) return // nothing to send, as in any chat
    const size = utf8Length(text)
    if (size > MAX_TEXT_BYTES) {
      setError(t.tooLong((size / 1024).toFixed(0)))
      return
    }
    // Clear at once, as chat apps do, so that what is typed while sending is kept; on failure
    // the text comes back unless something new was typed.
    setText('')
    store.setDraft(id, '')
    setError('')
    setBusy(true)
    try {
      await store.send(id, text)
    } catch (err) {
      setError(messageOf(err))
      if (!area.current?.value) {
        setText(text)
        store.setDraft(id, text)
      }
    } finally {
      setBusy(false)
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
          accept=".pdf,image/*,.txt,.xlsx,.docx,.zip"
          onChange={(e) => void attach(e.currentTarget.files?.[0])}
        />
        <button class="attach" onClick={() => picker.current?.click()} disabled={busy} aria-label={t.attach} title={t.attach} id="attach">
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
              void send()
            }
          }}
        />
        <button class="send" onClick={() => void send()} disabled={busy} aria-label={t.send} title={t.send} id="send">
          <IconSend />
        </button>
      </div>
    </footer>
  )
}
