// Who a request comes from, as upstream's authenticators report it (k8s.io/apiserver
// pkg/authentication/user): a name, groups and extra attributes. Authorization, admission and
// access reviews decide on this alone.

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** Members skip authorization altogether, as upstream's privileged group does. */
export const SYSTEM_MASTERS = 'system:masters';
export const AUTHENTICATED = 'system:authenticated';
export const NODES_GROUP = 'system:nodes';
export const NODE_USER_PREFIX = 'system:node:';
export const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';
export const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';

/** The admin kubeconfig's user (kubeadm and kind name it so). */
export const ADMIN_USER: UserInfo = { username: 'kubernetes-admin', groups: [SYSTEM_MASTERS, AUTHENTICATED] };

/** This server's own components on the in-process transport. */
export const LOOPBACK_USER: UserInfo = { username: 'system:apiserver', uid: 'k8ts-loopback', groups: [SYSTEM_MASTERS, AUTHENTICATED] };

/** The user a node agent acts as (upstream's Node authorizer and NodeRestriction key on it). */
export function nodeUser(nodeName: string): UserInfo {
  return { username: `${NODE_USER_PREFIX}${nodeName}`, groups: [NODES_GROUP, AUTHENTICATED] };
}

/** The node a user is the agent of, or undefined when it is not a node. */
export function nodeNameOf(user: UserInfo): string | undefined {
  return user.username.startsWith(NODE_USER_PREFIX) && user.groups.includes(NODES_GROUP) ? user.username.slice(NODE_USER_PREFIX.length) : undefined;
}

/** A service account's user name and groups (`system:serviceaccount:<ns>:<name>`). */
export function serviceAccountUser(namespace: string, name: string, uid?: string, extra?: Record<string, string[]>): UserInfo {
  return {
    username: `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`,
    uid,
    groups: [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${namespace}`, AUTHENTICATED],
    ...(extra ? { extra } : {}),
  };
}

export function isPrivileged(user: UserInfo): boolean {
  return user.groups.includes(SYSTEM_MASTERS);
}
