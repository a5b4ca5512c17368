// Label selectors: the string form used in `?labelSelector=` and the structured LabelSelector of
// workload specs, both reduced to one list of requirements (k8s.io/apimachinery/pkg/labels).

export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Equals' | 'NotEquals' | 'Gt' | 'Lt';

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export class SelectorParseError extends Error {}

export type Selector = Requirement[];

export function matches(selector: Selector, labels: Record<string, string> | undefined): boolean {
  for (const req of selector) if (!matchesRequirement(req, labels ?? {})) return false;
  return true;
}

function matchesRequirement(req: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = labels[req.key];
  switch (req.operator) {
    case 'Equals':
    case 'In':
      return has && req.values.includes(value!);
    case 'NotEquals':
    case 'NotIn':
      return !has || !req.values.includes(value!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has) return false;
      const n = Number(value);
      const bound = Number(req.values[0]);
      if (!Number.isInteger(n) || !Number.isInteger(bound)) return false;
      return req.operator === 'Gt' ? n > bound : n < bound;
    }
  }
}

/** Converts a structured LabelSelector; an empty selector matches everything, as upstream. */
export function fromLabelSelector(sel: LabelSelector | undefined | null): Selector {
  if (!sel) return [];
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key, operator: 'In', values: [value] });
  for (const e of sel.matchExpressions ?? []) {
    const op = e.operator as Operator;
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(op)) throw new SelectorParseError(`"${e.operator}" is not a valid label selector operator`);
    reqs.push({ key: e.key, operator: op, values: [...(e.values ?? [])] });
  }
  return reqs;
}

/** Renders a structured selector in the string form (`app=web,tier in (a,b)`), as Scale.status.selector. */
export function formatSelector(sel: Selector): string {
  return sel
    .map((r) => {
      switch (r.operator) {
        case 'Equals':
          return `${r.key}=${r.values[0]}`;
        case 'In':
          return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${[...r.values].sort().join(',')})`;
        case 'NotEquals':
          return `${r.key}!=${r.values[0]}`;
        case 'NotIn':
          return `${r.key} notin (${[...r.values].sort().join(',')})`;
        case 'Exists':
          return r.key;
        case 'DoesNotExist':
          return `!${r.key}`;
        case 'Gt':
          return `${r.key}>${r.values[0]}`;
        case 'Lt':
          return `${r.key}<${r.values[0]}`;
      }
    })
    .join(',');
}

/** Parses the `labelSelector` query string form. Throws SelectorParseError with upstream-like text. */
export function parseSelector(input: string): Selector {
  const reqs: Requirement[] = [];
  let i = 0;
  const s = input;
  const skipWs = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const readKey = (): string => {
    skipWs();
    const start = i;
    while (i < s.length && /[A-Za-z0-9._\-/]/.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  const readValue = (): string => {
    skipWs();
    const start = i;
    while (i < s.length && /[A-Za-z0-9._\-]/.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  const fail = (msg: string): never => {
    throw new SelectorParseError(`unable to parse requirement: ${msg}`);
  };
  skipWs();
  if (i >= s.length) return [];
  for (;;) {
    skipWs();
    let negate = false;
    if (s[i] === '!') {
      negate = true;
      i++;
    }
    const key = readKey();
    if (!key) fail(`found '${s[i] ?? ''}', expected: identifier`);
    validateKey(key);
    skipWs();
    if (negate) {
      reqs.push({ key, operator: 'DoesNotExist', values: [] });
    } else if (i >= s.length || s[i] === ',') {
      reqs.push({ key, operator: 'Exists', values: [] });
    } else if (s.startsWith('==', i) || s[i] === '=') {
      i += s.startsWith('==', i) ? 2 : 1;
      reqs.push({ key, operator: 'Equals', values: [checkedValue(readValue())] });
    } else if (s.startsWith('!=', i)) {
      i += 2;
      reqs.push({ key, operator: 'NotEquals', values: [checkedValue(readValue())] });
    } else if (s[i] === '>' || s[i] === '<') {
      const op = s[i] === '>' ? 'Gt' : 'Lt';
      i++;
      const v = readValue();
      if (!/^-?\d+$/.test(v)) fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
      reqs.push({ key, operator: op, values: [v] });
    } else {
      const word = readKey();
      const op = word === 'in' ? 'In' : word === 'notin' ? 'NotIn' : fail(`found '${word || s[i]}', expected: '=', '!=', '==', 'in', notin'`);
      skipWs();
      if (s[i] !== '(') fail(`found '${s[i] ?? ''}', expected: '('`);
      i++;
      const values: string[] = [];
      for (;;) {
        skipWs();
        if (s[i] === ')') {
          i++;
          break;
        }
        values.push(checkedValue(readValue()));
        skipWs();
        if (s[i] === ',') i++;
        else if (s[i] === ')') {
          i++;
          break;
        } else fail(`found '${s[i] ?? ''}', expected: ',', ')'`);
      }
      reqs.push({ key, operator: op, values });
    }
    skipWs();
    if (i >= s.length) break;
    if (s[i] !== ',') fail(`found '${s[i]}', expected: ','`);
    i++;
  }
  return reqs;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkedValue(v: string): string {
  if (v.length > 63 || !LABEL_VALUE.test(v)) {
    throw new SelectorParseError(`values[0]: Invalid value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
  return v;
}

function validateKey(key: string): void {
  const parts = key.split('/');
  const name = parts[parts.length - 1]!;
  if (parts.length > 2 || name.length === 0 || name.length > 63 || !/^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(name)) {
    throw new SelectorParseError(`key: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
}
