// Generates src/api/schema/generated/k8s-schemas.json: named OpenAPI component schemas for every
// GA API group, in upstream's naming (`io.k8s.api.apps.v1.StatefulSetSpec`). Run with
// `npx tsx scripts/gen-schemas.ts` after bumping kubernetes-models or editing list-semantics.ts.
//
// Sources, all from installed npm packages (no network):
// - kubernetes-models and @kubernetes-models/apimachinery `.d.ts` files: property names, TS types,
//   optionality (→ required), string-literal unions (→ enum), JSDoc text (→ description), and the
//   apiVersion/kind literals of top-level kinds (→ x-kubernetes-group-version-kind).
// - Their compiled validators (`_schemas/*.js`), probed with sample values, for what TS erases:
//   integer vs number and formats (int32, int64, date-time, byte).
// - src/api/schema/list-semantics.ts, facts from upstream's Go struct tags, for the
//   x-kubernetes-patch-* / list-* / map-type annotations the d.ts files lack.
// Output is deterministic (sorted keys), so regenerating without changes yields no diff.
import { createRequire } from 'node:module';
import { readdirSync, readFileSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { join, dirname, basename, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { LIST_SEMANTICS, parseSemantics } from '../src/api/schema/list-semantics.ts';

type Json = Record<string, unknown>;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const MODELS = dirname(require.resolve('kubernetes-models/package.json'));
const MACHINERY = dirname(require.resolve('@kubernetes-models/apimachinery/package.json'));
const OUT = join(root, 'src/api/schema/generated/k8s-schemas.json');

/** Only GA versions are served; alpha/beta types would triple the file for nothing. */
const GA_VERSION = /^v\d+$/;

interface SourceType {
  file: string;
  /** Exported alias, e.g. IIoK8sApiAppsV1StatefulSetSpec; references use it. */
  alias: string;
  /** Component name, e.g. io.k8s.api.apps.v1.StatefulSetSpec. */
  name: string;
  /** The local declaration (`interface IStatefulSetSpec` or `type ITime = string`). */
  decl: ts.InterfaceDeclaration | ts.TypeAliasDeclaration;
  /** Compiled validator module, for probing numbers and formats. */
  validatorPath: string;
  sf: ts.SourceFile;
}

function listDts(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir).sort()) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) {
      if (entry !== '_schemas' && entry !== 'node_modules') listDts(p, out);
    } else if (entry.endsWith('.d.ts') && entry !== 'index.d.ts') out.push(p);
  }
  return out;
}

/** `IoK8sApiextensionsApiserverPkgApisApiextensionsV1` → `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1`. */
function packageName(camel: string): string {
  return camel
    .replace(/([a-z0-9])([A-Z])/g, '$1.$2')
    .toLowerCase()
    .replace('apiextensions.apiserver', 'apiextensions-apiserver')
    .replace('kube.aggregator', 'kube-aggregator');
}

function collectTypes(): Map<string, SourceType> {
  const byAlias = new Map<string, SourceType>();
  const files = [
    ...listDts(MODELS).filter((f) => GA_VERSION.test(basename(dirname(f)))),
    ...listDts(MACHINERY),
  ];
  for (const file of files) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const typeName = basename(file, '.d.ts');
    let alias: string | undefined;
    let decl: SourceType['decl'] | undefined;
    for (const st of sf.statements) {
      if ((ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && st.name.text === `I${typeName}`) decl = st;
      if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) {
        for (const el of st.exportClause.elements) {
          if (el.propertyName?.text === `I${typeName}`) alias = el.name.text;
        }
      }
    }
    if (!alias || !decl) continue;
    const camelPkg = alias.slice(1, alias.length - typeName.length);
    const pkgRoot = file.startsWith(MACHINERY) ? MACHINERY : MODELS;
    byAlias.set(alias, {
      file,
      alias,
      name: `${packageName(camelPkg)}.${typeName}`,
      decl,
      validatorPath: join(pkgRoot, '_schemas', `${alias.slice(1)}.js`),
      sf,
    });
  }
  return byAlias;
}

