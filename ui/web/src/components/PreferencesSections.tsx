// The sections of the Preferências page. Each edits the page's draft through update (which
// also clears the server's errors under the path edited) and shows the errors of its fields
// next to them; the page itself loads, saves and follows settings.changed (Preferences.tsx).
import { Fragment, type ComponentChildren } from 'preact'
import { useRef, useState } from 'preact/hooks'
import { t } from '../strings'
import type { Company, DocRule, Interval, Settings, StaffMember } from '../types'
import { DEFAULT_DEPARTMENT_IDS, slug } from './PreferencesDepartments'

export type Fields = Record<string, string>

export interface SectionProps {
  draft: Settings
  /** update replaces the draft; clear names a field path whose errors (and those under it) go. */
  update: (fn: (d: Settings) => Settings, clear?: string) => void
  fields: Fields
  readOnly: boolean
}

/** Weekday keys as the server spells them, in the order an office reads its week. */
export const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']
const WORKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri']
const NEW_DAY: Interval[] = [
  { from: '08:00', to: '12:00' },
  { from: '13:00', to: '18:00' },
]

/** Document kinds the assistant serves (assistant.intents, documents only). */
export const DOC_KINDS = [
  'holerite', 'das', 'fgts', 'inss', 'darf', 'icms', 'iss', 'informe_rendimentos', 'ferias', 'pro_labore', 'decimo_terceiro',
  'rescisao', 'balancete', 'dre', 'balanco', 'faturamento', 'extrato_simples', 'relacao_empregados', 'certidao_negativa',
  'boleto_honorarios', 'folha_resumo',
]
const RULES: DocRule[] = ['auto', 'confirm', 'period_closed', 'staff']

/** Editable messages (balcao.MessageKeys), in the server's order. */
export const MESSAGE_KEYS = [
  'greeting',
  'menu_header',
  'out_of_hours',
  'handover',
  'not_linked',
  'assistant_off',
  'job_pending',
  'portal_link',
  'processing_failed',
  'finished',
  'survey',
  'survey_thanks',
]
export const GUIDES = ['das', 'fgts', 'inss']

/** errId is the id of the element showing a field's error (for aria-describedby). */
export const errId = (path: string) => 'err-' + path.replace(/[^a-zA-Z0-9_-]/g, '-')

/** described gives a control the aria attributes of its fields' errors. */
function described(fields: Fields, ...paths: string[]) {
  const ids = paths.filter((p) => fields[p]).map(errId)
  return ids.length ? { 'aria-invalid': true, 'aria-describedby': ids.join(' ') } : {}
}

export function Errors({ fields, paths }: { fields: Fields; paths: string[] }) {
  return (
    <>
      {paths
        .filter((p) => fields[p])
        .map((p) => (
          <span key={p} class="field-error" id={errId(p)} data-field={p}>
            {fields[p]}
          </span>
        ))}
    </>
  )
}

function Section({ id, title, hint, readOnly, children, extra }: { id: string; title: string; hint?: string; readOnly: boolean; children: ComponentChildren; extra?: ComponentChildren }) {
  return (
    <section class="card pref-section" id={id} aria-labelledby={id + '-title'}>
      <h2 id={id + '-title'}>{title}</h2>
      {hint && <p class="muted pref-hint">{hint}</p>}
      {extra}
      <fieldset class="pref-fields" disabled={readOnly}>
        {children}
      </fieldset>
    </section>
  )
}

/** formatDate shows YYYY-MM-DD as DD/MM/AAAA with the weekday. */
export function formatDate(iso: string): string {
  const d = new Date(iso + 'T12:00:00')
  if (isNaN(d.getTime())) return iso
  return d.toLocaleDateString('pt-BR', { weekday: 'short', day: '2-digit', month: '2-digit', year: 'numeric' })
}

const minutes = (hhmm: string) => (/^\d\d:\d\d$/.test(hhmm) ? +hhmm.slice(0, 2) * 60 + +hhmm.slice(3) : -1)
const hhmm = (m: number) => String(Math.floor(m / 60)).padStart(2, '0') + ':' + String(m % 60).padStart(2, '0')

/** nextInterval proposes a period after last: an hour later, for an hour, within the day. */
function nextInterval(last: Interval): Interval {
  const end = Math.max(minutes(last.to), 0)
  const from = Math.min(end + 60, 22 * 60)
  return { from: hhmm(Math.max(from, end)), to: hhmm(Math.min(Math.max(from, end) + 60, 23 * 60 + 59)) }
}

