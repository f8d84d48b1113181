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
