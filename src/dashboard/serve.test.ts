import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveDashboard } from './serve.ts';

const dir = mkdtempSync(join(tmpdir(), 'k8ts-dash-')) + '/';
writeFileSync(join(dir, 'index.html'), '<!doctype html>');
writeFileSync(join(dir, 'app.js'), 'export {}');
const serve = serveDashboard(dir);

describe('serveDashboard', () => {
  it.each([
    ['/dashboard/', 200, 'text/html; charset=utf-8'],
    ['/dashboard/app.js', 200, 'text/javascript; charset=utf-8'],
    ['/dashboard/missing.css', 404, 'text/plain; charset=utf-8'],
    ['/dashboard/../state.db', 404, 'text/plain; charset=utf-8'],
    ['/dashboard/%2e%2e%2fkubeconfig.js', 404, 'text/plain; charset=utf-8'],
    ['/dashboard/sub/app.js', 404, 'text/plain; charset=utf-8'],
    ['/dashboard/app.exe', 404, 'text/plain; charset=utf-8'],
  ])('%s answers %i', async (path, status, type) => {
    const res = await serve(path);
    expect(res?.status).toBe(status);
    expect(res?.headers['content-type']).toBe(type);
  });

  it('redirects /dashboard to /dashboard/ and passes other paths on', async () => {
    expect((await serve('/dashboard'))?.headers.location).toBe('/dashboard/');
    expect(await serve('/api/v1/pods')).toBeUndefined();
  });

  it('sends the page with a content security policy that allows only its own origin', async () => {
    const res = await serve('/dashboard/');
    expect(res?.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res?.headers['x-frame-options']).toBe('DENY');
  });

  it('says how to build the page when it is not built', async () => {
    const res = await serveDashboard('')('/dashboard/');
    expect(res?.status).toBe(503);
    expect(String(res?.body)).toContain('npm run build');
  });
});
