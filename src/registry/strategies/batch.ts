// Strategies for batch/v1 Job and CronJob (pkg/registry/batch/{job,cronjob}/strategy.go).
import { generateJobSelector, setCronJobDefaults, setJobDefaults, validateCronJob, validateJob, validateJobUpdate } from '../../api/batch/job.ts';
import type { Strategy } from '../strategy.ts';
import { kindStrategy } from './base.ts';

export function jobStrategy(): Strategy {
  const base = kindStrategy({ namespaced: true, hasStatus: true, defaults: setJobDefaults, validateSpec: validateJob, validateChange: validateJobUpdate });
  return {
    ...base,
    prepareForCreate: (obj, ctx) => {
      base.prepareForCreate?.(obj, ctx);
      generateJobSelector(obj);
    },
  };
}

export function cronJobStrategy(): Strategy {
  return kindStrategy({ namespaced: true, hasStatus: true, defaults: setCronJobDefaults, validateSpec: validateCronJob });
}