/** The JSDoc text right before a node, without the comment markers. */
function docOf(node: ts.Node, sf: ts.SourceFile): string | undefined {
  const ranges = ts.getLeadingCommentRanges(sf.text, node.pos) ?? [];
  const last = ranges.filter((r) => sf.text.startsWith('/**', r.pos)).pop();
  if (!last) return undefined;
  const raw = sf.text.slice(last.pos + 3, last.end - 2);
  const lines = raw.split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
  while (lines.length && lines[0]!.trim() === '') lines.shift();
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  const text = lines.join('\n').replaceAll('*\\/', '*/');
  return text || undefined;
}

// --- Probing the compiled validators -------------------------------------------------------

type Validator = ((data: unknown) => boolean) & { errors?: { instancePath: string; keyword: string; params: Json }[] | null };
const validators = new Map<string, Validator | null>();

function validatorFor(t: SourceType): Validator | null {
  if (!validators.has(t.validatorPath)) {
    try {
      validators.set(t.validatorPath, (require(t.validatorPath) as { validate: Validator }).validate);
    } catch {
      validators.set(t.validatorPath, null);
    }
  }
  return validators.get(t.validatorPath)!;
}

type Step = string | number;

/** Runs the type's validator on a sample placed at `steps`, returns errors reported exactly there. */
function probe(t: SourceType, steps: Step[], sample: unknown): { keyword: string; params: Json }[] {
  const validate = validatorFor(t);
  if (!validate) return [];
  let value: unknown = sample;
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    value = typeof s === 'number' ? [value] : { [s]: value };
  }
  validate(value);
  const at = steps.length ? '/' + steps.join('/') : '';
  return (validate.errors ?? []).filter((e) => e.instancePath === at);
}

function numberSchema(t: SourceType, steps: Step[]): Json {
  const errs = probe(t, steps, 0.5);
  const isInt = errs.some((e) => e.keyword === 'type' && e.params.type === 'integer');
  const format = errs.find((e) => e.keyword === 'format')?.params.format;
  if (isInt) return format ? { type: 'integer', format } : { type: 'integer' };
  return { type: 'number', format: 'double' };
}

function stringSchema(t: SourceType, steps: Step[]): Json {
  const format = probe(t, steps, '\u0001?').find((e) => e.keyword === 'format')?.params.format;
  return format ? { type: 'string', format } : { type: 'string' };
}

// --- TS type → schema -------------------------------------------------------------------------

interface Ctx {
  types: Map<string, SourceType>;
  /** The named type being converted, for probing and local self-references. */
  self: SourceType;
  /** Kinds keyed by the signature of their properties, to recognise inlined kinds. */
  kindBySignature: Map<string, string>;
  unhandled: Set<string>;
}

function refTo(ctx: Ctx, alias: string): Json | undefined {
  if (alias === ctx.self.decl.name.text) return { $ref: ctx.self.name };
  const t = ctx.types.get(alias);
  return t ? { $ref: t.name } : undefined;
}

function literalValue(node: ts.TypeNode): string | undefined {
  if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) return node.literal.text;
  return undefined;
}

