// The patch bodies real kubectl sends (client-side apply, edit, rollout undo/restart, cordon,
// scale, label), applied through applyPatch to live objects shaped as the server stores them.
import { describe, expect, it } from 'vitest';
import type { SchemaNode } from '../../api/schema/types.ts';
import { applyPatch, PLAIN_JSON_SCHEMA } from './index.ts';
import { deploymentSchema, nodeSchema, podSchema, statefulSetSchema } from './test-schemas.ts';

const SMP = 'application/strategic-merge-patch+json';
const MERGE = 'application/merge-patch+json';
const JSONP = 'application/json-patch+json';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function liveStatefulSet() {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: 'web',
      namespace: 'default',
      resourceVersion: '42',
      generation: 1,
      annotations: { [LAST_APPLIED]: '{"old":true}\n' },
      finalizers: ['example.com/a', 'example.com/b'],
    },
    spec: {
      replicas: 2,
      serviceName: 'web',
      selector: { matchLabels: { app: 'web' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'nginx',
              image: 'nginx:1.25',
              imagePullPolicy: 'IfNotPresent',
              ports: [
                { containerPort: 80, name: 'web', protocol: 'TCP' },
                { containerPort: 8080, name: 'admin', protocol: 'TCP' },
              ],
              env: [{ name: 'A', value: '1' }],
              volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }],
              resources: {},
            },
            { name: 'sidecar', image: 'busybox', command: ['sleep', 'inf'] },
          ],
          volumes: [{ name: 'scratch', emptyDir: {} }],
          tolerations: [{ key: 'a', operator: 'Exists' }],
          restartPolicy: 'Always',
          dnsPolicy: 'ClusterFirst',
        },
      },
    },
  };
}

type Live = ReturnType<typeof liveStatefulSet>;

interface Case {
  name: string;
  type: string;
  schema?: SchemaNode;
  live: () => unknown;
  patch: unknown;
  /** Builds the expected object from a fresh live object. */
  expect: (live: Live) => unknown;
}

