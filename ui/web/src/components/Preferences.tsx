// Preferências (#/preferencias): the office's settings as one document. Administradores edit
// and save it whole (PUT /api/settings); gerentes read it; atendentes are sent away (the rail
// hides the item and the server refuses the PUT). The server validates every field: a 422
// carries a message per field path ("hours.mon.0", "messages.greeting"), shown next to the
// field and listed by the Salvar bar, and nothing is saved. A settings.changed frame from
// another administrator refreshes the page when nothing is being edited, and warns otherwise.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { ApiError, messageOf } from '../api'
import { useStore } from '../hooks'
import { store } from '../store'
import { t } from '../strings'
import type { Company, Interval, Settings, SettingsDefaults, StaffMember } from '../types'
import { isManager } from './Nav'
import { defaultDepartments } from './PreferencesDepartments'
import {
  DepartmentsSection,
  errId,
  formatDate,
  GUIDES,
  HoursSection,
  MessagesSection,
  PortfolioSection,
  RemindersSection,
  RulesSection,
  ServiceSection,
  WEEK,
  type Fields,
} from './PreferencesSections'
import { ErrorBox, Screen } from './Screen'

// Until GET /api/settings/defaults answers (balcao.MessageVariables and KeyVariables).
const DEFAULT_VARIABLES = ['cliente', 'empresa', 'atendente', 'competencia']
const DEFAULT_KEY_VARIABLES: Record<string, string[]> = { out_of_hours: ['abertura'] }

/** Preferences is the page; only administradores and gerentes get the form. */
export function Preferences() {
  const s = useStore()
  if (!isManager(s.me?.role)) {
    return (
      <Screen id="screen-preferencias" title={t.prefsTitle} hint={t.prefsHint}>
        <ErrorBox message={t.prefsManagersOnly} />
      </Screen>
    )
  }
  return <PreferencesForm admin={s.me?.role === 'administrador'} />
}

/** normalize turns what the server sent into the page's draft: every weekday present, no
 * "auto" rules and no empty messages (both mean the default), sorted days off. */
export function normalize(raw: Partial<Settings> | null | undefined): Settings {
  const r: Partial<Settings> = raw ?? {}
  const hours: Record<string, Interval[]> = {}
  for (const day of WEEK) {
    const list = r.hours ? r.hours[day] : day === 'sat' || day === 'sun' ? [] : [{ from: '08:00', to: '12:00' }, { from: '13:00', to: '18:00' }]
    hours[day] = (list ?? []).map((iv) => ({ from: iv.from ?? '', to: iv.to ?? '' }))
  }
  const rules: Settings['rules'] = {}
  for (const [k, v] of Object.entries(r.rules ?? {})) if (v && v !== 'auto') rules[k] = v
  const messages: Record<string, string> = {}
  for (const [k, v] of Object.entries(r.messages ?? {})) if (typeof v === 'string' && v.trim()) messages[k] = v
  const days = r.reminders?.daysBefore
  return {
    rules,
    hours,
    daysOff: [...(r.daysOff ?? [])].sort(),
    ignoreHolidays: !!r.ignoreHolidays,
    identifyStaff: !!r.identifyStaff,
    survey: !!r.survey,
    departments: r.departments?.length ? r.departments.map((d) => ({ id: d.id, name: d.name })) : defaultDepartments(),
    distribution: !!r.distribution,
    portfolio: (r.portfolio ?? []).filter((p) => p.staff).map((p) => ({ company: p.company, department: p.department, staff: p.staff })),
    restrict: !!r.restrict,
    messages,
    reminders: { guides: GUIDES.filter((g) => r.reminders?.guides?.includes(g)).concat((r.reminders?.guides ?? []).filter((g) => !GUIDES.includes(g))), daysBefore: typeof days === 'number' ? days : 3 },
  }
}

/** key is a stable text of a settings document, for "did anything change". */
function key(s: Settings): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted)
    if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])]))
    return typeof v === 'number' && Number.isNaN(v) ? 'NaN' : v
  }
  const n = normalize(s)
  const portfolio = [...n.portfolio].sort((a, b) => (a.company + '\u0000' + a.department).localeCompare(b.company + '\u0000' + b.department))
  return JSON.stringify(sorted({ ...n, portfolio }))
}

/** localErrors are what the page can tell before asking the server (a JSON document cannot
 * carry them: an empty number, a nameless department). */
function localErrors(d: Settings): Fields {
  const f: Fields = {}
  d.departments.forEach((dep, i) => {
    if (!dep.name.trim()) f[`departments.${i}.name`] = t.prefsDepartmentRequired
  })
  if (!Number.isInteger(d.reminders.daysBefore)) f['reminders.daysBefore'] = t.prefsNotInteger
  return f
}

