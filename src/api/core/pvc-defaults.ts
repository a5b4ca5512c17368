// PersistentVolumeClaim and PersistentVolume defaulting (pkg/apis/core/v1/defaults.go
// SetDefaults_PersistentVolumeClaimSpec, _PersistentVolumeClaim, _PersistentVolume). Claim specs
// are also defaulted inside StatefulSet volumeClaimTemplates and ephemeral volumes.
import { type Obj, child, setDefault } from '../validation/json.ts';

export function setPvcSpecDefaults(spec: Obj): void {
  setDefault(spec, 'volumeMode', 'Filesystem');
}

export function setPvcDefaults(pvc: Obj): void {
  setPvcSpecDefaults(child(pvc, 'spec'));
  setDefault(child(pvc, 'status'), 'phase', 'Pending');
}

export function setPvDefaults(pv: Obj): void {
  const spec = child(pv, 'spec');
  setDefault(spec, 'persistentVolumeReclaimPolicy', 'Retain');
  setDefault(spec, 'volumeMode', 'Filesystem');
  setDefault(child(pv, 'status'), 'phase', 'Pending');
}
