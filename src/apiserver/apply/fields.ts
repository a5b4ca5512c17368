// Field sets (tries of paths) and their FieldsV1 wire form, as stored in metadata.managedFields.
// Mirrors sigs.k8s.io/structured-merge-diff fieldpath/set.go (set algebra) and
// fieldpath/serialize.go (FieldsV1: sorted keys, `.` marks a node that is itself a member).
import type { JsonObject } from '../../api/meta/types.ts';
import {
  type Path,
  type PathElement,
  UnknownPathElementType,
  comparePathElements,
  compareStrings,
  parsePathElement,
  pathToString,
  serializePathElement,
} from './path-element.ts';

interface ChildNode {
  pe: PathElement;
  set: FieldSet;
}

const F = 'f'.charCodeAt(0);
const NO_MEMBERS: ReadonlyMap<string, PathElement> = new Map();
const NO_CHILDREN: ReadonlyMap<string, ChildNode> = new Map();

function byElement(a: [string, PathElement], b: [string, PathElement]): number {
  return comparePathElements(a[1], b[1]);
}

function byKey(a: [string, PathElement], b: [string, PathElement]): number {
  return compareStrings(a[0], b[0]);
}

/**
 * A set of paths. `members` are paths ending at this node; `children` hold longer paths. A path
 * may be both a member and a prefix of others (an owned list item whose fields are owned too).
 * Sets are values: every operation returns a new set or one of its inputs (when the result
 * equals it), never mutates its inputs, and may share nodes with them.
 *
 * Invariant: no child node is empty, so emptiness is a check of two sizes.
 */
