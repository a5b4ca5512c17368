// Field tables for the smaller groups: rbac, policy, scheduling, networking, autoscaling/v1,
// authentication and coordination (all v1). Numbers from upstream generated.proto, flags from
// types.go. Syntax: ../schema.ts.
export const GROUP_TABLES: Record<string, string> = {
  // rbac/v1
  Role: '1 metadata ObjectMeta; 2 rules []PolicyRule',
  PolicyRule: `
    1 verbs []string; 2 apiGroups []string; 3 resources []string; 4 resourceNames []string;
    5 nonResourceURLs []string
  `,
  ClusterRole: '1 metadata ObjectMeta; 2 rules []PolicyRule; 3 aggregationRule AggregationRule',
  AggregationRule: '1 clusterRoleSelectors []LabelSelector',
  RoleBinding: '1 metadata ObjectMeta; 2 subjects []Subject; 3 roleRef RoleRef',
  Subject: '1 kind!; 2 apiGroup; 3 name!; 4 namespace',
  RoleRef: '1 apiGroup!; 2 kind!; 3 name!',
  ClusterRoleBinding: '1 metadata ObjectMeta; 2 subjects []Subject; 3 roleRef RoleRef',
  // policy/v1
  PodDisruptionBudget: '1 metadata ObjectMeta; 2 spec PodDisruptionBudgetSpec; 3 status PodDisruptionBudgetStatus',
  PodDisruptionBudgetSpec: `
    1 minAvailable IntOrString; 2 selector LabelSelector; 3 maxUnavailable IntOrString;
    4 unhealthyPodEvictionPolicy?
  `,
  PodDisruptionBudgetStatus: `
    1 observedGeneration int64; 2 disruptedPods map[Time]; 3 disruptionsAllowed int32!;
    4 currentHealthy int32!; 5 desiredHealthy int32!; 6 expectedPods int32!;
    7 conditions []Condition
  `,
  Eviction: '1 metadata ObjectMeta; 2 deleteOptions DeleteOptions',
  // scheduling/v1
  PriorityClass: `
    1 metadata ObjectMeta; 2 value int32!; 3 globalDefault bool; 4 description;
    5 preemptionPolicy?
  `,
  // networking/v1
  Ingress: '1 metadata ObjectMeta; 2 spec IngressSpec; 3 status IngressStatus',
  IngressSpec: `
    4 ingressClassName?; 1 defaultBackend IngressBackend; 2 tls []IngressTLS;
    3 rules []IngressRule
  `,
  IngressBackend: '4 service IngressServiceBackend; 3 resource TypedLocalObjectReference',
  IngressServiceBackend: '1 name!; 2 port ServiceBackendPort',
  ServiceBackendPort: '1 name; 2 number int32',
  IngressTLS: '1 hosts []string; 2 secretName',
  IngressRule: '1 host; 2 .. IngressRuleValue',
  IngressRuleValue: '1 http HTTPIngressRuleValue',
  HTTPIngressRuleValue: '1 paths []HTTPIngressPath',
  HTTPIngressPath: '1 path; 3 pathType?; 2 backend IngressBackend',
  IngressStatus: '1 loadBalancer IngressLoadBalancerStatus',
  IngressLoadBalancerStatus: '1 ingress []IngressLoadBalancerIngress',
  IngressLoadBalancerIngress: '1 ip; 2 hostname; 4 ports []IngressPortStatus',
  IngressPortStatus: '1 port int32!; 2 protocol!; 3 error?',
  IngressClass: '1 metadata ObjectMeta; 2 spec IngressClassSpec',
  IngressClassSpec: '1 controller; 2 parameters IngressClassParametersReference',
  IngressClassParametersReference: '1 apiGroup?; 2 kind!; 3 name!; 4 scope?; 5 namespace?',
  NetworkPolicy: '1 metadata ObjectMeta; 2 spec NetworkPolicySpec',
  NetworkPolicySpec: `
    1 podSelector LabelSelector; 2 ingress []NetworkPolicyIngressRule;
    3 egress []NetworkPolicyEgressRule; 4 policyTypes []string
  `,
  NetworkPolicyIngressRule: '1 ports []NetworkPolicyPort; 2 from []NetworkPolicyPeer',
  NetworkPolicyPort: '1 protocol?; 2 port IntOrString; 3 endPort int32?',
  NetworkPolicyPeer: '1 podSelector LabelSelector; 2 namespaceSelector LabelSelector; 3 ipBlock IPBlock',
  IPBlock: '1 cidr!; 2 except []string',
  NetworkPolicyEgressRule: '1 ports []NetworkPolicyPort; 2 to []NetworkPolicyPeer',
  // autoscaling/v1
  Scale: '1 metadata ObjectMeta; 2 spec ScaleSpec; 3 status ScaleStatus',
  ScaleSpec: '1 replicas int32',
  ScaleStatus: '1 replicas int32!; 2 selector',
  HorizontalPodAutoscaler: `
    1 metadata ObjectMeta; 2 spec HorizontalPodAutoscalerSpec;
    3 status HorizontalPodAutoscalerStatus
  `,
  HorizontalPodAutoscalerSpec: `
    1 scaleTargetRef CrossVersionObjectReference; 2 minReplicas int32?; 3 maxReplicas int32!;
    4 targetCPUUtilizationPercentage int32?
  `,
  CrossVersionObjectReference: '1 kind!; 2 name!; 3 apiVersion',
  HorizontalPodAutoscalerStatus: `
    1 observedGeneration int64?; 2 lastScaleTime Time; 3 currentReplicas int32!;
    4 desiredReplicas int32!; 5 currentCPUUtilizationPercentage int32?
  `,
  // authentication/v1
  TokenRequest: '1 metadata ObjectMeta; 2 spec TokenRequestSpec; 3 status TokenRequestStatus',
  TokenRequestSpec: '1 audiences []string; 4 expirationSeconds int64?; 3 boundObjectRef BoundObjectReference',
  BoundObjectReference: '1 kind; 2 apiVersion; 3 name; 4 uid',
  TokenRequestStatus: '1 token!; 2 expirationTimestamp Time',
  // authentication/v1 SelfSubjectReview (kubectl auth whoami; user extra is not decoded)
  SelfSubjectReview: '1 metadata ObjectMeta; 2 status SelfSubjectReviewStatus',
  SelfSubjectReviewStatus: '1 userInfo UserInfo',
  UserInfo: '1 username; 2 uid; 3 groups []string',
  // authorization/v1 reviews (kubectl auth can-i; SubjectAccessReview's extra is not decoded)
  SelfSubjectAccessReview: '1 metadata ObjectMeta; 2 spec SelfSubjectAccessReviewSpec; 3 status SubjectAccessReviewStatus',
  SelfSubjectAccessReviewSpec: '1 resourceAttributes ResourceAttributes; 2 nonResourceAttributes NonResourceAttributes',
  ResourceAttributes: '1 namespace; 2 verb; 3 group; 4 version; 5 resource; 6 subresource; 7 name',
  NonResourceAttributes: '1 path; 2 verb',
  SubjectAccessReviewStatus: '1 allowed bool!; 4 denied bool; 2 reason; 3 evaluationError',
  SubjectAccessReview: '1 metadata ObjectMeta; 2 spec SubjectAccessReviewSpec; 3 status SubjectAccessReviewStatus',
  LocalSubjectAccessReview: '1 metadata ObjectMeta; 2 spec SubjectAccessReviewSpec; 3 status SubjectAccessReviewStatus',
  SubjectAccessReviewSpec: '1 resourceAttributes ResourceAttributes; 2 nonResourceAttributes NonResourceAttributes; 3 user; 4 groups []string; 6 uid',
  SelfSubjectRulesReview: '1 metadata ObjectMeta; 2 spec SelfSubjectRulesReviewSpec; 3 status SubjectRulesReviewStatus',
  SelfSubjectRulesReviewSpec: '1 namespace',
  SubjectRulesReviewStatus: '1 resourceRules []ResourceRule; 2 nonResourceRules []NonResourceRule; 3 incomplete bool!; 4 evaluationError',
  ResourceRule: '1 verbs []string; 2 apiGroups []string; 3 resources []string; 4 resourceNames []string',
  NonResourceRule: '1 verbs []string; 2 nonResourceURLs []string',
  // coordination/v1
  Lease: '1 metadata ObjectMeta; 2 spec LeaseSpec',
  LeaseSpec: `
    1 holderIdentity?; 2 leaseDurationSeconds int32?; 3 acquireTime MicroTime;
    4 renewTime MicroTime; 5 leaseTransitions int32?; 6 strategy?; 7 preferredHolder?
  `,
};
