// `$(VAR)` references as the kubelet expands them in command, args, env values and subPathExpr
// (third_party/forked/golang/expansion): `$$` is a literal `$`, `$(NAME)` is replaced by the
// mapping's value, and anything else (`$x`, an unterminated `$(`) is copied as written.

/** Looks a name up; undefined means "not defined". */
export type Lookup = (name: string) => string | undefined;

/** A lookup over maps tried in order (MappingFuncFor); an undefined name stays `$(NAME)`. */
export function mappingFor(...maps: ReadonlyMap<string, string>[]): (name: string) => string {
  return (name) => {
    for (const m of maps) {
      const v = m.get(name);
      if (v !== undefined) return v;
    }
    return `$(${name})`;
  };
}

export function expand(input: string, mapping: (name: string) => string): string {
  let out = '';
  let checkpoint = 0;
  for (let i = 0; i < input.length; i++) {
    if (input[i] !== '$' || i + 1 >= input.length) continue;
    out += input.slice(checkpoint, i);
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 1;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close === -1) {
        // Incomplete reference: keep `$(` and go on scanning after it.
        out += '$(';
        i += 1;
      } else {
        out += mapping(input.slice(i + 2, close));
        i = close;
      }
    } else {
      out += `$${next}`;
      i += 1;
    }
    checkpoint = i + 1;
  }
  return out + input.slice(checkpoint);
}
