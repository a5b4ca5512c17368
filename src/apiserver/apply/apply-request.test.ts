import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import { ApplyConflictError, serverSideApply } from './apply.ts';
import { statefulSetSchema, stored, webManifest } from './fixtures.ts';
import { LAST_APPLIED_ANNOTATION } from './last-applied.ts';
import { trackUpdate } from './managed-fields.ts';
import { goJson } from './path-element.ts';

const T = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
const meta = (extra: Partial<KubeObject> = {}): KubeObject => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' }, ...extra });
const csaBody = (replicas: number): KubeObject => {
  const m = webManifest({ replicas });
  return { ...m, metadata: { ...m.metadata, annotations: { [LAST_APPLIED_ANNOTATION]: `${goJson(m as never)}\n` } } };
};
const containerNames = (o: KubeObject): string[] =>
  (o.spec as { template: { spec: { containers: { name: string }[] } } }).template.spec.containers.map((c) => c.name);

describe('serverSideApply requests', () => {
  it('renders the conflict as the upstream 409 Status', () => {
    const live = stored(trackUpdate({ live: undefined, updated: csaBody(2), manager: 'kubectl-client-side-apply', apiVersion: 'apps/v1', now: T(0), schema: statefulSetSchema }));
    let err: unknown;
    try {
      serverSideApply({ live, applied: webManifest({ replicas: 3 }), manager: 'helm', force: false, schema: statefulSetSchema, apiVersion: 'apps/v1', now: T(1) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    const status = (err as ApplyConflictError).toStatus();
    expect(status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
      reason: 'Conflict',
      code: 409,
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' }] },
    });
    expect((err as ApplyConflictError).conflicts).toEqual([
      { manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'apps/v1', field: '.spec.replicas' },
    ]);
  });

  it.each([
    ['a body carrying managedFields', { ...webManifest(), metadata: { name: 'web', managedFields: [] } }, 400, 'metadata.managedFields must be nil'],
    ['a body of another version', { ...webManifest(), apiVersion: 'apps/v1beta2' }, 400, 'invalid object type: apps/v1beta2, Kind=StatefulSet'],
    ['a body of another kind', { ...webManifest(), kind: 'Deployment' }, 400, 'invalid object type: apps/v1, Kind=Deployment'],
    [
      'duplicate list keys',
      webManifest({ containers: [{ name: 'a' }, { name: 'a' }] }),
      500,
      'failed to create typed patch object (/web; apps/v1, Kind=StatefulSet): .spec.template.spec.containers: duplicate entries for key [name="a"]',
    ],
  ])('rejects %s', (_name, body, code, message) => {
    const run = () =>
      serverSideApply({ live: undefined, applied: body as KubeObject, manager: 'kubectl', force: false, schema: statefulSetSchema, apiVersion: 'apps/v1', kind: 'StatefulSet', now: T(0) });
    expect(run).toThrow(message);
    try {
      run();
    } catch (err) {
      expect((err as ApiError).code).toBe(code);
    }
  });

  it('keeps live-only list items in place and follows the configuration order', () => {
    const c = (name: string) => ({ name, image: name });
    const live = stored(
      serverSideApply({ live: undefined, applied: meta({ spec: { template: { spec: { containers: [c('a'), c('b'), c('c')] } } } }), manager: 'x', force: false, schema: statefulSetSchema, apiVersion: 'apps/v1', now: T(0) }).object,
    );
    const { object } = serverSideApply({ live, applied: meta({ spec: { template: { spec: { containers: [c('c'), c('d'), c('a')] } } } }), manager: 'y', force: false, schema: statefulSetSchema, apiVersion: 'apps/v1', now: T(1) });
    expect(containerNames(object)).toEqual(['b', 'c', 'd', 'a']);
  });

  it('does not mutate its inputs', () => {
    const live = stored(serverSideApply({ live: undefined, applied: webManifest(), manager: 'kubectl', force: false, schema: statefulSetSchema, apiVersion: 'apps/v1', now: T(0) }).object);
    const applied = webManifest({ replicas: 7, labels: { x: 'y' } });
    const before = structuredClone({ live, applied });
    serverSideApply({ live, applied, manager: 'kubectl', force: false, schema: statefulSetSchema, apiVersion: 'apps/v1', now: T(1) });
    expect({ live, applied }).toEqual(before);
  });
});
