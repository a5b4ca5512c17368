// PodSpec and PodTemplateSpec validation (pkg/apis/core/validation/validation.go ValidatePodSpec,
// ValidatePodTemplateSpec). Container details live in containers.ts, volumes in volumes.ts,
// tolerations and affinity in scheduling.ts.
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../meta/field-errors.ts';
import { type Obj, arrAt, isObj, objAt, objs } from '../validation/json.ts';
import { inclusiveRangeError, isDNS1123Label, nameIsDNSSubdomain } from '../validation/names.ts';
import { validateAnnotations, validateLabels } from '../validation/object-meta.ts';
import { checkHostPortConflicts, validateContainers } from './containers.ts';
import { validateAffinity, validateNodeSelectorMap, validateTolerations } from './scheduling.ts';
import { validateVolumes } from './volumes.ts';

export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const MAX_INT32 = 2147483647;

export interface PodSpecOptions {
  /**
   * Extra names volumeMounts may reference. A StatefulSet adds its volumeClaimTemplates, whose
   * volumes the controller injects into each pod.
   */
  extraVolumeNames?: Iterable<string>;
}

function validateSubdomainName(v: unknown, path: string): FieldError[] {
  return typeof v === 'string' && v ? nameIsDNSSubdomain(v, false).map((m) => invalidValue(path, v, m)) : [];
}

export function validatePodSpec(spec: Obj, path: string, opts: PodSpecOptions = {}): FieldError[] {
  const errs: FieldError[] = [];
  const vols = validateVolumes(arrAt(spec, 'volumes'), `${path}.volumes`);
  errs.push(...vols.errors);
  for (const n of opts.extraVolumeNames ?? []) vols.names.add(n);
  const names = new Set<string>();
  const containers = arrAt(spec, 'containers');
  if (containers.length === 0) errs.push(required(`${path}.containers`));
  errs.push(...validateContainers(containers, { volumes: vols.names, names }, `${path}.containers`));
  errs.push(...validateContainers(arrAt(spec, 'initContainers'), { volumes: vols.names, names, init: true }, `${path}.initContainers`));
  errs.push(...checkHostPortConflicts(objs(containers), `${path}.containers`));

  const rp = spec.restartPolicy;
  if (!rp) errs.push(required(`${path}.restartPolicy`));
  else if (!RESTART_POLICIES.includes(String(rp))) errs.push(notSupported(`${path}.restartPolicy`, rp, RESTART_POLICIES));
  const dns = spec.dnsPolicy;
  if (!dns) errs.push(required(`${path}.dnsPolicy`));
  else if (!DNS_POLICIES.includes(String(dns))) errs.push(notSupported(`${path}.dnsPolicy`, dns, DNS_POLICIES));
  else if (dns === 'None' && !isObj(spec.dnsConfig)) errs.push(required(`${path}.dnsConfig`, "must provide `dnsConfig` when `dnsPolicy` is None"));

  errs.push(...validateNodeSelectorMap(spec.nodeSelector, `${path}.nodeSelector`));
  objs(arrAt(spec, 'imagePullSecrets')).forEach((s, i) => {
    if (!s.name) errs.push(required(`${path}.imagePullSecrets[${i}].name`));
  });
  errs.push(...validateSubdomainName(spec.serviceAccountName, `${path}.serviceAccountName`));
  errs.push(...validateSubdomainName(spec.nodeName, `${path}.nodeName`));
  const ads = spec.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null && (typeof ads !== 'number' || ads < 1 || ads > MAX_INT32)) {
    errs.push(invalidValue(`${path}.activeDeadlineSeconds`, ads, inclusiveRangeError(1, MAX_INT32)));
  }
  for (const k of ['hostname', 'subdomain']) {
    const v = spec[k];
    if (typeof v === 'string' && v) for (const m of isDNS1123Label(v)) errs.push(invalidValue(`${path}.${k}`, v, m));
  }
  errs.push(...validateTolerations(spec.tolerations, `${path}.tolerations`));
  errs.push(...validateAffinity(spec.affinity, `${path}.affinity`));
  errs.push(...validateSubdomainName(spec.priorityClassName, `${path}.priorityClassName`));
  const tgps = spec.terminationGracePeriodSeconds;
  if (typeof tgps === 'number' && !Number.isInteger(tgps)) errs.push(invalidValue(`${path}.terminationGracePeriodSeconds`, tgps, 'must be an integer'));
  return errs;
}

/** ValidatePodTemplateSpec: template labels, annotations and PodSpec; no ephemeral containers. */
export function validatePodTemplateSpec(template: unknown, path: string, opts: PodSpecOptions = {}): FieldError[] {
  const t: Obj = isObj(template) ? template : {};
  const meta = objAt(t, 'metadata');
  const spec = objAt(t, 'spec') ?? {};
  const errs = [...validateLabels(meta?.labels, `${path}.labels`), ...validateAnnotations(meta?.annotations, `${path}.annotations`)];
  errs.push(...validatePodSpec(spec, `${path}.spec`, opts));
  if (arrAt(spec, 'ephemeralContainers').length) errs.push(forbidden(`${path}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  return errs;
}
