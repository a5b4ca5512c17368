// Resource limits in the process runtime: a container over its memory limit is OOM-killed by the
// kernel and reported as OOMKilled, and a cpu limit becomes the container's CFS quota. Skipped,
// saying why, on machines without root, bubblewrap, namespaces or usable cgroups.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectCgroups } from '../../src/process/cgroups.ts';
import { container, processRuntimeMissing, until, useProcessCluster } from './process-cluster.ts';

function cgroupsUnavailable(): string | undefined {
  const h = detectCgroups({ instance: 'probe' });
  if ('unavailable' in h) return `usable cgroups (${h.unavailable})`;
  h.prune();
  return undefined;
}

const missing = await processRuntimeMissing();
if (!missing.length && cgroupsUnavailable()) missing.push(cgroupsUnavailable()!);
if (missing.length) console.warn(`process runtime cgroup tests skipped: this machine lacks ${missing.join(', ')}`);

/** Where a process's cgroup of a controller is on the host ('' for the v2 unified hierarchy). */
function cgroupDir(pid: number, controller: string): string {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  const v1 = lines.find((l) => l.split(':')[1]?.split(',').includes(controller));
  if (v1) return join('/sys/fs/cgroup', v1.split(':')[1]!, v1.split(':')[2]!);
  return join('/sys/fs/cgroup', lines.find((l) => l.startsWith('0::'))!.slice(3));
}

interface Terminated {
  reason: string;
  exitCode: number;
}

describe.skipIf(missing.length > 0)('process runtime cgroups', () => {
  const cluster = useProcessCluster({ nodes: ['worker-a'], datastore: 'memory' });
  const pods = () => cluster().client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });

  it('OOM-kills a container over its memory limit and reports OOMKilled with exit code 137', async () => {
    await pods().create('default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'hog' },
      spec: { restartPolicy: 'Never', containers: [container('main', { command: ['sh', '-c', 'x=a; while true; do x=$x$x; done'], resources: { limits: { memory: '32Mi' } } })] },
    });
    const t = await until('hog terminated', async () => {
      const s = ((await pods().get('default', 'hog')).status as { containerStatuses?: { state?: { terminated?: Terminated } }[] })?.containerStatuses?.[0];
      return s?.state?.terminated;
    });
    expect(t).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
  }, 40_000);

  it('gives a cpu limit as the CFS quota and the request as shares, and a memory limit', async () => {
    await pods().create('default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'capped' },
      spec: { terminationGracePeriodSeconds: 1, containers: [container('main', { command: ['sleep', '3600'], resources: { requests: { cpu: '100m' }, limits: { cpu: '250m', memory: '64Mi' } } })] },
    });
    const p = await until('capped running', async () => {
      const p = await pods().get('default', 'capped');
      return ((p.status as { containerStatuses?: { state?: { running?: object } }[] })?.containerStatuses?.[0]?.state?.running ? p : undefined);
    });
    const agent = cluster().pool!.agent((p.spec as { nodeName: string }).nodeName)!;
    const c = agent.pods.tracks.get('default/capped')!.containers.get('main')!.current! as { pid?: number };
    expect(c.pid).toBeGreaterThan(0);
    const cpu = cgroupDir(c.pid!, 'cpu');
    const mem = cgroupDir(c.pid!, 'memory');
    expect(cpu).toContain('/k8ts/');
    if (readFileSync(`/proc/${c.pid}/cgroup`, 'utf8').includes(':cpu')) {
      expect(readFileSync(join(cpu, 'cpu.cfs_quota_us'), 'utf8').trim()).toBe('25000');
      expect(readFileSync(join(cpu, 'cpu.cfs_period_us'), 'utf8').trim()).toBe('100000');
      expect(readFileSync(join(cpu, 'cpu.shares'), 'utf8').trim()).toBe('102');
      expect(readFileSync(join(mem, 'memory.limit_in_bytes'), 'utf8').trim()).toBe(String(64 * 2 ** 20));
    } else {
      expect(readFileSync(join(cpu, 'cpu.max'), 'utf8').trim()).toBe('25000 100000');
      expect(readFileSync(join(cpu, 'cpu.weight'), 'utf8').trim()).toBe('4');
      expect(readFileSync(join(mem, 'memory.max'), 'utf8').trim()).toBe(String(64 * 2 ** 20));
    }
    // The pod's cgroups go with it.
    await pods().delete('default', 'capped');
    await until('capped cgroup removed', () => {
      try {
        readFileSync(join(cpu, 'cgroup.procs'));
        return undefined;
      } catch {
        return true;
      }
    });
  }, 40_000);
});
