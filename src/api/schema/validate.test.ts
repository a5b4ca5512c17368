import { describe, expect, it } from 'vitest';
import { findTypeErrors, findUnknownFields, loadSchemas, type SchemaNode } from './index.ts';

const registry = loadSchemas();
const sts = registry.forKind({ group: 'apps', version: 'v1', kind: 'StatefulSet' })!;
const pod = registry.forKind({ group: '', version: 'v1', kind: 'Pod' })!;
const crd = registry.forKind({ group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' })!;
const cm = registry.forKind({ group: '', version: 'v1', kind: 'ConfigMap' })!;

const stsWith = (spec: object, metadata: object = { name: 'web' }) => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata,
  spec: { serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }, ...spec },
});

describe('findUnknownFields', () => {
  const cases: [string, SchemaNode, unknown, string[]][] = [
    ['a valid object', sts, stsWith({ replicas: 3 }), []],
    ['a top-level spec field', sts, stsWith({ foo: 1 }), ['spec.foo']],
    ['metadata fields', sts, stsWith({}, { name: 'web', labelz: {} }), ['metadata.labelz']],
    ['an unknown top-level field', sts, { ...stsWith({}), extra: true }, ['extra']],
    [
      'a field inside a list item',
      sts,
      stsWith({ template: { spec: { containers: [{ name: 'a' }, { name: 'b', imagePullPolicyy: 'Always' }] } } }),
      ['spec.template.spec.containers[1].imagePullPolicyy'],
    ],
    [
      'several at different depths, in document order',
      sts,
      stsWith({ bogus: 1, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, part: 1 } } }),
      ['spec.bogus', 'spec.updateStrategy.rollingUpdate.part'],
    ],
    ['map keys are data, not fields', sts, stsWith({}, { name: 'web', labels: { anything: 'x' }, annotations: { 'a/b': 'c' } }), []],
    ['resource quantities are maps', pod, { spec: { containers: [{ name: 'c', resources: { limits: { cpu: '1', 'example.com/gpu': 2 } } }] } }, []],
    ['int-or-string values are scalars', pod, { spec: { containers: [{ name: 'c', livenessProbe: { httpGet: { port: 'http' } } }] } }, []],
    ['managedFields fieldsV1 is free-form', pod, { metadata: { managedFields: [{ manager: 'm', fieldsV1: { 'f:spec': { 'f:x': {} } } }] } }, []],
    ['configmap data', cm, { data: { k: 'v' }, binaryData: { b: 'AA==' }, datta: {} }, ['datta']],
    ['volumeClaimTemplates items are PersistentVolumeClaims', sts, stsWith({ volumeClaimTemplates: [{ metadata: { name: 'd' }, spec: { accessModes: ['ReadWriteOnce'], storagee: 1 } }] }), ['spec.volumeClaimTemplates[0].spec.storagee']],
    ['null values are skipped', sts, stsWith({ updateStrategy: null }), []],
    ['values of the wrong type are left to findTypeErrors', sts, stsWith({ updateStrategy: 'x', template: [] }), []],
    [
      'CRD schemas: JSONSchemaProps recursion and free-form defaults',
      crd,
      {
        spec: {
          group: 'example.com',
          names: { plural: 'foos', kind: 'Foo' },
          scope: 'Namespaced',
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', default: { any: 1 }, properties: { x: { type: 'string', typo: 1 } } } } } } }],
        },
      },
      ['spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.x.typo'],
    ],
  ];
  it.each(cases)('%s', (_name, node, obj, want) => {
    expect(findUnknownFields(node, obj)).toEqual(want);
  });

  it('honours preserve-unknown-fields and embedded resources', () => {
    const node: SchemaNode = {
      type: 'object',
      properties: {
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        partial: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'object', properties: {} } } },
        embedded: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: {} } } },
        empty: { type: 'object' },
      },
    };
    const obj = {
      free: { a: { b: 1 } },
      partial: { other: 1, known: { bad: 1 } },
      embedded: { apiVersion: 'v1', kind: 'X', metadata: { name: 'n' }, spec: {}, status: {} },
      empty: { gone: 1 },
    };
    expect(findUnknownFields(node, obj)).toEqual(['partial.known.bad', 'embedded.status', 'empty.gone']);
  });

  it('treats an unknown schema as plain JSON', () => {
    expect(findUnknownFields(undefined, { a: 1 })).toEqual([]);
  });
});

