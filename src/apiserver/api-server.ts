// The API handler: `handle(ApiRequest) → ApiResponse`, transport-neutral, so nearly every API test
// runs in process. Routing to discovery, OpenAPI, health and resources; every failure becomes a
// Status body here and nowhere else.
import { ApiError, badRequest, resourceTypeNotFound } from '../api/errors.ts';
import type { Registry } from '../registry/registry.ts';
import {
  aggregatedDiscovery,
  AGGREGATED_TYPE,
  apiGroupDoc,
  apiGroupList,
  apiResourceList,
  apiVersions,
  groupsOf,
  wantsAggregated,
} from './discovery.ts';
import type { ApiServerContext } from './context.ts';
import { errorResponse, json } from './respond.ts';
import { handleResource } from './resource-handler.ts';
import { deprecationWarning, withWarning } from './deprecation.ts';
import { parseRoute } from './route.ts';
import type { ApiRequest, ApiResponse } from './types.ts';
import { versionInfo } from './version.ts';
import { bearerToken, staticToken, unionAuthenticator, type TokenAuthenticator } from '../auth/authenticate.ts';
import { ADMIN_USER, LOOPBACK_USER, type UserInfo } from '../auth/user.ts';

export interface OpenApiSource {
  /** The `/openapi/v3` index for these group versions (`v1`, `apps/v1`). */
  index(groupVersions: string[]): { paths: Record<string, { serverRelativeURL: string }> };
  /** The document at `/openapi/v3/<path>` (`api/v1`, `apis/apps/v1`). */
  document(path: string): { body: string; hash: string } | undefined;
}

export interface ApiServerOptions {
  ctx: ApiServerContext;
  openapi?: OpenApiSource;
  /**
   * The admin bearer token (user kubernetes-admin in system:masters). With neither it nor
   * `authenticators`, every request is the loopback user (in-process tests).
   */
  token?: string;
  /** Further bearer-token authenticators (service accounts, nodes), tried after the admin token. */
  authenticators?: TokenAuthenticator[];
  /**
   * Decides whether `user` may make the request; throws ApiError Forbidden (403) when not.
   * Absent: every authenticated user may do anything.
   */
  authorize?: (req: AuthenticatedRequest, url: URL) => Promise<void>;
  /**
   * Answers paths under /k8ts/ before authentication (a node agent's join); undefined passes the
   * request on.
   */
  publicRoutes?: (req: ApiRequest, url: URL) => Promise<ApiResponse | undefined>;
  /**
   * The user a request acts as when its Impersonate-* headers ask (`kubectl --as`), checked
   * against its own user's rights; undefined when it asks for nothing. Throws 400 or 403.
   */
  impersonate?: (user: UserInfo, headers: ApiRequest['headers']) => UserInfo | undefined;
  /** Answers /dashboard/… (static files, before authentication); undefined passes the request on. */
  dashboard?: (path: string) => Promise<ApiResponse | undefined>;
  /** `host:port` advertised in discovery. */
  serverAddress?: string;
  ready?: () => boolean;
}

export type AuthenticatedRequest = ApiRequest & { user: UserInfo };

export class ApiServer {
  private readonly opts: ApiServerOptions;
  private readonly registry: Registry;
  private readonly authenticator: TokenAuthenticator | undefined;

  constructor(opts: ApiServerOptions) {
    this.opts = opts;
    this.registry = opts.ctx.registry;
    const authenticators = [...(opts.token !== undefined ? [staticToken(opts.token, ADMIN_USER)] : []), ...(opts.authenticators ?? [])];
    this.authenticator = authenticators.length ? unionAuthenticator(authenticators) : undefined;
  }

  /**
   * The user a request comes from: this server's own components (trusted) as themselves or the
   * loopback user, others by their bearer token; undefined when the token is missing or unknown.
   */
  async authenticate(req: ApiRequest): Promise<UserInfo | undefined> {
    if (req.trusted) return req.user ?? LOOPBACK_USER;
    if (!this.authenticator) return LOOPBACK_USER;
    const token = bearerToken(req.headers['authorization']);
    return token === undefined ? undefined : this.authenticator(token);
  }

  /** The authenticated user, or the one it impersonates (never for this server's own requests). */
  private actingAs(req: ApiRequest, user: UserInfo): UserInfo {
    if (req.trusted || !this.opts.impersonate) return user;
    return this.opts.impersonate(user, req.headers) ?? user;
  }

  /**
   * Authenticates and authorizes `req` as handle() would, without serving it: undefined when it
   * may go ahead, else the 401 or 403 answer. For paths served outside handle() (the streaming
   * upgrades), which pass the method their verb comes from.
   */
  async admitRequest(req: ApiRequest): Promise<ApiResponse | undefined> {
    try {
      const user = await this.authenticate(req);
      if (!user) return unauthorized();
      req.user = this.actingAs(req, user);
      if (this.opts.authorize) await this.opts.authorize(req as AuthenticatedRequest, new URL(req.url, 'https://k8ts.invalid'));
      return undefined;
    } catch (e) {
      return errorResponse(e, this.opts.ctx.log);
    }
  }

