// Request bodies: JSON, YAML (apply patches and `application/yaml`) and Kubernetes protobuf,
// each turned into plain JSON values, with a 400 that says what was wrong when they do not parse.
import { parse as parseYaml } from 'yaml';
import { badRequest, tooLarge, unsupportedMediaType, ApiError } from '../api/errors.ts';
import { decodeProtobufObject } from './protobuf/index.ts';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export type BodyFormat = 'json' | 'yaml' | 'protobuf';

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
}

export function decodeBody(body: Uint8Array | undefined, contentType: string | undefined): unknown {
  if (!body || body.length === 0) throw badRequest('the request body is empty: send the object as JSON, YAML or protobuf');
  if (body.length > MAX_BODY_BYTES) throw tooLarge();
  const type = mediaType(contentType);
  switch (type) {
    case 'application/json':
    case 'application/json-patch+json':
    case 'application/merge-patch+json':
    case 'application/strategic-merge-patch+json':
      return parseJson(body);
    case 'application/yaml':
    case 'application/apply-patch+yaml':
      return parseYamlBody(body);
    case 'application/vnd.kubernetes.protobuf':
      try {
        return decodeProtobufObject(body);
      } catch (e) {
        if (e instanceof ApiError) throw e;
        const err = e as { code?: number; message?: string };
        if (err.code === 415) throw unsupportedMediaType(`${type}: ${err.message}`);
        throw badRequest(`unable to decode the protobuf body: ${err.message ?? String(e)}`);
      }
    default:
      throw unsupportedMediaType(type);
  }
}

function parseJson(body: Uint8Array): unknown {
  const text = Buffer.from(body).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`the request body is not valid JSON: ${(e as Error).message}`);
  }
}

function parseYamlBody(body: Uint8Array): unknown {
  const text = Buffer.from(body).toString('utf8');
  try {
    // JSON is YAML; clients send JSON text under the apply-patch+yaml type.
    return parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (e) {
    throw badRequest(`the request body is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Requires a JSON object (not an array or scalar) where an object is expected. */
export function requireObject(v: unknown, what = 'object'): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw badRequest(`the request body must be a single ${what}, not ${Array.isArray(v) ? 'an array' : v === null ? 'null' : `a ${typeof v}`}`);
  }
  return v as Record<string, unknown>;
}
