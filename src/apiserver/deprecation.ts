// Deprecated APIs: every request to one carries a warning (k8s.io/apiserver's deprecation
// filter), which kubectl prints as `Warning: …`. The text is upstream's.
import type { ResourceInfo } from '../api/resources.ts';
import type { ApiResponse } from './types.ts';

const DEPRECATED: Record<string, string> = {
  '/v1/endpoints': 'v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice',
};

export function deprecationWarning(info: ResourceInfo): string | undefined {
  return DEPRECATED[`${info.group}/${info.version}/${info.resource}`];
}

/** The response with one more warning, ahead of any the request itself produced. */
export function withWarning(res: ApiResponse, text: string): ApiResponse {
  const own = `299 - ${JSON.stringify(text)}`;
  const existing = res.headers['warning'];
  return { ...res, headers: { ...res.headers, warning: existing ? `${own}, ${existing}` : own } };
}
