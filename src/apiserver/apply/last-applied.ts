// Client-side apply → server-side apply upgrade for the `kubectl` manager: conflicts on fields
// the last-applied annotation proves kubectl set are forgiven, and the annotation is kept in
// step with what kubectl now applies server-side.
// Mirrors k8s.io/apimachinery/pkg/util/managedfields/internal/lastappliedmanager.go,
// lastappliedupdater.go and lastapplied.go.
import type { JsonValue, KubeObject } from '../../api/meta/types.ts';
import type { SchemaNode } from '../../api/schema/types.ts';
import type { FieldSet } from './fields.ts';
import { goJson } from './path-element.ts';
import { compare, toFieldSet } from './typed.ts';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Only kubectl's own server-side apply takes part in the upgrade; other managers opt out by name. */
export const UPGRADING_MANAGER = 'kubectl';

// Upstream's limit on the total size of an object's annotations (keys plus values, in bytes).
const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

function lastApplied(obj: KubeObject): string | undefined {
  const v = obj.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  return v ? v : undefined;
}

/**
 * Fields kubectl may take over without a conflict: those in the live object's last-applied
 * annotation whose live value still equals the annotation's. Undefined when there is no usable
 * annotation (absent, unparsable, or written for another apiVersion).
 */
export function allowedConflictsFromLastApplied(live: KubeObject, apiVersion: string, schema: SchemaNode | undefined): FieldSet | undefined {
  const text = lastApplied(live);
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const last = parsed as { [k: string]: JsonValue };
  if (last['apiVersion'] !== apiVersion) return undefined;
  const cmp = compare(last, live as unknown as JsonValue, schema);
  return toFieldSet(last, schema).difference(cmp.modified).difference(cmp.added).difference(cmp.removed);
}

/**
 * After a successful apply by kubectl onto an object that carries the annotation, rewrite the
 * annotation to the applied configuration (without the annotation itself), encoded as Go's
 * encoder writes it: sorted keys, trailing newline. Dropped if annotations would exceed the size
 * limit. Mutates `result`.
 */
export function syncLastApplied(result: KubeObject, applied: KubeObject): void {
  if (!lastApplied(result)) return;
  const copy = structuredClone(applied) as KubeObject;
  const ann = copy.metadata?.annotations;
  if (ann) {
    delete ann[LAST_APPLIED_ANNOTATION];
    if (Object.keys(ann).length === 0) delete copy.metadata.annotations;
  }
  const value = `${goJson(copy as unknown as JsonValue)}\n`;
  const annotations: Record<string, string> = { ...(result.metadata.annotations ?? {}), [LAST_APPLIED_ANNOTATION]: value };
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) size += Buffer.byteLength(k) + Buffer.byteLength(v);
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) delete annotations[LAST_APPLIED_ANNOTATION];
  result.metadata.annotations = annotations;
}
