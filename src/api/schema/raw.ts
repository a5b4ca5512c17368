// The generated component schemas as stored in generated/k8s-schemas.json (written by
// scripts/gen-schemas.ts): OpenAPI 3 schema objects whose `$ref` holds a bare component name
// (`io.k8s.api.core.v1.PodSpec`) instead of `#/components/schemas/…`. Read once, lazily.
import { readFileSync } from 'node:fs';
import type { SchemaNode } from './types.ts';

export type RawSchema = Omit<SchemaNode, 'name' | 'properties' | 'items' | 'additionalProperties'> & {
  $ref?: string;
  properties?: Record<string, RawSchema>;
  items?: RawSchema;
  additionalProperties?: RawSchema | boolean;
};

export interface RawSchemaFile {
  schemas: Record<string, RawSchema>;
}

// Next to this module when running from src/ (tsx, vitest) or when the build copies the file
// beside the bundle (dist/generated/); the second entry covers a bundle in dist/ with src/ shipped.
const CANDIDATES = ['./generated/k8s-schemas.json', '../src/api/schema/generated/k8s-schemas.json'];

/** Reads and parses the generated schemas; throws with every path tried if none exists. */
export function readRawSchemas(): RawSchemaFile {
  const tried: string[] = [];
  for (const rel of CANDIDATES) {
    const url = new URL(rel, import.meta.url);
    try {
      return JSON.parse(readFileSync(url, 'utf8')) as RawSchemaFile;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      tried.push(url.pathname);
    }
  }
  throw new Error(`Load OpenAPI schemas: generated schema file not found: tried ${tried.join(', ')}`);
}
