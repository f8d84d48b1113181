import type { ComponentChildren } from 'preact'
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { ApiError, messageOf } from '../api'
import { addDays, between, dateTime, dayLabel, fileSize, formatPhone, num, time, today } from '../format'
import { go, useLoad, useStore } from '../hooks'
import { store } from '../store'
import { t } from '../strings'
import type { Company, Message, Service, Transition } from '../types'
import { OUTCOMES } from '../types'
import { IconDownload } from './icons'
import { ErrorBox, Screen } from './Screen'

interface Filters {
  from: string
  to: string
  contact: string
  company: string
  status: string
  staff: string
}

const PAGE = 50

/** The last 30 days, São Paulo's (the server's days), whatever the browser's zone. */
function defaults(): Filters {
  const to = today()
  return { from: addDays(to, -29), to, contact: '', company: '', status: '', staff: '' }
}

function query(f: Filters): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(f)) if (v.trim()) q.set(k, v.trim())
  return q.toString()
}

interface Page {
  services: Service[]
  next: string
  loading: boolean
  error: string
  loaded: boolean
  refused: boolean // 403: the screen shows only the server's message
}

/** History is the Histórico de Atendimentos: filters, pages of services, a service's details
 * (#/historico/{id}) and the CSV export. The server allows it to administradores and gerentes
 * only; anyone else sees its message (403). */
