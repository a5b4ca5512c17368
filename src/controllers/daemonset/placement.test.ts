// The placement decision as a table (workloads spec 2.3): node name, nodeSelector, required node
// affinity (labels and metadata.name), taints against the daemon tolerations.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { nodeShouldRunDaemonPod, pinToNode, targetNodeOf, withDaemonTolerations } from './placement.ts';
import type { DaemonPodSpec } from './types.ts';

const node = (name: string, labels: Record<string, string> = {}, taints: { key: string; value?: string; effect: string }[] = []): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels },
  spec: taints.length ? { taints } : {},
});
const ds = (spec: DaemonPodSpec = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'ds', namespace: 'ns', uid: 'u' },
  spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } } },
});
const required = (...terms: unknown[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } }) as DaemonPodSpec;
const expr = (key: string, operator: string, values?: string[]) => ({ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] });
const field = (operator: string, values: string[], key = 'metadata.name') => ({ matchFields: [{ key, operator, values }] });
const taint = (key: string, effect: string, value?: string) => ({ key, effect, ...(value !== undefined ? { value } : {}) });

const RUN = [true, true];
const KEEP = [false, true];
const NO = [false, false];

type Case = [string, KubeObject, DaemonPodSpec, boolean[]];
const cases: Case[] = [
  ['no constraints', node('n1'), {}, RUN],
  // 1. spec.nodeName in the template
  ['template nodeName is this node', node('n1'), { nodeName: 'n1' }, RUN],
  ['template nodeName is another node', node('n1'), { nodeName: 'n2' }, NO],
  // 2. nodeSelector and required node affinity
  ['nodeSelector matches', node('n1', { color: 'blue' }), { nodeSelector: { color: 'blue' } }, RUN],
  ['nodeSelector value differs', node('n1', { color: 'green' }), { nodeSelector: { color: 'blue' } }, NO],
  ['nodeSelector label missing', node('n1'), { nodeSelector: { color: 'blue' } }, NO],
  ['nodeSelector needs every label', node('n1', { color: 'blue' }), { nodeSelector: { color: 'blue', size: 'l' } }, NO],
  ['affinity In matches', node('n1', { color: 'blue' }), required(expr('color', 'In', ['blue', 'red'])), RUN],
  ['affinity In misses', node('n1', { color: 'green' }), required(expr('color', 'In', ['blue'])), NO],
  ['affinity NotIn', node('n1', { color: 'green' }), required(expr('color', 'NotIn', ['blue'])), RUN],
  ['affinity NotIn excludes', node('n1', { color: 'blue' }), required(expr('color', 'NotIn', ['blue'])), NO],
  ['affinity Exists', node('n1', { gpu: '' }), required(expr('gpu', 'Exists')), RUN],
  ['affinity Exists misses', node('n1'), required(expr('gpu', 'Exists')), NO],
  ['affinity DoesNotExist', node('n1'), required(expr('gpu', 'DoesNotExist')), RUN],
  ['affinity Gt', node('n1', { cores: '16' }), required(expr('cores', 'Gt', ['8'])), RUN],
  ['affinity Lt misses', node('n1', { cores: '16' }), required(expr('cores', 'Lt', ['8'])), NO],
  ['terms are ORed', node('n1', { color: 'green' }), required(expr('color', 'In', ['blue']), expr('color', 'In', ['green'])), RUN],
  ['expressions in a term are ANDed', node('n1', { color: 'blue' }), required({ matchExpressions: [{ key: 'color', operator: 'In', values: ['blue'] }, { key: 'gpu', operator: 'Exists' }] }), NO],
  ['an empty term matches nothing', node('n1'), required({}), NO],
  ['matchFields metadata.name In', node('n1'), required(field('In', ['n1'])), RUN],
  ['matchFields metadata.name In another', node('n1'), required(field('In', ['n2'])), NO],
  ['matchFields metadata.name NotIn', node('n1'), required(field('NotIn', ['n2'])), RUN],
  ['matchFields on another field is unusable', node('n1'), required(field('In', ['n1'], 'metadata.uid')), NO],
  ['matchFields with two values is unusable', node('n1'), required(field('In', ['n1', 'n2'])), NO],
  ['nodeSelector and affinity both apply', node('n1', { color: 'blue' }), { nodeSelector: { color: 'blue' }, ...required(expr('size', 'In', ['l'])) }, NO],
  ['preferred affinity does not count', node('n1'), { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: expr('x', 'Exists') }] } } }, RUN],
  ['selector mismatch beats a tolerable taint', node('n1', {}, [taint('node.kubernetes.io/not-ready', 'NoExecute')]), { nodeSelector: { a: 'b' } }, NO],
  // 3. taints against tolerations (the daemon defaults included)
  ['untolerated NoSchedule: no new pod, running one stays', node('n1', {}, [taint('dedicated', 'NoSchedule', 'db')]), {}, KEEP],
  ['untolerated NoExecute: evicted', node('n1', {}, [taint('dedicated', 'NoExecute', 'db')]), {}, NO],
  ['NoSchedule and NoExecute untolerated', node('n1', {}, [taint('a', 'NoSchedule'), taint('b', 'NoExecute')]), {}, NO],
  ['PreferNoSchedule is ignored', node('n1', {}, [taint('dedicated', 'PreferNoSchedule')]), {}, RUN],
  ['NoSchedule tolerated by Equal', node('n1', {}, [taint('dedicated', 'NoSchedule', 'db')]), { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] }, RUN],
  ['Equal with another value does not tolerate', node('n1', {}, [taint('dedicated', 'NoSchedule', 'db')]), { tolerations: [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }] }, KEEP],
  ['NoSchedule tolerated by Exists without effect', node('n1', {}, [taint('dedicated', 'NoSchedule', 'db')]), { tolerations: [{ key: 'dedicated', operator: 'Exists' }] }, RUN],
  ['NoExecute tolerated', node('n1', {}, [taint('dedicated', 'NoExecute')]), { tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }] }, RUN],
  ['NoExecute toleration does not cover NoSchedule', node('n1', {}, [taint('dedicated', 'NoSchedule')]), { tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }] }, KEEP],
  ['NoExecute tolerated, NoSchedule not', node('n1', {}, [taint('x', 'NoExecute'), taint('y', 'NoSchedule')]), { tolerations: [{ key: 'x', operator: 'Exists' }] }, KEEP],
  ['an empty-key Exists toleration tolerates everything', node('n1', {}, [taint('x', 'NoExecute'), taint('y', 'NoSchedule')]), { tolerations: [{ operator: 'Exists' }] }, RUN],
  ['control-plane taint', node('cp', {}, [taint('node-role.kubernetes.io/control-plane', 'NoSchedule')]), {}, KEEP],
  ['control-plane taint tolerated', node('cp', {}, [taint('node-role.kubernetes.io/control-plane', 'NoSchedule')]), { tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }] }, RUN],
  // The default daemon tolerations
  ['not-ready NoExecute (default toleration)', node('n1', {}, [taint('node.kubernetes.io/not-ready', 'NoExecute')]), {}, RUN],
  ['unreachable NoExecute (default toleration)', node('n1', {}, [taint('node.kubernetes.io/unreachable', 'NoExecute')]), {}, RUN],
  ['not-ready NoSchedule is not tolerated: kept, not desired', node('n1', {}, [taint('node.kubernetes.io/not-ready', 'NoSchedule'), taint('node.kubernetes.io/not-ready', 'NoExecute')]), {}, KEEP],
  ['unreachable NoSchedule is not tolerated', node('n1', {}, [taint('node.kubernetes.io/unreachable', 'NoSchedule')]), {}, KEEP],
  ['disk-pressure NoSchedule', node('n1', {}, [taint('node.kubernetes.io/disk-pressure', 'NoSchedule')]), {}, RUN],
  ['memory-pressure NoSchedule', node('n1', {}, [taint('node.kubernetes.io/memory-pressure', 'NoSchedule')]), {}, RUN],
  ['pid-pressure NoSchedule', node('n1', {}, [taint('node.kubernetes.io/pid-pressure', 'NoSchedule')]), {}, RUN],
  ['cordoned (unschedulable NoSchedule)', node('n1', {}, [taint('node.kubernetes.io/unschedulable', 'NoSchedule')]), {}, RUN],
  ['disk-pressure as NoExecute is not a default', node('n1', {}, [taint('node.kubernetes.io/disk-pressure', 'NoExecute')]), {}, NO],
  ['network-unavailable without hostNetwork', node('n1', {}, [taint('node.kubernetes.io/network-unavailable', 'NoSchedule')]), {}, KEEP],
  ['network-unavailable with hostNetwork', node('n1', {}, [taint('node.kubernetes.io/network-unavailable', 'NoSchedule')]), { hostNetwork: true }, RUN],
  ['out-of-service NoExecute evicts', node('n1', {}, [taint('node.kubernetes.io/out-of-service', 'NoExecute', 'nodeshutdown')]), {}, NO],
];

