// Refreshes src/api/schema/list-semantics-table.ts from upstream Go API types. Not part of the
// build: run it by hand when moving to a new Kubernetes release, then review the diff and run
// `npx tsx scripts/gen-schemas.ts`.
//
//   node scripts/extract-list-semantics.mjs --ref release-1.35 \
//     --api <git dir of kubernetes/api> --apimachinery <kubernetes/apimachinery> \
//     --apiextensions <kubernetes/apiextensions-apiserver>
//
// It reads struct tags (`patchStrategy:"…" patchMergeKey:"…"`) and comment markers (+listType,
// +listMapKey, +mapType, +structType, +default, +patchStrategy, +patchMergeKey, also in their +k8s: form) of
// every GA types file, and keeps entries whose type and field exist in the generated schemas.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    ref: { type: 'string', default: 'HEAD' },
    api: { type: 'string' },
    apimachinery: { type: 'string' },
    apiextensions: { type: 'string' },
    out: { type: 'string', default: 'src/api/schema/list-semantics-table.ts' },
  },
});

const git = (dir, ...a) => execFileSync('git', ['-C', dir, ...a], { encoding: 'utf8', maxBuffer: 64 << 20 });

/** [git dir, path in repo, OpenAPI package name] for every GA types file. */
function sources() {
  const out = [];
  if (args.api) {
    for (const path of git(args.api, 'ls-tree', '-r', '--name-only', args.ref).split('\n')) {
      const m = path.match(/^([a-z]+)\/(v\d+)\/[a-z_]+\.go$/);
      if (m && !/generated|_test|register|doc\.go|well_known|annotation_key/.test(path)) {
        out.push([args.api, path, `io.k8s.api.${m[1]}.${m[2]}`]);
      }
    }
  }
  if (args.apimachinery) out.push([args.apimachinery, 'pkg/apis/meta/v1/types.go', 'io.k8s.apimachinery.pkg.apis.meta.v1']);
  if (args.apiextensions) {
    for (const f of ['types.go', 'types_jsonschema.go']) {
      out.push([args.apiextensions, `pkg/apis/apiextensions/v1/${f}`, 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1']);
    }
  }
  return out;
}

function markers(comments) {
  const get = (name) =>
    comments.flatMap((c) => {
      const m = c.match(new RegExp(`^//\\s*\\+(?:k8s:)?${name}=(\\S+)`));
      return m ? [m[1]] : [];
    });
  return {
    listType: get('listType')[0],
    listMapKeys: [...new Set(get('listMapKey'))],
    mapType: get('mapType')[0] ?? get('structType')[0],
    patchStrategy: get('patchStrategy')[0],
    patchMergeKey: get('patchMergeKey')[0],
    // Defaults matter for list-map keys (ports[].protocol); ref(Const) defaults are left out.
    default: get('default').filter((d) => !d.startsWith('ref('))[0],
  };
}

function encode(mk, tags) {
  const tokens = [];
  const strategy = tags.match(/patchStrategy:"([^"]+)"/)?.[1] ?? mk.patchStrategy;
  const key = tags.match(/patchMergeKey:"([^"]+)"/)?.[1] ?? mk.patchMergeKey;
  if (strategy) tokens.push(key ? `${strategy}(${key})` : strategy);
  if (mk.listType === 'map') tokens.push(`list=map(${mk.listMapKeys.join(',')})`);
  else if (mk.listType) tokens.push(`list=${mk.listType}`);
  if (mk.mapType) tokens.push(`map=${mk.mapType}`);
  if (mk.default !== undefined) tokens.push(`default=${mk.default}`);
  return tokens.join(' ');
}

/** type name → field json name ('' for the type) → encoded semantics. */
function scan(text) {
  const types = {};
  let comments = [];
  let current; // struct being read
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t.startsWith('//')) {
      comments.push(t);
      continue;
    }
    if (!current) {
      const m = line.match(/^type (\w+) struct \{/);
      if (m) {
        current = { name: m[1], fields: {} };
        const own = encode(markers(comments), '');
        if (own) current.fields[''] = own;
      }
      comments = [];
      continue;
    }
    if (line.startsWith('}')) {
      types[current.name] = current;
      current = undefined;
      comments = [];
      continue;
    }
    const f = line.match(/^\t\w+\s+[^`]+`([^`]*)`/);
    const embed = line.match(/^\t(\w+)\s+`json:",inline"/);
    if (embed) (current.inline ??= []).push(embed[1]);
    if (f) {
      const json = f[1].match(/json:"([^",]*)/)?.[1];
      const enc = encode(markers(comments), f[1]);
      if (json && enc) current.fields[json] = enc;
    }
    if (t === '' || f) comments = [];
  }
  // Fields of an embedded (`json:",inline"`) struct appear in the embedding type's schema.
  // Type-level markers ('') stay with their own type.
  const flat = (t, seen = new Set()) => {
    if (seen.has(t.name)) return {};
    seen.add(t.name);
    const inherited = Object.assign({}, ...(t.inline ?? []).map((n) => (types[n] ? flat(types[n], seen) : {})));
    delete inherited[''];
    return Object.assign(inherited, t.fields);
  };
  const out = {};
  for (const t of Object.values(types)) {
    const fields = flat(t);
    if (Object.keys(fields).length) out[t.name] = fields;
  }
  return out;
}

const schemas = JSON.parse(readFileSync('src/api/schema/generated/k8s-schemas.json', 'utf8')).schemas;
const table = {};
let dropped = 0;
for (const [dir, path, pkg] of sources()) {
  const found = scan(git(dir, 'show', `${args.ref}:${path}`));
  for (const [type, fields] of Object.entries(found)) {
    const schema = schemas[`${pkg}.${type}`];
    for (const [field, enc] of Object.entries(fields)) {
      if (!schema || (field !== '' && !schema.properties?.[field])) {
        dropped++;
        if (process.env.VERBOSE) console.warn(`dropped ${pkg}.${type}.${field}`);
        continue;
      }
      ((table[pkg] ??= {})[type] ??= {})[field] = enc;
    }
  }
}

const q = (s) => (/^[A-Za-z_$][\w$]*$/.test(s) ? s : `'${s}'`);
let out = `// Generated by scripts/extract-list-semantics.mjs from upstream Go API types (${args.ref}); see
// list-semantics.ts for the encoding. Facts only: field names and their merge/list/map semantics.
export const LIST_SEMANTICS_TABLE: Record<string, Record<string, Record<string, string>>> = {\n`;
for (const pkg of Object.keys(table).sort()) {
  out += `  '${pkg}': {\n`;
  for (const type of Object.keys(table[pkg]).sort()) {
    const fields = Object.entries(table[pkg][type]).sort(([a], [b]) => (a < b ? -1 : 1));
    const body = fields.map(([f, e]) => `${q(f)}: '${e}'`).join(', ');
    out += body.length < 80 ? `    ${type}: { ${body} },\n` : `    ${type}: {\n${fields.map(([f, e]) => `      ${q(f)}: '${e}',\n`).join('')}    },\n`;
  }
  out += '  },\n';
}
out += '};\n';
writeFileSync(args.out, out);
console.log(`${args.out}: ${Object.values(table).reduce((n, p) => n + Object.keys(p).length, 0)} types; ${dropped} entries without a schema dropped`);