export function History({ selected }: { selected?: string }) {
  const s = useStore()
  const [f, setF] = useState<Filters>(defaults)
  const [page, setPage] = useState<Page>({ services: [], next: '', loading: true, error: '', loaded: false, refused: false })
  const [companies, setCompanies] = useState<Company[]>([])
  const gen = useRef(0)
  const q = query(f)

  // Load the first page when the filters change (typing in Contato waits a moment).
  useEffect(() => {
    const my = ++gen.current
    setPage((p) => ({ ...p, loading: true }))
    const timer = setTimeout(
      () => {
        store.call<{ services: Service[]; next: string }>('GET', `/api/history?${q}&limit=${PAGE}`).then(
          (r) => my === gen.current && setPage({ services: r.services ?? [], next: r.next, loading: false, error: '', loaded: true, refused: false }),
          (err) =>
            my === gen.current &&
            setPage({ services: [], next: '', loading: false, error: messageOf(err), loaded: true, refused: err instanceof ApiError && err.status === 403 }),
        )
      },
      page.loaded ? 250 : 0,
    )
    return () => clearTimeout(timer)
  }, [q])

  const loadMore = () => {
    if (!page.next || page.loading) return
    const my = gen.current
    setPage((p) => ({ ...p, loading: true }))
    store.call<{ services: Service[]; next: string }>('GET', `/api/history?${q}&limit=${PAGE}&cursor=${encodeURIComponent(page.next)}`).then(
      (r) => my === gen.current && setPage((p) => ({ ...p, services: [...p.services, ...(r.services ?? [])], next: r.next, loading: false, error: '' })),
      (err) => my === gen.current && setPage((p) => ({ ...p, loading: false, error: messageOf(err) })),
    )
  }

  useEffect(() => {
    store.loadCompanies().then(setCompanies, () => undefined)
  }, [])

  const set = (k: keyof Filters) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value })
  const staff = useMemo(() => Object.values(s.staff).sort((a, b) => a.name.localeCompare(b.name, 'pt-BR')), [s.staff])

  return (
    <Screen id="screen-historico" title={t.historyTitle} hint={t.historyHint} actions={page.loaded && !page.refused ? <Export q={q} f={f} /> : undefined}>
      <ErrorBox message={page.error} />
      {!page.loaded && <p class="muted">{t.loading}</p>}
      {page.loaded && !page.refused && (
        <>
          <form class="card filters" id="history-filters" onSubmit={(e) => e.preventDefault()}>
            <Field label={t.filterFrom}>
              <input type="date" name="from" value={f.from} max={f.to || undefined} onChange={set('from')} />
            </Field>
            <Field label={t.filterTo}>
              <input type="date" name="to" value={f.to} min={f.from || undefined} onChange={set('to')} />
            </Field>
            <Field label={t.filterContact} grow>
              <input type="search" name="contact" placeholder={t.filterContactPlaceholder} value={f.contact} onInput={set('contact')} maxLength={100} />
            </Field>
            <Field label={t.filterCompany} grow>
              <select name="company" value={f.company} onChange={set('company')}>
                <option value="">{t.filterAllFem}</option>
                {companies.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t.filterStatus}>
              <select name="status" value={f.status} onChange={set('status')}>
                <option value="">{t.filterAll}</option>
                {OUTCOMES.map((o) => (
                  <option key={o} value={o}>
                    {t.outcomes[o]}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t.filterStaff}>
              <select name="staff" value={f.staff} onChange={set('staff')}>
                <option value="">{t.filterAll}</option>
                {staff.map((m) => (
                  <option key={m.user} value={m.user}>
                    {m.name}
                  </option>
                ))}
              </select>
            </Field>
            <button type="button" class="btn ghost sm clear" onClick={() => setF(defaults())}>
              {t.clearFilters}
            </button>
          </form>
          <div class="card table-card">
            <table class={'table' + (page.loading ? ' stale' : '')} id="history-table" aria-busy={page.loading}>
              <thead>
                <tr>
                  <th>{t.colStart}</th>
                  <th>{t.colContact}</th>
                  <th>{t.colCompany}</th>
                  <th>{t.colOutcome}</th>
                  <th>{t.colStaff}</th>
                  <th class="num">{t.colFirstResponse}</th>
                  <th class="num">{t.colDuration}</th>
                  <th class="num">{t.colRating}</th>
                </tr>
              </thead>
              <tbody>
                {!page.loading && page.services.length === 0 && (
                  <tr>
                    <td class="empty" colSpan={8}>
                      {q === query(defaults()) ? t.historyEmpty : t.historyNoMatch}
                    </td>
                  </tr>
                )}
                {page.services.map((sv) => (
                  <tr key={sv.id} data-service={sv.id} data-outcome={sv.outcome ?? ''} class={sv.id === selected ? 'selected' : ''} onClick={() => go('historico', sv.id)}>
                    <td class="nowrap">{dateTime(sv.start)}</td>
                    <td>
                      <div class="cell-main">{sv.contactName || formatPhone(sv.phone)}</div>
                      {sv.contactName && <div class="cell-sub">{formatPhone(sv.phone)}</div>}
                    </td>
                    <td>{sv.companyName || <span class="muted">{t.none}</span>}</td>
                    <td>
                      <OutcomeChip outcome={sv.outcome} />
                    </td>
                    <td>{sv.staff ? store.staffName(sv.staff) : <span class="muted">{t.none}</span>}</td>
                    <td class="num nowrap">{firstResponse(sv) || <span class="muted">{t.none}</span>}</td>
                    <td class="num nowrap">{between(sv.start, sv.end) || <span class="muted">{t.serviceNotEnded}</span>}</td>
                    <td class="num nowrap">{sv.rating ? <span class="rating">★ {sv.rating}</span> : <span class="muted">{t.none}</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div class="table-foot">
              <span class="muted" id="history-count">
                {t.shownCount(page.services.length, !!page.next)}
              </span>
              {page.next && (
                <button class="btn ghost sm" id="history-more" onClick={loadMore} disabled={page.loading}>
                  {page.loading ? t.loading : t.loadMore}
                </button>
              )}
            </div>
          </div>
        </>
      )}
      {selected && <ServiceDetail id={selected} onClose={() => go('historico')} />}
    </Screen>
  )
}

function Field({ label, grow, children }: { label: string; grow?: boolean; children: ComponentChildren }) {
  return (
    <label class={'filter' + (grow ? ' grow' : '')}>
      <span>{label}</span>
      {children}
    </label>
  )
}

function OutcomeChip({ outcome }: { outcome?: string }) {
  if (!outcome) return <span class="chip">{t.serviceNotEnded}</span>
  return <span class={'chip outcome-' + outcome}>{t.outcomes[outcome] ?? outcome}</span>
}

function firstResponse(sv: Service): string {
  if (!sv.firstResponse) return ''
  return between(sv.queued || sv.start, sv.firstResponse)
}

// ---- Export ----

interface ExportState {
  running: boolean
  rows: number
  bytes: number
  done: boolean
  error: string
  url: string
  name: string
}

const idle: ExportState = { running: false, rows: 0, bytes: 0, done: false, error: '', url: '', name: '' }

/** Export streams the CSV (the same filters) with fetch, counting the rows as they arrive, and
 * saves it through a Blob URL. Cancelar aborts the request. */
function Export({ q, f }: { q: string; f: Filters }) {
  const [st, setSt] = useState<ExportState>(idle)
  const abort = useRef<AbortController | null>(null)
  const url = useRef('')
  useEffect(
    () => () => {
      abort.current?.abort()
      if (url.current) URL.revokeObjectURL(url.current)
    },
    [],
  )
  // A new filter makes the last file stale.
  useEffect(() => {
    if (!st.running) setSt(idle)
  }, [q])

  const run = async () => {
    const ac = new AbortController()
    abort.current = ac
    if (url.current) URL.revokeObjectURL(url.current)
    url.current = ''
    setSt({ ...idle, running: true })
    const name = `historico-atendimentos-${f.from || 'inicio'}-a-${f.to || 'hoje'}.csv`
    try {
      const res = await fetch(`/api/history?${q}&format=csv`, { credentials: 'same-origin', signal: ac.signal, headers: { Accept: 'text/csv' } })
      if (!res.ok || !res.body) {
        let e: any = null
        try {
          e = (await res.json())?.error
        } catch {
          e = null
        }
        if (res.status === 401) void store.call('GET', '/api/me').catch(() => undefined) // brings back the login
        throw new ApiError(res.status, e?.code ?? 'http_' + res.status, e?.message ?? t.unexpected)
      }
      const reader = res.body.getReader()
      const chunks: Uint8Array[] = []
      let bytes = 0
      let lines = 0
      let shown = 0
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        chunks.push(value)
        bytes += value.length
        for (let i = 0; i < value.length; i++) if (value[i] === 10) lines++
        const now = performance.now()
        if (now - shown > 100) {
          shown = now
          setSt((s) => ({ ...s, rows: Math.max(0, lines - 1), bytes }))
        }
      }
      const blob = new Blob(chunks as BlobPart[], { type: 'text/csv;charset=utf-8' })
      const href = URL.createObjectURL(blob)
      url.current = href
      setSt({ running: false, rows: Math.max(0, lines - 1), bytes, done: true, error: '', url: href, name })
      save(href, name)
    } catch (err) {
      if (ac.signal.aborted) setSt({ ...idle, error: t.exportCancelled })
      else setSt({ ...idle, error: err instanceof ApiError ? err.message : t.networkError })
    } finally {
      if (abort.current === ac) abort.current = null
    }
  }

  return (
    <div class="export">
      {st.running ? (
        <button class="btn ghost" id="history-export-cancel" onClick={() => abort.current?.abort()}>
          {t.exportCancel}
        </button>
      ) : (
        <button class="btn primary" id="history-export" onClick={() => void run()}>
          <IconDownload size={18} />
          {t.exportCsv}
        </button>
      )}
      {(st.running || st.done || st.error) && (
        <div class={'export-status' + (st.error ? ' error' : '')} id="export-status" role="status" data-state={st.running ? 'running' : st.done ? 'done' : 'error'} data-rows={st.rows}>
          {st.running && <span class="spinner" aria-hidden="true" />}
          <span>{st.error || (st.running ? t.exportProgress(st.rows, fileSize(st.bytes) || '0 B') : t.exportDone(st.rows, fileSize(st.bytes) || '0 B'))}</span>
          {st.done && st.url && (
            <a href={st.url} download={st.name} id="export-link">
              {t.exportAgain}
            </a>
          )}
        </div>
      )}
    </div>
  )
}

function save(href: string, name: string) {
  const a = document.createElement('a')
  a.href = href
  a.download = name
  document.body.append(a)
  a.click()
  a.remove()
}

// ---- Detail ----

function ServiceDetail({ id, onClose }: { id: string; onClose: () => void }) {
  const d = useLoad<{ service: Service; messages: Message[]; transitions: Transition[] }>(`/api/history/${encodeURIComponent(id)}`)
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose()
    addEventListener('keydown', onKey)
    return () => removeEventListener('keydown', onKey)
  }, [])
  const sv = d.data?.service
  return (
    <div class="overlay drawer-overlay" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <aside class="drawer" id="service-detail" data-service={id} aria-label={t.serviceTitle}>
        <header class="drawer-head">
          <div>
            <h2>{sv ? t.serviceOf(sv.contactName || formatPhone(sv.phone)) : t.serviceTitle}</h2>
            {sv && (
              <p class="muted">
                {formatPhone(sv.phone)}
                {sv.companyName && ` · ${sv.companyName}`}
              </p>
            )}
          </div>
          <button class="btn ghost sm" onClick={onClose} id="service-close">
            {t.close}
          </button>
        </header>
        <ErrorBox message={d.error} />
        {d.loading && !d.data && <p class="muted pad">{t.loading}</p>}
        {sv && d.data && (
          <div class="drawer-body">
            <div class="svc-summary">
              <OutcomeChip outcome={sv.outcome} />
              {sv.staff && <span class="chip att">{store.staffName(sv.staff)}</span>}
              {sv.rating ? <span class="chip rating">★ {t.ratingOf(sv.rating)}</span> : null}
            </div>
            <dl class="svc-times">
              <Item label={t.serviceStarted} value={dateTime(sv.start)} />
              <Item label={t.serviceQueued} value={sv.queued && time(sv.queued)} />
              <Item label={t.serviceTaken} value={sv.taken && time(sv.taken)} />
              <Item label={t.serviceFirstResponse} value={sv.firstResponse && `${time(sv.firstResponse)} (${firstResponse(sv)})`} />
              <Item label={t.serviceEnded} value={sv.end ? `${dateTime(sv.end)} (${between(sv.start, sv.end)})` : t.serviceNotEnded} />
              <Item label={t.serviceDepartment} value={sv.department} />
              <Item label={t.serviceStaffMessages} value={num(sv.staffMessages)} />
            </dl>
            <h3>{t.serviceMessages}</h3>
            <Thread messages={d.data.messages} transitions={d.data.transitions} />
          </div>
        )}
      </aside>
    </div>
  )
}

function Item({ label, value }: { label: string; value?: string | false }) {
  if (!value) return null
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  )
}

/** Thread shows the messages (always as text) with the state changes between them. */
function Thread({ messages, transitions }: { messages: Message[]; transitions: Transition[] }) {
  type Row = { at: number; k: number; m?: Message; tr?: Transition }
  const rows: Row[] = [
    ...messages.map((m, k) => ({ at: new Date(m.at).getTime(), k, m })),
    ...transitions.map((tr, k) => ({ at: new Date(tr.at).getTime(), k: k + 0.5, tr })),
  ].sort((a, b) => a.at - b.at || a.k - b.k)
  if (rows.length === 0) return <p class="muted">{t.noMessages}</p>
  const out = []
  let lastDay = ''
  for (const r of rows) {
    const iso = (r.m?.at ?? r.tr?.at)!
    const day = dayLabel(iso)
    if (day !== lastDay) {
      out.push(
        <div class="day" key={'d' + iso}>
          <span>{day}</span>
        </div>,
      )
      lastDay = day
    }
    if (r.tr) {
      const tr = r.tr
      out.push(
        <div class="svc-event" key={'t' + r.k} data-transition={tr.to}>
          <span>
            <strong>
              {t.convStates[tr.from] ?? tr.from} → {t.convStates[tr.to] ?? tr.to}
            </strong>
            {' · '}
            {t.reasons[tr.reason] ?? tr.reason}
            {tr.staff && ` · ${t.byStaff(store.staffName(tr.staff))}`}
            {' · '}
            {time(tr.at)}
          </span>
        </div>,
      )
      continue
    }
    const m = r.m!
    const kind = m.direction === 'in' ? 'in' : m.author === 'assistant' ? 'out bot' : m.author === 'system' ? 'out auto' : 'out staff'
    const author = m.direction === 'in' ? t.authorClient : m.author === 'assistant' ? t.authorAssistant : m.author === 'system' ? t.authorSystem : store.staffName(m.author)
    out.push(
      <div class={'msg first ' + kind} key={'m' + m.id} data-msg={m.id}>
        <div class="bubble">
          <div class="author">{author}</div>
          {m.document && (
            <div class="doc-note">
              📎 {m.document.name}
              {m.document.size ? ` · ${fileSize(m.document.size)}` : ''}
            </div>
          )}
          {m.text && <div class="text">{m.text}</div>}
          <div class="meta">{time(m.at)}</div>
        </div>
      </div>,
    )
  }
  return <div class="svc-thread">{out}</div>
}
