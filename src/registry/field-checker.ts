// Unknown and mistyped fields, judged against the kind's schema before anything else runs
// (upstream's strict decoding: k8s.io/apimachinery/pkg/runtime/serializer/json with
// fieldValidation). Strict refuses with 400, Warn adds `Warning` headers, Ignore drops silently.
import type { KubeObject } from '../api/meta/types.ts';
import type { ResourceInfo } from '../api/resources.ts';
import type { FieldValidation } from './options.ts';

export interface FieldChecker {
  /** Throws ApiError 400 for type errors and, under Strict, unknown fields; appends warnings under Warn. */
  check(info: ResourceInfo, obj: KubeObject, mode: FieldValidation, warnings: string[]): void;
}
