// What was acknowledged survives: a graceful restart keeps every object, and so does kill -9 in
// the middle of a write load (every 201 the clients saw is there after the restart).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startK8ts, waitFor, type K8ts } from './harness.ts';

let k: K8ts;
beforeAll(async () => {
  k = await startK8ts();
});
afterAll(async () => {
  await k?.stop();
});

const cm = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { payload: 'x'.repeat(200) } });

async function names(): Promise<Set<string>> {
  const r = await k.fetch('/api/v1/namespaces/default/configmaps');
  return new Set((JSON.parse(r.body).items as { metadata: { name: string } }[]).map((i) => i.metadata.name));
}

describe('durability', () => {
  it('keeps objects across a graceful restart', async () => {
    await k.kubectl(['create', 'configmap', 'before-restart', '--from-literal=a=b']);
    await k.restart({ graceful: true });
    const r = await k.kubectl(['get', 'configmap', 'before-restart', '-o', 'jsonpath={.data.a}']);
    expect(r.stdout).toBe('b');
  });

  it('keeps every acknowledged write through kill -9', async () => {
    const acked = new Set<string>();
    let stop = false;
    let n = 0;
    const writer = async () => {
      while (!stop) {
        const name = `load-${n++}`;
        try {
          const r = await k.fetch('/api/v1/namespaces/default/configmaps', { method: 'POST', body: cm(name), headers: { 'content-type': 'application/json' } });
          if (r.status === 201) acked.add(name);
        } catch {
          return; // the server died under us
        }
      }
    };
    const writers = Array.from({ length: 16 }, writer);
    await waitFor(() => acked.size >= 500, { timeoutMs: 60_000 });
    await k.kill9();
    stop = true;
    await Promise.allSettled(writers);
    await k.restart();
    const stored = await names();
    const lost = [...acked].filter((name) => !stored.has(name));
    expect(lost).toEqual([]);
    expect(acked.size).toBeGreaterThanOrEqual(500);
  });
});