export class FieldSet {
  // Keyed by the element's FieldsV1 serialisation, which is canonical.
  // Allocated on first write: most nodes hold only members or only children.
  private members: ReadonlyMap<string, PathElement> = NO_MEMBERS;
  private children: ReadonlyMap<string, ChildNode> = NO_CHILDREN;
  // Set by freeze(): the set is shared (e.g. cached) and must never be built on again.
  private frozen = false;

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insertMut(p);
    return s;
  }

  /** Adds `path` in place; only for building a set that is not shared yet. The empty path is ignored. */
  insertMut(path: Path): void {
    if (path.length === 0) return;
    let node: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) node = node.childMut(serializePathElement(path[i]!), path[i]!);
    const last = path[path.length - 1]!;
    node.addMemberMut(serializePathElement(last), last);
  }

  /**
   * The node below element `pe` (whose FieldsV1 key is `key`), created if missing. For builders
   * only: the caller must add a member below it before the set is used, to keep the invariant.
   */
  childMut(key: string, pe: PathElement): FieldSet {
    if (this.frozen) throw new Error('Modifying a shared field set');
    let c = this.children.get(key);
    if (!c) {
      c = { pe, set: new FieldSet() };
      this.putChild(key, c);
    }
    return c.set;
  }

  /** Sets the (non-empty) node below `pe` to `set`, which may be shared; for builders only. */
  setChildMut(key: string, pe: PathElement, set: FieldSet): void {
    if (this.frozen) throw new Error('Modifying a shared field set');
    this.putChild(key, { pe, set });
  }

  /** Adds element `pe` (FieldsV1 key `key`) as a member in place; for builders only. */
  addMemberMut(key: string, pe: PathElement): void {
    if (this.frozen) throw new Error('Modifying a shared field set');
    this.putMember(key, pe);
  }

  private putMember(key: string, pe: PathElement): void {
    if (this.members === NO_MEMBERS) this.members = new Map();
    (this.members as Map<string, PathElement>).set(key, pe);
  }

  private putChild(key: string, c: ChildNode): void {
    if (this.children === NO_CHILDREN) this.children = new Map();
    (this.children as Map<string, ChildNode>).set(key, c);
  }

  /** Marks this set and every node below it as shared: building on it then throws. */
  freeze(): this {
    if (this.frozen) return this;
    this.frozen = true;
    for (const c of this.children.values()) c.set.freeze();
    return this;
  }

  isFrozen(): boolean {
    return this.frozen;
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

  /** hasMember for an element whose FieldsV1 key is already known. */
  hasMemberKey(key: string): boolean {
    return this.members.has(key);
  }

  isEmpty(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  /** The paths below `pe`, with `pe` removed from their front. */
  withPrefix(pe: PathElement): FieldSet {
    return this.withPrefixKey(serializePathElement(pe));
  }

  /** withPrefix for an element whose FieldsV1 key is already known. */
  withPrefixKey(key: string): FieldSet {
    return this.children.get(key)?.set ?? EMPTY;
  }

  /** Elements that lead to deeper paths (in sorted order). */
  childElements(): PathElement[] {
    return sortedElements(this.children, (c) => c.pe);
  }

  memberElements(): PathElement[] {
    return sortedElements(this.members, (pe) => pe);
  }

  /** Visits the members with their FieldsV1 keys, in no particular order. */
  forEachMember(fn: (pe: PathElement, key: string) => void): void {
    for (const [k, pe] of this.members) fn(pe, k);
  }

  /** Visits the child nodes with their elements and keys, in no particular order. */
  forEachChild(fn: (pe: PathElement, key: string, set: FieldSet) => void): void {
    for (const [k, c] of this.children) fn(c.pe, k, c.set);
  }

  union(other: FieldSet): FieldSet {
    if (other === this || other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    const out = new FieldSet();
    let same = true;
    for (const [k, pe] of this.members) out.putMember(k, pe);
    for (const [k, pe] of other.members) {
      if (out.members.has(k)) continue;
      out.putMember(k, pe);
      same = false;
    }
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      const u = o ? c.set.union(o.set) : c.set;
      if (u === c.set) out.putChild(k, c);
      else {
        out.putChild(k, { pe: c.pe, set: u });
        same = false;
      }
    }
    for (const [k, c] of other.children) {
      if (this.children.has(k)) continue;
      out.putChild(k, c);
      same = false;
    }
    return same ? this : out;
  }

  intersection(other: FieldSet): FieldSet {
    if (other === this || this.isEmpty()) return this;
    if (other.isEmpty()) return other;
    const out = new FieldSet();
    let same = true;
    for (const [k, pe] of this.members) {
      if (other.members.has(k)) out.putMember(k, pe);
      else same = false;
    }
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      const res = o ? c.set.intersection(o.set) : EMPTY;
      if (res === c.set) out.putChild(k, c);
      else {
        same = false;
        if (!res.isEmpty()) out.putChild(k, { pe: c.pe, set: res });
      }
    }
    return same ? this : out;
  }

  /**
   * Paths in this set and not in `other`. Removing a member does not remove paths below it
   * (upstream: "parent - child = parent"); see recursiveDifference for that.
   */
  difference(other: FieldSet): FieldSet {
    return this.subtract(other, false);
  }

  /** Like difference, but a member of `other` also removes every path below it. */
  recursiveDifference(other: FieldSet): FieldSet {
    return this.subtract(other, true);
  }

  private subtract(other: FieldSet, recursive: boolean): FieldSet {
    if (this.isEmpty() || other.isEmpty()) return this;
    if (other === this) return EMPTY;
    const out = new FieldSet();
    let same = true;
    for (const [k, pe] of this.members) {
      if (other.members.has(k)) same = false;
      else out.putMember(k, pe);
    }
    for (const [k, c] of this.children) {
      if (recursive && other.members.has(k)) {
        same = false;
        continue;
      }
      const o = other.children.get(k);
      const diff = o ? c.set.subtract(o.set, recursive) : c.set;
      if (diff === c.set) out.putChild(k, c);
      else {
        same = false;
        if (!diff.isEmpty()) out.putChild(k, { pe: c.pe, set: diff });
      }
    }
    return same ? this : out;
  }

  /** Only the members that have nothing owned below them. */
  leaves(): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!this.children.has(k)) out.putMember(k, pe);
    for (const [k, c] of this.children) {
      const l = c.set.leaves();
      if (!l.isEmpty()) out.putChild(k, { pe: c.pe, set: l });
    }
    return out;
  }

  equals(other: FieldSet): boolean {
    if (other === this) return true;
    if (this.members.size !== other.members.size || this.children.size !== other.children.size) return false;
    for (const k of this.members.keys()) if (!other.members.has(k)) return false;
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (!o || !c.set.equals(o.set)) return false;
    }
    return true;
  }

  /** Every path, depth first: a node's members (sorted) before its children (sorted). */
  paths(): Path[] {
    const out: Path[] = [];
    const walk = (s: FieldSet, prefix: PathElement[]): void => {
      for (const pe of s.memberElements()) out.push([...prefix, pe]);
      const cs = [...s.children.values()].sort((a, b) => comparePathElements(a.pe, b.pe));
      for (const c of cs) walk(c.set, [...prefix, c.pe]);
    };
    walk(this, []);
    return out;
  }

  size(): number {
    let n = this.members.size;
    for (const c of this.children.values()) n += c.set.size();
    return n;
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
    const keys: [string, PathElement][] = [];
    let fieldsOnly = true;
    for (const [k, c] of this.children) {
      keys.push([k, c.pe]);
      if (k.charCodeAt(0) !== F) fieldsOnly = false;
    }
    for (const [k, pe] of this.members) {
      if (this.children.has(k)) continue;
      keys.push([k, pe]);
      if (k.charCodeAt(0) !== F) fieldsOnly = false;
    }
    // `f:` keys order as their field names do, so they sort as plain strings.
    if (keys.length > 1) keys.sort(fieldsOnly ? byKey : byElement);
    for (const [k] of keys) {
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
    out.readInto(obj);
    return out;
  }

  // Reads `obj`'s keys into this (new) node; returns whether `obj` marks its own path as a
  // member: `{}` or an object holding `.`. Non-canonical keys that name the same element merge.
  private readInto(obj: JsonObject): boolean {
    let isMember = false;
    let hasChildren = false;
    for (const key in obj) {
      if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
      const sub = obj[key];
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
      const k = 'field' in pe ? key : serializePathElement(pe);
      const child = new FieldSet();
      if (child.readInto(sub)) this.putMember(k, pe);
      if (!child.isEmpty()) {
        const prev = this.children.get(k);
        this.putChild(k, { pe: prev?.pe ?? pe, set: prev ? prev.set.union(child) : child });
      }
      hasChildren = true;
    }
    return isMember || !hasChildren;
  }
}

// Returned for absent subtrees; frozen so that nobody builds on it.
const EMPTY = new FieldSet().freeze();

function sortedElements<T>(m: ReadonlyMap<string, T>, pe: (t: T) => PathElement): PathElement[] {
  const out: PathElement[] = [];
  for (const v of m.values()) out.push(pe(v));
  return out.length > 1 ? out.sort(comparePathElements) : out;
}
