// The generic store behind every resource (after k8s.io/apiserver/pkg/registry/generic/registry
// store.go): create, get, update (guaranteed update with retries), delete with finalizers, grace
// periods and propagation. Resource-specific rules come from a Strategy; list and watch live in
// list.ts and watch.ts.
import { KeyedSerializer } from '../util/keyed-serializer.ts';
import { ApiError, alreadyExists, badRequest, conflict, invalid, notFound, staleConflict, type ResourceRef } from '../api/errors.ts';
import type { FieldError } from '../api/meta/field-errors.ts';
import type { KubeObject, Status } from '../api/meta/types.ts';
import { groupVersion, type ResourceInfo } from '../api/resources.ts';
import { isStorageError, type Backend, type KeyValue } from '../store/backend.ts';
import { rfc3339, type Clock } from '../util/clock.ts';
import { clone, decode, decodeShared, encode } from './codec.ts';
import { objectKey } from './keys.ts';
import { generateName, newUid } from './names.ts';
import type { DeleteOptions, DeleteResult, UpdateRequest, WriteOptions, WriteResult } from './options.ts';
import type { Strategy, StrategyContext } from './strategy.ts';
import { dedupeErrors, validateObjectMeta } from './object-meta.ts';
import type { FieldChecker } from './field-checker.ts';
import { deepEqual } from '../util/deep-equal.ts';
import { checkWireShape } from '../api/validation/wire-shape.ts';
import { finalizerWarnings } from '../api/validation/object-meta.ts';
import type { UserInfo } from '../auth/user.ts';

/** Checks that may need I/O before a write lands (namespace lifecycle, IP allocation…). */
export interface Admission {
  /** `user` is who writes (WriteOptions.user): undefined for deletes and direct registry calls. */
  admit(op: 'create' | 'update' | 'delete', info: ResourceInfo, obj: KubeObject, old: KubeObject | undefined, user?: UserInfo): Promise<void>;
}

export interface ResourceStoreDeps {
  backend: Backend;
  clock: Clock;
  strategy: Strategy;
  fieldChecker?: FieldChecker;
  admission?: Admission[];
  /** Grace period for a delete of this kind (pods); undefined: delete at once. */
  gracePeriod?: (obj: KubeObject, requested: number | undefined) => number | undefined;
  /**
   * Kinds whose deletion waits for more than metadata.finalizers (namespaces wait for
   * spec.finalizers): returns true while such holds remain, after marking the object terminating. Called only
   * for objects being deleted.
   */
  holdsDeletion?: (obj: KubeObject) => boolean;
}

const MAX_UPDATE_RETRIES = 16;

export class ResourceStore {
  readonly info: ResourceInfo;
  readonly apiVersion: string;
  readonly ref: ResourceRef;
  readonly deps: ResourceStoreDeps;
  // Writes to one object queue behind each other instead of racing (see KeyedSerializer).
  private readonly writes = new KeyedSerializer();

  constructor(info: ResourceInfo, deps: ResourceStoreDeps) {
    this.info = info;
    this.apiVersion = groupVersion(info);
    this.ref = { group: info.group, resource: info.resource, kind: info.kind };
    this.deps = deps;
  }

  private ctx(namespace: string): StrategyContext {
    return { namespace, now: rfc3339(this.deps.clock.now()) };
  }

  key(namespace: string, name: string): string {
    return objectKey(this.info, namespace, name);
  }

  decode(kv: KeyValue): KubeObject {
    return decode(kv, this.apiVersion);
  }

  /** A frozen decoding shared by all watchers of this resource version. */
  decodeShared(kv: KeyValue): KubeObject {
    return decodeShared(kv, this.apiVersion);
  }

  async get(namespace: string, name: string, opts: { resourceVersion?: string } = {}): Promise<KubeObject> {
    const revision = opts.resourceVersion && opts.resourceVersion !== '0' ? parseRevision(opts.resourceVersion) : undefined;
    const kv = await this.read(this.key(namespace, name), revision);
    if (!kv) throw notFound(this.ref, name);
    return this.decode(kv);
  }

  private async read(key: string, revision?: number): Promise<KeyValue | undefined> {
    try {
      return await this.deps.backend.get(key, revision ? { revision } : undefined);
    } catch (e) {
      if (isStorageError(e, 'Compacted')) throw new ApiError('Expired', 410, `too old resource version: ${revision}`);
      throw e;
    }
  }

