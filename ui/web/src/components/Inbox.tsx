import { useMemo, useState } from 'preact/hooks'
import { go, useNow, useStore } from '../hooks'
import { store, type State } from '../store'
import { t } from '../strings'
import { duration, formatPhone, initials, listTime, onlyDigits } from '../format'
import type { Conversation, Department, Tab } from '../types'
import { TABS } from '../types'
import { IconSearch } from './icons'
import { DepartmentTag, useDepartments } from './PreferencesDepartments'

/** inTab decides which conversations a tab shows, as the server's indexes do. */
function inTab(c: Conversation, tab: Tab): boolean {
  if (tab === 'pendentes') return c.state === 'pending'
  if (tab === 'atendimento') return c.state === 'attending'
  return true
}

const ts = (iso: string) => new Date(iso).getTime()

export function tabList(s: State, tab: Tab): Conversation[] {
  const list = Object.values(s.conversations).filter((c) => inTab(c, tab))
  if (tab === 'pendentes') list.sort((a, b) => ts(a.stateSince) - ts(b.stateSince)) // oldest waiting first
  else list.sort((a, b) => ts(b.lastAt) - ts(a.lastAt))
  return list
}

function matches(c: Conversation, q: string): boolean {
  if (!q) return true
  const lower = q.toLowerCase()
  const digits = onlyDigits(q)
  if (c.contact.name.toLowerCase().includes(lower)) return true
  if (digits.length >= 3 && c.id.includes(digits)) return true
  return c.companies.some((co) => co.name.toLowerCase().includes(lower) || (digits.length >= 3 && co.cnpj.includes(digits)))
}

export function displayName(c: Conversation): string {
  return c.contact.name || formatPhone(c.id)
}

/** Inbox is the list pane: search, the three tabs with live counts and the conversations. */
export function Inbox({ tab, selected }: { tab: Tab; selected: string }) {
  const s = useStore()
  const [q, setQ] = useState('')
  const now = useNow(15000)
  const lists = useMemo(() => Object.fromEntries(TABS.map((tb) => [tb, tabList(s, tb)])) as Record<Tab, Conversation[]>, [s.conversations])
  const shown = lists[tab].filter((c) => matches(c, q.trim()))
  const page = s.tabs[tab]
  const me = s.me!
  const depts = useDepartments(Object.values(s.conversations).some((c) => !!c.department))
  return (
    <section class="list-pane" aria-label={t.navInbox}>
      <header class="pane-head">
        <div>
          <div class="pane-title">{t.navInbox}</div>
          <div class="pane-sub">
            {me.name} · {t.roles[me.role] ?? me.role}
          </div>
        </div>
      </header>
      <div class="search">
        <IconSearch size={18} />
        <input type="search" placeholder={t.search} aria-label={t.search} title={t.searchHint} value={q} onInput={(e) => setQ(e.currentTarget.value)} id="search" />
      </div>
      <div class="tabs" role="tablist">
        {TABS.map((tb) => {
          const c = tb === 'contatos' ? { n: lists[tb].length, more: !!s.tabs[tb].next } : store.tabCount(tb, lists[tb].length)
          const n = c.n
          const more = c.more ? '+' : ''
          return (
            <a
              key={tb}
              role="tab"
              aria-selected={tb === tab}
              class={'tab' + (tb === tab ? ' active' : '') + (tb === 'pendentes' && n > 0 ? ' alert' : '')}
              href={`#/atendimento/${tb}${selected ? '/' + encodeURIComponent(selected) : ''}`}
              data-tab={tb}
            >
              {t.tabs[tb]}
              <span class="count" data-count={tb}>
                {n}
                {more}
              </span>
            </a>
          )
        })}
      </div>
      {s.listError && <p class="error banner">{s.listError}</p>}
      <ul class="conv-list" data-list={tab}>
        {!page.loaded && <li class="empty">{t.loading}</li>}
        {page.loaded && shown.length === 0 && <li class="empty">{q ? t.noResults : t.emptyTab[tab]}</li>}
        {shown.map((c) => (
          <Row key={c.id} c={c} tab={tab} active={c.id === selected} now={now} depts={depts} />
        ))}
        {page.next && !q && (
          <li class="more">
            <button class="btn ghost" onClick={() => void store.loadMore(tab)} disabled={page.loading}>
              {page.loading ? t.loading : t.loadMore}
            </button>
          </li>
        )}
      </ul>
      {q && <p class="hint">{t.searchHint}</p>}
    </section>
  )
}

function Row({ c, tab, active, now, depts }: { c: Conversation; tab: Tab; active: boolean; now: number; depts: Department[] }) {
  const name = displayName(c)
  const companies = c.companies.map((co) => co.name).join(', ')
  return (
    <li>
      <a
        class={'conv' + (active ? ' active' : '') + (c.unread > 0 ? ' unread' : '')}
        href={`#/atendimento/${tab}/${encodeURIComponent(c.id)}`}
        data-id={c.id}
        data-state={c.state}
        onClick={(e) => {
          e.preventDefault()
          go('atendimento', tab, c.id)
        }}
      >
        <span class={'avatar' + (c.contact.linked ? '' : ' unknown')}>{c.contact.name ? initials(c.contact.name) : '#'}</span>
        <span class="conv-body">
          <span class="conv-top">
            <span class="conv-name">{name}</span>
            <span class="conv-time">{listTime(c.lastAt)}</span>
          </span>
          <span class="conv-mid">
            <span class="conv-preview">{c.preview}</span>
            {c.unread > 0 && (
              <span class="badge" aria-label={`${c.unread} não lidas`}>
                {c.unread}
              </span>
            )}
          </span>
          <span class="conv-meta">
            {c.state === 'pending' && <span class="chip wait">{t.waitingFor(duration(c.stateSince, now))}</span>}
            {c.state === 'attending' && c.attendant && <span class="chip att">{t.attendingWith(store.staffName(c.attendant))}</span>}
            {!c.contact.linked && <span class="chip warn">{t.unlinked}</span>}
            {c.department && <DepartmentTag id={c.department} list={depts} />}
            {companies && (
              <span class="conv-companies" title={companies}>
                {companies}
              </span>
            )}
          </span>
        </span>
      </a>
    </li>
  )
}