/** fieldLabel names a field path for the list of errors by the Salvar bar. */
function fieldLabel(path: string, d: Settings, companies: Company[] | null): string {
  const [head, a, b] = path.split('.')
  switch (head) {
    case 'hours': {
      const day = t.prefsWeekdays[a] ?? a ?? ''
      return b !== undefined && /^\d+$/.test(b) ? t.prefsPeriod(day, +b + 1) : `${t.prefsHours}: ${day}`
    }
    case 'daysOff':
      return a !== undefined && d.daysOff[+a] ? `${t.prefsDaysOff}: ${formatDate(d.daysOff[+a])}` : t.prefsDaysOff
    case 'rules':
      return `${t.prefsRules}: ${t.intents[a] ?? a}`
    case 'messages':
      return `${t.prefsMessages}: ${t.prefsMessageKeys[a] ?? a}`
    case 'departments':
      return a !== undefined && d.departments[+a] ? `${t.prefsDepartments}: ${d.departments[+a].name || d.departments[+a].id}` : t.prefsDepartments
    case 'portfolio': {
      const p = a !== undefined ? d.portfolio[+a] : undefined
      if (!p) return t.prefsPortfolio
      const company = companies?.find((c) => c.id === p.company)?.name ?? p.company
      const dep = d.departments.find((x) => x.id === p.department)?.name ?? p.department
      return `${t.prefsPortfolio}: ${t.prefsPortfolioCell(company, dep)}`
    }
    case 'reminders':
      return a === 'daysBefore' ? `${t.prefsReminders}: ${t.prefsDaysBefore}` : t.prefsReminders
    case 'distribution':
      return t.prefsDistribution
    case 'identifyStaff':
      return t.prefsIdentifyStaff
    case 'restrict':
      return t.prefsRestrict
    case 'survey':
      return t.prefsSurvey
    case 'ignoreHolidays':
      return t.prefsHolidays
  }
  return path
}

/** clearUnder drops the errors of path and of the fields under it. */
function clearUnder(f: Fields, path: string): Fields {
  const out: Fields = {}
  let changed = false
  for (const [k, v] of Object.entries(f)) {
    if (k === path || k.startsWith(path + '.')) changed = true
    else out[k] = v
  }
  return changed ? out : f
}

