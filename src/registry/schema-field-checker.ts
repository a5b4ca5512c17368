// FieldChecker backed by the built-in schemas: mistyped values are always refused (upstream fails
// to decode them), unknown fields follow the request's fieldValidation.
import { badRequest } from '../api/errors.ts';
import type { KubeObject } from '../api/meta/types.ts';
import type { ResourceInfo } from '../api/resources.ts';
import { findTypeErrors, findUnknownFields, type SchemaRegistry } from '../api/schema/index.ts';
import type { FieldChecker } from './field-checker.ts';
import type { FieldValidation } from './options.ts';

export function schemaFieldChecker(schemas: () => SchemaRegistry): FieldChecker {
  return {
    check(info: ResourceInfo, obj: KubeObject, mode: FieldValidation, warnings: string[]): void {
      const node = schemas().forKind({ group: info.group, version: info.version, kind: info.kind });
      if (!node) return;
      const typeErrors = findTypeErrors(node, obj);
      if (typeErrors.length) {
        const e = typeErrors[0]!;
        throw badRequest(`${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: ${e.message}`);
      }
      if (mode === 'Ignore') return;
      const unknown = findUnknownFields(node, obj);
      if (!unknown.length) return;
      if (mode === 'Strict') {
        const detail = unknown.map((f) => `unknown field ${JSON.stringify(f)}`);
        throw badRequest(`strict decoding error: ${detail.join(', ')}`);
      }
      for (const f of unknown) warnings.push(`unknown field ${JSON.stringify(f)}`);
    },
  };
}
