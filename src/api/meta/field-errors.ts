// Field errors as upstream's field.Error (k8s.io/apimachinery/pkg/util/validation/field/errors.go):
// rendered `<field>: <Type>: <value>: <detail>` so kubectl prints the same text as a real cluster.

export type FieldErrorType =
  | 'Required value'
  | 'Invalid value'
  | 'Unsupported value'
  | 'Forbidden'
  | 'Duplicate value'
  | 'Not found'
  | 'Too long'
  | 'Too many'
  | 'Internal error';

export interface FieldError {
  type: FieldErrorType;
  /** Dotted path with indexes, e.g. `spec.template.spec.containers[0].name`. */
  field: string;
  /** The offending value, rendered as upstream does (strings quoted); omitted for Required/Forbidden. */
  value?: unknown;
  detail?: string;
  /** For Unsupported value: the accepted values, listed in the message. */
  supported?: string[];
}

/**
 * A bad value upstream prints with Go's %#v (maps, structs such as `intstr.IntOrString{…}`): the
 * text appears in messages as it is; JSON encodes it as that text.
 */
export class GoValue {
  constructor(readonly text: string) {}
  toJSON(): string {
    return this.text;
  }
}

function renderValue(v: unknown): string {
  if (v instanceof GoValue) return v.text;
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export function formatFieldError(e: FieldError, opts: { withField: boolean }): string {
  const parts: string[] = [];
  if (opts.withField && e.field) parts.push(e.field);
  let body: string = e.type;
  const showsValue = e.type !== 'Required value' && e.type !== 'Forbidden' && e.type !== 'Internal error' && e.type !== 'Too many';
  if (showsValue && 'value' in e) body += `: ${renderValue(e.value)}`;
  if (e.type === 'Unsupported value' && e.supported) {
    body += `: supported values: ${e.supported.map((s) => JSON.stringify(s)).join(', ')}`;
  } else if (e.detail) {
    body += `: ${e.detail}`;
  }
  parts.push(body);
  return parts.join(': ');
}

// Constructors in upstream's names, so validation code reads like the Go it mirrors.
export const required = (field: string, detail?: string): FieldError => ({ type: 'Required value', field, detail });
export const invalidValue = (field: string, value: unknown, detail?: string): FieldError => ({ type: 'Invalid value', field, value, detail });
export const notSupported = (field: string, value: unknown, supported: string[]): FieldError => ({ type: 'Unsupported value', field, value, supported });
export const forbidden = (field: string, detail: string): FieldError => ({ type: 'Forbidden', field, detail });
export const duplicate = (field: string, value: unknown): FieldError => ({ type: 'Duplicate value', field, value });
export const tooLong = (field: string, value: unknown, max: number): FieldError => ({ type: 'Too long', field, value, detail: `may not be more than ${max} bytes` });
