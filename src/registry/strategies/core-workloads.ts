// Strategies for Pod and PodTemplate (pkg/registry/core/{pod,podtemplate}/strategy.go).
import { setPodDefaults, setPodTemplateSpecDefaults } from '../../api/core/pod-defaults.ts';
import { addDefaultTolerationSeconds, preparePodForCreate, validatePod, validatePodUpdate } from '../../api/core/pod.ts';
import { validatePodTemplateSpec } from '../../api/core/pod-spec.ts';
import { setReplicationControllerDefaults, validateReplicationControllerSpec } from '../../api/core/replication-controller.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import { type Obj, child, isObj, semanticEqual } from '../../api/validation/json.ts';
import { validateObjectMetaUpdate } from '../../api/validation/object-meta.ts';
import type { Strategy } from '../strategy.ts';
import { keepOldSpec, keepOldStatus, kindStrategy, specChanged } from './base.ts';

export interface PodStrategyOptions {
  /**
   * Apply the DefaultTolerationSeconds admission on create and update (on by default, as in upstream's
   * default admission chain). Idempotent, so a registry that also calls
   * addDefaultTolerationSeconds itself changes nothing.
   */
  defaultTolerationSeconds?: boolean;
}

export function podStrategy(opts: PodStrategyOptions = {}): Strategy {
  return {
    defaults: (obj) => setPodDefaults(obj as Obj),
    prepareForCreate: (obj, ctx) => {
      if (opts.defaultTolerationSeconds !== false) addDefaultTolerationSeconds(obj);
      preparePodForCreate(obj, ctx.now);
    },
    prepareForUpdate: (obj, old) => {
      keepOldStatus(obj, old);
      // The admission plugin handles updates too: a PUT that drops the defaulted tolerations
      // gets them back instead of failing the "only additions" rule.
      if (opts.defaultTolerationSeconds !== false) addDefaultTolerationSeconds(obj);
    },
    prepareForStatusUpdate: (obj, old) => {
      keepOldSpec(obj, old);
      // Status writers may not touch ownership.
      if (old.metadata.ownerReferences) obj.metadata.ownerReferences = old.metadata.ownerReferences;
      else delete obj.metadata.ownerReferences;
    },
    validate: (obj) => validatePod(obj),
    validateUpdate: (obj, old) => validatePodUpdate(obj, old),
    validateStatusUpdate: (obj, old) => validateObjectMetaUpdate(obj.metadata, old.metadata),
    generationChanged: specChanged,
  };
}

export function podTemplateStrategy(): Strategy {
  return kindStrategy({
    namespaced: true,
    defaults: (obj) => setPodTemplateSpecDefaults(child(obj as Obj, 'template')),
    validateSpec: (obj: KubeObject) => validatePodTemplateSpec(isObj(obj.template) ? obj.template : {}, 'template'),
    // PodTemplates have no spec; a template change is what bumps generation.
    generationChanged: (obj, old) => !semanticEqual(obj.template, old.template),
  });
}

export function replicationControllerStrategy(): Strategy {
  return kindStrategy({ namespaced: true, hasStatus: true, defaults: setReplicationControllerDefaults, validateSpec: validateReplicationControllerSpec });
}
