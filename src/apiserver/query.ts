// Query parameters of list, watch and write requests, validated with the messages upstream gives.
import { ApiError, badRequest } from '../api/errors.ts';
import type { FieldValidation, ListRequest } from '../registry/options.ts';

export function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1';
}

export function listRequest(q: URLSearchParams): ListRequest {
  const req: ListRequest = {};
  const ls = q.get('labelSelector');
  const fs = q.get('fieldSelector');
  if (ls) req.labelSelector = ls;
  if (fs) req.fieldSelector = fs;
  const limit = q.get('limit');
  if (limit) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid limit "${limit}": must be a non-negative integer`);
    if (n > 0) req.limit = n;
  }
  const cont = q.get('continue');
  if (cont) req.continue = cont;
  const rv = q.get('resourceVersion');
  if (rv !== null) req.resourceVersion = rv;
  const match = q.get('resourceVersionMatch');
  if (match) {
    if (match !== 'Exact' && match !== 'NotOlderThan') {
      throw new ApiError('Invalid', 422, `resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`);
    }
    if (!rv && !boolParam(q, 'sendInitialEvents')) {
      throw new ApiError('Invalid', 422, 'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
    }
    req.resourceVersionMatch = match;
  }
  return req;
}

export function fieldValidation(q: URLSearchParams): FieldValidation | undefined {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return undefined;
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation parameter unsupported: ${v}: must be one of Strict, Warn or Ignore`);
}

export function dryRun(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  return values.length > 0;
}

/** Tells apart parameters we ignore on purpose from ones we do not support (refused out loud). */
export function timeoutSeconds(q: URLSearchParams): number | undefined {
  const v = q.get('timeoutSeconds');
  if (v === null) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw badRequest(`invalid timeoutSeconds "${v}"`);
  return n;
}