  async handle(req: ApiRequest): Promise<ApiResponse> {
    try {
      return await this.route(req);
    } catch (e) {
      return errorResponse(e, this.opts.ctx.log);
    }
  }

  private async route(req: ApiRequest): Promise<ApiResponse> {
    let url: URL;
    try {
      url = new URL(req.url, 'https://k8ts.invalid');
    } catch {
      throw badRequest(`malformed request URL: ${req.url}`);
    }
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    if (path === '/healthz' || path === '/livez' || path === '/readyz' || path.startsWith('/healthz/') || path.startsWith('/livez/') || path.startsWith('/readyz/')) {
      const ok = path.startsWith('/readyz') ? (this.opts.ready?.() ?? true) : true;
      return { status: ok ? 200 : 503, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: ok ? 'ok' : 'not ready' };
    }
    if (this.opts.dashboard && (path === '/dashboard' || path.startsWith('/dashboard/'))) {
      const answered = await this.opts.dashboard(url.pathname);
      if (answered) return answered;
    }
    if (this.opts.publicRoutes && path.startsWith('/k8ts/')) {
      const answered = await this.opts.publicRoutes(req, url);
      if (answered) return answered;
    }
    const user = await this.authenticate(req);
    if (!user) return unauthorized();
    // Set in place: a copy would read the HTTPS request's lazy `signal` getter, making an abort
    // signal (and, at close, its DOMException) for every request.
    req.user = this.actingAs(req, user);
    if (this.opts.authorize) await this.opts.authorize(req as AuthenticatedRequest, url);
    if (path === '/version') return json(200, versionInfo());
    if (path === '/openapi/v3' || path.startsWith('/openapi/v3/')) return this.openapi(req, path);
    if (path === '/openapi/v2') throw new ApiError('NotFound', 404, 'the server could not find the requested resource: k8ts serves OpenAPI v3 only');
    const lookup = (g: string, v: string, r: string) => this.registry.get(g, v, r)?.info;
    const route = parseRoute(path, lookup);
    if (route.type === 'discovery') return this.discovery(req, route.path, route.group, route.version);
    if (route.type === 'other') throw resourceTypeNotFound();
    const store = this.registry.get(route.group, route.version, route.resource);
    if (!store) throw resourceTypeNotFound();
    if (route.nsPath && !store.info.namespaced) throw resourceTypeNotFound();
    const res = await handleResource(this.opts.ctx, req, url.searchParams, { store, namespace: route.namespace, name: route.name, subresource: route.subresource });
    const deprecated = deprecationWarning(store.info);
    return deprecated ? withWarning(res, deprecated) : res;
  }

  private discovery(req: ApiRequest, path: string, group?: string, version?: string): ApiResponse {
    const resources = this.registry.resources();
    const accept = req.headers['accept'];
    if ((path === 'api' || path === 'apis') && wantsAggregated(accept)) {
      return { status: 200, headers: { 'content-type': AGGREGATED_TYPE }, body: JSON.stringify(aggregatedDiscovery(resources, path === 'api')) };
    }
    if (path === 'api') return json(200, apiVersions(this.opts.serverAddress ?? '127.0.0.1:6443'));
    if (path === 'apis') return json(200, apiGroupList(resources));
    if (path === 'group') {
      const doc = apiGroupDoc(resources, group!);
      if (!doc) throw resourceTypeNotFound();
      return json(200, doc);
    }
    const doc = apiResourceList(resources, group ?? '', version!);
    if (!doc) throw resourceTypeNotFound();
    return json(200, doc);
  }

  private openapi(req: ApiRequest, path: string): ApiResponse {
    const source = this.opts.openapi;
    if (!source) throw resourceTypeNotFound();
    if (path === '/openapi/v3') {
      const gvs = groupsOf(this.registry.resources()).flatMap((g) => g.versions.map((v) => (g.group ? `${g.group}/${v}` : v)));
      const body = JSON.stringify(source.index(gvs));
      const etag = `"${hashText(body)}"`;
      if (req.headers['if-none-match'] === etag) return { status: 304, headers: { etag } };
      return { status: 200, headers: { 'content-type': 'application/json', etag }, body };
    }
    const gv = path.slice('/openapi/v3/'.length);
    const doc = source.document(gv);
    if (!doc) throw resourceTypeNotFound();
    return { status: 200, headers: { 'content-type': 'application/json', etag: `"${doc.hash}"`, 'cache-control': 'public, immutable' }, body: doc.body };
  }
}

function hashText(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h.toString(16).toUpperCase();
}

/** The 401 a request without a known bearer token gets (no details, as upstream's). */
function unauthorized(): ApiResponse {
  return json(401, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
}