function PreferencesForm({ admin }: { admin: boolean }) {
  const s = useStore()
  const [original, setOriginal] = useState<Settings | null>(null)
  const [draft, setDraft] = useState<Settings | null>(null)
  const [loadError, setLoadError] = useState('')
  const [defaults, setDefaults] = useState<SettingsDefaults | null>(null)
  const [defaultsFailed, setDefaultsFailed] = useState(false)
  const [companies, setCompanies] = useState<Company[] | null>(null)
  const [fields, setFields] = useState<Fields>({})
  const [saveError, setSaveError] = useState('')
  const [saving, setSaving] = useState(false)
  const [notice, setNotice] = useState('')
  const [others, setOthers] = useState<Settings | null>(null)
  const sent = useRef<string | null>(null) // key of the document being PUT: its own frame is no news
  const live = useRef({ original, draft })
  live.current = { original, draft }

  useEffect(() => {
    let on = true
    store.call<Settings>('GET', '/api/settings').then(
      (r) => {
        if (!on) return
        const n = normalize(r)
        setOriginal(n)
        setDraft(n)
      },
      (err) => on && setLoadError(messageOf(err)),
    )
    store.call<SettingsDefaults>('GET', '/api/settings/defaults').then(
      (r) => on && setDefaults(r),
      () => on && setDefaultsFailed(true),
    )
    store.loadCompanies(true).then(
      (r) => on && setCompanies(r),
      (err) => on && setLoadError(messageOf(err)),
    )
    void store.loadStaff()
    const off = store.onLiveFrame((f) => {
      if (f.type !== 'settings.changed' || !on) return
      const incoming = normalize(f.data as Settings)
      const k = key(incoming)
      const { original: o, draft: d } = live.current
      if (!o || !d || k === sent.current || k === key(o)) return
      if (key(d) === key(o)) {
        setOriginal(incoming)
        setDraft(incoming)
        setFields({})
        setSaveError('')
        setOthers(null)
        setNotice(t.prefsRefreshed)
      } else {
        setOthers(incoming)
      }
    })
    return () => {
      on = false
      off()
    }
  }, [])

  const dirty = useMemo(() => !!draft && !!original && key(draft) !== key(original), [draft, original])
  useEffect(() => {
    if (!dirty) return
    const warn = (e: BeforeUnloadEvent) => e.preventDefault()
    addEventListener('beforeunload', warn)
    return () => removeEventListener('beforeunload', warn)
  }, [dirty])

  const update = (fn: (d: Settings) => Settings, clear?: string) => {
    if (!admin || saving) return
    setDraft((d) => (d ? fn(d) : d))
    setNotice('')
    if (clear) setFields((f) => clearUnder(f, clear))
  }

  const save = async () => {
    if (!draft || !dirty || saving) return
    const local = localErrors(draft)
    setNotice('')
    if (Object.keys(local).length) {
      setFields(local)
      setSaveError(t.prefsInvalid)
      return
    }
    const body = normalize(draft)
    sent.current = key(body)
    setSaving(true)
    setFields({})
    setSaveError('')
    try {
      const saved = normalize(await store.call<Settings>('PUT', '/api/settings', body))
      live.current = { original: saved, draft: saved } // a frame before the next render sees it
      setOriginal(saved)
      setDraft(saved)
      setOthers(null)
      setNotice(t.prefsSaved)
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && Object.keys(err.fields).length) {
        setFields(err.fields)
        setSaveError(t.prefsInvalid)
      } else {
        setSaveError(messageOf(err))
      }
    } finally {
      sent.current = null
      setSaving(false)
    }
  }

  const discard = () => {
    if (!original) return
    setDraft(original)
    setFields({})
    setSaveError('')
    setNotice('')
  }

  const takeOthers = () => {
    if (!others) return
    setOriginal(others)
    setDraft(others)
    setOthers(null)
    setFields({})
    setSaveError('')
    setNotice(t.prefsRefreshed)
  }

  const focusField = (path: string) => {
    const el = document.getElementById(errId(path))
    const box = el?.closest('[data-field-box]')
    const control = box?.querySelector<HTMLElement>('input, select, textarea')
    ;(control ?? el)?.scrollIntoView({ block: 'center' })
    control?.focus()
  }

  const staff: StaffMember[] = Object.values(s.staff)
  const readOnly = !admin || saving
  const props = draft && { draft, update, fields, readOnly }
  const errors = Object.entries(fields)

  return (
    <Screen id="screen-preferencias" title={t.prefsTitle} hint={t.prefsHint}>
      {!admin && (
        <p class="notice" id="prefs-readonly">
          {t.prefsReadOnly}
        </p>
      )}
      <ErrorBox message={loadError} />
      {!props && !loadError && <p class="muted">{t.loading}</p>}
      {props && (
        <div class="prefs" data-readonly={admin ? undefined : 'true'} aria-busy={saving}>
          <HoursSection {...props} />
          <MessagesSection
            {...props}
            defaults={defaults?.messages ?? {}}
            variables={defaults?.variables?.length ? defaults.variables : DEFAULT_VARIABLES}
            keyVariables={defaults ? (defaults.keyVariables ?? {}) : DEFAULT_KEY_VARIABLES}
            defaultsFailed={defaultsFailed}
          />
          <RulesSection {...props} />
          <DepartmentsSection {...props} />
          <PortfolioSection {...props} companies={companies} staff={staff} />
          <ServiceSection {...props} />
          <RemindersSection {...props} />
        </div>
      )}
      {props && admin && (
        <div class="prefs-bar" role="region" aria-label={t.prefsSave}>
          {others && (
            <div class="prefs-others" role="alert" id="prefs-others">
              <span>{t.prefsChangedElsewhere}</span>
              <button type="button" class="btn ghost sm" onClick={takeOthers} id="prefs-take-others">
                {t.prefsReloadOthers}
              </button>
            </div>
          )}
          {saveError && (
            <div class="prefs-errors" role="alert" id="prefs-save-error">
              <strong>{saveError}</strong>
              {errors.length > 0 && (
                <ul>
                  {errors.map(([path, msg]) => (
                    <li key={path}>
                      <button type="button" class="link" onClick={() => focusField(path)}>
                        {fieldLabel(path, draft!, companies)}
                      </button>
                      : {msg}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          <div class="prefs-bar-row">
            <span class={'prefs-status' + (notice ? ' ok' : '')} role="status" id="prefs-status">
              {saving ? t.saving : notice || (dirty ? t.prefsUnsaved : t.prefsNoChanges)}
            </span>
            <button type="button" class="btn ghost" onClick={discard} disabled={!dirty || saving} id="prefs-discard">
              {t.prefsDiscard}
            </button>
            <button type="button" class="btn primary" onClick={() => void save()} disabled={!dirty || saving} aria-busy={saving} id="prefs-save">
              {saving && <span class="spinner" aria-hidden="true" />}
              {saving ? t.saving : t.prefsSave}
            </button>
          </div>
        </div>
      )}
    </Screen>
  )
}
