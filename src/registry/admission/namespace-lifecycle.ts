// NamespaceLifecycle admission (plugin/pkg/admission/namespace/lifecycle): no new content in a
// namespace that does not exist or is terminating, and the system namespaces cannot be deleted.
import { ApiError, notFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { ResourceInfo } from '../../api/resources.ts';
import type { Admission } from '../resource-store.ts';

export const IMMORTAL_NAMESPACES = ['default', 'kube-system', 'kube-public'];

export function namespaceLifecycle(getNamespace: (name: string) => Promise<KubeObject | undefined>): Admission {
  return {
    async admit(op: 'create' | 'update' | 'delete', info: ResourceInfo, obj: KubeObject) {
      if (info.group === '' && info.kind === 'Namespace') {
        if (op === 'delete' && IMMORTAL_NAMESPACES.includes(obj.metadata.name!)) {
          throw new ApiError('Forbidden', 403, `namespaces "${obj.metadata.name}" is forbidden: this namespace may not be deleted`, { name: obj.metadata.name, kind: 'namespaces' });
        }
        return;
      }
      if (op !== 'create' || !info.namespaced) return;
      const name = obj.metadata.namespace!;
      const ns = await getNamespace(name);
      if (!ns) throw notFound({ group: '', resource: 'namespaces' }, name);
      if (ns.metadata.deletionTimestamp && info.kind !== 'Event') {
        throw new ApiError(
          'Forbidden',
          403,
          `${info.resource}${info.group ? `.${info.group}` : ''} "${obj.metadata.name ?? ''}" is forbidden: unable to create new content in namespace ${name} because it is being terminated`,
          { name: obj.metadata.name, group: info.group, kind: info.resource, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${name} is being terminated`, field: 'metadata.namespace' }] },
        );
      }
    },
  };
}
