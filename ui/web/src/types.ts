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
  department?: string // a department id (Settings.departments)
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
  /** The id of the message a client's reply quotes on WhatsApp. */
  quoted?: number
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

/** A page of the address book (Gerenciar contatos): GET /api/addressbook. */
export interface AddressBookPage {
  contacts: Contact[]
  next: string
  total: number
}

/** One line of a contacts import: POST /api/addressbook/import. */
export interface ImportLine {
  line: number
  phone: string
  name: string
  companies: CompanyRef[]
  status: 'new' | 'update' | 'unchanged' | 'error'
  error?: string
}

export interface ImportCounts {
  new: number
  update: number
  unchanged: number
  error: number
}

export interface ImportReport {
  lines: ImportLine[]
  counts: ImportCounts
  applied: boolean
}

export interface StaffMember {
  user: string
  name: string
  role: Role
  departments?: string[] // department ids; none: every department
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
  documents?: string[]
  delivered: boolean
  createdAt: string
  updatedAt: string
}

/** A document the office published for a job, as its delivery record carries it. */
export interface StoredDocument {
  id: string
  name: string
  mime: string
  size: number
  createdAt: string
}

/** The delivery record of one document (GET /api/jobs/{id}): what the office shows a client
 * who says it never came. Times are RFC 3339; a step not reached is absent (or Go's zero time). */
export interface Delivery {
  document: StoredDocument
  requested: string
  generated: string
  status: string
  statusAt?: Partial<Record<'sent' | 'delivered' | 'read', string>> | null
  downloads?: string[] | null
}

export interface WhatsAppStatus {
  state: string
  phone?: string
  qr?: string // administradores only: the server leaves it out for everyone else
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
  departments: DepartmentQueue[] | null
}

/** One department's live queue; id '' gathers the conversations with no department. */
export interface DepartmentQueue {
  id: string
  name: string
  pending: number
  oldestPending?: string
  attending: number
}

/** A ready answer (Resposta Padrão), picked with "/" in the composer. */
export interface CannedAnswer {
  id: string
  shortcut: string
  text: string
  owner?: string
}

/** The office's preferences (GET/PUT /api/settings; balcao.Settings). */
export type DocRule = 'auto' | 'confirm' | 'period_closed' | 'staff'

export interface Interval {
  from: string // "HH:MM"
  to: string
}

export interface Department {
  id: string // slug, stable
  name: string
}

export interface PortfolioEntry {
  company: string
  department: string
  staff: string
}

export interface Settings {
  rules: Record<string, DocRule>
  hours: Record<string, Interval[]> // weekday keys sun…sat
  daysOff: string[] // YYYY-MM-DD
  ignoreHolidays: boolean
  identifyStaff: boolean
  survey: boolean
  departments: Department[]
  distribution: boolean
  portfolio: PortfolioEntry[]
  restrict: boolean
  messages: Record<string, string> // overrides by key; missing or empty: the default
  reminders: { guides: string[]; daysBefore: number }
}

/** Listas de Transmissão and Agendamento: see docs/API.md. */
export interface BroadcastList {
  id: string
  name: string
  contacts: string[]
  companies: string[]
  createdBy: string
  createdAt: string
}

export interface Schedule {
  id: string
  name: string
  text: string
  target: { kind: 'contact' | 'company' | 'list'; id: string }
  recurrence: { kind: 'once' | 'daily' | 'weekly' | 'monthly' | 'business_day'; at?: string; time?: string; weekdays?: string[]; day?: number }
  request: { intent: string; competence: string } | null
  next?: string
  enabled: boolean
  broadcast: boolean
  createdBy: string
  createdAt: string
}

/** One occurrence being sent (schedule.progress frames carry it too). */
export interface ScheduleRun {
  schedule: string
  name: string
  at: string
  total: number
  sent: number
  failed: number
  done: boolean
  canceled: boolean
  startedAt: string
  finishedAt?: string
}

/** GET /api/settings/defaults: the default texts, their variables and departments. */
export interface SettingsDefaults {
  messages: Record<string, string>
  variables: string[] // every message may hold them
  keyVariables?: Record<string, string[]> // only some messages may hold these, by key
  departments: Department[]
}
