// CustomResourceDefinitions with kubectl: apply, wait for Established, use the new kind by its
// names, explain it, apply it server-side, delete the definition.
import { describe, expect, it } from 'vitest';
import { kubectlOk, useK8ts } from './harness.ts';

const cluster = useK8ts();

const ok = (args: string[], input?: string) => kubectlOk(cluster(), args, input);

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        description: A widget for testing.
        properties:
          spec:
            type: object
            description: What the widget should be.
            properties:
              size: {type: integer, description: How big the widget is.}
`;

describe('custom resources with kubectl', () => {
  it('establishes a definition and serves the kind', async () => {
    await ok(['apply', '-f', '-'], CRD);
    await ok(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=30s']);
    await ok(['apply', '-f', '-'], 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: small}\nspec: {size: 1}\n');
    const out = await ok(['get', 'wd']);
    expect(out).toMatch(/NAME\s+AGE/);
    expect(out).toContain('small');
    expect(await ok(['get', 'widget', 'small', '-o', 'jsonpath={.spec.size}'])).toBe('1');
  });

  it('explains the kind from its schema', async () => {
    const out = await ok(['explain', 'widget.spec']);
    expect(out).toContain('How big the widget is.');
  });

  it('refuses unknown fields and applies server-side', async () => {
    const bad = await cluster().kubectl(['apply', '-f', '-'], { input: 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: odd}\nspec: {colour: red}\n', allowFail: true });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('colour');
    expect(await ok(['apply', '--server-side', '-f', '-'], 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: big}\nspec: {size: 9}\n')).toContain('serverside-applied');
  });

  it('deletes the definition and its resources', async () => {
    await ok(['delete', 'crd', 'widgets.example.com', '--timeout=60s']);
    const r = await cluster().fetch('/apis/example.com/v1/namespaces/default/widgets');
    expect(r.status).toBe(404);
  });
});
