// Formatting and validation helpers: pure functions, no state.
import { t } from './strings'

const pad = (n: number) => String(n).padStart(2, '0')

/** 5548999990001 → +55 (48) 99999-0001 */
export function formatPhone(p: string): string {
  if (p.startsWith('55') && (p.length === 12 || p.length === 13)) {
    const ddd = p.slice(2, 4)
    const sub = p.slice(4)
    const cut = sub.length - 4
    return `+55 (${ddd}) ${sub.slice(0, cut)}-${sub.slice(cut)}`
  }
  return '+' + p
}

/** A competence as accountants write it: 2026-10 → 10/2026; a year (2025) stays as it is. */
export function formatCompetence(c: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(c)
  return m ? `${m[2]}/${m[1]}` : c
}

export function onlyDigits(s: string): string {
  return s.replace(/\D/g, '')
}

/** 14 digits → 12.345.678/0001-90 */
export function formatCNPJ(d: string): string {
  if (d.length !== 14) return d
  return `${d.slice(0, 2)}.${d.slice(2, 5)}.${d.slice(5, 8)}/${d.slice(8, 12)}-${d.slice(12)}`
}

function cnpjDigit(d: number[]): number {
  let sum = 0
  let w = d.length - 7
  for (const c of d) {
    sum += c * w
    w--
    if (w < 2) w = 9
  }
  const r = sum % 11
  return r < 2 ? 0 : 11 - r
}

/** Validates a CNPJ as the server does (balcao.NormalizeCNPJ); returns the 14 digits or null. */
export function normalizeCNPJ(s: string): string | null {
  if (/[^0-9./\- ]/.test(s)) return null
  const d = onlyDigits(s)
  if (d.length !== 14 || /^(\d)\1{13}$/.test(d)) return null
  const n = [...d].map(Number)
  if (cnpjDigit(n.slice(0, 12)) !== n[12] || cnpjDigit(n.slice(0, 13)) !== n[13]) return null
  return d
}

/** A loose check of a phone before the server normalizes it. */
export function plausiblePhone(s: string): boolean {
  if (/[^0-9+\-(). ]/.test(s)) return false
  const d = onlyDigits(s)
  return d.length >= 10 && d.length <= 15
}

// Times and days are São Paulo's, whatever the browser's zone: the office's hours, the
// server's days (history, dashboard) and the schedules' inputs are.
const saoPaulo = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'America/Sao_Paulo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

/** The parts of an instant in São Paulo; null when it is not a valid time. */
function spParts(iso: string | Date): Record<string, string> | null {
  const d = iso instanceof Date ? iso : new Date(iso)
  if (isNaN(d.getTime())) return null
  const p: Record<string, string> = {}
  for (const part of saoPaulo.formatToParts(d)) p[part.type] = part.value
  return p
}

/** 14:05, in São Paulo. */
export function time(iso: string): string {
  const p = spParts(iso)
  return p ? `${p.hour}:${p.minute}` : ''
}

/** What a datetime-local input shows for an instant, in São Paulo time (YYYY-MM-DDTHH:MM); '' for none. */
export function localInput(iso?: string): string {
  const p = iso ? spParts(iso) : null
  return p ? `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}` : ''
}

/** The São Paulo day of an instant, as YYYY-MM-DD. */
export function dayKey(iso: string | Date): string {
  const p = spParts(iso)
  return p ? `${p.year}-${p.month}-${p.day}` : ''
}

export function dayLabel(iso: string, now = new Date()): string {
  const key = dayKey(iso)
  if (key === dayKey(now)) return t.today
  if (key === dayKey(new Date(now.getTime() - 24 * 3600 * 1000))) return t.yesterday // São Paulo keeps no summer time
  const d = new Date(iso)
  if (isNaN(d.getTime())) return ''
  return d.toLocaleDateString('pt-BR', { weekday: 'long', day: '2-digit', month: 'long', year: 'numeric', timeZone: 'America/Sao_Paulo' })
}

/** 03/11/2026, the São Paulo day. */
export function shortDate(iso: string): string {
  const p = spParts(iso)
  return p ? `${p.day}/${p.month}/${p.year}` : ''
}

/** The time of the last message in a list row: 14:05, Ontem or 03/11/2026. */
export function listTime(iso: string, now = new Date()): string {
  if (!iso || iso.startsWith('0001')) return ''
  const label = dayLabel(iso, now)
  if (label === t.today) return time(iso)
  if (label === t.yesterday) return t.yesterday
  return shortDate(iso)
}

