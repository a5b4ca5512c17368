// Typed failures of the patch algorithms. Each carries the HTTP code and Status reason that
// k8s.io/apiserver/pkg/endpoints/handlers/patch.go gives the same failure, so the handler can
// render it without knowing which algorithm failed:
//
//   400 BadRequest     the patch document itself is malformed (not a list of operations, a
//                      merge patch that is null or a scalar, a bad $setElementOrder/$retainKeys/
//                      $deleteFromPrimitiveList directive, an SMP body that is not an object)
//   413 RequestEntityTooLarge  a JSON patch with more than 10000 operations
//   415 UnsupportedMediaType   strategic merge patch on a kind without patch metadata (CRDs)
//   422 Invalid        a well-formed patch that cannot be applied (JSON patch test failed or path
//                      missing; lists of lists in SMP; a result that is not an object)
//   500 InternalError  SMP failures upstream does not classify (missing merge key, unknown
//                      `$patch` value): upstream answers 500 with the error text, so do we
//
// Upstream replaces the text of a failed JSON patch with the generic "the server rejected our
// request due to an error in our request"; we keep the operation-level detail in the message
// because it is what a person needs to fix the patch.
import { ApiError, type StatusReason } from '../../api/errors.ts';

export type PatchErrorCode = 400 | 413 | 415 | 422 | 500;

const reasons: Record<PatchErrorCode, StatusReason> = {
  400: 'BadRequest',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  500: 'InternalError',
};

export class PatchError extends ApiError {
  declare readonly code: PatchErrorCode;

  constructor(code: PatchErrorCode, message: string) {
    // Upstream's 422 here comes from NewGenericServerResponse, which always carries (empty) details.
    super(reasons[code], code, message, code === 422 ? {} : undefined);
    this.name = 'PatchError';
  }
}

export function isPatchError(e: unknown): e is PatchError {
  return e instanceof PatchError;
}