export function HoursSection({ draft, update, fields, readOnly }: SectionProps) {
  const [newDay, setNewDay] = useState('')
  const [dayError, setDayError] = useState('')
  const setDay = (day: string, list: Interval[], clear = 'hours.' + day) => update((d) => ({ ...d, hours: { ...d.hours, [day]: list } }), clear)
  const addDayOff = () => {
    if (!newDay) return setDayError(t.prefsDayOffRequired)
    if (draft.daysOff.includes(newDay)) return setDayError(t.prefsDayOffRepeated)
    setDayError('')
    update((d) => ({ ...d, daysOff: [...d.daysOff, newDay].sort() }), 'daysOff')
    setNewDay('')
  }
  return (
    <Section id="prefs-hours" title={t.prefsHours} hint={t.prefsHoursHint} readOnly={readOnly}>
      <div class="pref-days">
        {WEEK.map((day) => {
          const list = draft.hours[day] ?? []
          const name = t.prefsWeekdays[day]
          return (
            <div class="pref-day" key={day} data-day={day}>
              <label class="check pref-day-name">
                <input type="checkbox" id={`open-${day}`} checked={list.length > 0} onChange={(e) => setDay(day, e.currentTarget.checked ? NEW_DAY.map((iv) => ({ ...iv })) : [])} />
                {name}
              </label>
              <div class="pref-intervals">
                {list.length === 0 && <span class="muted">{t.prefsClosed}</span>}
                {list.map((iv, i) => {
                  const path = `hours.${day}.${i}`
                  const prev = list[i - 1]
                  const gap = prev && minutes(prev.to) >= 0 && minutes(iv.from) > minutes(prev.to)
                  const set = (patch: Partial<Interval>) => setDay(day, list.map((x, j) => (j === i ? { ...x, ...patch } : x)), path)
                  return (
                    <Fragment key={i}>
                      {gap && <span class="muted pref-break">{t.prefsBreak(prev.to, iv.from)}</span>}
                      <div class="pref-interval" data-field-box>
                        <span class="pref-interval-row">
                          <span aria-hidden="true">{t.prefsFrom}</span>
                          <input type="time" id={`hours-${day}-${i}-from`} value={iv.from} aria-label={t.prefsPeriodFrom(name, i + 1)} onInput={(e) => set({ from: e.currentTarget.value })} {...described(fields, path, path + '.from')} />
                          <span aria-hidden="true">{t.prefsTo}</span>
                          <input type="time" id={`hours-${day}-${i}-to`} value={iv.to} aria-label={t.prefsPeriodTo(name, i + 1)} onInput={(e) => set({ to: e.currentTarget.value })} {...described(fields, path, path + '.to')} />
                          <button type="button" class="btn ghost sm pref-edit" aria-label={t.prefsRemovePeriod(i + 1) + ' — ' + name} title={t.prefsRemovePeriod(i + 1)} onClick={() => setDay(day, list.filter((_, j) => j !== i))}>
                            ×
                          </button>
                        </span>
                        <Errors fields={fields} paths={[path, path + '.from', path + '.to']} />
                      </div>
                    </Fragment>
                  )
                })}
                <span class="pref-day-actions pref-edit">
                  {list.length > 0 && (
                    <button type="button" class="btn ghost sm" onClick={() => setDay(day, [...list, nextInterval(list[list.length - 1])])} aria-label={t.prefsAddPeriod + ' — ' + name}>
                      + {t.prefsAddPeriod}
                    </button>
                  )}
                  {day === 'mon' && list.length > 0 && (
                    <button
                      type="button"
                      class="btn ghost sm"
                      id="hours-copy"
                      onClick={() => update((d) => ({ ...d, hours: { ...d.hours, ...Object.fromEntries(WORKDAYS.map((w) => [w, list.map((iv) => ({ ...iv }))])) } }), 'hours')}
                    >
                      {t.prefsCopyWeekdays}
                    </button>
                  )}
                </span>
                <Errors fields={fields} paths={['hours.' + day]} />
              </div>
            </div>
          )
        })}
      </div>
      <Errors fields={fields} paths={['hours']} />
      <label class="check pref-check">
        <input type="checkbox" id="prefs-holidays" checked={!draft.ignoreHolidays} onChange={(e) => update((d) => ({ ...d, ignoreHolidays: !e.currentTarget.checked }), 'ignoreHolidays')} />
        {t.prefsHolidays}
      </label>
      <h3 class="pref-sub">{t.prefsDaysOff}</h3>
      <p class="muted pref-hint">{t.prefsDaysOffHint}</p>
      {draft.daysOff.length === 0 && <p class="muted">{t.prefsNoDaysOff}</p>}
      <ul class="pref-daysoff" id="prefs-daysoff">
        {draft.daysOff.map((day, i) => (
          <li key={day} data-field-box data-dayoff={day}>
            <span class="chip">{formatDate(day)}</span>
            <button type="button" class="btn ghost sm pref-edit" aria-label={t.prefsRemoveDayOff(formatDate(day))} onClick={() => update((d) => ({ ...d, daysOff: d.daysOff.filter((x) => x !== day) }), 'daysOff')}>
              ×
            </button>
            <Errors fields={fields} paths={['daysOff.' + i]} />
          </li>
        ))}
      </ul>
      <div class="inline-form pref-add pref-edit">
        <label class="sr-label" for="prefs-dayoff-new">
          {t.prefsDayOffDate}
        </label>
        <input
          type="date"
          id="prefs-dayoff-new"
          value={newDay}
          onInput={(e) => setNewDay(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault()
              addDayOff()
            }
          }}
          {...(dayError ? { 'aria-invalid': true, 'aria-describedby': 'prefs-dayoff-error' } : {})}
        />
        <button type="button" class="btn" id="prefs-dayoff-add" onClick={addDayOff}>
          {t.prefsAddDayOff}
        </button>
        {dayError && (
          <span class="field-error" id="prefs-dayoff-error">
            {dayError}
          </span>
        )}
      </div>
      <Errors fields={fields} paths={['daysOff']} />
    </Section>
  )
}

