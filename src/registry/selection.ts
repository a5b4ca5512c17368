// Compiles the label and field selectors of a list or watch request into one predicate, turning
// parse errors into 400s with the parser's message.
import { badRequest } from '../api/errors.ts';
import { compileFieldSelector, FieldSelectorError, parseFieldSelector, pinnedName } from '../api/meta/fields.ts';
import { matches, parseSelector, SelectorParseError } from '../api/meta/labels.ts';
import type { KubeObject } from '../api/meta/types.ts';
import type { ResourceInfo } from '../api/resources.ts';

export interface Selection {
  predicate: (obj: KubeObject) => boolean;
  /** Set when the field selector pins metadata.name (list and watch can narrow to one key). */
  name?: string;
  /** True when any selector was given (remainingItemCount is then unknown). */
  filtered: boolean;
}

export function compileSelection(info: ResourceInfo, labelSelector?: string, fieldSelector?: string): Selection {
  try {
    const labels = parseSelector(labelSelector ?? '');
    const fieldReqs = parseFieldSelector(fieldSelector ?? '');
    const fields = compileFieldSelector(fieldReqs, info.group, info.kind);
    const predicate =
      labels.length === 0 && fieldReqs.length === 0 ? () => true : (obj: KubeObject) => matches(labels, obj.metadata.labels) && fields(obj);
    return { predicate, name: pinnedName(fieldReqs), filtered: labels.length > 0 || fieldReqs.length > 0 };
  } catch (e) {
    if (e instanceof SelectorParseError || e instanceof FieldSelectorError) throw badRequest(e.message);
    throw e;
  }
}
