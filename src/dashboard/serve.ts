// The dashboard's files, served under /dashboard/ on the API port before authentication: they
// hold no cluster data (the page asks for a token and reads everything through the API).
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ApiResponse } from '../apiserver/types.ts';

export const DASHBOARD_PATH = '/dashboard/';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

const HEADERS = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
};

/**
 * Where the built page is: beside the bundle (dist/dashboard/), or, when running from the
 * sources (tests), the repository's dist/dashboard/.
 */
export function dashboardDir(): string | undefined {
  for (const rel of ['./dashboard/', '../../dist/dashboard/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  return undefined;
}

/** Answers /dashboard and the paths below it (from `dir`; empty: not built); undefined for every other path. */
export function serveDashboard(dir = dashboardDir()): (path: string) => Promise<ApiResponse | undefined> {
  const cache = new Map<string, Buffer>();
  return async (path) => {
    if (path === '/dashboard') return { status: 301, headers: { location: DASHBOARD_PATH }, body: '' };
    if (!path.startsWith(DASHBOARD_PATH)) return undefined;
    const file = path === DASHBOARD_PATH ? 'index.html' : path.slice(DASHBOARD_PATH.length);
    const type = TYPES[file.slice(file.lastIndexOf('.'))];
    // Only the flat files the build writes: no directories, so no way out of `dir`.
    if (!type || !/^[a-z0-9.-]+$/i.test(file)) return notFound();
    if (!dir) return { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'the dashboard is not built: run `npm run build`\n' };
    let body = cache.get(file);
    if (!body) {
      try {
        body = await readFile(dir + file);
      } catch {
        return notFound();
      }
      cache.set(file, body);
    }
    return { status: 200, headers: { 'content-type': type, ...HEADERS }, body };
  };
}

const notFound = (): ApiResponse => ({ status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '404 page not found\n' });
