import { describe, expect, it } from 'vitest';
import type { KubeObject, ManagedFieldsEntry } from '../../api/meta/types.ts';
import { serverSideApply } from './apply.ts';
import { FieldSet } from './fields.ts';
import { statefulSetSchema, stored, webManifest } from './fixtures.ts';
import { LAST_APPLIED_ANNOTATION } from './last-applied.ts';
import { defaultManagerFromUserAgent, managerOrUserAgent, shapeKey, trackUpdate } from './managed-fields.ts';
import { pathToString } from './path-element.ts';

const T = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00Z`;
const schema = statefulSetSchema;

function create(body: KubeObject, manager: string): KubeObject {
  return stored(trackUpdate({ live: undefined, updated: body, manager, apiVersion: 'apps/v1', now: T(0), schema }));
}

function update(live: KubeObject, manager: string, change: (o: KubeObject) => void, opts: { now?: string; subresource?: string } = {}): KubeObject {
  const updated = structuredClone(live);
  change(updated);
  return trackUpdate({ live, updated, manager, apiVersion: 'apps/v1', now: opts.now ?? T(1), schema, subresource: opts.subresource });
}

function entry(o: KubeObject, manager: string): ManagedFieldsEntry | undefined {
  return o.metadata.managedFields?.find((e) => e.manager === manager);
}

function paths(e: ManagedFieldsEntry | undefined): string[] {
  return e ? FieldSet.fromFieldsV1(e.fieldsV1 ?? {}).paths().map(pathToString) : [];
}

const spec = (o: KubeObject) => o.spec as { replicas: number; serviceName: string; template: { spec: { containers: { image: string }[] } } };

describe('trackUpdate', () => {
  it('records the creator as it looks on a cluster after client-side apply', () => {
    const body = webManifest();
    body.metadata.annotations = { [LAST_APPLIED_ANNOTATION]: '{}\n' };
    const o = create(body, 'kubectl-client-side-apply');
    expect(o.metadata.managedFields).toEqual([
      {
        manager: 'kubectl-client-side-apply',
        operation: 'Update',
        apiVersion: 'apps/v1',
        time: T(0),
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:annotations': { '.': {}, [`f:${LAST_APPLIED_ANNOTATION}`]: {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:serviceName': {},
            'f:template': {
              'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
              'f:spec': {
                'f:containers': {
                  'k:{"name":"nginx"}': {
                    '.': {},
                    'f:image': {},
                    'f:name': {},
                    'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:name': {} } },
                  },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it.each([
    {
      name: 'an edit takes the image from the applier',
      manager: 'kubectl-edit',
      change: (o: KubeObject) => (spec(o).template.spec.containers[0]!.image = 'nginx:1.99'),
      gains: ['.spec.template.spec.containers[name="nginx"].image'],
      loses: { kubectl: ['.spec.template.spec.containers[name="nginx"].image'] },
    },
    {
      name: 'removing a field drops it from every owner',
      manager: 'kubectl-edit',
      change: (o: KubeObject) => delete (o.spec as { serviceName?: string }).serviceName,
      gains: [],
      loses: { kubectl: ['.spec.serviceName'] },
    },
    {
      name: 'a status write owns status only',
      manager: 'k8ts-controller-manager',
      subresource: 'status',
      change: (o: KubeObject) => {
        o.status = { replicas: 2, readyReplicas: 1 };
        spec(o).replicas = 9; // the status strategy would reset this; tracking ignores spec here
      },
      gains: ['.status.readyReplicas', '.status.replicas'],
      loses: {},
    },
  ])('$name', ({ manager, change, gains, loses, subresource }) => {
    const applied = stored(serverSideApply({ live: undefined, applied: webManifest(), manager: 'kubectl', force: false, schema, apiVersion: 'apps/v1', now: T(0) }).object);
    const o = update(applied, manager, change, { subresource });
    const e = entry(o, manager)!;
    if (gains.length === 0) expect(e).toBeUndefined();
    else {
      expect(paths(e)).toEqual(gains);
      expect(e.subresource).toBe(subresource);
      expect(e.time).toBe(T(1));
    }
    for (const [owner, lost] of Object.entries(loses)) for (const p of lost) expect(paths(entry(o, owner))).not.toContain(p);
  });

  it('merges repeated writes into one entry and moves its time only when something changed', () => {
    let o = create(webManifest(), 'kubectl-create');
    o = update(o, 'kubectl-edit', (x) => (spec(x).replicas = 3), { now: T(1) });
    o = update(o, 'kubectl-edit', (x) => (spec(x).serviceName = 'web2'), { now: T(2) });
    expect(paths(entry(o, 'kubectl-edit'))).toEqual(['.spec.replicas', '.spec.serviceName']);
    expect(entry(o, 'kubectl-edit')!.time).toBe(T(2));
    o = update(o, 'kubectl-edit', () => {}, { now: T(3) });
    expect(entry(o, 'kubectl-edit')!.time).toBe(T(2));
    expect(o.metadata.managedFields!.map((e) => e.manager)).toEqual(['kubectl-create', 'kubectl-edit']);
  });

  it('keeps one entry per apiVersion and subresource', () => {
    let o = create(webManifest(), 'kubectl');
    o = update(o, 'kubectl', (x) => (spec(x).replicas = 5), { subresource: 'scale' });
    expect(o.metadata.managedFields!.map((e) => [e.manager, e.subresource ?? ''])).toEqual([
      ['kubectl', ''],
      ['kubectl', 'scale'],
    ]);
    expect(paths(o.metadata.managedFields![1])).toEqual(['.spec.replicas']);
    expect(paths(o.metadata.managedFields![0])).not.toContain('.spec.replicas');
  });

  it('resets tracking when the request sends an empty managedFields', () => {
    const o = update(create(webManifest(), 'kubectl'), 'kubectl-edit', (x) => {
      x.metadata.managedFields = [];
      spec(x).replicas = 4;
    });
    expect(o.metadata.managedFields).toBeUndefined();
    // An untracked object stays untracked until the next apply.
    expect(update(o, 'kubectl-edit', (x) => (spec(x).replicas = 5)).metadata.managedFields).toBeUndefined();
  });

  it('accepts managedFields sent with an update (the csaupgrade migration patch)', () => {
    const o = create(webManifest(), 'kubectl-client-side-apply');
    const migrated = update(o, 'kubectl', (x) => {
      x.metadata.managedFields = x.metadata.managedFields!.map((e) => ({ ...e, manager: 'kubectl', operation: 'Apply' as const }));
    });
    expect(migrated.metadata.managedFields!.map((e) => `${e.manager} ${e.operation}`)).toEqual(['kubectl Apply']);
    expect(migrated.metadata.managedFields![0]!.time).toBe(T(0));
  });

  it('ignores managedFields sent to a subresource', () => {
    const o = create(webManifest(), 'kubectl');
    const s = update(o, 'kubectl', (x) => (x.metadata.managedFields = []), { subresource: 'scale' });
    expect(s.metadata.managedFields).toEqual(o.metadata.managedFields);
  });

  it('keeps stored managedFields when the request sends undecodable ones', () => {
    const o = create(webManifest(), 'kubectl');
    const bad = update(o, 'kubectl-edit', (x) => (x.metadata.managedFields = [{ manager: 'x', operation: 'Patch' as never }]));
    expect(bad.metadata.managedFields).toEqual(o.metadata.managedFields);
  });

  it('folds the oldest of more than ten Update entries into ancient-changes', () => {
    let o = create(webManifest(), 'm0');
    for (let i = 1; i <= 11; i++) o = update(o, `m${i}`, (x) => (x.metadata.labels = { ...x.metadata.labels, [`l${i}`]: 'x' }), { now: T(i) });
    const managers = o.metadata.managedFields!.map((e) => e.manager);
    expect(managers).toHaveLength(10);
    expect(managers).toContain('ancient-changes');
    expect(managers).not.toContain('m0');
    expect(managers).not.toContain('m1');
    expect(paths(entry(o, 'ancient-changes'))).toEqual(expect.arrayContaining(['.metadata.labels.l1', '.spec.replicas']));
  });
});

describe('defaultManagerFromUserAgent', () => {
  it.each([
    ['kubectl/v1.35.0 (linux/amd64) kubernetes/66452049', 'kubectl'],
    ['Helm/4.1.4', 'Helm'],
    ['kube-controller-manager/v1.35.0 (linux/amd64) kubernetes/abc/system:serviceaccount:kube-system:statefulset-controller', 'kube-controller-manager'],
    ['curl', 'curl'],
    ['odd\u0007name/1', 'oddname'],
    ['', ''],
    [undefined, ''],
    ['x'.repeat(200), 'x'.repeat(128)],
    ['é'.repeat(100), 'é'.repeat(64)],
  ])('%s → %s', (ua, want) => {
    expect(defaultManagerFromUserAgent(ua)).toBe(want);
  });

  it('prefers an explicit fieldManager', () => {
    expect(managerOrUserAgent('kubectl-client-side-apply', 'kubectl/v1.35.0')).toBe('kubectl-client-side-apply');
    expect(managerOrUserAgent(undefined, 'kubectl/v1.35.0')).toBe('kubectl');
  });
});

describe('managed fields of creates, remembered by shape', () => {
  const event = (name: string, reason: string) => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'p', namespace: 'default', uid: `u-${name}` },
    reason,
    message: `m ${name}`,
    count: 1,
    source: { component: 'kubelet' },
  });

  it('gives the same entry as a full walk, with this write time', () => {
    const first = trackUpdate({ live: undefined, updated: event('a', 'Pulled'), manager: 'kubelet', apiVersion: 'v1', now: '2026-01-01T00:00:00Z' });
    const second = trackUpdate({ live: undefined, updated: event('b', 'Started'), manager: 'kubelet', apiVersion: 'v1', now: '2026-01-01T00:00:07Z' });
    expect(second.metadata.managedFields).toEqual([{ ...first.metadata.managedFields![0], time: '2026-01-01T00:00:07Z' }]);
    // Entries are not shared between objects.
    expect(second.metadata.managedFields![0]!.fieldsV1).not.toBe(first.metadata.managedFields![0]!.fieldsV1);
  });

  it('tells shapes apart', () => {
    const plain = trackUpdate({ live: undefined, updated: event('c', 'x'), manager: 'm', apiVersion: 'v1', now: '2026-01-01T00:00:00Z' });
    const withType = trackUpdate({ live: undefined, updated: { ...event('d', 'x'), type: 'Normal' }, manager: 'm', apiVersion: 'v1', now: '2026-01-01T00:00:00Z' });
    expect(JSON.stringify(withType.metadata.managedFields![0]!.fieldsV1)).toContain('"f:type"');
    expect(JSON.stringify(plain.metadata.managedFields![0]!.fieldsV1)).not.toContain('"f:type"');
  });

  it('keys a shape by keys and kinds of values, and gives up on lists', () => {
    expect(shapeKey({ a: 1, b: { c: 'x' } })).toBe(shapeKey({ a: 2, b: { c: 'y' } }));
    expect(shapeKey({ a: 1 })).not.toBe(shapeKey({ a: null }));
    expect(shapeKey({ a: {} })).not.toBe(shapeKey({ a: 's' }));
    expect(shapeKey({ a: [1] })).toBeUndefined();
  });
});
