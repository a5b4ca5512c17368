import { describe, expect, it } from 'vitest';
import { addDefaultTolerationSeconds } from '../../api/core/pod.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import { podStrategy, podTemplateStrategy } from './core-workloads.ts';
import { create, stored, update } from './testing.ts';

const s = podStrategy();

function pod(spec: Record<string, unknown> = {}, name = 'p'): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec } };
}
const c = (extra: Record<string, unknown>) => ({ name: 'app', image: 'nginx:1.25', ...extra });

describe('Pod defaults', () => {
  it('fills PodSpec, Pod and container defaults', () => {
    const { obj, message } = create(
      s,
      pod({
        containers: [
          {
            name: 'app',
            image: 'nginx',
            ports: [{ containerPort: 80 }],
            readinessProbe: { httpGet: { port: 80 } },
            resources: { limits: { cpu: '1', memory: '1Gi' } },
          },
          { name: 'side', image: 'busybox:1.36' },
        ],
        volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'c' } }],
      }),
    );
    expect(message).toBe('');
    const sp = obj.spec as Record<string, any>;
    expect(sp).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
      securityContext: {},
      enableServiceLinks: true,
    });
    expect(sp.containers[0]).toMatchObject({
      imagePullPolicy: 'Always',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      readinessProbe: { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
      resources: { requests: { cpu: '1', memory: '1Gi' } },
    });
    expect(sp.containers[1].imagePullPolicy).toBe('IfNotPresent');
    expect(sp.volumes).toEqual([
      { name: 'scratch', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } },
    ]);
    expect(obj.status).toEqual({ phase: 'Pending', qosClass: 'Burstable' });
  });

  it('applies DefaultTolerationSeconds on create unless disabled', () => {
    expect((create(s, pod()).obj.spec as any).tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
    expect((create(podStrategy({ defaultTolerationSeconds: false }), pod()).obj.spec as any).tolerations).toBeUndefined();
  });

  it('computes the QoS class', () => {
    expect((create(s, pod()).obj.status as any).qosClass).toBe('BestEffort');
    const g = pod({ containers: [c({ resources: { limits: { cpu: '500m', memory: '128Mi' } } })] });
    expect((create(s, g).obj.status as any).qosClass).toBe('Guaranteed');
  });

  it('adds the default not-ready/unreachable tolerations unless already tolerated', () => {
    const p = pod({ tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }] });
    addDefaultTolerationSeconds(p);
    expect((p.spec as any).tolerations).toEqual([
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists' },
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
    const all = pod({ tolerations: [{ operator: 'Exists' }] });
    addDefaultTolerationSeconds(all);
    expect((all.spec as any).tolerations).toHaveLength(1);
  });
});

