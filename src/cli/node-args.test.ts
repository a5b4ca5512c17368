import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/meta/types.ts';
import { checkQuantity, nextWorkerNames, parseLabels, parseTaints, positiveInt } from './node-args.ts';

describe('parseTaints', () => {
  const ok: [string, unknown][] = [
    ['dedicated=db:NoSchedule', [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]],
    ['gpu:NoExecute', [{ key: 'gpu', effect: 'NoExecute' }]],
    ['a=1:PreferNoSchedule, example.com/b:NoSchedule', [{ key: 'a', value: '1', effect: 'PreferNoSchedule' }, { key: 'example.com/b', effect: 'NoSchedule' }]],
    ['', []],
  ];
  it.each(ok)('accepts %j', (input, want) => expect(parseTaints(input)).toEqual(want));
  const bad: [string, string][] = [
    ['dedicated=db:NoScheduel', 'invalid taint "dedicated=db:NoScheduel": effect must be one of NoSchedule, PreferNoSchedule, NoExecute'],
    ['dedicated=db', 'invalid taint "dedicated=db": expected key[=value]:effect'],
    ['bad key:NoSchedule', 'invalid taint "bad key:NoSchedule": key name part must consist of alphanumeric characters'],
    ['k=v v:NoSchedule', 'invalid taint "k=v v:NoSchedule": value a valid label must be an empty string'],
    ['a:NoSchedule,a:NoSchedule', 'invalid taint "a:NoSchedule": taint a:NoSchedule given twice'],
  ];
  it.each(bad)('refuses %j', (input, msg) => expect(() => parseTaints(input)).toThrow(msg));
});

describe('parseLabels', () => {
  it('accepts a list', () => expect(parseLabels('disktype=ssd,example.com/zone=a,empty=')).toEqual({ disktype: 'ssd', 'example.com/zone': 'a', empty: '' }));
  const bad: [string, string][] = [
    ['disktype', 'invalid label "disktype": expected key=value'],
    ['-x=1', 'invalid label "-x=1": key name part must consist of alphanumeric characters'],
    ['x=a b', 'invalid label "x=a b": value a valid label must be an empty string'],
  ];
  it.each(bad)('refuses %j', (input, msg) => expect(() => parseLabels(input)).toThrow(msg));
});

describe('numbers and quantities', () => {
  it.each(['8', '500m', '16Gi', '1.5'])('quantity %s', (q) => expect(() => checkQuantity('--memory', q)).not.toThrow());
  it('refuses a bad quantity', () => expect(() => checkQuantity('--memory', '16GB')).toThrow('invalid --memory "16GB": must be a quantity such as 16Gi'));
  it.each(['0', '-1', '1.5', 'x'])('refuses --count %s', (v) => expect(() => positiveInt('--count', v)).toThrow(`invalid --count "${v}"`));
});

describe('nextWorkerNames', () => {
  const nodes = (...names: string[]) => names.map((name): KubeObject => ({ metadata: { name } }));
  const cases: [string[], number, string[]][] = [
    [['k8ts-control-plane'], 2, ['k8ts-worker', 'k8ts-worker2']],
    [['k8ts-control-plane', 'k8ts-worker', 'k8ts-worker2'], 2, ['k8ts-worker3', 'k8ts-worker4']],
    [['k8ts-worker', 'k8ts-worker5'], 1, ['k8ts-worker6']],
    [['other'], 1, ['k8ts-worker']],
  ];
  it.each(cases)('after %j, %d more', (existing, n, want) => expect(nextWorkerNames(nodes(...existing), n)).toEqual(want));
});