const cases: Case[] = [
  {
    name: 'client-side apply: new image and replicas with $setElementOrder',
    type: SMP,
    schema: statefulSetSchema,
    live: liveStatefulSet,
    patch: {
      metadata: { annotations: { [LAST_APPLIED]: '{"new":true}\n' } },
      spec: {
        replicas: 3,
        template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }], containers: [{ image: 'nginx:1.26', name: 'nginx' }] } },
      },
    },
    expect: (o) => {
      o.metadata.annotations[LAST_APPLIED] = '{"new":true}\n';
      o.spec.replicas = 3;
      o.spec.template.spec.containers[0]!.image = 'nginx:1.26';
      return o;
    },
  },
  {
    name: 'client-side apply: drop a port, add env and a container, reorder',
    type: SMP,
    schema: statefulSetSchema,
    live: liveStatefulSet,
    patch: {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'init' }, { name: 'sidecar' }, { name: 'nginx' }],
            containers: [
              { name: 'init', image: 'alpine' },
              {
                name: 'nginx',
                '$setElementOrder/env': [{ name: 'B' }, { name: 'A' }],
                env: [{ name: 'B', value: '2' }],
                '$setElementOrder/ports': [{ containerPort: 80 }],
                ports: [{ $patch: 'delete', containerPort: 8080 }],
              },
            ],
          },
        },
      },
    },
    expect: (o) => {
      const [nginx, sidecar] = o.spec.template.spec.containers as [{ ports: unknown[]; env: unknown[] }, object];
      nginx.ports = [nginx.ports[0]];
      nginx.env = [{ name: 'B', value: '2' }, { name: 'A', value: '1' }];
      o.spec.template.spec.containers = [{ name: 'init', image: 'alpine' }, sidecar, nginx] as never;
      return o;
    },
  },
  {
    name: 'client-side apply: remove a finalizer and a field',
    type: SMP,
    schema: statefulSetSchema,
    live: liveStatefulSet,
    patch: {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['example.com/a'], '$setElementOrder/finalizers': ['example.com/b'] },
      spec: { template: { spec: { dnsPolicy: null } } },
    },
    expect: (o) => {
      o.metadata.finalizers = ['example.com/b'];
      delete (o.spec.template.spec as Partial<typeof o.spec.template.spec>).dnsPolicy;
      return o;
    },
  },
  {
    name: 'kubectl edit: image change',
    type: SMP,
    schema: statefulSetSchema,
    live: liveStatefulSet,
    patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }], containers: [{ image: 'nginx:1.99', name: 'nginx' }] } } } },
    expect: (o) => {
      o.spec.template.spec.containers[0]!.image = 'nginx:1.99';
      return o;
    },
  },
  {
    name: 'rollout restart: template annotation',
    type: SMP,
    schema: statefulSetSchema,
    live: liveStatefulSet,
    patch: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-02T03:04:05Z' } } } } },
    expect: (o) => {
      (o.spec.template.metadata as Record<string, unknown>).annotations = { 'kubectl.kubernetes.io/restartedAt': '2026-01-02T03:04:05Z' };
      return o;
    },
  },
  {
    name: 'rollout undo: the revision template replaces the live one',
    type: SMP,
    schema: statefulSetSchema,
    live: () => {
      const o = liveStatefulSet();
      (o.spec.template.metadata as Record<string, unknown>).annotations = { 'kubectl.kubernetes.io/restartedAt': 'x' };
      return o;
    },
    patch: {
      spec: {
        template: {
          $patch: 'replace',
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: {
            containers: [{ image: 'nginx:1.24', imagePullPolicy: 'IfNotPresent', name: 'nginx', ports: [{ containerPort: 80, name: 'web', protocol: 'TCP' }], resources: {} }],
            dnsPolicy: 'ClusterFirst',
            restartPolicy: 'Always',
          },
        },
      },
    },
    expect: (o) => {
      o.spec.template = {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{ image: 'nginx:1.24', imagePullPolicy: 'IfNotPresent', name: 'nginx', ports: [{ containerPort: 80, name: 'web', protocol: 'TCP' }], resources: {} }],
          dnsPolicy: 'ClusterFirst',
          restartPolicy: 'Always',
        },
      } as never;
      return o;
    },
  },
  {
    name: 'kubectl patch without an order directive puts a new container first',
    type: SMP,
    schema: statefulSetSchema,
    live: liveStatefulSet,
    patch: { spec: { template: { spec: { containers: [{ name: 'debug', image: 'busybox' }] } } } },
    expect: (o) => {
      o.spec.template.spec.containers.unshift({ name: 'debug', image: 'busybox' } as never);
      return o;
    },
  },
  {
    name: 'tolerations are atomic: the patch list replaces',
    type: SMP,
    schema: statefulSetSchema,
    live: liveStatefulSet,
    patch: { spec: { template: { spec: { tolerations: [{ key: 'b', operator: 'Exists', value: null }] } } } },
    expect: (o) => {
      o.spec.template.spec.tolerations = [{ key: 'b', operator: 'Exists' }];
      return o;
    },
  },
  {
    name: 'volume source switch with $retainKeys',
    type: SMP,
    schema: statefulSetSchema,
    live: liveStatefulSet,
    patch: {
      spec: {
        template: {
          spec: {
            '$setElementOrder/volumes': [{ name: 'scratch' }],
            volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cfg' }, name: 'scratch' }],
          },
        },
      },
    },
    expect: (o) => {
      o.spec.template.spec.volumes = [{ name: 'scratch', configMap: { name: 'cfg' } } as never];
      return o;
    },
  },
  {
    name: 'label add and remove (kubectl label)',
    type: SMP,
    schema: statefulSetSchema,
    live: liveStatefulSet,
    patch: { metadata: { labels: { tier: 'web' }, annotations: { [LAST_APPLIED]: null } } },
    expect: (o) => {
      (o.metadata as Record<string, unknown>).labels = { tier: 'web' };
      o.metadata.annotations = {} as never;
      return o;
    },
  },
  {
    name: 'kubectl scale: merge patch of replicas',
    type: MERGE,
    live: liveStatefulSet,
    patch: { spec: { replicas: 5 } },
    expect: (o) => {
      o.spec.replicas = 5;
      return o;
    },
  },
  {
    name: 'kubectl patch --type=json',
    type: `${JSONP}; charset=utf-8`,
    live: liveStatefulSet,
    patch: [
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.27' },
      { op: 'remove', path: '/metadata/finalizers/0' },
    ],
    expect: (o) => {
      o.spec.template.spec.containers[0]!.image = 'nginx:1.27';
      o.metadata.finalizers = ['example.com/b'];
      return o;
    },
  },
];