/** A waiting time: 45 s, 12 min, 3 h 05, 2 d. */
export function duration(fromIso: string, now = Date.now()): string {
  const s = Math.max(0, Math.floor((now - new Date(fromIso).getTime()) / 1000))
  if (isNaN(s)) return ''
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  if (h < 24) return `${h} h ${pad(m % 60)}`
  return `${Math.floor(h / 24)} d`
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean)
  if (parts.length === 0) return '#'
  return ((parts[0][0] ?? '') + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase()
}

/** firstName is how messages call a contact ({cliente}), as the server renders it. */
export function firstName(name: string): string {
  const first = name.trim().split(/\s+/)[0] ?? ''
  return first.charAt(0).toUpperCase() + first.slice(1).toLowerCase()
}

export function fileSize(n?: number): string {
  if (!n) return ''
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`
  return `${(n / 1024 / 1024).toFixed(1).replace('.', ',')} MB`
}

export const MAX_TEXT_BYTES = 64 << 10

export function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length
}

const decimal1 = new Intl.NumberFormat('pt-BR', { maximumFractionDigits: 1 })
const integer = new Intl.NumberFormat('pt-BR', { maximumFractionDigits: 0 })

/** A count with Brazilian digit grouping: 12.345. */
export function num(n: number): string {
  return integer.format(n)
}

/** A duration for people, from milliseconds: 850 ms, 1,2 s, 45 s, 3 min 20 s, 2 h 5 min, 3 d 4 h. */
export function humanDuration(ms: number): string {
  if (!isFinite(ms) || ms < 0) return t.none
  if (ms < 1) return `${(ms < 0.01 ? decimal1 : integer).format(ms * 1000)} µs`
  if (ms < 1000) return `${integer.format(ms)} ms`
  const s = ms / 1000
  if (s < 10) return `${decimal1.format(Math.floor(s * 10) / 10)} s`
  const secs = Math.floor(s)
  if (secs < 60) return `${secs} s`
  const m = Math.floor(secs / 60)
  if (m < 60) return secs % 60 ? `${m} min ${secs % 60} s` : `${m} min`
  const h = Math.floor(m / 60)
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`
  const d = Math.floor(h / 24)
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`
}

/** A short duration for chart axes: 30 s, 2 min, 1 h. */
export function shortDuration(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s} s`
  const m = Math.round(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.round(m / 60)
  if (h < 24) return `${h} h`
  return `${Math.round(h / 24)} d`
}

/** The time between two RFC 3339 instants, humanly; empty when either is missing. */
export function between(from?: string, to?: string): string {
  if (!from || !to) return ''
  return humanDuration(new Date(to).getTime() - new Date(from).getTime())
}

/** 03/11/2026 14:05 */
export function dateTime(iso?: string): string {
  if (!iso) return ''
  return `${shortDate(iso)} ${time(iso)}`
}

/** The São Paulo day it is (as YYYY-MM-DD), not the browser's: the server's days are São Paulo's. */
export function today(now = new Date()): string {
  return dayKey(now)
}

/** A day (YYYY-MM-DD) moved by n days, as calendar arithmetic: no zone involved. */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10)
}

/** A month (YYYY-MM) moved by n months, as calendar arithmetic: no zone involved. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number)
  const i = y * 12 + (m - 1) + n
  return `${String(Math.floor(i / 12)).padStart(4, '0')}-${pad((i % 12) + 1)}`
}

/** "2026-11" → "novembro de 2026" */
export function monthLabel(month: string): string {
  const [y, m] = month.split('-').map(Number)
  if (!y || !m) return month
  return new Date(y, m - 1, 1).toLocaleDateString('pt-BR', { month: 'long', year: 'numeric' })
}

/** A running time that ticks each second: 0 s, 9 s, 3 min 20 s, 2 h 5 min. */
export function elapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  return s < 10 ? `${s} s` : humanDuration(s * 1000)
}

/** An instant in São Paulo time, whatever the browser's zone: 03/11/2026 14:05. Empty when
 * it is missing (absent, or Go's zero time). */
export function spDateTime(iso?: string | null): string {
  if (!iso || iso.startsWith('0001-')) return ''
  const p = spParts(iso)
  return p ? `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}` : ''
}
