// helm 4 against k8ts: install (server-side apply and protobuf release Secrets), upgrade,
// rollback, list and uninstall of a chart with a headless Service and a StatefulSet.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartsDir, startK8ts, type K8ts } from './harness.ts';

let k: K8ts;
beforeAll(async () => {
  k = await startK8ts();
});
afterAll(async () => {
  await k?.stop();
});

const chart = join(chartsDir, 'web');

async function helmOk(args: string[]) {
  const r = await k.helm(args, { allowFail: true });
  expect(r.code, `helm ${args.join(' ')}\n${r.stderr}\n${k.output().slice(-2000)}`).toBe(0);
  return r.stdout;
}

async function replicas(): Promise<string> {
  const r = await k.kubectl(['get', 'sts', 'web', '-o', 'jsonpath={.spec.replicas}']);
  return r.stdout;
}

describe('helm', () => {
  it('installs a chart', async () => {
    const out = await helmOk(['install', 'web', chart]);
    expect(out).toMatch(/STATUS: deployed/);
    expect(await replicas()).toBe('2');
    const svc = await k.kubectl(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
    expect(svc.stdout).toBe('None');
    const secrets = await k.kubectl(['get', 'secrets', '-l', 'owner=helm', '-o', 'name']);
    expect(secrets.stdout.trim()).toBe('secret/sh.helm.release.v1.web.v1');
  });

  it('upgrades and rolls back', async () => {
    await helmOk(['upgrade', 'web', chart, '--set', 'replicas=3']);
    expect(await replicas()).toBe('3');
    await helmOk(['rollback', 'web', '1']);
    expect(await replicas()).toBe('2');
    const history = await helmOk(['history', 'web']);
    expect(history).toMatch(/3\s.*deployed/);
  });

  it('lists releases', async () => {
    const out = await helmOk(['list']);
    expect(out).toMatch(/web\s+default\s+3\s/);
  });

  it('uninstalls and removes what it installed', async () => {
    await helmOk(['uninstall', 'web']);
    const r = await k.kubectl(['get', 'sts,svc,secrets', '-o', 'name']);
    expect(r.stdout).not.toMatch(/web/);
  });
});
