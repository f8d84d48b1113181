import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import { messageOf } from '../api'
import { dayKey, dayLabel, fileSize, firstName, formatCNPJ, formatPhone, initials, time } from '../format'
import { go, useNow, useStore } from '../hooks'
import { store } from '../store'
import { t } from '../strings'
import type { Conversation, Message, Tab } from '../types'
import { Composer } from './Composer'
import { IconBack, IconChat, IconFile, IconLink, Ticks } from './icons'
import { displayName } from './Inbox'
import { LinkDialog } from './LinkDialog'
import { DepartmentTag, useDepartments } from './PreferencesDepartments'
import { duration } from '../format'

/** ConversationPane is the right pane: header with actions, history and composer. */
export function ConversationPane({ id, tab }: { id: string; tab: Tab }) {
  const s = useStore()
  useEffect(() => {
    void store.openConversation(id || null)
  }, [id])
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const [linking, setLinking] = useState(false)
  useEffect(() => setError(''), [id])
  const now = useNow(15000)
  const depts = useDepartments(!!s.conversations[id]?.department)

  if (!id) {
    return (
      <section class="conv-pane empty-pane">
        <div class="empty-art">
          <IconChat size={56} />
          <h2>{t.pickConversation}</h2>
          <p class="muted">{t.pickConversationHint}</p>
        </div>
      </section>
    )
  }
  const c = s.conversations[id]
  const open = s.open?.id === id ? s.open : null
  const me = s.me!
  const mine = c?.state === 'attending' && c.attendant === me.user
  const manager = me.role === 'administrador' || me.role === 'gerente'

  const act = async (fn: () => Promise<void>) => {
    setBusy(true)
    setError('')
    try {
      await fn()
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <section class="conv-pane" data-conversation={id}>
      <header class="conv-head">
        <button class="icon-btn back" onClick={() => go('atendimento', tab)} aria-label={t.back} title={t.back}>
          <IconBack />
        </button>
        <span class={'avatar lg' + (c?.contact.linked === false ? ' unknown' : '')}>{c?.contact.name ? initials(c.contact.name) : '#'}</span>
        <div class="conv-head-text">
          <div class="conv-head-name" id="conv-name">
            {c ? displayName(c) : formatPhone(id)}
          </div>
          <div class="conv-head-sub">
            {c?.contact.name && <span>{formatPhone(id)}</span>}
            {c?.companies.map((co) => (
              <span key={co.id} title={formatCNPJ(co.cnpj)}>
                {co.name}
              </span>
            ))}
            {c && !c.contact.linked && <span class="chip warn">{t.unlinked}</span>}
            {c?.department && <DepartmentTag id={c.department} list={depts} />}
          </div>
        </div>
        {c && <StateChip c={c} now={now} />}
        <div class="conv-actions">
          {c && !c.contact.linked && (
            <button class="btn ghost" onClick={() => setLinking(true)} id="link-contact">
              <IconLink size={18} /> {t.linkContact}
            </button>
          )}
          {c && !mine && c.state !== 'attending' && (
            <button class="btn primary" disabled={busy} onClick={() => act(() => store.start(id).then(() => go('atendimento', 'atendimento', id)))} id="start">
              {t.start}
            </button>
          )}
          {c && c.state === 'attending' && (mine || manager) && (
            <button class="btn danger" disabled={busy} onClick={() => act(() => store.finish(id))} id="finish">
              {t.finish}
            </button>
          )}
        </div>
      </header>
      {error && (
        <p class="error banner" role="alert" id="conv-error">
          {error}
        </p>
      )}
      {open?.error && <p class="error banner">{open.error}</p>}
      <History messages={open?.messages ?? []} loading={open?.loading ?? true} more={open?.more ?? false} loadingOlder={open?.loadingOlder ?? false} c={c} />
      <Composer
        key={id}
        id={id}
        enabled={!!mine}
        vars={{ cliente: firstName(c?.contact.name ?? ''), empresa: c?.companies[0]?.name ?? '', atendente: s.me?.name ?? '' }}
        locked={
          c?.state === 'attending' && !mine ? (
            <span id="taken-by">{t.composerOther(store.staffName(c.attendant ?? ''))}</span>
          ) : (
            <span>
              {t.composerLocked}{' '}
              {c && (
                <button class="btn primary sm" disabled={busy} onClick={() => act(() => store.start(id).then(() => go('atendimento', 'atendimento', id)))} id="start-inline">
                  {t.start}
                </button>
              )}
            </span>
          )
        }
      />
      {linking && c && <LinkDialog c={c} onClose={() => setLinking(false)} />}
    </section>
  )
}

function StateChip({ c, now }: { c: Conversation; now: number }) {
  const cls = c.state === 'pending' ? 'wait' : c.state === 'attending' ? 'att' : 'bot'
  let text = t.states[c.state]
  if (c.state === 'pending') text += ' · ' + duration(c.stateSince, now)
  if (c.state === 'attending' && c.attendant) text += ' · ' + store.staffName(c.attendant)
  return (
    <span class={'chip ' + cls} id="conv-state" data-state={c.state}>
      {text}
    </span>
  )
}

function author(m: Message, c: Conversation | undefined): string {
  switch (m.author) {
    case 'client':
      return c?.contact.name || t.authorClient
    case 'assistant':
      return t.authorAssistant
    case 'system':
      return t.authorSystem
  }
  return store.staffName(m.author)
}

/** docKind names a file's type for people: PDF, PNG… */
function docKind(name: string, mime?: string): string {
  const ext = name.includes('.') ? name.split('.').pop()! : (mime?.split('/').pop() ?? '')
  return ext.toUpperCase().slice(0, 5)
}

/** safeURL keeps only same-origin or http(s) links (never javascript:). */
function safeURL(u: string): string | undefined {
  try {
    const url = new URL(u, location.href)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined
  } catch {
    return undefined
  }
}

/** Quote shows the message a client's reply quotes (one not loaded yet is named only). */
function Quote({ m }: { m: Message | undefined }) {
  return <div class="quote">{m ? m.text || m.document?.name || t.quotedEarlier : t.quotedEarlier}</div>
}

function History({ messages, loading, more, loadingOlder, c }: { messages: Message[]; loading: boolean; more: boolean; loadingOlder: boolean; c: Conversation | undefined }) {
  const box = useRef<HTMLDivElement>(null)
  const stick = useRef(true)
  const prevFirst = useRef<number | null>(null)
  const prevHeight = useRef(0)

  useLayoutEffect(() => {
    const el = box.current
    if (!el) return
    const first = messages[0]?.id ?? null
    if (prevFirst.current !== null && first !== null && first < prevFirst.current) {
      // Older messages were prepended: keep the reader where they were.
      el.scrollTop += el.scrollHeight - prevHeight.current
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight
    }
    prevFirst.current = first
    prevHeight.current = el.scrollHeight
  }, [messages])

  const onScroll = () => {
    const el = box.current
    if (!el) return
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80
  }

  const byId = new Map(messages.map((m) => [m.id, m]))
  const rows = []
  let lastDay = ''
  let lastAuthor = ''
  for (const m of messages) {
    const day = dayKey(m.at)
    if (day !== lastDay) {
      rows.push(
        <div class="day" key={'d' + day}>
          <span>{dayLabel(m.at)}</span>
        </div>,
      )
      lastDay = day
      lastAuthor = ''
    }
    const showAuthor = m.author !== lastAuthor
    lastAuthor = m.author
    const kind = m.direction === 'in' ? 'in' : m.author === 'assistant' ? 'out bot' : m.author === 'system' ? 'out auto' : 'out staff'
    const href = m.document ? safeURL(m.document.url) : undefined
    rows.push(
      <div class={'msg ' + kind + (showAuthor ? ' first' : '')} key={m.id} data-msg={m.id} data-author={m.author}>
        <div class="bubble">
          {showAuthor && <div class="author">{author(m, c)}</div>}
          {m.document && (
            <div class="doc">
              {m.document.mime?.startsWith('image/') && href && <img src={href} alt={m.document.name} class="doc-preview" loading="lazy" />}
<div class="doc-link">
                <IconFile size={26} />
                <a class="doc-text" href={href} target="_blank" rel="noopener noreferrer" title={t.openDocument}>
                  <span class="doc-name">{m.document.name}</span>
                  <span class="doc-size">{[fileSize(m.document.size), docKind(m.document.name, m.document.mime)].filter(Boolean).join(' · ')}</span>
                </a>
                <a class="doc-dl" href={href} download={m.document.name}>
                  {t.download}
                </a>
              </div>
            </div>
          )}
          {m.quoted ? <Quote m={byId.get(m.quoted)} /> : null}
          {m.text && <div class="text">{m.text}</div>}
          <div class="meta">
            <span>{time(m.at)}</span>
            {m.direction === 'out' && (
              <span title={t.status[m.status ?? ''] ?? ''} data-status={m.status}>
                <Ticks status={m.status} />
              </span>
            )}
          </div>
        </div>
      </div>,
    )
  }

  return (
    <div class="history" ref={box} onScroll={onScroll} id="history">
      {more && (
        <div class="older">
          <button class="btn ghost sm" onClick={() => void store.loadOlder()} disabled={loadingOlder}>
            {loadingOlder ? t.loading : t.loadOlder}
          </button>
        </div>
      )}
      {loading && messages.length === 0 && <p class="empty">{t.loading}</p>}
      {!loading && messages.length === 0 && <p class="empty">{t.noMessages}</p>}
      {rows}
    </div>
  )
}