/** braced writes a variable as the texts use it: {cliente}. */
const braced = (v: string) => '{' + v.replace(/^\{|\}$/g, '') + '}'

export function MessagesSection({
  draft,
  update,
  fields,
  readOnly,
  defaults,
  variables,
  keyVariables,
  defaultsFailed,
}: SectionProps & { defaults: Record<string, string>; variables: string[]; keyVariables: Record<string, string[]>; defaultsFailed: boolean }) {
  const boxes = useRef<Record<string, HTMLTextAreaElement | null>>({})
  const carets = useRef<Record<string, [number, number]>>({})
  const keys = [...MESSAGE_KEYS, ...Object.keys(defaults).filter((k) => !MESSAGE_KEYS.includes(k)).sort(), ...Object.keys(draft.messages).filter((k) => !MESSAGE_KEYS.includes(k) && !(k in defaults)).sort()]
  const set = (key: string, text: string) => update((d) => ({ ...d, messages: { ...d.messages, [key]: text } }), 'messages.' + key)
  const remember = (key: string) => {
    const el = boxes.current[key]
    if (el) carets.current[key] = [el.selectionStart, el.selectionEnd]
  }
  const insert = (key: string, v: string) => {
    const text = draft.messages[key] ?? ''
    const [start, end] = carets.current[key] ?? [text.length, text.length]
    const at = Math.min(start, text.length)
    set(key, text.slice(0, at) + v + text.slice(Math.min(Math.max(end, at), text.length)))
    const caret = at + v.length
    carets.current[key] = [caret, caret]
    requestAnimationFrame(() => {
      const el = boxes.current[key]
      if (!el) return
      el.focus()
      el.setSelectionRange(caret, caret)
    })
  }
  return (
    <Section id="prefs-messages" title={t.prefsMessages} hint={t.prefsMessagesHint} readOnly={readOnly} extra={defaultsFailed && <p class="muted pref-hint">{t.prefsDefaultsMissing}</p>}>
      {keys.map((key) => {
        const path = 'messages.' + key
        const text = draft.messages[key] ?? ''
        const vars = [...variables, ...(keyVariables[key] ?? [])].map(braced)
        return (
          <div class="pref-message" key={key} data-field-box data-message={key}>
            <label for={'msg-' + key}>{t.prefsMessageKeys[key] ?? key}</label>
            <textarea
              id={'msg-' + key}
              rows={3}
              value={text}
              placeholder={defaults[key] ?? ''}
              ref={(el) => {
                boxes.current[key] = el
              }}
              onInput={(e) => {
                set(key, e.currentTarget.value)
                remember(key)
              }}
              onKeyUp={() => remember(key)}
              onClick={() => remember(key)}
              onBlur={() => remember(key)}
              {...described(fields, path)}
            />
            <div class="pref-vars pref-edit">
              <span class="muted" id={'vars-' + key}>
                {t.prefsVariables}:
              </span>
              {vars.map((v) => (
                <button type="button" key={v} class="chip var" data-var={v} aria-label={t.prefsInsertVariable(v)} onMouseDown={(e) => e.preventDefault()} onClick={() => insert(key, v)}>
                  {v}
                </button>
              ))}
              <span class="pref-spacer" />
              {text.trim() ? (
                <button type="button" class="btn ghost sm" data-restore={key} onClick={() => set(key, '')}>
                  {t.prefsRestore}
                </button>
              ) : (
                <span class="muted small">{t.prefsUsingDefault}</span>
              )}
            </div>
            <Errors fields={fields} paths={[path]} />
          </div>
        )
      })}
      <Errors fields={fields} paths={['messages']} />
    </Section>
  )
}