  async create(namespace: string, input: KubeObject, opts: WriteOptions = {}): Promise<WriteResult> {
    const warnings: string[] = [];
    const obj = this.checkBody(namespace, input, opts, warnings);
    const ctx = this.ctx(namespace);
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
    for (const f of ['uid', 'resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink'] as const) delete meta[f];
    meta.uid = newUid();
    meta.creationTimestamp = ctx.now;
    meta.generation = 1;
    if (this.info.namespaced) meta.namespace = namespace;
    else delete meta.namespace;
    this.deps.strategy.defaults?.(obj);
    this.deps.strategy.prepareForCreate?.(obj, ctx);
    const stored = opts.manageFields ? opts.manageFields(undefined, obj) : obj;
    this.validate(stored, dedupeErrors([...validateObjectMeta(stored, this.info), ...(this.deps.strategy.validate?.(stored, ctx) ?? [])]));
    warnings.push(...finalizerWarnings(stored.metadata.finalizers), ...(this.deps.strategy.warnings?.(stored) ?? []));
    for (const a of this.deps.admission ?? []) await a.admit('create', this.info, stored, undefined, opts.user);
    if (opts.dryRun) {
      if (await this.deps.backend.get(this.key(namespace, meta.name!))) throw alreadyExists(this.ref, meta.name!);
      return { object: stored, warnings, created: true };
    }
    try {
      const kv = await this.deps.backend.create(this.key(namespace, meta.name!), encode(stored));
      stored.metadata.resourceVersion = String(kv.modRevision);
      return { object: stored, warnings, created: true };
    } catch (e) {
      if (isStorageError(e, 'KeyExists')) throw alreadyExists(this.ref, meta.name!);
      throw e;
    }
  }

  /**
   * Guaranteed update: reads the current object, asks req.mutate for the desired one, applies the
   * strategy and writes it guarded by the read revision; a lost race re-reads and mutates again.
   */
  update(namespace: string, name: string, req: UpdateRequest): Promise<WriteResult> {
    return this.writes.run(this.key(namespace, name), () => this.guaranteedUpdate(namespace, name, req));
  }

  private async guaranteedUpdate(namespace: string, name: string, req: UpdateRequest): Promise<WriteResult> {
    const key = this.key(namespace, name);
    for (let attempt = 0; attempt < MAX_UPDATE_RETRIES; attempt++) {
      const kv = await this.deps.backend.get(key);
      const current = kv ? this.decode(kv) : undefined;
      if (!current && !req.createIfMissing) throw notFound(this.ref, name);
      // A second parse is cheaper than a deep copy of the first.
      const desired = await req.mutate(current ? this.decode(kv!) : undefined);
      if (!current) {
        const created = await this.createFromUpdate(namespace, name, desired, req);
        if (created) return created;
        continue; // someone created it meanwhile: update it instead
      }
      const pinned = req.honorResourceVersion ? desired.metadata?.resourceVersion : undefined;
      if (pinned && pinned !== current.metadata.resourceVersion) throw staleConflict(this.ref, name);
      const warnings: string[] = [];
      const obj = this.checkBody(namespace, desired, req, warnings, name);
      const next = this.prepareUpdate(obj, current, req, namespace, warnings);
      for (const a of this.deps.admission ?? []) await a.admit('update', this.info, next, current, req.user);
      if (sameStoredForm(next, current)) return { object: current, warnings, created: false };
      if (req.dryRun) return { object: next, warnings, created: false };
      const finishing =
        next.metadata.deletionTimestamp && !next.metadata.finalizers?.length && !current.metadata.deletionGracePeriodSeconds && !this.deps.holdsDeletion?.(next);
      try {
        if (finishing) {
          const res = await this.deps.backend.delete(key, kv!.modRevision);
          next.metadata.resourceVersion = String(res.revision);
          return { object: next, warnings, created: false };
        }
        const written = await this.deps.backend.update(key, encode(next), kv!.modRevision);
        next.metadata.resourceVersion = String(written.modRevision);
        return { object: next, warnings, created: false };
      } catch (e) {
        // Lost a race: mutate the newer object. A resourceVersion the client sent is checked
        // against it above; one that only came from the object the patch was applied to is not.
        if (isStorageError(e, 'Conflict') || isStorageError(e, 'NotFound')) continue;
        throw e;
      }
    }
    throw conflict(this.ref, name, 'too many concurrent updates; try again');
  }

  private async createFromUpdate(namespace: string, name: string, desired: KubeObject, req: UpdateRequest): Promise<WriteResult | undefined> {
    if (desired.metadata?.name && desired.metadata.name !== name) {
      throw badRequest(`the name of the object (${desired.metadata.name}) does not match the name on the URL (${name})`);
    }
    desired.metadata = { ...desired.metadata, name };
    try {
      return await this.create(namespace, desired, { ...req, manageFields: req.manageFields });
    } catch (e) {
      if (e instanceof ApiError && e.reason === 'AlreadyExists' && !req.dryRun) return undefined;
      throw e;
    }
  }

