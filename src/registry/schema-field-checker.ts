// FieldChecker backed by schemas: mistyped values are always refused (built-in kinds fail to
// decode with a 400 as upstream's Go structs do; custom resources fail schema validation with a
// 422), and unknown fields follow the request's fieldValidation.
import { badRequest, invalid } from '../api/errors.ts';
import type { GroupVersionKind, KubeObject } from '../api/meta/types.ts';
import type { ResourceInfo } from '../api/resources.ts';
import { findTypeErrors, findUnknownFields } from '../api/schema/index.ts';
import type { SchemaNode } from '../api/schema/types.ts';
import type { FieldChecker } from './field-checker.ts';
import type { FieldValidation } from './options.ts';

export function schemaFieldChecker(schemaFor: (gvk: GroupVersionKind) => SchemaNode | undefined): FieldChecker {
  return {
    check(info: ResourceInfo, obj: KubeObject, mode: FieldValidation, warnings: string[]): void {
      const node = schemaFor({ group: info.group, version: info.version, kind: info.kind });
      if (!node) return;
      const typeErrors = findTypeErrors(node, obj);
      if (typeErrors.length) {
        if (info.custom) {
          throw invalid(
            info.kind,
            info.group,
            obj.metadata?.name ?? '',
            typeErrors.map((e) => ({ type: 'Invalid value', field: e.field, value: e.received, detail: `${e.field} in body must be of type ${e.schemaType}: ${JSON.stringify(e.received)}` })),
          );
        }
        throw badRequest(`${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: ${typeErrors[0]!.message}`);
      }
      if (mode === 'Ignore') return;
      const unknown = findUnknownFields(node, obj);
      if (!unknown.length) return;
      if (mode === 'Strict') throw badRequest(`strict decoding error: ${unknown.map((f) => `unknown field ${JSON.stringify(f)}`).join(', ')}`);
      for (const f of unknown) warnings.push(`unknown field ${JSON.stringify(f)}`);
    },
  };
}
