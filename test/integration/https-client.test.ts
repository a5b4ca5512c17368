// The Client over the HTTPS transport against a real listener: CRUD, errors, auth and watch.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/errors.ts';
import { listenHttps } from '../../src/apiserver/https-server.ts';
import { ensurePki } from '../../src/cli/pki.ts';
import { startControlPlane, type ControlPlane } from '../../src/cli/control-plane.ts';
import { Client } from '../../src/client/client.ts';
import { httpsTransport } from '../../src/client/https-transport.ts';
import { ServerList } from '../../src/client/server-list.ts';
import { Informer } from '../../src/client/informer.ts';
import { systemClock } from '../../src/util/clock.ts';
import { eventually } from './helpers.ts';

let cp: ControlPlane;
let http: Awaited<ReturnType<typeof listenHttps>>;
let transport: ReturnType<typeof httpsTransport>;
let server: string;
let pki: Awaited<ReturnType<typeof ensurePki>>;

beforeAll(async () => {
  pki = await ensurePki(mkdtempSync(join(tmpdir(), 'k8ts-https-')));
  cp = await startControlPlane({ datastore: 'memory', token: pki.token, controllers: false });
  http = await listenHttps(cp.api, { cert: pki.certPem, key: pki.keyPem, port: 0 });
  server = `https://127.0.0.1:${http.port}`;
  transport = httpsTransport({ server, caPem: pki.caCertPem, token: pki.token });
});
afterAll(async () => {
  transport.close();
  await http.close();
  await cp.stop();
});

describe('HTTPS client', () => {
  it('creates, reads and reports errors as ApiError', async () => {
    const cms = new Client(transport).resource({ apiVersion: 'v1', resource: 'configmaps', namespaced: true });
    await cms.create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'remote' }, data: { a: '1' } });
    expect((await cms.get('default', 'remote')).data).toEqual({ a: '1' });
    const err = await cms.get('default', 'missing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(404);
  });

  it('passes over a server that cannot be reached for the next one of the cluster', async () => {
    const servers = new ServerList(['https://127.0.0.1:1', server]);
    const t = httpsTransport({ server: servers, caPem: pki.caCertPem, token: pki.token });
    const res = await t({ method: 'GET', url: '/api/v1/namespaces/default', headers: {} });
    t.close();
    expect(res.status).toBe(200);
    expect(servers.current()).toBe(server);
  });

  it('is refused without the token', async () => {
    const anon = httpsTransport({ server, caPem: pki.caCertPem, token: 'wrong' });
    const res = await anon({ method: 'GET', url: '/api/v1/namespaces', headers: {} });
    anon.close();
    expect(res.status).toBe(401);
  });

  it('keeps an informer in sync over a watch', async () => {
    const cms = new Client(transport).resource({ apiVersion: 'v1', resource: 'configmaps', namespaced: true });
    const informer = new Informer(cms, { clock: systemClock, namespace: 'default' });
    const stop = new AbortController();
    const running = informer.run(stop.signal);
    await informer.waitForSync();
    expect(informer.get('default', 'remote')).toBeTruthy();
    await cms.create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'later' } });
    await eventually(() => informer.get('default', 'later'), { what: 'informer to see the new object' });
    expect(Object.isFrozen(informer.get('default', 'later'))).toBe(true);
    await cms.delete('default', 'later');
    await eventually(() => !informer.get('default', 'later'), { what: 'informer to see the deletion' });
    stop.abort();
    await running;
  });
});
