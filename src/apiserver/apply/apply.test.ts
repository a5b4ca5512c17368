import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import type { SchemaNode } from '../../api/schema/types.ts';
import { ApplyConflictError, serverSideApply } from './apply.ts';
import { FieldSet } from './fields.ts';
import { statefulSetSchema, stored, webManifest } from './fixtures.ts';
import { LAST_APPLIED_ANNOTATION } from './last-applied.ts';
import { trackUpdate } from './managed-fields.ts';
import { goJson, pathToString } from './path-element.ts';

const T = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

type Step = (
  | { apply: string; body: KubeObject; force?: boolean; conflict?: string }
  | { update: string; change: (o: KubeObject) => void; subresource?: string }
  | { create: string; body: KubeObject }
) & {
  /** Entries as `manager operation [apiVersion] [subresource]`, in stored order. */
  entries?: string[];
  /** Paths each owner (`manager` or `manager@subresource`) must own / must not own. */
  owns?: Record<string, string[]>;
  notOwns?: Record<string, string[]>;
  check?: (o: KubeObject) => void;
};

interface Scenario {
  name: string;
  schema?: SchemaNode | null;
  steps: Step[];
}

function entries(o: KubeObject): string[] {
  return (o.metadata.managedFields ?? []).map((e) =>
    [e.manager, e.operation, e.operation === 'Update' ? e.apiVersion : '', e.subresource ?? ''].filter(Boolean).join(' '),
  );
}

function owned(o: KubeObject, owner: string): string[] {
  const [manager, subresource] = owner.split('@');
  const e = (o.metadata.managedFields ?? []).find((x) => x.manager === manager && (x.subresource ?? '') === (subresource ?? ''));
  return e ? FieldSet.fromFieldsV1(e.fieldsV1 ?? {}).paths().map(pathToString) : [];
}

function sts(o: KubeObject): { replicas?: number; serviceName?: string; template: { spec: { containers: { name: string; image?: string }[] } } } {
  return o.spec as ReturnType<typeof sts>;
}

function runScenario(sc: Scenario): void {
  const schema = sc.schema === null ? undefined : (sc.schema ?? statefulSetSchema);
  let obj: KubeObject | undefined;
  sc.steps.forEach((step, i) => {
    const now = T(i);
    if ('apply' in step) {
      const run = () => serverSideApply({ live: obj, applied: step.body, manager: step.apply, force: !!step.force, schema, apiVersion: 'apps/v1', now });
      if (step.conflict !== undefined) {
        expect(run).toThrow(ApplyConflictError);
        expect(run).toThrow(step.conflict);
        try {
          run();
        } catch (err) {
          expect((err as ApplyConflictError).message).toBe(step.conflict);
        }
      } else {
        const { object } = run();
        obj = obj ? object : stored(object);
      }
    } else if ('update' in step) {
      const updated = structuredClone(obj!);
      step.change(updated);
      obj = trackUpdate({ live: obj, updated, manager: step.update, apiVersion: 'apps/v1', now, schema, subresource: step.subresource });
    } else {
      obj = stored(trackUpdate({ live: undefined, updated: step.body, manager: step.create, apiVersion: 'apps/v1', now, schema }));
    }
    const o = obj!;
    if (step.entries) expect(entries(o), `step ${i} entries`).toEqual(step.entries);
    for (const [owner, paths] of Object.entries(step.owns ?? {})) expect(owned(o, owner), `step ${i} ${owner}`).toEqual(expect.arrayContaining(paths));
    for (const [owner, paths] of Object.entries(step.notOwns ?? {})) {
      for (const p of paths) expect(owned(o, owner), `step ${i} ${owner}`).not.toContain(p);
    }
    step.check?.(o);
  });
}

const meta = (extra: Partial<KubeObject> = {}): KubeObject => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' }, ...extra });
const nginx = { name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80, name: 'web' }] };
const csaBody = (replicas: number): KubeObject => {
  const m = webManifest({ replicas });
  return { ...m, metadata: { ...m.metadata, annotations: { [LAST_APPLIED_ANNOTATION]: `${goJson(m as never)}\n` } } };
};