export function RulesSection({ draft, update, fields, readOnly }: SectionProps) {
  const kinds = [...DOC_KINDS, ...Object.keys(draft.rules).filter((k) => !DOC_KINDS.includes(k)).sort()]
  return (
    <Section id="prefs-rules" title={t.prefsRules} hint={t.prefsRulesHint} readOnly={readOnly}>
      <table class="table static pref-table">
        <thead>
          <tr>
            <th scope="col">{t.prefsDocKind}</th>
            <th scope="col">{t.prefsRule}</th>
          </tr>
        </thead>
        <tbody>
          {kinds.map((kind) => {
            const path = 'rules.' + kind
            return (
              <tr key={kind} data-field-box data-rule={kind}>
                <th scope="row" class="pref-row-head">
                  <label for={'rule-' + kind}>{t.intents[kind] ?? kind}</label>
                </th>
                <td>
                  <select
                    id={'rule-' + kind}
                    value={draft.rules[kind] ?? 'auto'}
                    onChange={(e) => {
                      const rule = e.currentTarget.value as DocRule
                      update((d) => {
                        const rules = { ...d.rules }
                        if (rule === 'auto') delete rules[kind]
                        else rules[kind] = rule
                        return { ...d, rules }
                      }, path)
                    }}
                    {...described(fields, path)}
                  >
                    {RULES.map((r) => (
                      <option key={r} value={r}>
                        {t.prefsRuleNames[r]}
                      </option>
                    ))}
                  </select>
                  <Errors fields={fields} paths={[path]} />
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      <Errors fields={fields} paths={['rules']} />
    </Section>
  )
}

export function DepartmentsSection({ draft, update, fields, readOnly }: SectionProps) {
  const [name, setName] = useState('')
  const [error, setError] = useState('')
  const add = () => {
    const n = name.trim()
    if (!n) return setError(t.prefsDepartmentRequired)
    const id = slug(n)
    if (!id) return setError(t.prefsDepartmentInvalid)
    if (draft.departments.some((d) => d.id === id || d.name.trim().toLowerCase() === n.toLowerCase())) return setError(t.prefsDepartmentRepeated)
    setError('')
    update((d) => ({ ...d, departments: [...d.departments, { id, name: n }] }), 'departments')
    setName('')
  }
  return (
    <Section id="prefs-departments" title={t.prefsDepartments} hint={t.prefsDepartmentsHint} readOnly={readOnly}>
      <ul class="pref-departments">
        {draft.departments.map((dep, i) => {
          const path = 'departments.' + i
          const fixed = DEFAULT_DEPARTMENT_IDS.includes(dep.id)
          return (
            <li key={dep.id} data-field-box data-dept={dep.id}>
              <span class="pref-dept-row">
                <input
                  id={'dept-name-' + dep.id}
                  value={dep.name}
                  aria-label={t.prefsDepartmentName + ' (' + dep.id + ')'}
                  maxLength={40}
                  onInput={(e) => {
                    const v = e.currentTarget.value
                    update((d) => ({ ...d, departments: d.departments.map((x, j) => (j === i ? { ...x, name: v } : x)) }), path)
                  }}
                  {...described(fields, path, path + '.name', path + '.id')}
                />
                <code class="muted">{dep.id}</code>
                {fixed ? (
                  <span class="chip">{t.prefsDefaultDepartment}</span>
                ) : (
                  <button
                    type="button"
                    class="btn ghost sm danger-text pref-edit"
                    aria-label={t.prefsRemoveDepartment(dep.name || dep.id)}
                    onClick={() => update((d) => ({ ...d, departments: d.departments.filter((x) => x.id !== dep.id), portfolio: d.portfolio.filter((p) => p.department !== dep.id) }), 'departments')}
                  >
                    {t.remove}
                  </button>
                )}
              </span>
              <Errors fields={fields} paths={[path, path + '.name', path + '.id']} />
            </li>
          )
        })}
      </ul>
      <div class="inline-form pref-add pref-edit">
        <label class="sr-label" for="prefs-dept-new">
          {t.prefsNewDepartment}
        </label>
        <input
          id="prefs-dept-new"
          value={name}
          maxLength={40}
          placeholder={t.prefsNewDepartment}
          onInput={(e) => setName(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault()
              add()
            }
          }}
          {...(error ? { 'aria-invalid': true, 'aria-describedby': 'prefs-dept-error' } : {})}
        />
        <button type="button" class="btn" id="prefs-dept-add" onClick={add}>
          {t.prefsAddDepartment}
        </button>
        {error && (
          <span class="field-error" id="prefs-dept-error">
            {error}
          </span>
        )}
      </div>
      <Errors fields={fields} paths={['departments']} />
      <h3 class="pref-sub">{t.prefsDistribution}</h3>
      <Toggle id="prefs-distribution" label={t.prefsDistributionLabel} hint={t.prefsDistributionHint} checked={draft.distribution} fields={fields} path="distribution" onChange={(v) => update((d) => ({ ...d, distribution: v }), 'distribution')} />
    </Section>
  )
}

function Toggle({ id, label, hint, checked, onChange, fields, path }: { id: string; label: string; hint: string; checked: boolean; onChange: (v: boolean) => void; fields: Fields; path: string }) {
  return (
    <div class="pref-toggle" data-field-box>
      <label class="check pref-check">
        <input type="checkbox" id={id} checked={checked} onChange={(e) => onChange(e.currentTarget.checked)} aria-describedby={id + '-hint'} />
        {label}
      </label>
      <p class="muted pref-hint" id={id + '-hint'}>
        {hint}
      </p>
      <Errors fields={fields} paths={[path]} />
    </div>
  )
}

export function PortfolioSection({ draft, update, fields, readOnly, companies, staff }: SectionProps & { companies: Company[] | null; staff: StaffMember[] }) {
  const [filter, setFilter] = useState('')
  const q = filter.trim().toLowerCase()
  const shown = (companies ?? []).filter((c) => !q || c.name.toLowerCase().includes(q) || c.cnpj.includes(q.replace(/\D/g, '') || '\u0000'))
  const index = new Map(draft.portfolio.map((p, i) => [p.company + '\u0000' + p.department, i]))
  const people = [...staff].sort((a, b) => a.name.localeCompare(b.name, 'pt-BR'))
  const set = (company: string, department: string, user: string) =>
    update((d) => {
      const rest = d.portfolio.filter((p) => !(p.company === company && p.department === department))
      const i = d.portfolio.findIndex((p) => p.company === company && p.department === department)
      if (!user) return { ...d, portfolio: rest }
      const portfolio = [...d.portfolio]
      if (i >= 0) portfolio[i] = { company, department, staff: user }
      else portfolio.push({ company, department, staff: user })
      return { ...d, portfolio }
    }, 'portfolio')
  return (
    <Section
      id="prefs-portfolio"
      title={t.prefsPortfolio}
      hint={t.prefsPortfolioHint}
      readOnly={readOnly}
      extra={
        <div class="pref-filter">
          <label class="sr-label" for="prefs-portfolio-filter">
            {t.prefsPortfolioFilter}
          </label>
          <input type="search" id="prefs-portfolio-filter" placeholder={t.prefsPortfolioFilter} value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        </div>
      }
    >
      <div class="table-card">
        <table class="table static pref-table" id="prefs-portfolio-table">
          <thead>
            <tr>
              <th scope="col">{t.company}</th>
              {draft.departments.map((dep) => (
                <th scope="col" key={dep.id}>
                  {dep.name || dep.id}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {companies === null && (
              <tr>
                <td class="empty" colSpan={draft.departments.length + 1}>
                  {t.loading}
                </td>
              </tr>
            )}
            {companies !== null && shown.length === 0 && (
              <tr>
                <td class="empty" colSpan={draft.departments.length + 1}>
                  {companies.length === 0 ? t.noCompanies : t.prefsPortfolioEmpty}
                </td>
              </tr>
            )}
            {shown.map((c) => (
              <tr key={c.id} data-company={c.id}>
                <th scope="row" class="pref-row-head">
                  {c.name}
                </th>
                {draft.departments.map((dep) => {
                  const i = index.get(c.id + '\u0000' + dep.id)
                  const entry = i === undefined ? undefined : draft.portfolio[i]
                  const paths = i === undefined ? [] : ['portfolio.' + i, 'portfolio.' + i + '.staff', 'portfolio.' + i + '.company', 'portfolio.' + i + '.department']
                  return (
                    <td key={dep.id} data-field-box>
                      <select
                        data-cell={c.id + '/' + dep.id}
                        aria-label={t.prefsPortfolioCell(c.name, dep.name || dep.id)}
                        value={entry?.staff ?? ''}
                        onChange={(e) => set(c.id, dep.id, e.currentTarget.value)}
                        {...described(fields, ...paths)}
                      >
                        <option value="">{t.prefsPortfolioNobody}</option>
                        {entry && !people.some((p) => p.user === entry.staff) && <option value={entry.staff}>{entry.staff}</option>}
                        {people.map((p) => (
                          <option key={p.user} value={p.user}>
                            {p.name}
                          </option>
                        ))}
                      </select>
                      <Errors fields={fields} paths={paths} />
                    </td>
                  )
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Errors fields={fields} paths={['portfolio']} />
    </Section>
  )
}

export function ServiceSection({ draft, update, fields, readOnly }: SectionProps) {
  return (
    <Section id="prefs-service" title={t.prefsService} readOnly={readOnly}>
      <Toggle id="prefs-identify" label={t.prefsIdentifyStaff} hint={t.prefsIdentifyStaffHint} checked={draft.identifyStaff} fields={fields} path="identifyStaff" onChange={(v) => update((d) => ({ ...d, identifyStaff: v }), 'identifyStaff')} />
      <Toggle id="prefs-restrict" label={t.prefsRestrict} hint={t.prefsRestrictHint} checked={draft.restrict} fields={fields} path="restrict" onChange={(v) => update((d) => ({ ...d, restrict: v }), 'restrict')} />
      <Toggle id="prefs-survey" label={t.prefsSurvey} hint={t.prefsSurveyHint} checked={draft.survey} fields={fields} path="survey" onChange={(v) => update((d) => ({ ...d, survey: v }), 'survey')} />
    </Section>
  )
}

export function RemindersSection({ draft, update, fields, readOnly }: SectionProps) {
  const r = draft.reminders
  return (
    <Section id="prefs-reminders" title={t.prefsReminders} hint={t.prefsRemindersHint} readOnly={readOnly}>
      <div class="pref-guides" role="group" aria-label={t.prefsReminders} data-field-box>
        {GUIDES.map((g) => (
          <label class="check" key={g}>
            <input
              type="checkbox"
              id={'guide-' + g}
              checked={r.guides.includes(g)}
              onChange={(e) => {
                const on = e.currentTarget.checked
                update((d) => ({ ...d, reminders: { ...d.reminders, guides: GUIDES.filter((x) => (x === g ? on : d.reminders.guides.includes(x))) } }), 'reminders.guides')
              }}
            />
            {t.prefsGuides[g]}
          </label>
        ))}
        <Errors fields={fields} paths={['reminders.guides', ...r.guides.map((_, i) => 'reminders.guides.' + i)]} />
      </div>
      <div class="pref-days-before" data-field-box>
        <label for="prefs-days-before">{t.prefsDaysBefore}</label>
        <input
          type="number"
          id="prefs-days-before"
          min={1}
          max={15}
          step={1}
          inputMode="numeric"
          value={Number.isNaN(r.daysBefore) ? '' : String(r.daysBefore)}
          onInput={(e) => {
            const raw = e.currentTarget.value.trim()
            const n = raw === '' ? NaN : Number(raw)
            update((d) => ({ ...d, reminders: { ...d.reminders, daysBefore: n } }), 'reminders.daysBefore')
          }}
          {...described(fields, 'reminders.daysBefore')}
        />
        <Errors fields={fields} paths={['reminders.daysBefore']} />
      </div>
      <Errors fields={fields} paths={['reminders']} />
    </Section>
  )
}
