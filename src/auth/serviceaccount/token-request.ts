// POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token: the TokenRequest subresource
// (kubernetes/kubernetes pkg/registry/core/serviceaccount/storage/token.go), what
// `kubectl create token` and kubelets call. Nothing is stored; the answer carries the token.
import { badRequest, conflict, invalid, methodNotAllowed, notFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import { decodeBody, requireObject } from '../../apiserver/body.ts';
import { json, warningHeaders } from '../../apiserver/respond.ts';
import type { ApiRequest, ApiResponse } from '../../apiserver/types.ts';
import { rfc3339, type Clock } from '../../util/clock.ts';
import type { ObjectRef } from './claims.ts';
import type { ObjectLookup } from './authenticator.ts';
import type { TokenIssuer } from './token-issuer.ts';
import { boundKind, defaultSpec, lifetime, validateSpec, type TokenRequestSpec } from './token-request-spec.ts';

const GROUP = 'authentication.k8s.io';

export interface TokenRequestOptions {
  issuer: TokenIssuer;
  /** The API server's audiences: the default audience of a token. */
  audiences: string[];
  lookup: ObjectLookup;
  clock: Clock;
  /** --service-account-max-token-expiration; 0 or undefined: no maximum. */
  maxExpirationSeconds?: number;
  /** --service-account-extend-token-expiration (default true). */
  extendExpiration?: boolean;
}

export type TokenRequestHandler = (req: ApiRequest, namespace: string, name: string) => Promise<ApiResponse>;

export function tokenRequestHandler(o: TokenRequestOptions): TokenRequestHandler {
  return async (req, namespace, name) => {
    if (req.method !== 'POST') throw methodNotAllowed();
    const body = requireObject(decodeBody(req.body, req.headers['content-type'])) as { metadata?: { name?: string; namespace?: string; uid?: string }; spec?: TokenRequestSpec };
    const meta = body.metadata ?? {};
    if (meta.name && meta.name !== name) {
      throw invalid('TokenRequest', GROUP, name, [{ type: 'Invalid value', field: 'metadata.name', value: meta.name, detail: 'must match the service account name if specified' }]);
    }
    if (meta.namespace && meta.namespace !== namespace) {
      throw invalid('TokenRequest', GROUP, name, [{ type: 'Invalid value', field: 'metadata.namespace', value: meta.namespace, detail: 'must match the service account namespace if specified' }]);
    }
    const sa = await o.lookup('ServiceAccount', namespace, name);
    if (!sa) throw notFound({ group: '', resource: 'serviceaccounts' }, name);
    const saUid = sa.metadata.uid ?? '';
    if (meta.uid && meta.uid !== saUid) {
      throw conflict({ group: GROUP, resource: 'TokenRequest' }, name, `the UID in the token request (${meta.uid}) does not match the UID of the service account (${saUid})`);
    }
    const now = o.clock.now();
    const spec = defaultSpec(body.spec ?? {}, o.audiences);
    const errs = validateSpec(spec);
    // Upstream names no object in this message: `TokenRequest.authentication.k8s.io "" is invalid`.
    if (errs.length) throw invalid('TokenRequest', GROUP, '', errs);
    const bound = await boundObjects(o.lookup, namespace, name, spec.boundObjectRef);
    const life = lifetime({ expirationSeconds: spec.expirationSeconds, maxExpirationSeconds: o.maxExpirationSeconds, extendExpiration: o.extendExpiration ?? true, podBound: !!bound.pod, audiences: spec.audiences, apiAudiences: o.audiences });
    const { token } = await o.issuer.issue({
      serviceAccount: { namespace, name, uid: saUid },
      ...bound,
      audiences: spec.audiences,
      expirationSeconds: life.tokenSeconds,
      warnAfterSeconds: life.warnAfterSeconds,
    });
    const out = {
      kind: 'TokenRequest',
      apiVersion: `${GROUP}/v1`,
      metadata: { name, namespace, uid: saUid, creationTimestamp: rfc3339(now) },
      spec: { ...spec, expirationSeconds: life.expirationSeconds },
      status: { token, expirationTimestamp: rfc3339(now + life.expirationSeconds * 1000) },
    };
    return json(201, out, warningHeaders(life.warning ? [life.warning] : []));
  };
}

/** The pod, secret or node the token is bound to, checked to exist with the UID the request names. */
async function boundObjects(lookup: ObjectLookup, namespace: string, saName: string, ref: TokenRequestSpec['boundObjectRef']): Promise<{ pod?: ObjectRef; secret?: ObjectRef; node?: ObjectRef }> {
  if (!ref) return {};
  const which = boundKind(ref);
  if ('error' in which) throw badRequest(which.error);
  const name = ref.name ?? '';
  const obj = await lookup(which.kind, which.kind === 'Node' ? '' : namespace, name);
  if (!obj) throw notFound({ group: '', resource: `${which.kind.toLowerCase()}s` }, name);
  const uid = obj.metadata.uid ?? '';
  if (which.kind === 'Pod') {
    const spec = (obj.spec ?? {}) as { serviceAccountName?: string; nodeName?: string };
    if (spec.serviceAccountName !== saName) throw badRequest(`cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`);
  }
  if (ref.uid && ref.uid !== uid) {
    throw conflict({ group: '', resource: which.kind }, name, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  if (which.kind === 'Secret') return { secret: { name, uid } };
  if (which.kind === 'Node') return { node: { name, uid } };
  return { pod: { name, uid }, node: await podNode(lookup, obj) };
}

/** The node a pod runs on, named in its tokens; without its UID when the Node is gone, as upstream. */
async function podNode(lookup: ObjectLookup, pod: KubeObject): Promise<ObjectRef | undefined> {
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  if (!nodeName) return undefined;
  const node = await lookup('Node', '', nodeName);
  return node?.metadata.uid ? { name: nodeName, uid: node.metadata.uid } : { name: nodeName };
}
