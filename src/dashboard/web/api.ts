// Requests to the Kubernetes API from the page: same origin (k8ts serves the page beside the API;
// `k8ts dashboard` serves it beside a proxy), with the bearer token the login page took.
import type { KubeObject } from '../../api/meta/types.ts';
import type { ApiAction } from '../model/actions.ts';

const TOKEN_KEY = 'k8ts.dashboard.token';

export const savedToken = (): string | undefined => sessionStorage.getItem(TOKEN_KEY) ?? undefined;
export const saveToken = (token: string | undefined) => (token ? sessionStorage.setItem(TOKEN_KEY, token) : sessionStorage.removeItem(TOKEN_KEY));

export class ApiFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = savedToken();
  return { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
}

/** A Status body's message, else the HTTP status line. */
async function failure(res: Response): Promise<ApiFailure> {
  let message = `${res.status} ${res.statusText}`;
  try {
    const status = (await res.json()) as { message?: string };
    if (status.message) message = status.message;
  } catch {
    /* not a Status */
  }
  return new ApiFailure(res.status, message);
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { headers: headers(), signal });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

/** Whether the API answers with the saved token (or without one, behind `k8ts dashboard`'s proxy). */
export async function signedIn(): Promise<boolean> {
  const res = await fetch('/api', { headers: headers() });
  if (res.status === 401) return false;
  if (!res.ok) throw await failure(res);
  return true;
}

export async function run(action: ApiAction): Promise<KubeObject | undefined> {
  const res = await fetch(action.path, {
    method: action.method,
    headers: headers(action.contentType ? { 'content-type': action.contentType } : {}),
    body: action.body === undefined ? undefined : JSON.stringify(action.body),
  });
  if (!res.ok) throw await failure(res);
  const text = await res.text();
  return text ? (JSON.parse(text) as KubeObject) : undefined;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject & { code?: number; message?: string };
}

/** Streams a watch's events until it ends; rejects when the request fails. */
export async function watch(path: string, onEvent: (e: WatchEvent) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(path, { headers: headers(), signal });
  if (!res.ok) throw await failure(res);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += value;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.trim()) onEvent(JSON.parse(line) as WatchEvent);
    }
  }
}
