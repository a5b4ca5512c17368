// The datastore's size budget with the pinned kubectl: `k8ts up --datastore-quota 3Mi` refuses
// creates once the database passes it, with a message that says what to do, and still deletes.
import { describe, expect, it } from 'vitest';
import { useK8ts, waitFor } from './harness.ts';

const cluster = useK8ts({ args: ['--datastore-quota', '3Mi'] });

const configMap = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { blob: 'x'.repeat(400_000) } });

describe('datastore size budget', () => {
  it('refuses creates past the budget with an actionable error, and still deletes', async () => {
    let refused = '';
    const made: string[] = [];
    await waitFor(
      async () => {
        const name = `big-${made.length}`;
        const r = await cluster().kubectl(['create', '-f', '-'], { input: configMap(name), allowFail: true });
        if (r.code === 0) made.push(name);
        else refused = r.stderr;
        return refused !== '';
      },
      { timeoutMs: 60_000, intervalMs: 600 },
    );
    expect(made.length).toBeGreaterThan(0);
    expect(refused).toMatch(/Error from server \(InternalError\).*Create refused: the datastore is over its size budget \([\d.]+ MiB of 3\.0 MiB\): delete objects \(deletes are still accepted/);
    const del = await cluster().kubectl(['delete', 'configmap', made[0]!]);
    expect(del.stdout).toContain(`configmap "${made[0]}" deleted`);
    // Reads go on as before.
    expect((await cluster().kubectl(['get', 'configmaps', '-o', 'name'])).stdout).toContain(`configmap/${made[1] ?? 'kube-root-ca.crt'}`);
  });
});