  private prepareUpdate(obj: KubeObject, current: KubeObject, req: UpdateRequest, namespace: string, warnings: string[]): KubeObject {
    const ctx = this.ctx(namespace);
    const s = this.deps.strategy;
    const meta = obj.metadata;
    const old = current.metadata;
    // Server-owned metadata always comes from the stored object.
    meta.uid = old.uid;
    meta.creationTimestamp = old.creationTimestamp;
    meta.resourceVersion = old.resourceVersion;
    if (old.deletionTimestamp) {
      meta.deletionTimestamp = old.deletionTimestamp;
      meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
    } else {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    if (this.info.namespaced) meta.namespace = namespace;
    const errors: FieldError[] = [];
    if (req.bypassStrategy) {
      obj.metadata.generation = old.generation;
      return obj;
    }
    if (req.subresource === 'status') {
      if (s.prepareForStatusUpdate) s.prepareForStatusUpdate(obj, current, ctx);
      else keepAllButStatus(obj, current);
      obj.metadata.generation = old.generation;
    } else {
      s.defaults?.(obj);
      s.prepareForUpdate?.(obj, current, ctx);
      const changed = s.generationChanged ? s.generationChanged(obj, current) : specChanged(obj, current);
      obj.metadata.generation = (old.generation ?? 1) + (changed ? 1 : 0);
      // Adding a finalizer is refused once deletion started, as upstream.
      if (old.deletionTimestamp) {
        const added = (meta.finalizers ?? []).filter((f) => !(old.finalizers ?? []).includes(f));
        if (added.length) errors.push({ type: 'Forbidden', field: 'metadata.finalizers', detail: `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` });
      }
    }
    const next = req.manageFields ? req.manageFields(current, obj) : obj;
    errors.push(...validateObjectMeta(next, this.info));
    if (old.name !== next.metadata.name) errors.push({ type: 'Invalid value', field: 'metadata.name', value: next.metadata.name, detail: 'field is immutable' });
    if (req.subresource === 'status') errors.push(...(s.validateStatusUpdate?.(next, current, ctx) ?? []));
    else errors.push(...(s.validateUpdate?.(next, current, ctx) ?? s.validate?.(next, ctx) ?? []));
    this.validate(next, dedupeErrors(errors));
    warnings.push(...(s.warnings?.(next, current) ?? []));
    return next;
  }

  /**
   * Deletes as upstream's store.Delete: preconditions, then graceful deletion (pods), then
   * finalizers (the object stays with deletionTimestamp until they are gone), else removal.
   */
  delete(namespace: string, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    return this.writes.run(this.key(namespace, name), () => this.deleteOnce(namespace, name, opts));
  }

  private async deleteOnce(namespace: string, name: string, opts: DeleteOptions): Promise<DeleteResult> {
    const key = this.key(namespace, name);
    for (let attempt = 0; attempt < MAX_UPDATE_RETRIES; attempt++) {
      const kv = await this.deps.backend.get(key);
      if (!kv) throw notFound(this.ref, name);
      const current = this.decode(kv);
      this.checkPreconditions(current, opts);
      for (const a of this.deps.admission ?? []) await a.admit('delete', this.info, current, current);
      const next = this.decode(kv);
      const meta = next.metadata;
      const now = this.deps.clock.now();
      const policy = opts.propagationPolicy ?? (opts.orphanDependents ? 'Orphan' : undefined);
      const grace = this.deps.gracePeriod?.(current, opts.gracePeriodSeconds);
      let pending = false;
      if (policy === 'Orphan' || policy === 'Foreground') {
        const fin = policy === 'Orphan' ? 'orphan' : 'foregroundDeletion';
        const other = policy === 'Orphan' ? 'foregroundDeletion' : 'orphan';
        meta.finalizers = [...(meta.finalizers ?? []).filter((f) => f !== other && f !== fin), fin];
        pending = true;
      }
      if (grace !== undefined && grace > 0) {
        const prev = meta.deletionGracePeriodSeconds;
        // A later delete may shorten the grace period, never lengthen it.
        if (prev === undefined || grace < prev) {
          meta.deletionTimestamp = rfc3339(now + grace * 1000);
          meta.deletionGracePeriodSeconds = grace;
        }
        pending = true;
      } else if (meta.finalizers?.length) {
        pending = true;
      }
      if (this.deps.holdsDeletion?.(next)) pending = true;
      if (pending) {
        if (!meta.deletionTimestamp) meta.deletionTimestamp = rfc3339(now);
        if (meta.deletionGracePeriodSeconds === undefined || (grace === 0)) meta.deletionGracePeriodSeconds = grace ?? 0;
        if (grace === 0 && !meta.finalizers?.length) pending = false;
      }
      if (opts.dryRun) return { object: pending ? next : current, deleted: !pending };
      try {
        if (pending) {
          if (sameStoredForm(next, current)) return { object: current, deleted: false };
          const written = await this.deps.backend.update(key, encode(next), kv.modRevision);
          next.metadata.resourceVersion = String(written.modRevision);
          return { object: next, deleted: false };
        }
        const res = await this.deps.backend.delete(key, kv.modRevision);
        current.metadata.resourceVersion = String(res.revision);
        return { object: current, deleted: true };
      } catch (e) {
        if (isStorageError(e, 'Conflict') || isStorageError(e, 'NotFound')) continue;
        throw e;
      }
    }
    throw conflict(this.ref, name, 'too many concurrent updates; try again');
  }

  /** The success Status upstream answers for a delete that removed the object. */
  deletedStatus(obj: KubeObject): Status {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: obj.metadata.name, group: this.info.group, kind: this.info.resource, uid: obj.metadata.uid },
      code: 200,
    };
  }

  private checkPreconditions(current: KubeObject, opts: DeleteOptions): void {
    const p = opts.preconditions;
    if (p?.uid && p.uid !== current.metadata.uid) {
      throw conflict(this.ref, current.metadata.name!, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    if (p?.resourceVersion && p.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(this.ref, current.metadata.name!, `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
    }
  }

  /** Shape checks shared by create and update: kind, namespace, name, unknown and mistyped fields. */
  private checkBody(namespace: string, input: KubeObject, opts: WriteOptions, warnings: string[], urlName?: string): KubeObject {
    const shapeError = checkWireShape(input, this.info.kind, this.apiVersion);
    if (shapeError) throw shapeError;
    const obj = input;
    if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
    if (obj.apiVersion === undefined && obj.kind === undefined) {
      obj.apiVersion = this.apiVersion;
      obj.kind = this.info.kind;
    }
    if (obj.kind !== this.info.kind) {
      throw badRequest(`the object provided is unrecognized (kind ${JSON.stringify(obj.kind)} does not match the expected kind ${JSON.stringify(this.info.kind)})`);
    }
    if (obj.apiVersion !== this.apiVersion) {
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${this.apiVersion})`);
    }
    const ns = obj.metadata.namespace;
    if (this.info.namespaced && ns && ns !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (urlName !== undefined && obj.metadata.name && obj.metadata.name !== urlName) {
      throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${urlName})`);
    }
    if (urlName !== undefined && !obj.metadata.name) obj.metadata.name = urlName;
    if (!opts.trusted || this.info.custom) this.deps.fieldChecker?.check(this.info, obj, opts.fieldValidation ?? 'Ignore', warnings);
    return obj;
  }

  private validate(obj: KubeObject, errors: FieldError[]): void {
    if (errors.length) throw invalid(this.info.kind, this.info.group, obj.metadata.name ?? obj.metadata.generateName ?? '', errors);
  }
}

export function parseRevision(rv: string): number {
  const n = Number(rv);
  if (!Number.isSafeInteger(n) || n < 0) throw badRequest(`invalid resource version "${rv}"`);
  return n;
}

function keepAllButStatus(obj: KubeObject, old: KubeObject): void {
  const status = obj.status;
  const managedFields = obj.metadata.managedFields;
  for (const k of Object.keys(obj)) delete obj[k];
  Object.assign(obj, clone(old));
  if (status === undefined) delete obj.status;
  else obj.status = status;
  if (managedFields) obj.metadata.managedFields = managedFields;
}

function specChanged(obj: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
    return JSON.stringify(rest);
  };
  return strip(obj) !== strip(old);
}

/** Whether a write would change nothing upstream would store (then it is skipped, as upstream). */
function sameStoredForm(a: KubeObject, b: KubeObject): boolean {
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (k !== 'metadata' && !deepEqual(a[k], b[k])) return false;
  }
  const { resourceVersion: _ra, managedFields: ma, ...metaA } = a.metadata;
  const { resourceVersion: _rb, managedFields: mb, ...metaB } = b.metadata;
  if (!deepEqual(metaA, metaB)) return false;
  // Managed fields differing only in timestamps do not make a write.
  if ((ma?.length ?? 0) !== (mb?.length ?? 0)) return false;
  return (ma ?? []).every((e, i) => {
    const { time: _ta, ...ea } = e;
    const { time: _tb, ...eb } = mb![i]!;
    return deepEqual(ea, eb);
  });
}
