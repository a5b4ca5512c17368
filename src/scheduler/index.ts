// kube-scheduler for k8ts: the Scheduler loop plus the pure filter and score functions it is
// built from (each file names the upstream plugin it mirrors).
export { Scheduler, type Recorder, type SchedulerOptions } from './scheduler.ts';
export { SchedulerCache } from './cache.ts';
export { Framework, numFeasibleNodesToFind, scoreNodes, WEIGHTS, type FrameworkOptions, type ScheduleOutcome, type VolumeHooks } from './framework.ts';
export { failedSchedulingMessage, fitErrorMessage, preemptionMessage, type Diagnosis } from './fit-error.ts';
export * from './filters/index.ts';
export * from './scores/inter-pod-affinity.ts';
export * from './scores/node-scores.ts';
export * from './scores/normalize.ts';
export * from './scores/topology-spread.ts';
export { NodeInfo } from './node-info.ts';
export { podInfo, nodeMatchesRequired, termMatches, type PodInfo, type AffinityTerm } from './pod-info.ts';
export { podRequests, nodeAllocatable, type Resources } from './resources.ts';
export { milliValue, value as quantityValue } from './quantity.ts';
export { SchedulingQueue } from './queue.ts';
export { staticView, type ClusterView } from './view.ts';
export * from './types.ts';
