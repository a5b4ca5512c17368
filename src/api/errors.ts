// ApiError carries a Kubernetes Status reason and code from wherever a request fails to the one
// place that renders it (the apiserver). Messages follow upstream's wording where users know it
// (k8s.io/apimachinery/pkg/api/errors/errors.go).
import type { Status, StatusCause, StatusDetails } from './meta/types.ts';
import { type FieldError, formatFieldError } from './meta/field-errors.ts';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout';

export class ApiError extends Error {
  readonly reason: StatusReason;
  readonly code: number;
  readonly details?: StatusDetails;

  constructor(reason: StatusReason, code: number, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'ApiError';
    this.reason = reason;
    this.code = code;
    this.details = details;
  }

  toStatus(): Status {
    const status: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** Identifies the resource in messages: `statefulsets.apps` or `pods` for the core group. */
export interface ResourceRef {
  group: string;
  resource: string;
  kind?: string;
}

export function qualifiedResource(ref: ResourceRef): string {
  return ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
}

export function notFound(ref: ResourceRef, name: string): ApiError {
  return new ApiError('NotFound', 404, `${qualifiedResource(ref)} "${name}" not found`, {
    name,
    group: ref.group,
    kind: ref.resource,
  });
}

/** A URL that names no served resource: upstream's generic 404 text. */
export function resourceTypeNotFound(): ApiError {
  return new ApiError('NotFound', 404, 'the server could not find the requested resource', {});
}

export function alreadyExists(ref: ResourceRef, name: string): ApiError {
  return new ApiError('AlreadyExists', 409, `${qualifiedResource(ref)} "${name}" already exists`, {
    name,
    group: ref.group,
    kind: ref.resource,
  });
}

export function conflict(ref: ResourceRef, name: string, detail: string): ApiError {
  return new ApiError(
    'Conflict',
    409,
    `Operation cannot be fulfilled on ${qualifiedResource(ref)} "${name}": ${detail}`,
    { name, group: ref.group, kind: ref.resource },
  );
}

/** The stale-resourceVersion conflict, worded as upstream so client retry helpers recognise it. */
export function staleConflict(ref: ResourceRef, name: string): ApiError {
  return conflict(ref, name, 'the object has been modified; please apply your changes to the latest version and try again');
}

// metav1.CauseType for each field error type.
const CAUSE_TYPES: Record<FieldError['type'], string> = {
  'Required value': 'FieldValueRequired',
  'Invalid value': 'FieldValueInvalid',
  'Unsupported value': 'FieldValueNotSupported',
  Forbidden: 'FieldValueForbidden',
  'Duplicate value': 'FieldValueDuplicate',
  'Not found': 'FieldValueNotFound',
  'Too long': 'FieldValueTooLong',
  'Too many': 'FieldValueTooMany',
  'Internal error': 'InternalError',
};

/** 422 with one cause per field error: `The StatefulSet "web" is invalid: spec.selector: Required value`. */
export function invalid(kind: string, group: string, name: string, errors: FieldError[]): ApiError {
  const causes: StatusCause[] = errors.map((e) => ({
    reason: CAUSE_TYPES[e.type],
    message: formatFieldError(e, { withField: false }),
    field: e.field,
  }));
  const texts = errors.map((e) => formatFieldError(e, { withField: true }));
  const summary = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
  // Message names the qualified kind (`StatefulSet.apps`); details.kind the bare kind, which
  // kubectl prints as `The StatefulSet "web" is invalid: …`.
  const qualified = group ? `${kind}.${group}` : kind;
  return new ApiError('Invalid', 422, `${qualified} "${name}" is invalid: ${summary}`, {
    name,
    group,
    kind,
    causes,
  });
}

export function badRequest(message: string, causes?: StatusCause[]): ApiError {
  return new ApiError('BadRequest', 400, message, causes ? { causes } : undefined);
}

export function methodNotAllowed(message = 'the server does not allow this method on the requested resource'): ApiError {
  return new ApiError('MethodNotAllowed', 405, message, {});
}

export function unsupportedMediaType(contentType: string): ApiError {
  return new ApiError('UnsupportedMediaType', 415, `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`, {
    causes: [{ reason: 'UnsupportedMediaType', message: contentType }],
  });
}

export function expired(message: string): ApiError {
  return new ApiError('Expired', 410, message, {});
}

export function tooLarge(message = 'Request entity too large: limit is 3145728'): ApiError {
  return new ApiError('RequestEntityTooLarge', 413, message, {});
}

export function tooManyRequests(message: string, retryAfterSeconds?: number): ApiError {
  return new ApiError('TooManyRequests', 429, message, retryAfterSeconds ? { retryAfterSeconds } : {});
}

export function internalError(message: string): ApiError {
  return new ApiError('InternalError', 500, `Internal error occurred: ${message}`, {
    causes: [{ message }],
  });
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}