function convert(ctx: Ctx, node: ts.TypeNode, steps: Step[]): Json {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return stringSchema(ctx.self, steps);
    case ts.SyntaxKind.NumberKeyword:
      return numberSchema(ctx.self, steps);
    case ts.SyntaxKind.BooleanKeyword:
      return { type: 'boolean' };
  }
  if (ts.isParenthesizedTypeNode(node)) return convert(ctx, node.type, steps);
  if (ts.isArrayTypeNode(node)) return { type: 'array', items: convert(ctx, node.elementType, [...steps, 0]) };
  if (ts.isUnionTypeNode(node)) {
    const values = node.types.map(literalValue);
    if (values.every((v) => v !== undefined)) return { type: 'string', enum: [...values].sort() };
  }
  if (literalValue(node) !== undefined) return { type: 'string' };
  if (ts.isIndexedAccessTypeNode(node)) return { type: 'string' }; // IFoo["kind"] on classes only
  if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
    const id = node.typeName.text;
    if (id === 'Array' && node.typeArguments?.length === 1) {
      return { type: 'array', items: convert(ctx, node.typeArguments[0]!, [...steps, 0]) };
    }
    const ref = refTo(ctx, id);
    if (ref) return ref;
  }
  if (ts.isTypeLiteralNode(node)) {
    const index = node.members.find(ts.isIndexSignatureDeclaration);
    if (index && node.members.length === 1) {
      return { type: 'object', additionalProperties: convert(ctx, index.type, [...steps, 'key']) };
    }
    const obj = objectSchema(ctx, node.members, steps);
    const kind = ctx.kindBySignature.get(signature(node.members));
    return kind ? { $ref: kind } : obj;
  }
  ctx.unhandled.add(`${ctx.self.name}: ${node.getText()}`);
  return {};
}

function propName(m: ts.TypeElement): string | undefined {
  if (!ts.isPropertySignature(m) || !m.name) return undefined;
  return ts.isStringLiteral(m.name) || ts.isIdentifier(m.name) ? m.name.text : undefined;
}

/** Property names with their type text: equal for a kind and its inlined copy. */
function signature(members: ts.NodeArray<ts.TypeElement>): string {
  return members
    .filter(ts.isPropertySignature)
    .map((m) => `${propName(m)}:${['apiVersion', 'kind'].includes(propName(m)!) ? '' : m.type?.getText()}`)
    .sort()
    .join(';');
}

function objectSchema(ctx: Ctx, members: ts.NodeArray<ts.TypeElement>, steps: Step[]): Json {
  const properties: Record<string, Json> = {};
  const required: string[] = [];
  for (const m of members) {
    const name = propName(m);
    if (!name || !ts.isPropertySignature(m) || !m.type) continue;
    const prop = convert(ctx, m.type, [...steps, name]);
    const description = docOf(m, ctx.self.sf) ?? TYPE_META_DOCS[name];
    properties[name] = description ? { description, ...prop } : prop;
    if (!m.questionToken) required.push(name);
  }
  const schema: Json = { type: 'object', properties };
  if (required.length) schema.required = required.sort();
  return schema;
}

/** Descriptions of apiVersion/kind, which the d.ts files only carry where TypeMeta was inlined. */
const TYPE_META_DOCS: Record<string, string> = {};

function gvkOf(decl: SourceType['decl']): Json[] | undefined {
  if (!ts.isInterfaceDeclaration(decl)) return undefined;
  const lit = (n: string) => {
    const m = decl.members.find((x) => propName(x) === n);
    return m && ts.isPropertySignature(m) && m.type ? literalValue(m.type) : undefined;
  };
  const apiVersion = lit('apiVersion');
  const kind = lit('kind');
  if (apiVersion === undefined || kind === undefined) return undefined;
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return [{ group, kind, version }];
}

/** Types that hold arbitrary JSON in upstream's Go (RawExtension, JSON, FieldsV1, …). */
const FREE_FORM = /\.(RawExtension|FieldsV1|JSON|JSONSchemaPropsOrArray|JSONSchemaPropsOrBool|JSONSchemaPropsOrStringArray)$/;

