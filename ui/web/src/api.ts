// Thin typed fetch wrapper. Errors from the server arrive as {"error":{"code","message"}}
// with a Portuguese message, which ApiError carries to the screen as is.
import { t } from './strings'

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public fields: Record<string, string> = {},
  ) {
    super(message)
  }

  /** The session is gone: the login screen must come back. */
  get unauthorized(): boolean {
    return this.status === 401 && this.code !== 'invalid_credentials'
  }
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } }
  if (body instanceof FormData) {
    init.body = body // multipart: the browser sets the Content-Type with its boundary
  } else if (body !== undefined) {
    init.headers = { ...init.headers, 'Content-Type': 'application/json' }
    init.body = JSON.stringify(body)
  } else if (method !== 'GET') {
    init.headers = { ...init.headers, 'Content-Type': 'application/json' }
  }
  let res: Response
  try {
    res = await fetch(path, init)
  } catch {
    throw new ApiError(0, 'network', t.networkError)
  }
  if (res.status === 204) return undefined as T
  let data: any = null
  try {
    data = await res.json()
  } catch {
    data = null
  }
  if (!res.ok) {
    const e = data?.error
    throw new ApiError(res.status, e?.code ?? 'http_' + res.status, e?.message ?? t.unexpected, e?.fields ?? {})
  }
  return data as T
}

/** The Portuguese message to show for any error. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.unauthorized ? t.sessionEndedNotDone : err.message
  return t.unexpected
}
