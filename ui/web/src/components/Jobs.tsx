import { useEffect, useState } from 'preact/hooks'
import { messageOf } from '../api'
import { formatCNPJ, formatCompetence, formatPhone, shortDate, time } from '../format'
import { go, useLoad, useOneAtATime, useReloadOn } from '../hooks'
import { store } from '../store'
import { t } from '../strings'
import type { Job } from '../types'
import { JobRecord } from './JobRecord'
import { ErrorBox, Screen } from './Screen'

const JOB_TABS = ['pendentes', 'aguardando', 'processando', 'processados']

/** Jobs is the Central de Pedidos: the four tabs, Repetir and Responder, and a job's delivery
 * record (#/pedidos/{tab}/{id}). */
export function Jobs({ tab = 'pendentes', selected }: { tab?: string; selected?: string }) {
  const current = JOB_TABS.includes(tab) ? tab : 'pendentes'
  const list = useLoad<{ jobs: Job[] }>(`/api/jobs?tab=${current}`)
  const [error, setError] = useState('')
  const [replying, setReplying] = useState<string | null>(null)
  const [text, setText] = useState('')

  // One action at a time: a second press while a reply or a retry is on its way would send
  // the client the reply twice (the buttons are disabled too, once the page re-renders).
  const { busy, run } = useOneAtATime()
  const act = async (fn: () => Promise<unknown>): Promise<boolean> => {
    let done = false
    await run(async () => {
      setError('')
      try {
        await fn()
        list.reload()
        done = true
      } catch (err) {
        setError(messageOf(err))
      }
    })
    return done
  }

  useReloadOn(['job.changed'], list.reload) // live: the tab follows its jobs

  const [companies, setCompanies] = useState<Record<string, string>>({})
  useEffect(() => {
    store.loadCompanies().then(
      (cs) => setCompanies(Object.fromEntries(cs.map((c) => [c.id, c.name]))),
      () => undefined, // ids are shown instead
    )
  }, [])

  const jobs = list.data?.jobs ?? []
  return (
    <Screen id="screen-pedidos" title={t.jobsTitle} hint={t.jobsHint}>
      <div class="tabs boxed" role="tablist">
        {JOB_TABS.map((tb) => (
          <a key={tb} role="tab" aria-selected={tb === current} class={'tab' + (tb === current ? ' active' : '')} href={`#/pedidos/${tb}`} data-jobtab={tb}>
            {t.jobTabs[tb]}
          </a>
        ))}
      </div>
      <ErrorBox message={list.error || error} />
      {!list.error && (
        <div class="card">
          <ul class="plain-list jobs">
            {!list.loading && jobs.length === 0 && <li class="muted">{t.noJobs}</li>}
            {jobs.map((j) => (
              <li key={j.id} data-job={j.id} class={j.id === selected ? 'selected' : undefined}>
                <div class="job-main">
                  <strong>{t.intents[j.intent] ?? j.intent}</strong>
                  {j.competence && <span class="chip">{formatCompetence(j.competence)}</span>}
                  <span>{companies[j.company] ?? j.company}</span>
                  <span class="muted mono">{formatCNPJ(j.cnpj)}</span>
                  {j.person && <span class="muted">{j.person}</span>}
                  {j.phone && <span class="muted">{formatPhone(j.phone)}</span>}
                  {j.updatedAt && (
                    <span class="muted">
                      {shortDate(j.updatedAt)} {time(j.updatedAt)}
                    </span>
                  )}
                  {j.reason && <span class="chip warn">{j.reason}</span>}
                </div>
                <div class="row-actions">
                  {j.state === 'pendente_escritorio' && (
                    <button class="btn primary sm job-retry" disabled={busy} onClick={() => act(() => store.call('POST', `/api/jobs/${encodeURIComponent(j.id)}/retry`))}>
                      {j.hold === 'confirm' ? t.confirm : t.retry}
                    </button>
                  )}
                  <button class="btn ghost sm job-record" onClick={() => go('pedidos', current, j.id)}>
                    {t.deliveryOpen}
                  </button>
                  <button class="btn ghost sm job-reply" onClick={() => setReplying(replying === j.id ? null : j.id)}>
                    {t.reply}
                  </button>
                </div>
                {replying === j.id && (
                  <form
                    class="inline-form job-reply-form"
                    onSubmit={(e) => {
                      e.preventDefault()
                      void act(() => store.call('POST', `/api/jobs/${encodeURIComponent(j.id)}/reply`, { text })).then((ok) => {
                        if (!ok) return
                        setText('')
                        setReplying(null)
                      })
                    }}
                  >
                    <input placeholder={t.replyPlaceholder} aria-label={t.replyPlaceholder} value={text} onInput={(e) => setText(e.currentTarget.value)} />
                    <button class="btn primary sm" disabled={busy}>
                      {t.send}
                    </button>
                  </form>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
      {selected && <JobRecord id={selected} companies={companies} onClose={() => go('pedidos', current)} />}
    </Screen>
  )
}