const scenarios: Scenario[] = [
  {
    name: 'first apply creates the object; the applier owns every field it sent',
    steps: [
      {
        apply: 'kubectl',
        body: webManifest(),
        entries: ['kubectl Apply'],
        check: (o) => {
          const { managedFields, ...metadata } = o.metadata;
          expect({ ...o, metadata: { name: metadata.name } }).toEqual(webManifest());
          expect(managedFields).toEqual([
            {
              manager: 'kubectl',
              operation: 'Apply',
              apiVersion: 'apps/v1',
              time: '2026-03-01T10:00:00Z',
              fieldsType: 'FieldsV1',
              fieldsV1: FieldSet.fromFieldsV1(managedFields![0]!.fieldsV1!).toFieldsV1(),
            },
          ]);
          expect(owned(o, 'kubectl')).toEqual([
            '.spec.replicas',
            '.spec.selector',
            '.spec.serviceName',
            '.spec.template.metadata.labels.app',
            '.spec.template.spec.containers[name="nginx"]',
            '.spec.template.spec.containers[name="nginx"].image',
            '.spec.template.spec.containers[name="nginx"].name',
            '.spec.template.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"]',
            '.spec.template.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"].containerPort',
            '.spec.template.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"].name',
          ]);
        },
      },
    ],
  },
  {
    name: 'reapplying without a field removes it',
    steps: [
      { apply: 'kubectl', body: webManifest({ labels: { app: 'web', tier: 'front' }, containers: [nginx, { name: 'sidecar', image: 'busybox' }] }) },
      {
        apply: 'kubectl',
        body: webManifest({ labels: { app: 'web' } }),
        notOwns: { kubectl: ['.metadata.labels.tier', '.spec.template.spec.containers[name="sidecar"]'] },
        check: (o) => {
          expect(o.metadata.labels).toEqual({ app: 'web' });
          expect(sts(o).template.spec.containers.map((c) => c.name)).toEqual(['nginx']);
          expect(o.metadata.uid).toBe('uid-1');
        },
      },
    ],
  },
  {
    name: 'helm applying replicas owned by kubectl conflicts; force takes the field over',
    steps: [
      { apply: 'kubectl', body: webManifest({ replicas: 2 }) },
      { apply: 'helm', body: webManifest({ replicas: 3 }), conflict: 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas' },
      {
        apply: 'helm',
        body: webManifest({ replicas: 3 }),
        force: true,
        entries: ['kubectl Apply', 'helm Apply'],
        owns: { helm: ['.spec.replicas', '.spec.serviceName'], kubectl: ['.spec.serviceName'] },
        notOwns: { kubectl: ['.spec.replicas'] },
        check: (o) => expect(sts(o).replicas).toBe(3),
      },
    ],
  },
  {
    name: 'equal values are shared, and survive one owner letting go',
    steps: [
      { apply: 'kubectl', body: webManifest() },
      { apply: 'helm', body: webManifest(), owns: { kubectl: ['.spec.replicas'], helm: ['.spec.replicas'] } },
      {
        apply: 'kubectl',
        body: (() => {
          const m = webManifest();
          delete (m.spec as { replicas?: number }).replicas;
          return m;
        })(),
        notOwns: { kubectl: ['.spec.replicas'] },
        check: (o) => expect(sts(o).replicas).toBe(2),
      },
    ],
  },
  {
    name: 'containers merge by name between managers',
    steps: [
      { apply: 'kubectl', body: webManifest() },
      {
        apply: 'helm',
        body: meta({ spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } } } }),
        owns: { helm: ['.spec.template.spec.containers[name="sidecar"].image'] },
        notOwns: { helm: ['.spec.template.spec.containers[name="nginx"]'] },
        check: (o) => expect(sts(o).template.spec.containers.map((c) => c.name)).toEqual(['nginx', 'sidecar']),
      },
      {
        apply: 'helm',
        body: meta({ spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.99' }] } } } }),
        conflict: 'Apply failed with 1 conflict: conflict with "kubectl": .spec.template.spec.containers[name="nginx"].image',
      },
      { apply: 'kubectl', body: webManifest({ image: 'nginx:1.26' }), check: (o) => expect(sts(o).template.spec.containers[0]!.image).toBe('nginx:1.26') },
      {
        apply: 'helm',
        body: meta(),
        entries: ['kubectl Apply'],
        check: (o) => expect(sts(o).template.spec.containers.map((c) => c.name)).toEqual(['nginx']),
      },
    ],
  },
  {
    name: 'client-side apply then kubectl server-side apply upgrades without conflict (csaupgrade)',
    steps: [
      {
        create: 'kubectl-client-side-apply',
        body: csaBody(2),
        entries: ['kubectl-client-side-apply Update apps/v1'],
        owns: { 'kubectl-client-side-apply': ['.spec.replicas', `.metadata.annotations.${LAST_APPLIED_ANNOTATION}`] },
      },
      {
        apply: 'kubectl',
        body: webManifest({ replicas: 3 }),
        entries: ['kubectl Apply', 'kubectl-client-side-apply Update apps/v1'],
        owns: { kubectl: ['.spec.replicas'] },
        notOwns: { 'kubectl-client-side-apply': ['.spec.replicas'] },
        check: (o) => {
          expect(sts(o).replicas).toBe(3);
          expect(o.metadata.annotations![LAST_APPLIED_ANNOTATION]).toBe(`${goJson(webManifest({ replicas: 3 }) as never)}\n`);
        },
      },
    ],
  },
  {
    name: 'another applier conflicts with client-side apply',
    steps: [
      { create: 'kubectl-client-side-apply', body: csaBody(2) },
      {
        apply: 'helm',
        body: webManifest({ replicas: 3 }),
        conflict: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
      },
    ],
  },
  {
    name: 'kubectl scale takes replicas; helm re-applying them conflicts with the scaler',
    steps: [
      { apply: 'helm', body: webManifest({ replicas: 2 }) },
      {
        update: 'kubectl',
        subresource: 'scale',
        change: (o) => ((o.spec as { replicas: number }).replicas = 5),
        entries: ['helm Apply', 'kubectl Update apps/v1 scale'],
        owns: { 'kubectl@scale': ['.spec.replicas'] },
        notOwns: { helm: ['.spec.replicas'] },
      },
      {
        apply: 'helm',
        body: webManifest({ replicas: 2 }),
        conflict: 'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas',
      },
      { apply: 'helm', body: webManifest({ replicas: 2 }), force: true, entries: ['helm Apply'], check: (o) => expect(sts(o).replicas).toBe(2) },
    ],
  },
  {
    name: 'labels merge key by key',
    steps: [
      { apply: 'kubectl', body: webManifest({ labels: { app: 'web' } }) },
      {
        apply: 'helm',
        body: meta({ metadata: { name: 'web', labels: { 'app.kubernetes.io/managed-by': 'Helm' } } }),
        owns: { helm: ['.metadata.labels.app.kubernetes.io/managed-by'], kubectl: ['.metadata.labels.app'] },
        notOwns: { helm: ['.metadata.labels.app'] },
        check: (o) => expect(o.metadata.labels).toEqual({ app: 'web', 'app.kubernetes.io/managed-by': 'Helm' }),
      },
      { apply: 'kubectl', body: webManifest(), check: (o) => expect(o.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'Helm' }) },
    ],
  },
  {
    name: 'finalizers merge as a set',
    steps: [
      { apply: 'kubectl', body: meta({ metadata: { name: 'web', finalizers: ['example.com/a'] } }) },
      { apply: 'helm', body: meta({ metadata: { name: 'web', finalizers: ['example.com/b'] } }), owns: { helm: ['.metadata.finalizers[="example.com/b"]'] } },
      { apply: 'kubectl', body: meta(), check: (o) => expect(o.metadata.finalizers).toEqual(['example.com/b']) },
    ],
  },
  {
    name: 'atomic maps and lists are owned and replaced whole',
    steps: [
      { apply: 'kubectl', body: meta({ spec: { template: { spec: { nodeSelector: { a: '1', b: '2' }, containers: [{ name: 'c', args: ['x', 'y'] }] } } } }) },
      {
        apply: 'helm',
        body: meta({ spec: { template: { spec: { nodeSelector: { a: '1' } } } } }),
        conflict: 'Apply failed with 1 conflict: conflict with "kubectl": .spec.template.spec.nodeSelector',
      },
      {
        apply: 'helm',
        body: meta({ spec: { template: { spec: { nodeSelector: { a: '1' }, containers: [{ name: 'c', args: ['z'] }] } } } }),
        force: true,
        owns: { helm: ['.spec.template.spec.nodeSelector', '.spec.template.spec.containers[name="c"].args'] },
        check: (o) => {
          const podSpec = (o.spec as { template: { spec: { nodeSelector: unknown; containers: { args: string[] }[] } } }).template.spec;
          expect(podSpec.nodeSelector).toEqual({ a: '1' });
          expect(podSpec.containers[0]!.args).toEqual(['z']);
        },
      },
    ],
  },
  {
    name: 'a list with only a patch merge key merges by that key',
    steps: [
      { apply: 'kubectl', body: meta({ spec: { template: { spec: { containers: [{ name: 'c', env: [{ name: 'A', value: '1' }] }] } } } }) },
      {
        apply: 'helm',
        body: meta({ spec: { template: { spec: { containers: [{ name: 'c', env: [{ name: 'B', value: '2' }] }] } } } }),
        owns: { helm: ['.spec.template.spec.containers[name="c"].env[name="B"].value'] },
        check: (o) =>
          expect((o.spec as { template: { spec: { containers: { env: unknown[] }[] } } }).template.spec.containers[0]!.env).toEqual([
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ]),
      },
    ],
  },
  {
    name: 'several conflicts are grouped by manager',
    steps: [
      { apply: 'kubectl', body: webManifest({ replicas: 2 }) },
      { update: 'kubectl-edit', change: (o) => ((o.spec as { serviceName: string }).serviceName = 'web2') },
      {
        apply: 'helm',
        body: webManifest({ replicas: 3 }),
        conflict:
          'Apply failed with 2 conflicts: conflicts with "kubectl":\n- .spec.replicas\n' +
          'conflicts with "kubectl-edit" using apps/v1:\n- .spec.serviceName',
      },
    ],
  },
  {
    name: 'an apply that changes nothing keeps the entry time',
    steps: [
      { apply: 'kubectl', body: webManifest() },
      { apply: 'kubectl', body: webManifest(), check: (o) => expect(o.metadata.managedFields![0]!.time).toBe('2026-03-01T10:00:00Z') },
    ],
  },
  {
    name: 'applying to an untracked object credits existing fields to before-first-apply',
    steps: [
      { create: 'kubectl', body: webManifest() },
      { update: 'kubectl', change: (o) => (o.metadata.managedFields = []), entries: [] },
      {
        apply: 'helm',
        body: webManifest({ replicas: 4 }),
        conflict: 'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas',
      },
      { apply: 'helm', body: webManifest(), entries: ['helm Apply', 'before-first-apply Update apps/v1'] },
    ],
  },
  {
    name: 'without a schema maps merge by key and lists are atomic',
    schema: null,
    steps: [
      { apply: 'kubectl', body: meta({ spec: { a: 1, list: [1, 2] } }) },
      { apply: 'helm', body: meta({ spec: { b: 2 } }), check: (o) => expect(o.spec).toEqual({ a: 1, list: [1, 2], b: 2 }) },
      { apply: 'helm', body: meta({ spec: { list: [3] } }), conflict: 'Apply failed with 1 conflict: conflict with "kubectl": .spec.list' },
    ],
  },
];

describe('serverSideApply', () => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, sc) => runScenario(sc));
});
