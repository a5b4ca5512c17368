// Image references as containerd spells them (github.com/distribution/reference's normalized
// names): `busybox` means `docker.io/library/busybox:latest`, a first path part with a dot, a
// colon or `localhost` is a registry host, and `docker.io` is served by registry-1.docker.io.

/** `nginx` → `docker.io/library/nginx:latest`, as containerd reports image names. */
export function normalizeImage(image: string): string {
  let name = image;
  const at = name.indexOf('@');
  const digest = at >= 0 ? name.slice(at) : '';
  if (at >= 0) name = name.slice(0, at);
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) name = slash >= 0 ? `docker.io/${name}` : `docker.io/library/${name}`;
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  if (!digest && !lastPart.includes(':')) name += ':latest';
  return name + digest;
}

export interface ImageReference {
  /** Registry host as named (`docker.io`, `127.0.0.1:5000`). */
  domain: string;
  /** Repository path inside the registry (`library/busybox`). */
  path: string;
  tag?: string;
  /** `sha256:<hex>` when the reference pins a manifest. */
  digest?: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const PATH = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** Splits a reference after normalizing it; throws on one a registry could not serve. */
export function parseReference(ref: string): ImageReference {
  const full = normalizeImage(ref.trim());
  let rest = full;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new Error(`invalid reference "${ref}": the digest must be sha256:<64 hex digits>`);
  }
  const slash = rest.indexOf('/');
  const domain = rest.slice(0, slash);
  let path = rest.slice(slash + 1);
  let tag: string | undefined;
  const colon = path.lastIndexOf(':');
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!TAG.test(tag)) throw new Error(`invalid reference "${ref}": bad tag "${tag}"`);
  }
  if (!PATH.test(path)) throw new Error(`invalid reference "${ref}": the repository name must be lowercase letters, digits and separators`);
  return { domain, path, tag, digest };
}

/** `docker.io/library/busybox` of a parsed reference. */
export const repositoryOf = (r: ImageReference): string => `${r.domain}/${r.path}`;

/** The host that serves a domain's distribution API (Docker Hub's is not docker.io itself). */
export const registryHost = (domain: string): string => (domain === 'docker.io' ? 'registry-1.docker.io' : domain);

/** An image id as a reference: `sha256:<hex>`, or a hex prefix of 12 or more digits (crictl's short ids). */
export function asImageId(ref: string): { full?: string; prefix?: string } | undefined {
  if (DIGEST.test(ref)) return { full: ref };
  if (/^[0-9a-f]{12,64}$/.test(ref)) return ref.length === 64 ? { full: `sha256:${ref}` } : { prefix: `sha256:${ref}` };
  return undefined;
}

/** `docker.io/library/busybox:1.36` → [`docker.io/library/busybox`, `1.36`] (crictl's IMAGE and TAG). */
export function splitName(name: string): [repo: string, tag: string] {
  const at = name.indexOf('@');
  if (at >= 0) return [name.slice(0, at), '<none>'];
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) return [name.slice(0, colon), name.slice(colon + 1)];
  return [name, '<none>'];
}
