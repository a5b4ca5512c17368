// Test helpers: run a strategy the way the registry does and render the upstream message.
import { invalid } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { Strategy, StrategyContext } from '../strategy.ts';

export const ctx: StrategyContext = { namespace: 'default', now: '2024-05-01T10:00:00Z' };

/** Defaults, prepares and validates a create; returns the object and the 422 text ('' when valid). */
export function create(s: Strategy, input: KubeObject): { obj: KubeObject; message: string } {
  const obj = structuredClone(input);
  obj.metadata ??= {};
  if (obj.metadata.namespace === undefined) obj.metadata.namespace = ctx.namespace;
  s.defaults?.(obj);
  s.prepareForCreate?.(obj, ctx);
  const errs = s.validate?.(obj, ctx) ?? [];
  return { obj, message: errs.length ? invalid(obj.kind ?? '', '', obj.metadata.name ?? '', errs).message : '' };
}

/** Defaults, prepares and validates an update of `old` (already stored) to `input`. */
export function update(s: Strategy, old: KubeObject, input: KubeObject): { obj: KubeObject; message: string; generationBumped: boolean } {
  const obj = structuredClone(input);
  obj.metadata ??= {};
  s.defaults?.(obj);
  s.prepareForUpdate?.(obj, old, ctx);
  const errs = s.validateUpdate?.(obj, old, ctx) ?? s.validate?.(obj, ctx) ?? [];
  const generationBumped = s.generationChanged ? s.generationChanged(obj, old) : false;
  return { obj, message: errs.length ? invalid(obj.kind ?? '', '', obj.metadata.name ?? '', errs).message : '', generationBumped };
}

/** Creates and returns the stored form, failing the test when the create is refused. */
export function stored(s: Strategy, input: KubeObject): KubeObject {
  const { obj, message } = create(s, input);
  if (message) throw new Error(`unexpected: ${message}`);
  obj.metadata.resourceVersion = '1';
  obj.metadata.generation = 1;
  return obj;
}
