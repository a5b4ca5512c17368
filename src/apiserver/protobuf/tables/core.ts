// Field tables for k8s.io/api/core/v1 (non-pod kinds). Field numbers are upstream's generated.proto;
// JSON names, pointer-ness (?) and non-omitempty (!) come from the Go struct tags in types.go.
// Table syntax: see ../schema.ts.
export const CORE_TABLES: Record<string, string> = {
  Secret: `
    1 metadata ObjectMeta; 5 immutable bool?; 2 data map[bytes]; 4 stringData map[string];
    3 type
  `,
  ConfigMap: '1 metadata ObjectMeta; 4 immutable bool?; 2 data map[string]; 3 binaryData map[bytes]',
  Namespace: '1 metadata ObjectMeta; 2 spec NamespaceSpec; 3 status NamespaceStatus',
  NamespaceSpec: '1 finalizers []string',
  NamespaceStatus: '1 phase; 2 conditions []NamespaceCondition',
  NamespaceCondition: '1 type!; 2 status!; 4 lastTransitionTime Time; 5 reason; 6 message',
  ServiceAccount: `
    1 metadata ObjectMeta; 2 secrets []ObjectReference;
    3 imagePullSecrets []LocalObjectReference; 4 automountServiceAccountToken bool?
  `,
  ObjectReference: '1 kind; 2 namespace; 3 name; 4 uid; 5 apiVersion; 6 resourceVersion; 7 fieldPath',
  LocalObjectReference: '1 name',
  Service: '1 metadata ObjectMeta; 2 spec ServiceSpec; 3 status ServiceStatus',
  ServiceSpec: `
    1 ports []ServicePort; 2 selector map[string]; 3 clusterIP; 18 clusterIPs []string; 4 type;
    5 externalIPs []string; 7 sessionAffinity; 8 loadBalancerIP;
    9 loadBalancerSourceRanges []string; 10 externalName; 11 externalTrafficPolicy;
    12 healthCheckNodePort int32; 13 publishNotReadyAddresses bool;
    14 sessionAffinityConfig SessionAffinityConfig; 19 ipFamilies []string; 17 ipFamilyPolicy?;
    20 allocateLoadBalancerNodePorts bool?; 21 loadBalancerClass?; 22 internalTrafficPolicy?;
    23 trafficDistribution?
  `,
  ServicePort: `
    1 name; 2 protocol; 6 appProtocol?; 3 port int32!; 4 targetPort IntOrString;
    5 nodePort int32
  `,
  SessionAffinityConfig: '1 clientIP ClientIPConfig',
  ClientIPConfig: '1 timeoutSeconds int32?',
  ServiceStatus: '1 loadBalancer LoadBalancerStatus; 2 conditions []Condition',
  LoadBalancerStatus: '1 ingress []LoadBalancerIngress',
  LoadBalancerIngress: '1 ip; 2 hostname; 3 ipMode?; 4 ports []PortStatus',
  PortStatus: '1 port int32!; 2 protocol!; 3 error?',
  ResourceQuota: '1 metadata ObjectMeta; 2 spec ResourceQuotaSpec; 3 status ResourceQuotaStatus',
  ResourceQuotaSpec: '1 hard map[Quantity]; 2 scopes []string; 3 scopeSelector ScopeSelector',
  ScopeSelector: '1 matchExpressions []ScopedResourceSelectorRequirement',
  ScopedResourceSelectorRequirement: '1 scopeName!; 2 operator!; 3 values []string',
  ResourceQuotaStatus: '1 hard map[Quantity]; 2 used map[Quantity]',
  Binding: '1 metadata ObjectMeta; 2 target ObjectReference',
  Event: `
    1 metadata ObjectMeta; 2 involvedObject ObjectReference; 3 reason; 4 message;
    5 source EventSource; 6 firstTimestamp Time; 7 lastTimestamp Time; 8 count int32; 9 type;
    10 eventTime MicroTime; 11 series EventSeries; 12 action; 13 related ObjectReference;
    14 reportingComponent!; 15 reportingInstance!
  `,
  EventSource: '1 component; 2 host',
  EventSeries: '1 count int32; 2 lastObservedTime MicroTime',
  LimitRange: '1 metadata ObjectMeta; 2 spec LimitRangeSpec',
  LimitRangeSpec: '1 limits []LimitRangeItem',
  LimitRangeItem: `
    1 type!; 2 max map[Quantity]; 3 min map[Quantity]; 4 default map[Quantity];
    5 defaultRequest map[Quantity]; 6 maxLimitRequestRatio map[Quantity]
  `,
  PersistentVolumeClaim: `
    1 metadata ObjectMeta; 2 spec PersistentVolumeClaimSpec;
    3 status PersistentVolumeClaimStatus
  `,
  PersistentVolumeClaimStatus: `
    1 phase; 2 accessModes []string; 3 capacity map[Quantity];
    4 conditions []PersistentVolumeClaimCondition; 5 allocatedResources map[Quantity];
    7 allocatedResourceStatuses map[string]; 8 currentVolumeAttributesClassName?;
    9 modifyVolumeStatus ModifyVolumeStatus; 10 healthStatus VolumeHealthStatus
  `,
  PersistentVolumeClaimCondition: '1 type!; 2 status!; 3 lastProbeTime Time; 4 lastTransitionTime Time; 5 reason; 6 message',
  ModifyVolumeStatus: '1 targetVolumeAttributesClassName; 2 status!',
  VolumeHealthStatus: '1 healthConditions []VolumeHealthCondition; 2 lastTransitionTime Time',
  Endpoints: '1 metadata ObjectMeta; 2 subsets []EndpointSubset',
  EndpointSubset: '1 addresses []EndpointAddress; 2 notReadyAddresses []EndpointAddress; 3 ports []EndpointPort',
  EndpointAddress: '1 ip!; 3 hostname; 4 nodeName?; 2 targetRef ObjectReference',
  EndpointPort: '1 name; 2 port int32!; 3 protocol; 4 appProtocol?',
  PodTemplateSpec: '1 metadata ObjectMeta; 2 spec PodSpec',
};
