// Building field sets while walking an object, without materialising every path: a cursor names
// one path by a link to its parent, its last element and that element's FieldsV1 key, and finds
// (or creates) its node in a set being built only when a member is added there.
import type { FieldSet } from './fields.ts';
import { type Path, type PathElement, fieldKey, serializePathElement } from './path-element.ts';

export class PathCursor {
  // The node of this path in the set last resolved against, so siblings share the lookup.
  private resolvedIn: FieldSet | undefined;
  private node: FieldSet | undefined;

  private constructor(
    private readonly parent: PathCursor | undefined,
    readonly pe: PathElement | undefined,
    readonly key: string,
  ) {}

  /** The empty path. */
  static root(): PathCursor {
    return new PathCursor(undefined, undefined, '');
  }

  /** This path extended by `pe`; pass `key` when serializePathElement(pe) is already known. */
  child(pe: PathElement, key: string = serializePathElement(pe)): PathCursor {
    return new PathCursor(this, pe, key);
  }

  field(name: string): PathCursor {
    return new PathCursor(this, { field: name }, fieldKey(name));
  }

  /** Adds this path to `set`, a set under construction, as insertMut does (the empty path is ignored). */
  addTo(set: FieldSet): void {
    if (!this.parent) return;
    this.parent.nodeIn(set).addMemberMut(this.key, this.pe!);
  }

  private nodeIn(set: FieldSet): FieldSet {
    if (!this.parent) return set;
    if (this.resolvedIn !== set) {
      this.node = this.parent.nodeIn(set).childMut(this.key, this.pe!);
      this.resolvedIn = set;
    }
    return this.node!;
  }

  /** The elements of this path, from the root. */
  path(): Path {
    const out: PathElement[] = [];
    for (let c: PathCursor | undefined = this; c?.parent; c = c.parent) out.push(c.pe!);
    return out.reverse();
  }
}
