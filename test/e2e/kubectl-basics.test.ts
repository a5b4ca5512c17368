// The user scenario with the real kubectl 1.35: version, apply, get, describe, explain,
// scale, edit, patch (json, merge, strategic), server-side apply, delete, namespace deletion.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubectlOk, useK8ts, waitFor } from './harness.ts';

const MANIFESTS = join(import.meta.dirname, '../../../shared/manifests');
const cluster = useK8ts();

const ok = (args: string[], input?: string) => kubectlOk(cluster(), args, input);

describe('kubectl against k8ts', () => {
  it('reports the server version', async () => {
    const out = await ok(['version']);
    expect(out).toMatch(/Server Version: v1\.35\.\d+\+k8ts/);
  });

  it('applies the seed StatefulSet and serves it with defaults', async () => {
    await ok(['create', 'namespace', 'demo']);
    const out = await ok(['apply', '-n', 'demo', '-f', join(MANIFESTS, '000-statefulset-basic.yaml')]);
    expect(out).toContain('service/my-headless-service created');
    expect(out).toContain('statefulset.apps/my-statefulset created');
    const sts = JSON.parse(await ok(['get', 'statefulset', 'my-statefulset', '-n', 'demo', '-o', 'json']));
    expect(sts.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1 } });
    expect(sts.spec.podManagementPolicy).toBe('OrderedReady');
    expect(sts.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('my-statefulset');
    // Re-applying the unchanged file changes nothing of the set's spec. (kubectl still says "configured" for the
    // StatefulSet, as against upstream: volumeClaimTemplates is an atomic list and the server
    // fills defaults into it, so kubectl's three-way diff always sends it.)
    const again = await ok(['apply', '-n', 'demo', '-f', join(MANIFESTS, '000-statefulset-basic.yaml')]);
    expect(again).toContain('service/my-headless-service unchanged');
    const after = JSON.parse(await ok(['get', 'statefulset', 'my-statefulset', '-n', 'demo', '-o', 'json']));
    // The controller writes status meanwhile, so compare what the apply owns: spec and generation.
    expect(after.metadata.generation).toBe(sts.metadata.generation);
    expect(after.spec).toEqual(sts.spec);
  });

  it('prints tables with upstream columns', async () => {
    const out = await ok(['get', 'svc,sts', '-A', '-o', 'wide']);
    expect(out).toMatch(/NAMESPACE\s+NAME\s+TYPE\s+CLUSTER-IP/);
    expect(out).toMatch(/demo\s+service\/my-headless-service\s+ClusterIP\s+None/);
    expect(out).toMatch(/demo\s+statefulset\.apps\/my-statefulset\s+[0-3]\/3/);
  });

  it('describes a StatefulSet', async () => {
    const out = await ok(['describe', 'sts', 'my-statefulset', '-n', 'demo']);
    expect(out).toMatch(/Update Strategy:\s+RollingUpdate/);
    expect(out).toMatch(/Pods Status:/);
  });

  it('explains fields from the OpenAPI documents', async () => {
    const out = await ok(['explain', 'statefulset.spec.updateStrategy']);
    expect(out).toMatch(/KIND:\s+StatefulSet/);
    expect(out).toContain('rollingUpdate');
  });

  it('scales', async () => {
    expect(await ok(['scale', 'sts', 'my-statefulset', '-n', 'demo', '--replicas=5'])).toContain('scaled');
    expect((await ok(['get', 'sts', 'my-statefulset', '-n', 'demo', '-o', 'jsonpath={.spec.replicas}'])).trim()).toBe('5');
  });

  it('patches with json, merge and strategic patches', async () => {
    await ok(['patch', 'sts', 'my-statefulset', '-n', 'demo', '--type=merge', '-p', '{"metadata":{"labels":{"tier":"db"}}}']);
    await ok(['patch', 'sts', 'my-statefulset', '-n', 'demo', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":4}]']);
    await ok(['patch', 'sts', 'my-statefulset', '-n', 'demo', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"my-container","image":"my-image:2"}]}}}}']);
    const sts = JSON.parse(await ok(['get', 'sts', 'my-statefulset', '-n', 'demo', '-o', 'json']));
    expect(sts.metadata.labels.tier).toBe('db');
    expect(sts.spec.replicas).toBe(4);
    expect(sts.spec.template.spec.containers).toHaveLength(1);
    expect(sts.spec.template.spec.containers[0].image).toBe('my-image:2');
    expect(sts.spec.template.spec.containers[0].volumeMounts[0].mountPath).toBe('/data');
  });

  it('edits through $EDITOR', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-editor-'));
    const editor = join(dir, 'editor.sh');
    writeFileSync(editor, `#!/bin/sh\nsed -i 's/image: my-image:2/image: my-image:3/' "$1"\n`);
    chmodSync(editor, 0o755);
    const r = await cluster().kubectl(['edit', 'sts', 'my-statefulset', '-n', 'demo'], { env: { EDITOR: editor, KUBE_EDITOR: editor }, allowFail: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('edited');
    expect(await ok(['get', 'sts', 'my-statefulset', '-n', 'demo', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).toBe('my-image:3');
  });

  it('applies server-side and reports conflicts', async () => {
    const manifest = `apiVersion: v1
kind: ConfigMap
metadata:
  name: ssa
  namespace: demo
data:
  key: one
`;
    expect(await ok(['apply', '--server-side', '-f', '-'], manifest)).toContain('configmap/ssa serverside-applied');
    const cm = JSON.parse(await ok(['get', 'cm', 'ssa', '-n', 'demo', '-o', 'json', '--show-managed-fields']));
    expect(cm.metadata.managedFields[0]).toMatchObject({ manager: 'kubectl', operation: 'Apply' });
    const conflict = await cluster().kubectl(['apply', '--server-side', '--field-manager=other', '-f', '-'], { input: manifest.replace('one', 'two'), allowFail: true });
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toMatch(/conflict with "kubectl"/);
    await ok(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], manifest.replace('one', 'two'));
    expect(await ok(['get', 'cm', 'ssa', '-n', 'demo', '-o', 'jsonpath={.data.key}'])).toBe('two');
  });

  it('creates secrets, configmaps and deployments from generators (protobuf bodies)', async () => {
    await ok(['create', 'secret', 'generic', 'creds', '-n', 'demo', '--from-literal=user=admin']);
    await ok(['create', 'configmap', 'settings', '-n', 'demo', '--from-literal=mode=fast']);
    await ok(['create', 'deployment', 'hello', '-n', 'demo', '--image=nginx:1.27', '--replicas=2']);
    expect(await ok(['get', 'secret', 'creds', '-n', 'demo', '-o', 'jsonpath={.data.user}'])).toBe(Buffer.from('admin').toString('base64'));
    expect(await ok(['get', 'deploy', 'hello', '-n', 'demo', '-o', 'jsonpath={.spec.replicas}'])).toBe('2');
  });

  it('refuses the seed Service with a typo and stores nothing', async () => {
    const r = await cluster().kubectl(['apply', '-n', 'demo', '-f', join(MANIFESTS, '004-bad-headless-service.yaml')], { allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr.length).toBeGreaterThan(0);
    const svcs = await ok(['get', 'svc', '-n', 'demo', '-o', 'name']);
    expect(svcs).not.toContain('mysql');
  });

  it('waits on a jsonpath condition', async () => {
    const out = await ok(['wait', '--for=jsonpath={.spec.replicas}=4', 'sts/my-statefulset', '-n', 'demo', '--timeout=30s']);
    expect(out).toContain('condition met');
  });

  it('deletes a namespace with everything in it', async () => {
    await ok(['delete', 'namespace', 'demo', '--timeout=60s']);
    await waitFor(async () => (await cluster().kubectl(['get', 'namespace', 'demo'], { allowFail: true })).code !== 0, { timeoutMs: 30_000 });
    const left = await cluster().fetch('/api/v1/namespaces/demo/configmaps');
    expect(JSON.parse(left.body).items ?? []).toHaveLength(0);
  });
});

describe('every seed manifest', () => {
  it('applies verbatim, each in its own namespace', async () => {
    const { readdirSync } = await import('node:fs');
    const files = readdirSync(MANIFESTS).filter((f) => f.endsWith('.yaml') && !f.startsWith('004-bad'));
    for (const [i, f] of files.entries()) {
      const ns = `seed-${i}`;
      await ok(['create', 'namespace', ns]);
      await ok(['apply', '-n', ns, '-f', join(MANIFESTS, f)]);
    }
  });
});
