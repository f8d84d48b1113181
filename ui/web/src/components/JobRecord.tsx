import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError, messageOf } from '../api'
import { fileSize, formatCNPJ, formatCompetence, formatPhone, spDateTime } from '../format'
import { useStore } from '../hooks'
import { store } from '../store'
import { t } from '../strings'
import { throttle } from '../throttle'
import type { Delivery, Frame, Job } from '../types'
import { ErrorBox } from './Screen'

interface Answer {
  job: Job
  deliveries: Delivery[] | null
}

interface Loaded {
  data: Answer | null
  error: string
  loading: boolean
}

/** The steps of a document's delivery record, in the order they happen. */
const STEPS = ['requested', 'generated', 'sent', 'delivered', 'read', 'downloaded'] as const

/**
 * JobRecord is a job's delivery record (#/pedidos/{tab}/{id}): per document, when it was
 * requested, generated, sent, delivered, read and downloaded from the portal, in São Paulo
 * time, as the office shows a client who says it never came. It follows the job live: a
 * job.changed frame of the job, a document.downloaded frame of one of its documents (a portal
 * download), or a message.status frame of its client's conversation (a document sent,
 * delivered or read), fetches it again (at most twice a second), and so do a reconnection,
 * Atualizar and, as a safety net, a refetch every 30 s. A job the server does not show this
 * staff member (gone, or of a conversation they may not see: 404) says so; a failed refetch
 * keeps the record shown, under the error.
 */
export function JobRecord({ id, companies, onClose }: { id: string; companies: { [id: string]: string }; onClose: () => void }) {
  const [st, setSt] = useState<Loaded>({ data: null, error: '', loading: true })
  const gen = useRef(0)
  const phone = useRef('')

  const load = () => {
    const my = ++gen.current
    setSt((s) => ({ ...s, loading: true }))
    store.call<Answer>('GET', `/api/jobs/${encodeURIComponent(id)}`).then(
      (r) => {
        if (my !== gen.current) return
        phone.current = r.job.phone
        setSt({ data: r, error: '', loading: false })
      },
      (err) => {
        if (my !== gen.current) return
        const gone = err instanceof ApiError && err.status === 404
        if (gone) phone.current = ''
        setSt((s) => ({ data: gone ? null : s.data, error: gone ? t.jobGone : messageOf(err), loading: false }))
      },
    )
  }
  const latest = useRef(load)
  latest.current = load

  // A new job: forget the one shown, load it.
  useEffect(() => {
    phone.current = ''
    setSt({ data: null, error: '', loading: true })
    load()
    return () => {
      gen.current++ // an answer still on its way is for a panel no longer shown
    }
  }, [id])

  // Live: the job's own changes and its documents' delivery statuses.
  useEffect(() => {
    const run = throttle(() => latest.current(), 500)
    const off = store.onLiveFrame((f: Frame) => {
      if (f.type === 'job.changed' && f.data?.job?.id === id) run()
      else if (f.type === 'document.downloaded' && f.data?.job === id) run()
      else if (f.type === 'message.status' && phone.current && f.data?.conversation === phone.current) run()
    })
    const timer = setInterval(() => latest.current(), 30000) // a safety net for what frames do not carry
    return () => {
      off()
      run.cancel()
      clearInterval(timer)
    }
  }, [id])

  // Frames missed while the connection was down: fetch again once it is back.
  const conn = useStore().conn
  const wasOnline = useRef(conn === 'online')
  useEffect(() => {
    if (conn === 'online' && !wasOnline.current) latest.current()
    wasOnline.current = conn === 'online'
  }, [conn])

  const close = useRef(onClose)
  close.current = onClose
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && close.current()
    addEventListener('keydown', onKey)
    return () => removeEventListener('keydown', onKey)
  }, [])

  const job = st.data?.job
  const deliveries = st.data?.deliveries ?? []
  return (
    <div class="overlay drawer-overlay" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <aside class="drawer" id="job-record" data-job={id} aria-label={t.deliveryTitle} aria-busy={st.loading}>
        <header class="drawer-head">
          <div>
            <h2>{t.deliveryTitle}</h2>
            {job && (
              <p class="muted">
                {t.intents[job.intent] ?? job.intent}
                {job.competence && ` · ${formatCompetence(job.competence)}`}
                {` · ${companies[job.company] ?? job.company}`}
                {job.cnpj && ` · ${formatCNPJ(job.cnpj)}`}
                {job.person && ` · ${job.person}`}
                {job.phone && ` · ${formatPhone(job.phone)}`}
              </p>
            )}
          </div>
          <div class="row-actions">
            <button class="btn ghost sm" id="job-record-refresh" onClick={load} disabled={st.loading}>
              {t.refresh}
            </button>
            <button class="btn ghost sm" id="job-record-close" onClick={onClose}>
              {t.close}
            </button>
          </div>
        </header>
        <ErrorBox message={st.error} />
        {st.loading && !st.data && !st.error && <p class="muted pad">{t.loading}</p>}
        {job && (
          <div class="drawer-body">
            <div class="svc-summary">
              <span class={'chip job-state-' + job.state} data-state={job.state}>
                {t.jobStates[job.state] ?? job.state}
              </span>
              {job.reason && <span class="chip warn">{job.reason}</span>}
              <span class="muted">{t.deliveryHint}</span>
            </div>
            {deliveries.length === 0 && (
              <p class="muted" id="job-record-empty">
                {t.deliveryRequestedAt(spDateTime(job.createdAt) || t.none)}. {t.deliveryNoDocuments}
              </p>
            )}
            {deliveries.map((d) => (
              <DocumentRecord key={d.document.id} d={d} />
            ))}
          </div>
        )}
      </aside>
    </div>
  )
}

/** DocumentRecord is one document's steps, each with its time or "—" when not reached. */
function DocumentRecord({ d }: { d: Delivery }) {
  const downloads = (d.downloads ?? []).filter((at) => spDateTime(at))
  const at: { [step: string]: string | undefined } = {
    requested: d.requested,
    generated: d.generated,
    sent: d.statusAt?.sent,
    delivered: d.statusAt?.delivered,
    read: d.statusAt?.read,
    downloaded: downloads[0],
  }
  return (
    <section class="card delivery" data-doc={d.document.id} data-status={d.status}>
      <h3 class="delivery-name">
        <span class="delivery-file">📄 {d.document.name}</span>
        {d.document.size ? <span class="muted"> · {fileSize(d.document.size)}</span> : null}
        {d.status && <span class={'chip delivery-status status-' + d.status}>{t.deliveryStatus[d.status] ?? d.status}</span>}
      </h3>
      <dl class="svc-times delivery-steps">
        {STEPS.map((step) => {
          const when = spDateTime(at[step])
          return (
            <div key={step} data-step={step} data-at={when ? at[step] : ''}>
              <dt>{t.deliverySteps[step]}</dt>
              <dd>
                <span class={when ? 'delivery-at' : 'delivery-at muted'}>{when || t.none}</span>
                {step === 'downloaded' && downloads.length > 1 && (
                  <small class="muted delivery-more"> ({t.deliveryDownloads(downloads.length, spDateTime(downloads[downloads.length - 1]))})</small>
                )}
              </dd>
            </div>
          )
        })}
      </dl>
    </section>
  )
}
