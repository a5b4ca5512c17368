// strategyFor(group, kind): the strategy the generic registry plugs in for each built-in kind
// (k8s.io/apiserver rest.RESTCreateStrategy / RESTUpdateStrategy per pkg/registry/<group>/<kind>).
// Kinds without a dedicated strategy get the default: object-meta validation with a DNS
// subdomain name, status reset on create and kept on update when the kind has a status
// subresource, and generation bumps on spec changes.
import { BUILTIN_RESOURCES } from '../../api/resources.ts';
import { type NameFn, nameIsPathSegment } from '../../api/validation/names.ts';
import type { Strategy } from '../strategy.ts';
import { defaultCrd, validateCrd, validateCrdUpdate } from '../../api/apiextensions/crd.ts';
import {
  type AppsOptions,
  controllerRevisionStrategy,
  daemonSetStrategy,
  deploymentStrategy,
  replicaSetStrategy,
  statefulSetStrategy,
} from './apps.ts';
import { kindStrategy } from './base.ts';
import { cronJobStrategy, jobStrategy } from './batch.ts';
import { configMapStrategy, eventStrategy, leaseStrategy, namespaceStrategy, nodeStrategy, secretStrategy } from './core-misc.ts';
import { endpointSliceStrategy, endpointsStrategy, serviceStrategy } from './core-network.ts';
import { type PodStrategyOptions, podStrategy, podTemplateStrategy, replicationControllerStrategy } from './core-workloads.ts';
import { validatePodDisruptionBudgetSpec } from '../../api/policy/pod-disruption-budget.ts';
import { setBindingDefaults, validateBinding, validateBindingUpdate, validateRoleRules } from '../../api/rbac/rbac.ts';
import { pvStrategy, pvcStrategy, storageClassStrategy } from './storage.ts';

export interface StrategyOptions extends AppsOptions, PodStrategyOptions {}

type Factory = (opts: StrategyOptions) => Strategy;

const FACTORIES: Record<string, Factory> = {
  'apps/StatefulSet': (o) => statefulSetStrategy(o),
  'apps/DaemonSet': () => daemonSetStrategy(),
  'apps/Deployment': () => deploymentStrategy(),
  'apps/ReplicaSet': () => replicaSetStrategy(),
  'apps/ControllerRevision': () => controllerRevisionStrategy(),
  'apiextensions.k8s.io/CustomResourceDefinition': () =>
    kindStrategy({ namespaced: false, hasStatus: true, defaults: defaultCrd, validateSpec: (o) => validateCrd(o), validateChange: (o, old) => validateCrdUpdate(o, old).filter((e) => e.field === 'spec.scope' || e.field === 'spec.group') }),
  Pod: (o) => podStrategy(o),
  PodTemplate: () => podTemplateStrategy(),
  Service: () => serviceStrategy(),
  Endpoints: () => endpointsStrategy(),
  'discovery.k8s.io/EndpointSlice': () => endpointSliceStrategy(),
  PersistentVolumeClaim: () => pvcStrategy(),
  PersistentVolume: () => pvStrategy(),
  'storage.k8s.io/StorageClass': () => storageClassStrategy(),
  Namespace: () => namespaceStrategy(),
  Node: () => nodeStrategy(),
  ConfigMap: () => configMapStrategy(),
  Secret: () => secretStrategy(),
  Event: () => eventStrategy(),
  'events.k8s.io/Event': () => eventStrategy(),
  'coordination.k8s.io/Lease': () => leaseStrategy(),
  'batch/Job': () => jobStrategy(),
  'batch/CronJob': () => cronJobStrategy(),
  ReplicationController: () => replicationControllerStrategy(),
  'policy/PodDisruptionBudget': () =>
    kindStrategy({ namespaced: true, hasStatus: true, validateSpec: validatePodDisruptionBudgetSpec }),
  'rbac.authorization.k8s.io/Role': () => kindStrategy({ namespaced: true, nameFn: nameIsPathSegment, validateSpec: validateRoleRules(true) }),
  'rbac.authorization.k8s.io/ClusterRole': () => kindStrategy({ namespaced: false, nameFn: nameIsPathSegment, validateSpec: validateRoleRules(false) }),
  'rbac.authorization.k8s.io/RoleBinding': () =>
    kindStrategy({ namespaced: true, nameFn: nameIsPathSegment, defaults: setBindingDefaults, validateSpec: validateBinding(true), validateChange: validateBindingUpdate }),
  'rbac.authorization.k8s.io/ClusterRoleBinding': () =>
    kindStrategy({ namespaced: false, nameFn: nameIsPathSegment, defaults: setBindingDefaults, validateSpec: validateBinding(false), validateChange: validateBindingUpdate }),
};

/** Kinds whose names are only path segments upstream (RBAC objects). */
const PATH_SEGMENT_NAMES: Partial<Record<string, NameFn>> = {
  'rbac.authorization.k8s.io/Role': nameIsPathSegment,
  'rbac.authorization.k8s.io/ClusterRole': nameIsPathSegment,
  'rbac.authorization.k8s.io/RoleBinding': nameIsPathSegment,
  'rbac.authorization.k8s.io/ClusterRoleBinding': nameIsPathSegment,
};

/** `apps/StatefulSet`; core kinds are keyed by kind alone (`Pod`). */
function keyOf(group: string, kind: string): string {
  return group ? `${group}/${kind}` : kind;
}

/** The default strategy for a kind without its own rules. */
export function defaultStrategy(group: string, kind: string): Strategy {
  const info = BUILTIN_RESOURCES.find((r) => r.group === group && r.kind === kind);
  const nameFn = PATH_SEGMENT_NAMES[keyOf(group, kind)];
  return kindStrategy({
    namespaced: info?.namespaced ?? false,
    ...(nameFn ? { nameFn } : {}),
    hasStatus: info?.subresources?.some((s) => s.name === 'status') ?? false,
  });
}

export function strategyFor(group: string, kind: string, opts: StrategyOptions = {}): Strategy {
  const factory = FACTORIES[keyOf(group, kind)];
  return factory ? factory(opts) : defaultStrategy(group, kind);
}