describe('findTypeErrors', () => {
  const cases: [string, SchemaNode, unknown, { field: string; message: string }[]][] = [
    ['a valid object', sts, stsWith({ replicas: 3 }), []],
    [
      'a string for an int32',
      sts,
      stsWith({ replicas: '3' }),
      [{ field: 'spec.replicas', message: 'json: cannot unmarshal string into Go struct field StatefulSetSpec.spec.replicas of type int32' }],
    ],
    [
      'a fraction for an integer, inside a list',
      sts,
      stsWith({ template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80.5 }] }] } } }),
      [
        {
          field: 'spec.template.spec.containers[0].ports[0].containerPort',
          message: 'json: cannot unmarshal number 80.5 into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32',
        },
      ],
    ],
    ['an int32 out of range', sts, stsWith({ replicas: 2 ** 31 }), [{ field: 'spec.replicas', message: 'json: cannot unmarshal number 2147483648 into Go struct field StatefulSetSpec.spec.replicas of type int32' }]],
    ['int64 accepts large values', pod, { spec: { activeDeadlineSeconds: 2 ** 40 } }, []],
    [
      'an object for a list',
      sts,
      stsWith({ template: { spec: { containers: { name: 'c' } } } }),
      [{ field: 'spec.template.spec.containers', message: 'json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container' }],
    ],
    [
      'a string for a struct',
      sts,
      stsWith({ updateStrategy: 'RollingUpdate' }),
      [{ field: 'spec.updateStrategy', message: 'json: cannot unmarshal string into Go struct field StatefulSetSpec.spec.updateStrategy of type v1.StatefulSetUpdateStrategy' }],
    ],
    [
      'a number for a map value',
      sts,
      stsWith({}, { name: 'web', labels: { app: 1 } }),
      [{ field: 'metadata.labels.app', message: 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels.app of type string' }],
    ],
    ['a bool for a string', pod, { spec: { nodeName: true } }, [{ field: 'spec.nodeName', message: 'json: cannot unmarshal bool into Go struct field PodSpec.spec.nodeName of type string' }]],
    ['quantities take numbers and strings', pod, { spec: { containers: [{ name: 'c', resources: { limits: { cpu: 0.5, memory: '1Gi' } } }] } }, []],
    ['int-or-string takes whole numbers and strings', pod, { spec: { containers: [{ name: 'c', livenessProbe: { httpGet: { port: 8080 } }, readinessProbe: { httpGet: { port: 'http' } } }] } }, []],
    [
      'int-or-string rejects booleans',
      pod,
      { spec: { containers: [{ name: 'c', livenessProbe: { httpGet: { port: true } } }] } },
      [{ field: 'spec.containers[0].livenessProbe.httpGet.port', message: 'json: cannot unmarshal bool into Go struct field HTTPGetAction.spec.containers.livenessProbe.httpGet.port of type intstr.IntOrString' }],
    ],
    ['null is the zero value', sts, stsWith({ replicas: null, template: null }), []],
    ['unknown fields are not type errors', sts, stsWith({ foo: 'bar' }), []],
    ['a non-object root', sts, [], [{ field: '', message: 'json: cannot unmarshal array into Go value of type v1.StatefulSet' }]],
  ];
  it.each(cases)('%s', (_name, node, obj, want) => {
    expect(findTypeErrors(node, obj).map(({ field, message }) => ({ field, message }))).toEqual(want);
  });

  it('reports the expected Go type and the received JSON type separately', () => {
    expect(findTypeErrors(sts, stsWith({ replicas: '3' }))[0]).toMatchObject({ expected: 'int32', received: 'string' });
  });
});