describe('applyPatch with kubectl bodies', () => {
  it.each(cases)('$name', (c) => {
    const live = c.live();
    const before = structuredClone(live);
    const result = applyPatch(c.type, live, structuredClone(c.patch), c.schema);
    expect(result).toStrictEqual(c.expect(c.live() as Live));
    expect(live).toStrictEqual(before);
  });

  it('cordon and uncordon a node', () => {
    const node = { metadata: { name: 'node-1' }, spec: { podCIDR: '10.0.0.0/24' } };
    const cordoned = applyPatch(SMP, node, { spec: { unschedulable: true } }, nodeSchema);
    expect(cordoned).toStrictEqual({ metadata: { name: 'node-1' }, spec: { podCIDR: '10.0.0.0/24', unschedulable: true } });
    expect(applyPatch(SMP, cordoned, { spec: { unschedulable: null } }, nodeSchema)).toStrictEqual(node);
  });

  it('deployment strategy switch clears rollingUpdate via $retainKeys', () => {
    const live = { spec: { replicas: 1, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } } };
    const patch = { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } };
    expect(applyPatch(SMP, live, patch, deploymentSchema)).toStrictEqual({ spec: { replicas: 1, strategy: { type: 'Recreate' } } });
  });

  it('pod status conditions merge by type', () => {
    const pod = { status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] } };
    const patch = {
      status: {
        '$setElementOrder/conditions': [{ type: 'Ready' }, { type: 'PodScheduled' }],
        conditions: [{ type: 'Ready', status: 'True' }],
        phase: 'Running',
      },
    };
    expect(applyPatch(SMP, pod, patch, podSchema)).toStrictEqual({
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }] },
    });
  });

  it('strategic merge patch without a schema answers 415 with the media types custom resources accept', () => {
    expect(() => applyPatch(SMP, {}, { spec: {} })).toThrow(
      expect.objectContaining({
        code: 415,
        reason: 'UnsupportedMediaType',
        message:
          'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      }),
    );
  });

  it('the plain schema merges maps and replaces lists, for the Scale subresource', () => {
    const scale = { spec: { replicas: 2 }, status: { replicas: 2, selector: 'app=web' } };
    expect(applyPatch(SMP, scale, { spec: { replicas: 4 } }, PLAIN_JSON_SCHEMA)).toStrictEqual({
      spec: { replicas: 4 },
      status: { replicas: 2, selector: 'app=web' },
    });
  });

  it('refuses unknown media types and results that are not objects', () => {
    expect(() => applyPatch('text/plain', {}, {})).toThrow(expect.objectContaining({ code: 415 }));
    expect(() => applyPatch(MERGE, {}, [1])).toThrow(expect.objectContaining({ code: 422 }));
    expect(() => applyPatch(JSONP, {}, [{ op: 'replace', path: '', value: [] }])).toThrow(expect.objectContaining({ code: 422 }));
    expect(() => applyPatch('application/apply-patch+yaml', {}, {})).toThrow(/server-side apply/);
  });
});
