// The decisions of a TokenRequest, pure (kubernetes/kubernetes
// pkg/apis/authentication/v1/defaults.go, pkg/apis/authentication/validation and
// pkg/registry/core/serviceaccount/storage/token.go): defaults, the bounds on the lifetime,
// which objects a token may be bound to, and the extended lifetime of kubelet pod tokens.
import type { FieldError } from '../../api/meta/field-errors.ts';
import { EXTENDED_EXPIRATION_SECONDS, WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS } from './claims.ts';

export interface BoundObjectReference {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

export interface TokenRequestSpec {
  audiences?: string[];
  expirationSeconds?: number;
  boundObjectRef?: BoundObjectReference;
}

export const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 10 * 60;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

/** The spec with upstream's defaults: one hour, and the API server's audiences. */
export function defaultSpec(spec: TokenRequestSpec, apiAudiences: string[]): TokenRequestSpec & { audiences: string[]; expirationSeconds: number } {
  return {
    ...spec,
    audiences: spec.audiences?.length ? spec.audiences : [...apiAudiences],
    expirationSeconds: spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS,
  };
}

export function validateSpec(spec: { expirationSeconds: number }): FieldError[] {
  const errs: FieldError[] = [];
  const value = spec.expirationSeconds;
  if (!Number.isInteger(value)) errs.push({ type: 'Invalid value', field: 'spec.expirationSeconds', value, detail: 'must be an integer' });
  else if (value < MIN_EXPIRATION_SECONDS) errs.push({ type: 'Invalid value', field: 'spec.expirationSeconds', value, detail: 'may not specify a duration less than 10 minutes' });
  else if (value > MAX_EXPIRATION_SECONDS) errs.push({ type: 'Invalid value', field: 'spec.expirationSeconds', value, detail: 'may not specify a duration larger than 2^32 seconds' });
  return errs;
}

/** The kind a token may be bound to, or the 400 message upstream answers for any other. */
export function boundKind(ref: BoundObjectReference): { kind: 'Pod' | 'Secret' | 'Node' } | { error: string } {
  const apiVersion = ref.apiVersion ?? '';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  const kind = ref.kind ?? '';
  if (group === '' && (kind === 'Pod' || kind === 'Secret' || kind === 'Node')) return { kind };
  // schema.GroupVersionKind's String(): "apps/v1, Kind=Deployment", "/v1, Kind=ConfigMap".
  return { error: `cannot bind token to object of type ${group}/${version}, Kind=${kind}` };
}

export interface Lifetime {
  /** The spec's expirationSeconds after the server's maximum; status.expirationTimestamp counts from it. */
  expirationSeconds: number;
  /** The token's real lifetime (longer than the spec's for kubelet pod tokens). */
  tokenSeconds: number;
  warnAfterSeconds: number;
  warning?: string;
}

/**
 * How long the token lives. A server maximum shortens longer requests with a warning. A pod-bound
 * token for the API server asked for with the kubelet's marker lifetime (3607 s) stays accepted
 * for a year but is reported stale after the hour (--service-account-extend-token-expiration).
 */
export function lifetime(o: { expirationSeconds: number; maxExpirationSeconds?: number; extendExpiration: boolean; podBound: boolean; audiences: string[]; apiAudiences: string[] }): Lifetime {
  let seconds = o.expirationSeconds;
  let warning: string | undefined;
  if (o.maxExpirationSeconds && o.maxExpirationSeconds > 0 && seconds > o.maxExpirationSeconds) {
    warning = `requested expiration of ${seconds} seconds shortened to ${o.maxExpirationSeconds} seconds`;
    seconds = o.maxExpirationSeconds;
  }
  const forApi = o.audiences.every((a) => o.apiAudiences.includes(a));
  if (o.extendExpiration && o.podBound && seconds === WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS && forApi) {
    return { expirationSeconds: seconds, tokenSeconds: EXTENDED_EXPIRATION_SECONDS, warnAfterSeconds: seconds, warning };
  }
  return { expirationSeconds: seconds, tokenSeconds: seconds, warnAfterSeconds: 0, warning };
}
