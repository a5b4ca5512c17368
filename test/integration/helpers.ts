// In-process cluster for integration tests: the whole control plane on the memory (or SQLite)
// store, driven through ApiServer.handle exactly as HTTPS requests would be.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Status } from '../../src/api/meta/types.ts';
import type { ApiResponse } from '../../src/apiserver/types.ts';
import { startControlPlane, type ControlPlane } from '../../src/cli/control-plane.ts';

export interface TestCluster extends ControlPlane {
  call(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON body (undefined for streams and non-JSON). */
  json: any;
  text: string;
  raw: ApiResponse;
}

export async function startTestCluster(opts: { datastore?: 'memory' | 'sqlite'; controllers?: boolean } = {}): Promise<TestCluster> {
  const datastore = opts.datastore ?? 'memory';
  const dataDir = datastore === 'sqlite' ? mkdtempSync(join(tmpdir(), 'k8ts-it-')) : undefined;
  const cp = await startControlPlane({ datastore, dataDir, controllers: opts.controllers });
  const call = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const h: Record<string, string> = { 'user-agent': 'k8ts-tests/v0', ...headers };
    let payload: Uint8Array | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' || body instanceof Uint8Array ? Buffer.from(body as string) : Buffer.from(JSON.stringify(body));
      h['content-type'] ??= 'application/json';
    }
    const raw = await cp.api.handle({ method, url, headers: h, body: payload });
    const text = raw.body === undefined ? '' : typeof raw.body === 'string' ? raw.body : Buffer.from(raw.body).toString('utf8');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: raw.status, headers: raw.headers, json, text, raw };
  };
  return { ...cp, call };
}

/** Asserts a Status answer: code, reason and (a part of) the message. */
export function expectStatus(reply: Reply, want: { code: number; reason?: string; message?: string | RegExp }): Status {
  expect(reply.status, reply.text).toBe(want.code);
  const s = reply.json as Status;
  expect(s.kind).toBe('Status');
  expect(s.code).toBe(want.code);
  if (want.reason) expect(s.reason).toBe(want.reason);
  if (typeof want.message === 'string') expect(s.message).toContain(want.message);
  else if (want.message) expect(s.message).toMatch(want.message);
  return s;
}

/** Polls fn until it returns a truthy value or the deadline passes. */
export async function eventually<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, opts: { timeoutMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sts = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name },
  spec: {
    serviceName: name,
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
    ...extra,
  },
});

export const configMap = (name: string, data: Record<string, string> = { a: '1' }) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

/** A JSON request to `cp` with `token` as the bearer token (a restricted user's, not the admin's). */
export async function callWithToken(cp: Pick<ControlPlane, 'api'>, token: string, method: string, url: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await cp.api.handle({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? Buffer.from(JSON.stringify(body)) : undefined,
  });
  const text = res.body === undefined ? '' : String(res.body);
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}
