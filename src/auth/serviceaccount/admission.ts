// ServiceAccount admission for new pods (kubernetes/kubernetes
// plugin/pkg/admission/serviceaccount/admission.go): pod-token-volume.ts's changes, and a pod
// naming an account that does not exist is refused. The `default` account is made by the
// ServiceAccount controller a moment after its namespace, so it is looked for several times
// before the pod is refused, as upstream does.
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import { generateName } from '../../registry/names.ts';
import type { Admission } from '../../registry/resource-store.ts';
import type { Clock } from '../../util/clock.ts';
import type { ObjectLookup } from './authenticator.ts';
import { admitPodSpec, DEFAULT_SERVICE_ACCOUNT, MIRROR_POD_ANNOTATION, serviceAccountNameOf, TOKEN_VOLUME_PREFIX, type PodSpec, type ServiceAccount } from './pod-token-volume.ts';

export interface ServiceAccountAdmissionOptions {
  lookup: ObjectLookup;
  clock: Clock;
  /**
   * Refuse pods whose account does not exist (default true). A server whose cluster runs no
   * ServiceAccount controller turns it off: nothing would ever create `default`.
   */
  requireServiceAccount?: boolean;
  /** Looks for `default` this many times (upstream: 10), 100–200 ms apart. */
  defaultAttempts?: number;
}

export function serviceAccountAdmission(o: ServiceAccountAdmissionOptions): Admission {
  const require = o.requireServiceAccount ?? true;
  const attempts = o.defaultAttempts ?? 10;
  const find = async (namespace: string, name: string): Promise<KubeObject | undefined> => {
    const tries = require && name === DEFAULT_SERVICE_ACCOUNT ? attempts : 1;
    for (let i = 0; i < tries; i++) {
      if (i > 0) await sleep(o.clock, 100 + Math.floor(Math.random() * 100));
      const sa = await o.lookup('ServiceAccount', namespace, name);
      if (sa) return sa;
    }
    return undefined;
  };
  return {
    async admit(op, info, obj) {
      if (op !== 'create' || info.group !== '' || info.kind !== 'Pod') return;
      const namespace = obj.metadata.namespace ?? '';
      const spec = (obj.spec ??= {}) as PodSpec;
      if (obj.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return validateMirrorPod(obj, spec);
      const name = serviceAccountNameOf(spec);
      const sa = await find(namespace, name);
      if (!sa && require) throw forbidden(obj, `error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found`);
      admitPodSpec(spec, sa as ServiceAccount | undefined, () => generateName(TOKEN_VOLUME_PREFIX));
    },
  };
}

/** Mirror pods (the kubelet's static pods) may name no account and mount no token. */
function validateMirrorPod(pod: KubeObject, spec: PodSpec): void {
  if (spec.serviceAccountName) throw forbidden(pod, 'a mirror pod may not reference service accounts');
  const volumes = (spec.volumes ?? []) as { projected?: { sources?: { serviceAccountToken?: unknown }[] } }[];
  if (volumes.some((v) => v.projected?.sources?.some((s) => s.serviceAccountToken))) throw forbidden(pod, 'a mirror pod may not use ServiceAccountToken volume projections');
}

/** admission.NewForbidden's wording: `pods "web" is forbidden: <reason>`. */
function forbidden(pod: KubeObject, reason: string): ApiError {
  const name = pod.metadata.name ?? '';
  return new ApiError('Forbidden', 403, `pods "${name}" is forbidden: ${reason}`, { name, kind: 'pods' });
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(resolve, ms));
}