function namedSchema(ctx: Ctx): Json {
  const { self } = ctx;
  const description = docOf(self.decl, self.sf);
  let schema: Json;
  if (self.name === 'io.k8s.apimachinery.pkg.util.intstr.IntOrString') {
    schema = { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true };
  } else if (self.name === 'io.k8s.apimachinery.pkg.api.resource.Quantity') {
    // The d.ts carries no text for Quantity; this summary is ours.
    schema = {
      description:
        'Quantity is a fixed-point decimal number with an optional unit suffix: binary (Ki, Mi, Gi, Ti, Pi, Ei), decimal (m, k, M, G, T, P, E) or a decimal exponent (1e3). Written as a string, e.g. "500m" or "1Gi"; a plain JSON number is accepted too.',
      type: 'string',
    };
  } else if (/\.(Time|MicroTime)$/.test(self.name) && ts.isTypeAliasDeclaration(self.decl)) {
    schema = { type: 'string', format: 'date-time' };
  } else if (ts.isTypeAliasDeclaration(self.decl)) {
    schema = convert(ctx, self.decl.type, []);
  } else {
    schema = objectSchema(ctx, self.decl.members, []);
    const gvk = gvkOf(self.decl);
    if (gvk) {
      schema['x-kubernetes-group-version-kind'] = gvk;
      const req = (schema.required as string[] | undefined)?.filter((r) => r !== 'apiVersion' && r !== 'kind');
      if (req?.length) schema.required = req;
      else delete schema.required;
    }
    if (FREE_FORM.test(self.name)) {
      schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      if (self.name.endsWith('.JSON') || self.name.includes('JSONSchemaPropsOr')) delete schema.type;
    }
  }
  return description ? { description, ...schema } : schema;
}

// --- List and map semantics --------------------------------------------------------------------

function applySemantics(schemas: Record<string, Json>): string[] {
  const missing: string[] = [];
  for (const [pkg, typesInPkg] of Object.entries(LIST_SEMANTICS)) {
    for (const [typeName, fields] of Object.entries(typesInPkg)) {
      const schema = schemas[`${pkg}.${typeName}`];
      if (!schema) {
        missing.push(`${pkg}.${typeName}`);
        continue;
      }
      for (const [field, spec] of Object.entries(fields)) {
        const target = field === '' ? schema : (schema.properties as Record<string, Json> | undefined)?.[field];
        if (!target) {
          missing.push(`${pkg}.${typeName}.${field}`);
          continue;
        }
        Object.assign(target, parseSemantics(spec));
      }
    }
  }
  return missing;
}

// --- Output ------------------------------------------------------------------------------------

/** Stable key order: OpenAPI-ish keys first, then extensions, alphabetical within each. */
function sortKeys(value: unknown, parentKey = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => sortKeys(v));
  if (!value || typeof value !== 'object') return value;
  const keys = Object.keys(value).sort();
  if (parentKey !== 'properties' && parentKey !== 'schemas') {
    keys.sort((a, b) => Number(a.startsWith('x-')) - Number(b.startsWith('x-')) || (a < b ? -1 : a > b ? 1 : 0));
  }
  const out: Json = {};
  for (const k of keys) out[k] = sortKeys((value as Json)[k], k);
  return out;
}

function main(): void {
  const types = collectTypes();
  // TypeMeta descriptions, harvested where the generator of the d.ts files inlined a kind.
  for (const t of types.values()) {
    t.sf.forEachChild(function visit(n): void {
      if (ts.isPropertySignature(n) && ts.isTypeLiteralNode(n.parent)) {
        const name = propName(n);
        const doc = docOf(n, t.sf);
        if ((name === 'apiVersion' || name === 'kind') && doc && !TYPE_META_DOCS[name]) TYPE_META_DOCS[name] = doc;
      }
      n.forEachChild(visit);
    });
  }
  const kindBySignature = new Map<string, string>();
  for (const t of types.values()) {
    if (gvkOf(t.decl) && ts.isInterfaceDeclaration(t.decl)) kindBySignature.set(signature(t.decl.members), t.name);
  }
  const unhandled = new Set<string>();
  const schemas: Record<string, Json> = {};
  for (const t of [...types.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    schemas[t.name] = namedSchema({ types, self: t, kindBySignature, unhandled });
  }
  const missing = applySemantics(schemas);
  for (const u of unhandled) console.warn(`unhandled type: ${u}`);
  for (const m of missing) console.warn(`list-semantics entry without a schema: ${m}`);
  const body = JSON.stringify({ schemas: sortKeys(schemas) });
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, body + '\n');
  console.log(`${relative(root, OUT)}: ${Object.keys(schemas).length} schemas, ${(body.length / 1024).toFixed(0)} KiB`);
}

main();
