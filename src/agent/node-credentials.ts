// Credentials of remote node agents: a bearer token naming one node, signed with a key derived
// from the cluster token so every server of the cluster checks it without a lookup (the cluster
// token is what servers share). It authenticates as system:node:<name> in system:nodes, the user
// upstream's Node authorizer and NodeRestriction recognise.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TokenAuthenticator } from '../auth/authenticate.ts';
import { nodeUser } from '../auth/user.ts';

const PREFIX = 'k8tsnode';

function signature(clusterToken: string, nodeName: string): Buffer {
  return createHmac('sha256', clusterToken).update(`k8ts node credential\0${nodeName}`).digest();
}

export function issueNodeToken(clusterToken: string, nodeName: string): string {
  return `${PREFIX}.${Buffer.from(nodeName).toString('base64url')}.${signature(clusterToken, nodeName).toString('base64url')}`;
}

/** Recognises node tokens this cluster issued. */
export function nodeTokenAuthenticator(clusterToken: string): TokenAuthenticator {
  return (token) => {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== PREFIX) return undefined;
    const name = Buffer.from(parts[1]!, 'base64url').toString('utf8');
    const got = Buffer.from(parts[2]!, 'base64url');
    const want = signature(clusterToken, name);
    return got.length === want.length && timingSafeEqual(got, want) ? nodeUser(name) : undefined;
  };
}