describe('nodeShouldRunDaemonPod', () => {
  it.each(cases)('%s', (_name, n, spec, [shouldRun, shouldContinueRunning]) => {
    expect(nodeShouldRunDaemonPod(n, ds(spec))).toEqual({ shouldRun, shouldContinueRunning });
  });

  it('ignores resources, readiness and spec.unschedulable', () => {
    const n: KubeObject = { ...node('n1'), spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'False' }], allocatable: { cpu: '0' } } };
    expect(nodeShouldRunDaemonPod(n, ds({ containers: [{ name: 'c', resources: { requests: { cpu: '64' } } }] }))).toEqual({ shouldRun: true, shouldContinueRunning: true });
  });
});

describe('withDaemonTolerations', () => {
  const keys = (t: { key?: string; effect?: string }[]) => t.map((x) => `${x.key}:${x.effect}`);

  it('adds the six defaults, and network-unavailable for hostNetwork pods', () => {
    expect(keys(withDaemonTolerations({}))).toEqual([
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
    expect(withDaemonTolerations({}).every((t) => t.operator === 'Exists' && t.tolerationSeconds === undefined)).toBe(true);
    expect(keys(withDaemonTolerations({ hostNetwork: true }))).toContain('node.kubernetes.io/network-unavailable:NoSchedule');
  });

  it("keeps the user's tolerations first and replaces a matching one's tolerationSeconds", () => {
    const user = [
      { key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
    ];
    const out = withDaemonTolerations({ tolerations: user });
    expect(out[0]).toEqual(user[0]);
    expect(out[1]).toEqual({ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' });
    expect(out.filter((t) => t.key === 'node.kubernetes.io/not-ready')).toHaveLength(1);
    expect(out).toHaveLength(7);
    expect(user[1]!.tolerationSeconds).toBe(30);
  });
});

describe('pinning to a node', () => {
  it('replaces required node affinity, keeping preferred terms and pod affinity', () => {
    const preferred = [{ weight: 1, preference: expr('x', 'Exists') }];
    const podAffinity = { requiredDuringSchedulingIgnoredDuringExecution: [] };
    const affinity = { nodeAffinity: { ...required(expr('color', 'In', ['blue'])).affinity!.nodeAffinity!, preferredDuringSchedulingIgnoredDuringExecution: preferred }, podAffinity };
    const pinned = pinToNode(affinity, 'n7');
    expect(pinned).toEqual({
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n7'] }] }] }, preferredDuringSchedulingIgnoredDuringExecution: preferred },
      podAffinity,
    });
    expect(affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms).toHaveLength(1);
    expect(pinToNode(undefined, 'n1').nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values).toEqual(['n1']);
  });

  it('finds the target node: nodeName once bound, else the matchFields value', () => {
    const pod = (spec: DaemonPodSpec): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec });
    expect(targetNodeOf(pod({ nodeName: 'n2', affinity: pinToNode(undefined, 'n1') }))).toBe('n2');
    expect(targetNodeOf(pod({ affinity: pinToNode(undefined, 'n1') }))).toBe('n1');
    expect(targetNodeOf(pod(required(field('In', ['a', 'b']))))).toBeUndefined();
    expect(targetNodeOf(pod({}))).toBeUndefined();
  });
});
