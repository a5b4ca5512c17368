import { describe, expect, it } from 'vitest';
import { podInfo } from '../pod-info.ts';
import { makeNode, makePod, nodeInfo, type NodeOpts, type PodOpts } from '../testing.ts';
import type { Pod, Status } from '../types.ts';
import { staticView } from '../view.ts';
import { preFilter, runFilters } from './index.ts';

const CP_TAINT = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
const zone = (z: string) => ({ 'topology.kubernetes.io/zone': z });
const app = (a: string) => ({ labelSelector: { matchLabels: { app: a } } });

interface Case {
  name: string;
  pod: PodOpts & { name?: string };
  node?: NodeOpts;
  /** Pods already on the node under test. */
  existing?: Pod[];
  /** Other nodes of the cluster, with their pods. */
  others?: { name: string; node?: NodeOpts; pods?: Pod[] }[];
  want?: Status;
}

const ok = undefined;
const no = (...reasons: string[]): Status => ({ code: 'Unschedulable', reasons });
const never = (...reasons: string[]): Status => ({ code: 'UnschedulableAndUnresolvable', reasons });

const cases: Case[] = [
  // NodeName
  { name: 'nodeName matches', pod: { nodeName: 'n1' }, want: ok },
  { name: 'nodeName differs', pod: { nodeName: 'other' }, want: never("node(s) didn't match the requested node name") },
  // NodeUnschedulable
  { name: 'cordoned node', pod: {}, node: { unschedulable: true }, want: never('node(s) were unschedulable') },
  { name: 'cordoned node, tolerated', pod: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }, node: { unschedulable: true }, want: ok },
  // TaintToleration, all three effects
  { name: 'NoSchedule taint', pod: {}, node: { taints: [CP_TAINT] }, want: never('node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }') },
  { name: 'NoExecute taint with value', pod: {}, node: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] }, want: never('node(s) had untolerated taint {dedicated: db}') },
  { name: 'PreferNoSchedule is only a score', pod: {}, node: { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] }, want: ok },
  { name: 'Exists toleration', pod: { tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }] }, node: { taints: [CP_TAINT] }, want: ok },
  { name: 'Equal toleration, wrong value', pod: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web' }] }, node: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }, want: never('node(s) had untolerated taint {dedicated: db}') },
  { name: 'Equal toleration, any effect', pod: { tolerations: [{ key: 'dedicated', value: 'db' }] }, node: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] }, want: ok },
  { name: 'toleration of another effect', pod: { tolerations: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }, node: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] }, want: never('node(s) had untolerated taint {dedicated: db}') },
  { name: 'empty key Exists tolerates all', pod: { tolerations: [{ operator: 'Exists' }] }, node: { taints: [CP_TAINT, { key: 'x', effect: 'NoExecute' }] }, want: ok },
  // NodeAffinity / nodeSelector
  { name: 'nodeSelector matches', pod: { nodeSelector: { disktype: 'ssd' } }, node: { labels: { disktype: 'ssd' } }, want: ok },
  { name: 'nodeSelector misses', pod: { nodeSelector: { disktype: 'ssd' } }, want: never("node(s) didn't match Pod's node affinity/selector") },
  {
    name: 'required terms are ORed',
    pod: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['x'] }] }, { matchExpressions: [{ key: 'b', operator: 'Exists' }] }] } } } },
    node: { labels: { b: '1' } },
    want: ok,
  },
  {
    name: 'Gt on a label',
    pod: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['3'] }] }] } } } },
    node: { labels: { gen: '2' } },
    want: never("node(s) didn't match Pod's node affinity/selector"),
  },
  {
    name: 'matchFields metadata.name',
    pod: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] } } } },
    want: ok,
  },
  {
    name: 'empty term matches nothing',
    pod: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } } } },
    want: never("node(s) didn't match Pod's node affinity/selector"),
  },
  // NodePorts
  { name: 'free host port', pod: { hostPort: 8080 }, existing: [makePod('e', { hostPort: 9090 })], want: ok },
  { name: 'host port taken', pod: { hostPort: 8080 }, existing: [makePod('e', { hostPort: 8080 })], want: no("node(s) didn't have free ports for the requested pod ports") },
  { name: 'host port on other IPs', pod: { hostPort: 8080, hostIP: '10.0.0.1' }, existing: [makePod('e', { hostPort: 8080, hostIP: '10.0.0.2' })], want: ok },
  { name: 'host port vs wildcard', pod: { hostPort: 8080, hostIP: '10.0.0.1' }, existing: [makePod('e', { hostPort: 8080 })], want: no("node(s) didn't have free ports for the requested pod ports") },
  // NodeResourcesFit
  { name: 'fits', pod: { cpu: '1', memory: '1Gi' }, existing: [makePod('e', { cpu: '3', memory: '7Gi' })], want: ok },
  { name: 'insufficient cpu', pod: { cpu: '1500m' }, existing: [makePod('e', { cpu: '3' })], want: no('Insufficient cpu') },
  { name: 'insufficient cpu and memory', pod: { cpu: '2', memory: '2Gi' }, existing: [makePod('e', { cpu: '3', memory: '7Gi' })], want: no('Insufficient cpu', 'Insufficient memory') },
  { name: 'larger than the node', pod: { cpu: '5' }, want: never('Insufficient cpu') },
  { name: 'too many pods', pod: {}, node: { pods: '1' }, existing: [makePod('e')], want: no('Too many pods') },
  { name: 'best effort still counts pods', pod: {}, node: { pods: '2' }, existing: [makePod('e')], want: ok },
  { name: 'extended resource', pod: { containers: [{ name: 'c', resources: { requests: { 'nvidia.com/gpu': '1' } } }] }, want: never('Insufficient nvidia.com/gpu') },
  // InterPodAffinity
  {
    name: 'affinity satisfied on the same host',
    pod: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...app('db'), topologyKey: 'kubernetes.io/hostname' }] } } },
    existing: [makePod('db', { labels: { app: 'db' } })],
    want: ok,
  },
  {
    name: 'affinity to pods elsewhere',
    pod: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...app('db'), topologyKey: 'kubernetes.io/hostname' }] } } },
    others: [{ name: 'n2', pods: [makePod('db', { labels: { app: 'db' } })] }],
    want: never("node(s) didn't match pod affinity rules"),
  },
  {
    name: 'affinity by zone',
    pod: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...app('db'), topologyKey: 'topology.kubernetes.io/zone' }] } } },
    node: { labels: zone('a') },
    others: [{ name: 'n2', node: { labels: zone('a') }, pods: [makePod('db', { labels: { app: 'db' } })] }],
    want: ok,
  },
  {
    name: 'first pod of a self-affine group',
    pod: { labels: { app: 'web' }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...app('web'), topologyKey: 'kubernetes.io/hostname' }] } } },
    want: ok,
  },
  {
    name: 'affinity in another namespace does not count',
    pod: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...app('db'), topologyKey: 'kubernetes.io/hostname' }] } } },
    existing: [makePod('db', { labels: { app: 'db' }, namespace: 'other' })],
    want: never("node(s) didn't match pod affinity rules"),
  },
  {
    name: 'affinity with a namespace list',
    pod: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...app('db'), namespaces: ['other'], topologyKey: 'kubernetes.io/hostname' }] } } },
    existing: [makePod('db', { labels: { app: 'db' }, namespace: 'other' })],
    want: ok,
  },
  {
    name: 'anti-affinity on the host',
    pod: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...app('web'), topologyKey: 'kubernetes.io/hostname' }] } } },
    existing: [makePod('w', { labels: { app: 'web' } })],
    want: no("node(s) didn't match pod anti-affinity rules"),
  },
  {
    name: 'anti-affinity by zone',
    pod: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...app('web'), topologyKey: 'topology.kubernetes.io/zone' }] } } },
    node: { labels: zone('a') },
    others: [{ name: 'n2', node: { labels: zone('a') }, pods: [makePod('w', { labels: { app: 'web' } })] }],
    want: no("node(s) didn't match pod anti-affinity rules"),
  },
  {
    name: "existing pod's anti-affinity",
    pod: { labels: { app: 'web' } },
    existing: [makePod('lonely', { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...app('web'), topologyKey: 'kubernetes.io/hostname' }] } } })],
    want: no("node(s) didn't satisfy existing pods anti-affinity rules"),
  },
  {
    name: "existing pod's anti-affinity elsewhere",
    pod: { labels: { app: 'web' } },
    others: [{ name: 'n2', pods: [makePod('lonely', { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...app('web'), topologyKey: 'kubernetes.io/hostname' }] } } })] }],
    want: ok,
  },
  // PodTopologySpread
  {
    name: 'spread within skew',
    pod: { labels: { app: 'web' }, spread: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', ...app('web') }] },
    others: [{ name: 'n2', pods: [makePod('w1', { labels: { app: 'web' } })] }],
    want: ok,
  },
  {
    name: 'spread skew exceeded',
    pod: { labels: { app: 'web' }, spread: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', ...app('web') }] },
    existing: [makePod('w1', { labels: { app: 'web' } })],
    others: [{ name: 'n2' }],
    want: no("node(s) didn't match pod topology spread constraints"),
  },
  {
    name: 'spread missing topology key',
    pod: { labels: { app: 'web' }, spread: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', ...app('web') }] },
    others: [{ name: 'n2', node: { labels: zone('a') } }],
    want: never("node(s) didn't match pod topology spread constraints (missing required label)"),
  },
  {
    name: 'ScheduleAnyway never filters',
    pod: { labels: { app: 'web' }, spread: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', ...app('web') }] },
    existing: [makePod('w1', { labels: { app: 'web' } }), makePod('w2', { labels: { app: 'web' } })],
    others: [{ name: 'n2' }],
    want: ok,
  },
  {
    name: 'nodes outside the node affinity are not domains',
    pod: { labels: { app: 'web' }, nodeSelector: { pool: 'a' }, spread: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', ...app('web') }] },
    node: { labels: { pool: 'a' } },
    existing: [makePod('w1', { labels: { app: 'web' } })],
    others: [{ name: 'n2' }],
    want: ok,
  },
  {
    name: 'minDomains above the domain count',
    pod: { labels: { app: 'web' }, spread: [{ maxSkew: 1, minDomains: 3, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', ...app('web') }] },
    existing: [makePod('w1', { labels: { app: 'web' } })],
    others: [{ name: 'n2', pods: [makePod('w2', { labels: { app: 'web' } })] }],
    want: no("node(s) didn't match pod topology spread constraints"),
  },
  // Order: the first failing plugin wins.
  { name: 'taint reported before resources', pod: { cpu: '9' }, node: { taints: [CP_TAINT] }, want: never('node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }') },
];

describe('filters', () => {
  it.each(cases)('$name', (c) => {
    const target = nodeInfo(makeNode('n1', c.node), c.existing ?? []);
    const others = (c.others ?? []).map((o) => nodeInfo(makeNode(o.name, o.node), o.pods ?? []));
    const view = staticView([target, ...others]);
    const state = preFilter(podInfo(makePod(c.pod.name ?? 'p', c.pod)), view);
    expect(runFilters(state, target)).toEqual(c.want);
  });

  it('namespaceSelector selects namespaces by label', () => {
    const term = { ...app('db'), namespaceSelector: { matchLabels: { team: 'data' } }, topologyKey: 'kubernetes.io/hostname' };
    const target = nodeInfo(makeNode('n1'), [makePod('db', { labels: { app: 'db' }, namespace: 'data' })]);
    const pod = podInfo(makePod('p', { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } }));
    expect(runFilters(preFilter(pod, staticView([target], { data: { team: 'data' } })), target)).toBeUndefined();
    expect(runFilters(preFilter(pod, staticView([target], { data: { team: 'x' } })), target)?.reasons).toEqual(["node(s) didn't match pod affinity rules"]);
  });
});
