// The two endpoints a remote node agent uses before it has credentials, answered before
// authentication (k3s serves the same pair as /cacerts and its node join):
//   GET  /k8ts/v1/cacerts?nonce=<hex>[&tokenId=<id>]  the CA, with proof the server knows the join
//        token: HMAC(token, nonce \0 CA). The agent checks it before trusting the CA, so a server
//        in the middle cannot hand it another one.
//   POST /k8ts/v1/join  {"nodes": [...]}, Authorization: Bearer <join token>  a node credential
//        per node name.
import { createHmac } from 'node:crypto';
import { ApiError, badRequest, methodNotAllowed } from '../api/errors.ts';
import type { KubeObject } from '../api/meta/types.ts';
import { bearerToken, sameSecret } from '../auth/authenticate.ts';
import type { ApiRequest, ApiResponse } from '../apiserver/types.ts';
import { json } from '../apiserver/respond.ts';
import { BOOTSTRAP_PREFIX, joinTokenId, secretAdmits } from './join-tokens.ts';
import { issueNodeToken } from './node-credentials.ts';

export const CACERTS_PATH = '/k8ts/v1/cacerts';
export const JOIN_PATH = '/k8ts/v1/join';

export interface JoinServerOptions {
  clusterToken: string;
  caCertPem: string;
  /** Reads kube-system Secrets (bootstrap tokens). */
  readSecret(name: string): Promise<KubeObject | undefined>;
  now(): number;
}

export function caProof(token: string, nonce: string, caCertPem: string): string {
  return createHmac('sha256', token).update(`${nonce}\0${caCertPem}`).digest('hex');
}

const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Answers the join endpoints; undefined for any other path. */
export function joinRoutes(o: JoinServerOptions): (req: ApiRequest, url: URL) => Promise<ApiResponse | undefined> {
  /** The full join token with this id that the server knows, if any. */
  const tokenWithId = async (id: string | null): Promise<string | undefined> => {
    if (!id) return o.clusterToken;
    const secret = await o.readSecret(`${BOOTSTRAP_PREFIX}${id}`);
    const data = (secret as { data?: Record<string, string> } | undefined)?.data;
    const token = data?.['token-secret'] ? `${id}.${Buffer.from(data['token-secret'], 'base64').toString('utf8')}` : undefined;
    return token && secretAdmits(secret, token, o.now()) ? token : undefined;
  };
  const admits = async (token: string): Promise<boolean> => {
    if (sameSecret(token, o.clusterToken)) return true;
    const id = joinTokenId(token);
    return id !== undefined && secretAdmits(await o.readSecret(`${BOOTSTRAP_PREFIX}${id}`), token, o.now());
  };
  return async (req, url) => {
    if (url.pathname === CACERTS_PATH) {
      if (req.method !== 'GET') throw methodNotAllowed();
      const nonce = url.searchParams.get('nonce') ?? '';
      if (!/^[0-9a-f]{32,128}$/.test(nonce)) throw badRequest('nonce must be 32 to 128 hexadecimal digits');
      const token = await tokenWithId(url.searchParams.get('tokenId'));
      if (!token) throw new ApiError('NotFound', 404, `no valid join token with id "${url.searchParams.get('tokenId')}": create one with \`k8ts token create\``);
      return json(200, { caCertPem: o.caCertPem, proof: caProof(token, nonce, o.caCertPem) });
    }
    if (url.pathname === JOIN_PATH) {
      if (req.method !== 'POST') throw methodNotAllowed();
      const token = bearerToken(req.headers['authorization']);
      if (!token || !(await admits(token))) {
        throw new ApiError('Unauthorized', 401, 'the join token is not valid for this cluster: pass the contents of a server\'s <data-dir>/token, or a token from `k8ts token create` that has not expired');
      }
      let body: { nodes?: unknown };
      try {
        body = JSON.parse(Buffer.from(req.body ?? new Uint8Array()).toString('utf8')) as { nodes?: unknown };
      } catch {
        throw badRequest('the join request must be JSON: {"nodes": ["<node name>", …]}');
      }
      const nodes = body.nodes;
      if (!Array.isArray(nodes) || nodes.length === 0 || !nodes.every((n) => typeof n === 'string' && n.length <= 253 && NODE_NAME.test(n))) {
        throw badRequest('nodes must be a non-empty list of node names (lowercase DNS subdomains)');
      }
      const tokens = Object.fromEntries((nodes as string[]).map((n) => [n, issueNodeToken(o.clusterToken, n)]));
      return json(200, { tokens });
    }
    return undefined;
  };
}
