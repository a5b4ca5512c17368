import { describe, expect, it } from 'vitest';
import { podQosClass, type QosPodSpec } from './qos.ts';

const c = (requests?: Record<string, string>, limits?: Record<string, string>) => ({ resources: { requests, limits } });

describe('podQosClass', () => {
  const cases: [string, QosPodSpec, string][] = [
    ['no resources', { containers: [{}] }, 'BestEffort'],
    ['requests equal limits', { containers: [c({ cpu: '100m', memory: '64Mi' }, { cpu: '0.1', memory: '64Mi' })] }, 'Guaranteed'],
    ['limits only (requests default to limits)', { containers: [c(undefined, { cpu: '1', memory: '1Gi' })] }, 'Guaranteed'],
    ['requests below limits', { containers: [c({ cpu: '100m', memory: '64Mi' }, { cpu: '200m', memory: '64Mi' })] }, 'Burstable'],
    ['cpu request only', { containers: [c({ cpu: '100m' })] }, 'Burstable'],
    ['memory limit missing', { containers: [c({ cpu: '1' }, { cpu: '1' })] }, 'Burstable'],
    ['one guaranteed, one best effort', { containers: [c(undefined, { cpu: '1', memory: '1Gi' }), {}] }, 'Burstable'],
    ['init container counts', { initContainers: [c({ cpu: '1' })], containers: [{}] }, 'Burstable'],
    ['other resources ignored', { containers: [c({ 'nvidia.com/gpu': '1' }, { 'nvidia.com/gpu': '1' })] }, 'BestEffort'],
  ];
  it.each(cases)('%s', (_name, spec, want) => expect(podQosClass(spec)).toBe(want));
});
