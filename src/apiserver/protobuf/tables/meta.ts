// Field tables for k8s.io/apimachinery meta/v1 and runtime, plus the small wrapper messages that
// have their own JSON form (Time, MicroTime, Quantity, IntOrString, RawExtension/FieldsV1).
// Numbers from upstream generated.proto (apimachinery pkg/apis/meta/v1, pkg/runtime,
// pkg/api/resource, pkg/util/intstr); flags from the Go struct tags. Syntax: ../schema.ts.
export const META_TABLES: Record<string, string> = {
  // runtime.Unknown: the envelope after the `k8s\0` magic.
  Unknown: '1 typeMeta TypeMeta; 2 raw bytes; 3 contentEncoding; 4 contentType',
  TypeMeta: '1 apiVersion; 2 kind',
  // Wrappers rendered specially by the decoder (see SPECIAL_TYPES in ../schema.ts).
  Time: '1 seconds int64; 2 nanos int32',
  MicroTime: '1 seconds int64; 2 nanos int32',
  Quantity: '1 string',
  IntOrString: '1 type int64; 2 intVal int32; 3 strVal',
  Raw: '1 raw bytes',
  ObjectMeta: `
    1 name; 2 generateName; 3 namespace; 4 selfLink; 5 uid; 6 resourceVersion;
    7 generation int64; 8 creationTimestamp Time; 9 deletionTimestamp Time;
    10 deletionGracePeriodSeconds int64?; 11 labels map[string]; 12 annotations map[string];
    13 ownerReferences []OwnerReference; 14 finalizers []string;
    17 managedFields []ManagedFieldsEntry
  `,
  OwnerReference: '5 apiVersion!; 1 kind!; 3 name!; 4 uid!; 6 controller bool?; 7 blockOwnerDeletion bool?',
  ManagedFieldsEntry: `
    1 manager; 2 operation; 3 apiVersion; 4 time Time; 6 fieldsType; 7 fieldsV1 Raw;
    8 subresource
  `,
  Condition: `
    1 type!; 2 status!; 3 observedGeneration int64; 4 lastTransitionTime Time; 5 reason!;
    6 message!
  `,
  LabelSelector: '1 matchLabels map[string]; 2 matchExpressions []LabelSelectorRequirement',
  LabelSelectorRequirement: '1 key!; 2 operator!; 3 values []string',
  DeleteOptions: `
    1 gracePeriodSeconds int64?; 2 preconditions Preconditions; 3 orphanDependents bool?;
    4 propagationPolicy?; 5 dryRun []string;
    6 ignoreStoreReadErrorWithClusterBreakingPotential bool?
  `,
  Preconditions: '1 uid?; 2 resourceVersion?',
};
