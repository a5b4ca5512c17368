// Typed failures of protobuf body decoding. Both are ApiErrors, so the apiserver's one error
// renderer turns them into Status bodies without a special case: a body we cannot parse is the
// client's fault (400); a well-formed body of a kind we have no tables for is 415, and the message
// names the kind so the fix (send JSON, or add the kind's tables) is obvious.
import { ApiError } from '../../api/errors.ts';

export class MalformedProtobufError extends ApiError {
  /** The failure without the common prefix, so callers can add where it happened. */
  readonly detail: string;

  constructor(detail: string) {
    super('BadRequest', 400, `cannot decode protobuf request body: ${detail}`);
    this.name = 'MalformedProtobufError';
    this.detail = detail;
  }
}

export class UnsupportedProtobufKindError extends ApiError {
  readonly apiVersion: string;
  readonly kind: string;

  constructor(apiVersion: string, kind: string, detail?: string) {
    super(
      'UnsupportedMediaType',
      415,
      detail ??
        `the body of the request was in an unknown format - k8ts cannot decode kind "${kind}" ` +
          `(apiVersion "${apiVersion}") from application/vnd.kubernetes.protobuf; send it as application/json`,
      { kind, causes: [{ reason: 'UnsupportedMediaType', message: `${apiVersion}/${kind}` }] },
    );
    this.name = 'UnsupportedProtobufKindError';
    this.apiVersion = apiVersion;
    this.kind = kind;
  }
}
