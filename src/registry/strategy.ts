// What makes one resource different from another: a small strategy per kind, plugged into the
// generic store (after k8s.io/apiserver's rest.RESTCreateStrategy / RESTUpdateStrategy).
// Every hook is pure: it sees copies, mutates only its first argument, and does no I/O.
import type { KubeObject } from '../api/meta/types.ts';
import type { FieldError } from '../api/meta/field-errors.ts';

export interface StrategyContext {
  /** The request's namespace ('' for cluster-scoped). */
  namespace: string;
  /** Wall-clock time as an RFC 3339 string, from the injected clock. */
  now: string;
}

export interface Strategy {
  /**
   * Fills defaulted fields as upstream's SetDefaults_* functions do. Runs on every write of the
   * main resource (create, update, each patch result), like upstream's decode-time defaulting.
   */
  defaults?(obj: KubeObject): void;
  /** Clears what a client may not set on create (status for most kinds). */
  prepareForCreate?(obj: KubeObject, ctx: StrategyContext): void;
  /** On an update of the main resource: typically keeps the old status. */
  prepareForUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext): void;
  /** On an update of the status subresource: keeps the old spec. */
  prepareForStatusUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext): void;
  validate?(obj: KubeObject, ctx: StrategyContext): FieldError[];
  /** Update validation, including immutable fields with upstream's messages. */
  validateUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext): FieldError[];
  validateStatusUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext): FieldError[];
  /** Non-fatal remarks returned as `Warning` headers. */
  warnings?(obj: KubeObject, old?: KubeObject): string[];
  /**
   * Whether a change of this field set bumps metadata.generation. Default: any change outside
   * metadata and status. Kinds without a spec (ConfigMap, Secret) never bump it.
   */
  generationChanged?(obj: KubeObject, old: KubeObject): boolean;
}
