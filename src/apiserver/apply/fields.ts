// Field sets (tries of paths) and their FieldsV1 wire form, as stored in metadata.managedFields.
// Mirrors sigs.k8s.io/structured-merge-diff fieldpath/set.go (set algebra) and
// fieldpath/serialize.go (FieldsV1: sorted keys, `.` marks a node that is itself a member).
import type { JsonObject } from '../../api/meta/types.ts';
import {
  type Path,
  type PathElement,
  UnknownPathElementType,
  comparePathElements,
  parsePathElement,
  pathToString,
  serializePathElement,
} from './path-element.ts';

interface ChildNode {
  pe: PathElement;
  set: FieldSet;
}

function sortedValues<T>(m: Map<string, T>, pe: (t: T) => PathElement): T[] {
  return [...m.values()].sort((a, b) => comparePathElements(pe(a), pe(b)));
}

/**
 * A set of paths. `members` are paths ending at this node; `children` hold longer paths. A path
 * may be both a member and a prefix of others (an owned list item whose fields are owned too).
 * Sets are values: every operation returns a new set and never mutates its inputs.
 */
export class FieldSet {
  // Keyed by the element's FieldsV1 serialisation, which is canonical.
  private readonly members = new Map<string, PathElement>();
  private readonly children = new Map<string, ChildNode>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insertMut(p);
    return s;
  }

  /** Adds `path` in place; only for building a set that is not shared yet. The empty path is ignored. */
  insertMut(path: Path): void {
    if (path.length === 0) return;
    let node: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) node = node.descend(path[i]!);
    const last = path[path.length - 1]!;
    node.members.set(serializePathElement(last), last);
  }

  private descend(pe: PathElement): FieldSet {
    const k = serializePathElement(pe);
    let c = this.children.get(k);
    if (!c) {
      c = { pe, set: new FieldSet() };
      this.children.set(k, c);
    }
    return c.set;
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    let node: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) {
      const c = node.children.get(serializePathElement(path[i]!));
      if (!c) return false;
      node = c.set;
    }
    return node.members.has(serializePathElement(path[path.length - 1]!));
  }

  hasMember(pe: PathElement): boolean {
    return this.members.has(serializePathElement(pe));
  }

  isEmpty(): boolean {
    if (this.members.size > 0) return false;
    for (const c of this.children.values()) if (!c.set.isEmpty()) return false;
    return true;
  }

  /** The paths below `pe`, with `pe` removed from their front. */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(serializePathElement(pe))?.set ?? new FieldSet();
  }

  /** Elements that lead to deeper paths (in sorted order). */
  childElements(): PathElement[] {
    return sortedValues(this.children, (c) => c.pe).map((c) => c.pe);
  }

  memberElements(): PathElement[] {
    return sortedValues(this.members, (pe) => pe);
  }

  union(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, pe] of other.members) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      out.children.set(k, { pe: c.pe, set: o ? c.set.union(o.set) : c.set });
    }
    for (const [k, c] of other.children) if (!this.children.has(k)) out.children.set(k, c);
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (!o) continue;
      const res = c.set.intersection(o.set);
      if (!res.isEmpty()) out.children.set(k, { pe: c.pe, set: res });
    }
    return out;
  }

  /**
   * Paths in this set and not in `other`. Removing a member does not remove paths below it
   * (upstream: "parent - child = parent"); see recursiveDifference for that.
   */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (!o) {
        out.children.set(k, c);
        continue;
      }
      const diff = c.set.difference(o.set);
      if (!diff.isEmpty()) out.children.set(k, { pe: c.pe, set: diff });
    }
    return out;
  }

  /** Like difference, but a member of `other` also removes every path below it. */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      if (other.members.has(k)) continue;
      const o = other.children.get(k);
      if (!o) {
        out.children.set(k, c);
        continue;
      }
      const diff = c.set.recursiveDifference(o.set);
      if (!diff.isEmpty()) out.children.set(k, { pe: c.pe, set: diff });
    }
    return out;
  }

  /** Only the members that have nothing owned below them. */
  leaves(): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!this.children.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const l = c.set.leaves();
      if (!l.isEmpty()) out.children.set(k, { pe: c.pe, set: l });
    }
    return out;
  }

  equals(other: FieldSet): boolean {
    return JSON.stringify(this.toFieldsV1()) === JSON.stringify(other.toFieldsV1());
  }

  /** Every path, depth first: a node's members (sorted) before its children (sorted). */
  paths(): Path[] {
    const out: Path[] = [];
    const walk = (s: FieldSet, prefix: PathElement[]): void => {
      for (const pe of s.memberElements()) out.push([...prefix, pe]);
      for (const c of sortedValues(s.children, (n) => n.pe)) walk(c.set, [...prefix, c.pe]);
    };
    walk(this, []);
    return out;
  }

  size(): number {
    return this.paths().length;
  }

  toString(): string {
    return this.paths().map(pathToString).join('\n');
  }

  /** The FieldsV1 object exactly as upstream serialises it (key order included). */
  toFieldsV1(): JsonObject {
    return this.emit(false);
  }

  private emit(includeSelf: boolean): JsonObject {
    const out: JsonObject = {};
    if (includeSelf && (this.members.size > 0 || this.children.size > 0)) out['.'] = {};
    const keys = new Map<string, PathElement>();
    for (const [k, pe] of this.members) keys.set(k, pe);
    for (const [k, c] of this.children) keys.set(k, c.pe);
    const ordered = [...keys.entries()].sort((a, b) => comparePathElements(a[1], b[1]));
    for (const [k] of ordered) {
      const child = this.children.get(k);
      out[k] = child ? child.set.emit(this.members.has(k)) : {};
    }
    return out;
  }

  /**
   * Reads a FieldsV1 object. Keys with an unknown type prefix are dropped, as upstream does so
   * that newer formats degrade; malformed keys throw.
   */
  static fromFieldsV1(obj: JsonObject): FieldSet {
    const out = new FieldSet();
    readInto(out, obj);
    return out;
  }
}

// Returns whether `obj` marks its own path as a member: `{}` or an object holding `.`.
function readInto(target: FieldSet, obj: JsonObject): boolean {
  let isMember = false;
  let hasChildren = false;
  for (const [key, sub] of Object.entries(obj)) {
    if (key === '.') {
      isMember = true;
      continue;
    }
    let pe: PathElement;
    try {
      pe = parsePathElement(key);
    } catch (err) {
      if (err instanceof UnknownPathElementType) continue;
      throw new Error(`parsing key as path element: ${(err as Error).message}`);
    }
    if (sub === null || typeof sub !== 'object' || Array.isArray(sub)) {
      throw new Error(`expected an object for field set key ${key}`);
    }
    const child = new FieldSet();
    const childIsMember = readInto(child, sub);
    if (childIsMember) target.insertMut([pe]);
    if (!child.isEmpty()) {
      for (const p of child.paths()) target.insertMut([pe, ...p]);
    }
    hasChildren = true;
  }
  return isMember || !hasChildren;
}
