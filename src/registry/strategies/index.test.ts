import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { BUILTIN_RESOURCES } from '../../api/resources.ts';
import { checkWireShape } from '../../api/validation/wire-shape.ts';
import { strategyFor } from './index.ts';
import { create, stored, update } from './testing.ts';

describe('strategyFor', () => {
  it('returns a strategy for every built-in kind', () => {
    for (const r of BUILTIN_RESOURCES) expect(strategyFor(r.group, r.kind).validate).toBeTypeOf('function');
  });

  it('default strategy: meta validation, status kept, generation on spec change', () => {
    const s = strategyFor('networking.k8s.io', 'Ingress');
    expect(create(s, { kind: 'Ingress', metadata: { name: 'Bad' }, spec: {} }).message).toMatch(/^Ingress "Bad" is invalid: metadata.name: Invalid value: "Bad": a lowercase RFC 1123 subdomain/);
    const old = { ...stored(s, { kind: 'Ingress', metadata: { name: 'web' }, spec: { rules: [] } }), status: { loadBalancer: {} } };
    const next = { ...structuredClone(old), spec: { rules: [{ host: 'a' }] }, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } };
    const r = update(s, old, next);
    expect(r.obj.status).toEqual({ loadBalancer: {} });
    expect(r.generationBumped).toBe(true);
    expect(create(strategyFor('rbac.authorization.k8s.io', 'ClusterRole'), { kind: 'ClusterRole', metadata: { name: 'system:aggregate-to-edit', namespace: '' } }).message).toBe('');
  });
});

// Every seed manifest must be accepted (after defaulting), except the deliberately broken 004.
const dir = '/work/shared/manifests';
describe.skipIf(!existsSync(dir))('seed manifests', () => {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml')) : [];
  it.each(files)('%s', (file) => {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const obj = doc.toJSON() as KubeObject | null;
      if (!obj) continue;
      const apiVersion = String(obj.apiVersion ?? 'v1');
      const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
      const shape = checkWireShape(obj, String(obj.kind), apiVersion);
      if (file.startsWith('004-bad')) {
        expect(shape?.message).toBe('Service in version "v1" cannot be handled as a Service: json: cannot unmarshal string into Go struct field Service.metadata of type v1.ObjectMeta');
        continue;
      }
      expect(shape).toBeUndefined();
      const info = BUILTIN_RESOURCES.find((r) => r.group === group && r.kind === obj.kind);
      if (info && !info.namespaced) obj.metadata.namespace = '';
      expect(create(strategyFor(group, String(obj.kind)), obj).message).toBe('');
    }
  });
});
