// Label and annotation keys of the apps group that both the API's strategies and the controllers
// read (k8s.io/api/apps/v1 types.go constants). Kept free of imports so browser code can use them.

/** On a DaemonSet: its template generation, kept for pods made by old controllers. */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';
