// Shapes of the staff API (see ui/server.go and the root package's views).

export type Role = 'administrador' | 'gerente' | 'atendente'
export type State = 'assistant' | 'pending' | 'attending'
export type Tab = 'contatos' | 'pendentes' | 'atendimento'
export const TABS: Tab[] = ['contatos', 'pendentes', 'atendimento']

export interface Me {
  office: string
  user: string
  name: string
  role: Role
  expires: string
}

export interface CompanyRef {
  id: string
  name: string
  cnpj: string
}

export interface Conversation {
  id: string
  state: State
  attendant?: string
  contact: { phone: string; name: string; linked: boolean }
  companies: CompanyRef[]
  unread: number
  lastAt: string
  preview: string
  stateSince: string
  lastSeq: number
}

export interface DocumentRef {
  name: string
  url: string
  mime?: string
  size?: number
}

export interface Message {
  id: number
  direction: 'in' | 'out'
  author: string
  text: string
  document: DocumentRef | null
  waId?: string
  status?: string
  at: string
}

export interface Company {
  id: string
  name: string
  cnpj: string
  enabled: boolean
  useAssistant: boolean
  createdAt: string
}

export interface Contact {
  phone: string
  name: string
  companies: string[]
  createdAt: string
}

export interface StaffMember {
  user: string
  name: string
  role: Role
}

export interface Job {
  id: string
  company: string
  cnpj: string
  intent: string
  competence?: string
  person?: string
  phone: string
  state: string
  reason?: string
  hold?: string
  attempts: number
  delivered: boolean
  createdAt: string
  updatedAt: string
}

export interface WhatsAppStatus {
  state: string
  phone?: string
  qr?: string
  error?: string
}

/** A websocket frame after the hello. */
export interface Frame {
  seq: number
  type: string
  at: string
  data: any
}

export interface Hello {
  type: 'hello'
  epoch: string
  seq: number
  resync: boolean
}

export type Outcome = 'assistente' | 'atendente' | 'desconsiderado'
export const OUTCOMES: Outcome[] = ['assistente', 'atendente', 'desconsiderado']

/** One atendimento in the history (times are RFC 3339; absent when it did not happen). */
export interface Service {
  id: string
  phone: string
  contactName: string
  company?: string
  companyName?: string
  department?: string
  start: string
  queued?: string
  taken?: string
  firstResponse?: string
  end?: string
  outcome?: Outcome
  staff?: string
  staffMessages: number
  rating?: number
}

export interface Transition {
  from: string
  to: string
  staff?: string
  reason: string
  at: string
}

export interface Percentiles {
  count: number
  mean: number
  p50: number
  p90: number
  p99: number
  max: number
}

export interface Dashboard {
  month: string
  services: Partial<Record<Outcome, number>>
  previous: Partial<Record<Outcome, number>>
  assistantReplyUs: Percentiles
  firstResponseMs: Percentiles
  serviceTimeMs: Percentiles
  firstResponseBars: { from: number; to: number; count: number }[] | null
  perDay: { day: string; services: number }[] | null
  topStaff: { staff: string; services: number; firstResponseP50Ms: number }[] | null
  topClients: { name: string; count: number }[] | null
  documents: Record<string, number> | null
  satisfaction: Record<string, number> | null
}

export interface Queues {
  pending: number
  oldestPending?: string
  attending: { conversation: string; contact: string; staff: string; staffName: string; since: string }[] | null
  agents: { remote: number; embedded: boolean }
  jobs: Record<string, number> | null
}

/** A ready answer (Resposta Padrão), picked with "/" in the composer. */
export interface CannedAnswer {
  id: string
  shortcut: string
  text: string
  owner?: string
}
