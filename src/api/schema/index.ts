// The schema layer: built-in OpenAPI schemas (generated from kubernetes-models, annotated with
// upstream's list/map semantics) as a linked SchemaNode graph and as served OpenAPI v3 documents.
// Nothing is read at import time; the first loadSchemas() call reads and links the generated
// file (about 20 ms; index.test.ts prints it) and later calls return the same registry. OpenAPI
// documents are built on first request and cached.
import { BUILTIN_RESOURCES, groupVersion, type ResourceInfo } from '../resources.ts';
import type { GroupVersionKind } from '../meta/types.ts';
import { gvkKey, linkSchemas } from './graph.ts';
import { buildDocument, documentHash, openapiPathKey, type DocumentInputs, type OpenAPIIndex } from './openapi.ts';
import { readRawSchemas, type RawSchemaFile } from './raw.ts';
import { customComponents, type CustomComponents } from './openapi-custom.ts';
import type { SchemaNode } from './types.ts';

export type { SchemaNode } from './types.ts';
export type { OpenAPIIndex } from './openapi.ts';
export { findUnknownFields, findTypeErrors, type FieldTypeError } from './validate.ts';
export { schemaForCustomResource, type JSONSchemaProps } from './crd.ts';

export interface DocumentOptions {
  /** Root schemas of kinds without a built-in schema (custom resources, from schemaForCustomResource). */
  customSchema?: (gvk: GroupVersionKind) => SchemaNode | undefined;
}

export interface SchemaRegistry {
  /** The root node of a built-in kind (`apps/v1 StatefulSet`), or undefined for unknown kinds. */
  forKind(gvk: GroupVersionKind): SchemaNode | undefined;
  /** A node by component name (`io.k8s.api.core.v1.PodSpec`). */
  byName(name: string): SchemaNode | undefined;
  /**
   * The `/openapi/v3` index: one entry per served group-version, each URL carrying the hash of
   * that group-version's current document (built from `resources`, default: the built-ins).
   */
  openapiIndex(servedGroupVersions: readonly string[], opts?: DocumentOptions & { resources?: readonly ResourceInfo[] }): OpenAPIIndex;
  /**
   * The OpenAPI v3 document for `/openapi/v3/<api/v1 | apis/g/v>`, covering those `resources`
   * of the group-version that have a schema; cached per inputs (do not mutate the result).
   */
  openapiDocument(groupVersion: string, resources: readonly ResourceInfo[], opts?: DocumentOptions): object;
  /** The same document serialised, with its hash for `?hash=` and ETag. */
  openapiDocumentBody(groupVersion: string, resources: readonly ResourceInfo[], opts?: DocumentOptions): { body: string; hash: string };
}

interface CachedDoc {
  doc: object;
  body: string;
  hash: string;
}

class Registry implements SchemaRegistry {
  private readonly nodes: Map<string, SchemaNode>;
  private readonly kinds = new Map<string, string>();
  private inputs: DocumentInputs | undefined;
  private readonly docs = new Map<string, CachedDoc>();
  private readonly read: () => RawSchemaFile;

  /** `read` is called once for the graph and, on the first document request, once more for a pristine copy. */
  constructor(read: () => RawSchemaFile) {
    this.read = read;
    this.nodes = linkSchemas(read().schemas);
    for (const [name, node] of this.nodes) {
      for (const gvk of node['x-kubernetes-group-version-kind'] ?? []) this.kinds.set(gvkKey(gvk), name);
    }
  }

  forKind(gvk: GroupVersionKind): SchemaNode | undefined {
    const name = this.kinds.get(gvkKey(gvk));
    return name === undefined ? undefined : this.nodes.get(name);
  }

  byName(name: string): SchemaNode | undefined {
    return this.nodes.get(name);
  }

  openapiIndex(servedGroupVersions: readonly string[], opts: DocumentOptions & { resources?: readonly ResourceInfo[] } = {}): OpenAPIIndex {
    const resources = opts.resources ?? BUILTIN_RESOURCES;
    const paths: OpenAPIIndex['paths'] = {};
    for (const gv of [...servedGroupVersions].sort()) {
      const key = openapiPathKey(gv);
      const { hash } = this.cached(gv, resources, opts);
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
    }
    return { paths };
  }

  openapiDocument(gv: string, resources: readonly ResourceInfo[], opts: DocumentOptions = {}): object {
    return this.cached(gv, resources, opts).doc;
  }

  openapiDocumentBody(gv: string, resources: readonly ResourceInfo[], opts: DocumentOptions = {}): { body: string; hash: string } {
    const { body, hash } = this.cached(gv, resources, opts);
    return { body, hash };
  }

  /** Custom kinds of the group-version, serialised; part of the cache key since CRDs change. */
  private custom(own: readonly ResourceInfo[], opts: DocumentOptions): CustomComponents | undefined {
    if (!opts.customSchema) return undefined;
    const entries = own.flatMap((info) => {
      const gvk = { group: info.group, version: info.version, kind: info.kind };
      const node = this.forKind(gvk) ? undefined : opts.customSchema!(gvk);
      return node ? [{ gvk, node }] : [];
    });
    return entries.length ? customComponents(entries) : undefined;
  }

  private cached(gv: string, resources: readonly ResourceInfo[], opts: DocumentOptions): CachedDoc {
    const own = resources.filter((r) => groupVersion(r) === gv);
    const custom = this.custom(own, opts);
    const key = `${gv}\u0000${JSON.stringify(own)}\u0000${custom ? JSON.stringify(custom.schemas) : ''}`;
    let entry = this.docs.get(key);
    if (!entry) {
      if (!this.inputs) {
        const { schemas } = this.read();
        // Every generated schema is built-in and carries upstream's merge keys.
        this.inputs = { schemas, kinds: this.kinds, builtin: (name) => name in schemas };
      }
      const doc = buildDocument(this.inputs, gv, own, custom);
      const body = JSON.stringify(doc);
      entry = { doc, body, hash: documentHash(body) };
      // Each CRD change makes a new key; a small bound keeps stale documents from piling up.
      if (this.docs.size >= 256) this.docs.clear();
      this.docs.set(key, entry);
    }
    return entry;
  }
}

let registry: SchemaRegistry | undefined;

/** The process-wide schema registry; the first call reads the generated schemas (a few ms). */
export function loadSchemas(): SchemaRegistry {
  registry ??= new Registry(readRawSchemas);
  return registry;
}
