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

export function time(iso: string): string {
  const d = new Date(iso)
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`
}

export function dayKey(iso: string): string {
  const d = new Date(iso)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

export function dayLabel(iso: string, now = new Date()): string {
  const key = dayKey(iso)
  if (key === dayKey(now.toISOString())) return t.today
  const y = new Date(now)
  y.setDate(y.getDate() - 1)
  if (key === dayKey(y.toISOString())) return t.yesterday
  const d = new Date(iso)
  return d.toLocaleDateString('pt-BR', { weekday: 'long', day: '2-digit', month: 'long', year: 'numeric' })
}

export function shortDate(iso: string): string {
  const d = new Date(iso)
  return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`
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
