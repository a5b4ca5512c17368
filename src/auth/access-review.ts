// Create-only reviews that answer questions about authorization and never store anything:
// SelfSubjectAccessReview (`kubectl auth can-i`), SubjectAccessReview, LocalSubjectAccessReview,
// SelfSubjectRulesReview (`kubectl auth can-i --list`) and SelfSubjectReview (`kubectl auth
// whoami`). Mirrors kubernetes pkg/registry/authorization/{selfsubjectaccessreview,
// subjectaccessreview,localsubjectaccessreview,selfsubjectrulesreview}/rest.go,
// pkg/apis/authorization/validation and pkg/registry/authentication/selfsubjectreview/rest.go.
import { badRequest, invalid } from '../api/errors.ts';
import type { FieldError } from '../api/meta/field-errors.ts';
import type { ResourceInfo } from '../api/resources.ts';
import { decodeBody, requireObject } from '../apiserver/body.ts';
import { json } from '../apiserver/respond.ts';
import type { ApiRequest, ApiResponse } from '../apiserver/types.ts';
import type { Authorizer } from './authorizer.ts';
import { aggregate, rulesFor, type RbacSource } from './rbac/resolver.ts';
import type { RequestAttributes } from './request-info.ts';
import { LOOPBACK_USER, type UserInfo } from './user.ts';

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

interface AccessReviewSpec {
  resourceAttributes?: ResourceAttributes | null;
  nonResourceAttributes?: { path?: string; verb?: string } | null;
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

type Review = Record<string, unknown> & { metadata?: Record<string, unknown>; spec?: unknown };

export interface AccessReviewDeps {
  authorizer: Authorizer;
  rbac: RbacSource;
}

/** The `review` handler of ApiServerContext. */
export function accessReviews(deps: AccessReviewDeps): (req: ApiRequest, info: ResourceInfo, namespace: string) => Promise<ApiResponse> {
  return async (req, info, namespace) => {
    const body = requireObject(decodeBody(req.body, req.headers['content-type']), info.kind) as Review;
    const user = req.user ?? LOOPBACK_USER;
    const answer = (status: unknown) => json(201, { kind: info.kind, apiVersion: `${info.group}/${info.version}`, metadata: { ...body.metadata, creationTimestamp: null }, ...(body.spec !== undefined ? { spec: body.spec } : {}), status });
    switch (info.kind) {
      case 'SelfSubjectReview':
        return answer({ userInfo: userInfoOf(user) });
      case 'SelfSubjectRulesReview': {
        const ns = (body.spec as { namespace?: string } | undefined)?.namespace ?? '';
        if (!ns) throw badRequest('no namespace on request');
        return answer(rulesReview(deps.rbac, user, ns));
      }
      case 'SelfSubjectAccessReview': {
        const spec = (body.spec ?? {}) as AccessReviewSpec;
        check(info, validateAttributes(spec));
        return answer(decide(deps.authorizer, user, spec));
      }
      case 'SubjectAccessReview':
      case 'LocalSubjectAccessReview': {
        const spec = (body.spec ?? {}) as AccessReviewSpec;
        const errors = validateAttributes(spec);
        if (!spec.user && !spec.groups?.length) errors.push({ type: 'Invalid value', field: 'spec.user', value: spec.user ?? '', detail: 'at least one of user or group must be specified' });
        check(info, errors);
        if (info.kind === 'LocalSubjectAccessReview') {
          if (!namespace) throw badRequest(`namespace is required on this type: ${namespace}`);
          if (spec.resourceAttributes && (spec.resourceAttributes.namespace ?? '') !== namespace) throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${namespace}`);
        }
        const subject: UserInfo = { username: spec.user ?? '', uid: spec.uid, groups: spec.groups ?? [], ...(spec.extra ? { extra: spec.extra } : {}) };
        return answer(decide(deps.authorizer, subject, spec));
      }
      default:
        throw badRequest(`${info.kind} is not a review this server answers`);
    }
  };
}

function userInfoOf(u: UserInfo): Record<string, unknown> {
  return { username: u.username, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra ? { extra: u.extra } : {}) };
}

function validateAttributes(spec: AccessReviewSpec): FieldError[] {
  if (spec.resourceAttributes && spec.nonResourceAttributes) {
    return [{ type: 'Invalid value', field: 'spec.nonResourceAttributes', value: spec.nonResourceAttributes, detail: 'cannot be specified in combination with resourceAttributes' }];
  }
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    return [{ type: 'Invalid value', field: 'spec.resourceAttributes', value: null, detail: 'exactly one of nonResourceAttributes or resourceAttributes must be specified' }];
  }
  return [];
}

function check(info: ResourceInfo, errors: FieldError[]): void {
  if (errors.length) throw invalid(info.kind, info.group, '', errors);
}

/** The attributes a review asks about. */
export function reviewAttributes(spec: AccessReviewSpec): RequestAttributes {
  const ra = spec.resourceAttributes;
  if (ra) {
    return { verb: ra.verb ?? '', resourceRequest: true, path: '', apiGroup: ra.group ?? '', apiVersion: ra.version ?? '', resource: ra.resource ?? '', subresource: ra.subresource ?? '', namespace: ra.namespace ?? '', name: ra.name ?? '' };
  }
  const nra = spec.nonResourceAttributes ?? {};
  return { verb: nra.verb ?? '', resourceRequest: false, path: nra.path ?? '', apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
}

function decide(authorizer: Authorizer, user: UserInfo, spec: AccessReviewSpec): Record<string, unknown> {
  const d = authorizer({ ...reviewAttributes(spec), user });
  return { allowed: d.allowed, ...(d.reason ? { reason: d.reason } : {}) };
}

/** The rules the user holds in a namespace, as SelfSubjectRulesReview lists them. */
export function rulesReview(rbac: RbacSource, user: UserInfo, namespace: string): Record<string, unknown> {
  const { rules, errors } = rulesFor(rbac, user, namespace);
  const nonEmpty = <T>(k: string, v: T[] | undefined) => (v?.length ? { [k]: v } : {});
  const resourceRules = rules
    .filter((r) => r.resources?.length)
    .map((r) => ({ verbs: r.verbs, ...nonEmpty('apiGroups', r.apiGroups), ...nonEmpty('resources', r.resources), ...nonEmpty('resourceNames', r.resourceNames) }));
  const nonResourceRules = rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
  return { resourceRules, nonResourceRules, incomplete: false, ...(errors.length ? { evaluationError: aggregate(errors) } : {}) };
}
