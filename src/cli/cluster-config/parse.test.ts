import { describe, expect, it } from 'vitest';
import { ConfigError, parseClusterConfig } from './parse.ts';

const head = 'apiVersion: k8ts.io/v1alpha1\nkind: Cluster\n';

function problems(text: string): string[] {
  try {
    parseClusterConfig(text, 'c.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('parseClusterConfig', () => {
  it('reads a whole file: settings, nodes with kind names, labels, taints in both forms, capacity', () => {
    const c = parseClusterConfig(`${head}name: dev
networking: {apiServerAddress: 0.0.0.0, apiServerPort: 7443, dnsPort: 0, dnsDomain: example.local., serviceSubnet: 10.100.0.0/16}
datastore: sqlite
runtime: simulated
timeScale: 60
features: {scheduleOnControlPlane: true}
nodes:
- role: control-plane
- role: worker
  labels: {disktype: ssd}
- role: worker
  taints: ["dedicated=db:NoSchedule", {key: gpu, effect: NoExecute}]
  capacity: {cpu: 500m, memory: 2Gi, pods: "20", ephemeral-storage: 50Gi}
- name: edge
`);
    expect(c.name).toBe('dev');
    expect(c.networking).toEqual({ apiServerAddress: '0.0.0.0', apiServerPort: 7443, dnsPort: 0, dnsDomain: 'example.local', serviceSubnet: '10.100.0.0/16' });
    expect(c.timeScale).toBe(60);
    expect(c.features.scheduleOnControlPlane).toBe(true);
    expect(c.nodes!.map((n) => `${n.name}/${n.role}`)).toEqual(['k8ts-control-plane/control-plane', 'k8ts-worker/worker', 'k8ts-worker2/worker', 'edge/worker']);
    expect(c.nodes![1]!.labels).toEqual({ disktype: 'ssd' });
    expect(c.nodes![2]!.taints).toEqual([{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }, { key: 'gpu', effect: 'NoExecute' }]);
    expect(c.nodes![2]!.capacity).toEqual({ cpu: '500m', memory: '2Gi', pods: '20', 'ephemeral-storage': '50Gi' });
  });

  it('leaves the default nodes when the file lists none', () => {
    expect(parseClusterConfig(head).nodes).toBeUndefined();
  });

  const cases: { name: string; text: string; problems: string[] }[] = [
    { name: 'not YAML', text: 'a: [1,', problems: [expect.stringMatching(/^line 1, column \d+: /) as unknown as string] },
    { name: 'not a mapping', text: '- a', problems: ['line 1, column 1: the file must be a mapping with apiVersion: k8ts.io/v1alpha1 and kind: Cluster'] },
    { name: 'wrong version and kind', text: 'apiVersion: kind.x-k8s.io/v1alpha4\nkind: Config\n', problems: ['line 1, column 13: apiVersion: must be k8ts.io/v1alpha1, not kind.x-k8s.io/v1alpha4', 'line 2, column 7: kind: must be Cluster, not Config'] },
    { name: 'an unknown field, named with where it is', text: `${head}networking:\n  apiserverPort: 1\n`, problems: ['line 4, column 3: networking.apiserverPort: unknown field (known here: apiServerAddress, apiServerPort, dnsPort, dnsDomain, serviceSubnet)'] },
    { name: 'a port out of range', text: `${head}networking: {apiServerPort: 70000}\n`, problems: ['line 3, column 29: networking.apiServerPort: must be a whole number from 0 to 65535'] },
    { name: 'a bad service subnet', text: `${head}networking: {serviceSubnet: nope}\n`, problems: [expect.stringMatching(/^line 3, column 29: networking\.serviceSubnet: /) as unknown as string] },
    { name: 'a bad runtime and time scale', text: `${head}runtime: docker\ntimeScale: 0\n`, problems: ['line 3, column 10: runtime: must be simulated or process, not docker', 'line 4, column 12: timeScale: must be a number above 0 and at most 1000'] },
    { name: 'an unknown feature', text: `${head}features: {turbo: true}\n`, problems: ['line 3, column 12: features.turbo: unknown field (known here: scheduleOnControlPlane)'] },
    { name: 'a duplicate node name', text: `${head}nodes:\n- role: control-plane\n- name: a\n- name: a\n`, problems: ['line 6, column 9: nodes[2].name: duplicate node name a (also nodes[1])'] },
    { name: 'an invalid taint', text: `${head}nodes:\n- role: control-plane\n  taints: ["x:Sometimes"]\n`, problems: ['line 5, column 12: nodes[0].taints[0]: invalid taint effect "Sometimes": must be one of NoSchedule, PreferNoSchedule, NoExecute'] },
    { name: 'an invalid label', text: `${head}nodes:\n- role: control-plane\n  labels: {"bad key!": x}\n`, problems: [expect.stringMatching(/^line 5, column 12: nodes\[0\]\.labels: invalid label key "bad key!": /) as unknown as string] },
    { name: 'an invalid quantity', text: `${head}nodes:\n- role: control-plane\n  capacity: {memory: lots}\n`, problems: ['line 5, column 22: nodes[0].capacity.memory: invalid quantity "lots": use a quantity such as 16Gi'] },
    { name: 'no control plane', text: `${head}nodes:\n- role: worker\n`, problems: ['line 4, column 1: nodes: needs a node with role control-plane'] },
  ];
  it.each(cases)('refuses $name with the line', ({ text, problems: want }) => {
    expect(problems(text)).toEqual(want);
  });

  it('reports every problem at once, naming the file', () => {
    let err: ConfigError | undefined;
    try {
      parseClusterConfig(`${head}nodez: 1\nruntime: docker\n`, 'cluster.yaml');
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err?.message.split('\n')[0]).toBe('cluster.yaml is not a valid cluster config, nothing was changed:');
    expect(err?.problems).toHaveLength(2);
  });
});