describe('Pod validation', () => {
  it.each<[string, KubeObject, string]>([
    ['no containers', pod({ containers: [] }), 'Pod "p" is invalid: spec.containers: Required value'],
    [
      'duplicate container names',
      pod({ containers: [c({}), c({})] }),
      'Pod "p" is invalid: spec.containers[1].name: Duplicate value: "app"',
    ],
    [
      'container name not a DNS label',
      pod({ containers: [c({ name: 'App' })] }),
      `Pod "p" is invalid: spec.containers[0].name: Invalid value: "App": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ],
    ['missing image', pod({ containers: [{ name: 'app' }] }), 'Pod "p" is invalid: spec.containers[0].image: Required value'],
    [
      'mount of a missing volume',
      pod({ containers: [c({ volumeMounts: [{ name: 'data', mountPath: '/data' }] })] }),
      'Pod "p" is invalid: spec.containers[0].volumeMounts[0].name: Not found: "data"',
    ],
    [
      'duplicate volume names',
      pod({ volumes: [{ name: 'v', emptyDir: {} }, { name: 'v', emptyDir: {} }] }),
      'Pod "p" is invalid: spec.volumes[1].name: Duplicate value: "v"',
    ],
    [
      'Exists toleration with a value',
      pod({ tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }] }),
      `Pod "p" is invalid: spec.tolerations[0].operator: Invalid value: {"key":"k","operator":"Exists","value":"v"}: value must be empty when \`operator\` is 'Exists'`,
    ],
    [
      'tolerationSeconds without NoExecute',
      pod({ tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }] }),
      `Pod "p" is invalid: spec.tolerations[0].effect: Invalid value: "NoSchedule": effect must be 'NoExecute' when \`tolerationSeconds\` is set`,
    ],
    [
      'bad taint effect',
      pod({ tolerations: [{ key: 'k', operator: 'Exists', effect: 'Never' }] }),
      'Pod "p" is invalid: spec.tolerations[0].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ],
    [
      'empty key without Exists',
      pod({ tolerations: [{ operator: 'Equal', value: 'x' }] }),
      'Pod "p" is invalid: spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
    ],
    [
      'bad restartPolicy',
      pod({ restartPolicy: 'Sometimes' }),
      'Pod "p" is invalid: spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ],
    [
      'affinity without terms',
      pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } }),
      'Pod "p" is invalid: spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term',
    ],
    [
      'affinity In without values',
      pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In' }] }] } } } }),
      "Pod \"p\" is invalid: spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    ],
    [
      'bad nodeSelector value',
      pod({ nodeSelector: { disk: 'fast ssd' } }),
      `Pod "p" is invalid: spec.nodeSelector: Invalid value: "fast ssd": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
    [
      'port out of range',
      pod({ containers: [c({ ports: [{ containerPort: 70000 }] })] }),
      'Pod "p" is invalid: spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    ],
    [
      'liveness successThreshold',
      pod({ containers: [c({ livenessProbe: { tcpSocket: { port: 80 }, successThreshold: 2 } })] }),
      'Pod "p" is invalid: spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
    ],
    [
      'requests above limits',
      pod({ containers: [c({ resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } })] }),
      'Pod "p" is invalid: spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
    ],
  ])('%s', (_, obj, want) => {
    expect(create(s, obj).message).toBe(want);
  });
});

describe('Pod updates', () => {
  const old = stored(s, pod({ tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }] }));
  const edit = (f: (sp: Record<string, any>) => void) => {
    const next = structuredClone(old);
    f(next.spec as Record<string, any>);
    return next;
  };

  it('allows image, activeDeadlineSeconds, toleration additions and tolerationSeconds changes', () => {
    const r = update(
      s,
      old,
      edit((sp) => {
        sp.containers[0].image = 'nginx:1.27';
        sp.activeDeadlineSeconds = 100;
        sp.tolerations[0].tolerationSeconds = 20;
        sp.tolerations.push({ key: 'b', operator: 'Exists' });
      }),
    );
    expect(r.message).toBe('');
  });

  it('forbids other changes with the list of updatable fields', () => {
    const r = update(s, old, edit((sp) => (sp.containers[0].ports = [{ containerPort: 80 }])));
    expect(r.message.split('\n')[0]).toBe(
      'Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    );
  });

  it('re-adds the default tolerations on a replace that omits them', () => {
    const r = update(s, old, edit((sp) => (sp.tolerations = sp.tolerations.slice(0, 1))));
    expect(r.message).toBe('');
    expect((r.obj.spec as any).tolerations).toHaveLength(3);
  });

  it('forbids removing tolerations and adding containers', () => {
    expect(update(s, old, edit((sp) => (sp.tolerations = []))).message).toBe(
      'Pod "p" is invalid: spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds',
    );
    expect(update(s, old, edit((sp) => sp.containers.push({ name: 'b', image: 'x' }))).message).toBe(
      'Pod "p" is invalid: spec.containers: Forbidden: pod updates may not add or remove containers',
    );
  });

  it('keeps status on a spec update', () => {
    const running = { ...old, status: { phase: 'Running' } };
    const next = structuredClone(running);
    next.status = { phase: 'Failed' };
    expect(update(s, running, next).obj.status).toEqual({ phase: 'Running' });
  });
});

describe('PodTemplate', () => {
  it('defaults and validates the template', () => {
    const t = podTemplateStrategy();
    const ok = create(t, { kind: 'PodTemplate', metadata: { name: 't' }, template: { spec: { containers: [{ name: 'a', image: 'x' }] } } });
    expect(ok.message).toBe('');
    expect((ok.obj.template as any).spec.restartPolicy).toBe('Always');
    expect(create(t, { kind: 'PodTemplate', metadata: { name: 't' }, template: { spec: { containers: [] } } }).message).toBe(
      'PodTemplate "t" is invalid: template.spec.containers: Required value',
    );
  });
});
