// Static bearer tokens from a CSV file, as kube-apiserver's --token-auth-file
// (staging/src/k8s.io/apiserver/plugin/pkg/authenticator/token/tokenfile/tokenfile.go): one
// `token,user,uid[,"group1,group2"]` record a line. Every user it names is also in
// system:authenticated, as upstream's authenticator chain adds.
import type { TokenAuthenticator } from './authenticate.ts';
import { AUTHENTICATED, type UserInfo } from './user.ts';

/** The token → user table of a token file; throws naming the line that is wrong. */
export function parseTokenFile(text: string): Map<string, UserInfo> {
  const users = new Map<string, UserInfo>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const record = parseCsvLine(line, i + 1);
    if (record.length < 3) throw new Error(`token file line ${i + 1}: must have at least 3 columns (token, user name, user uid), found ${record.length}`);
    const [token, username, uid, groups] = record.map((f) => f.trim()) as [string, string, string, string | undefined];
    if (!token) throw new Error(`token file line ${i + 1}: the token is empty`);
    const listed = groups ? groups.split(',').map((g) => g.trim()).filter(Boolean) : [];
    users.set(token, { username, ...(uid ? { uid } : {}), groups: listed.includes(AUTHENTICATED) ? listed : [...listed, AUTHENTICATED] });
  });
  return users;
}

export function tokenFileAuthenticator(text: string): TokenAuthenticator {
  // A map lookup, as kube-apiserver's token file authenticator does.
  const users = parseTokenFile(text);
  return (token) => users.get(token);
}

/** One CSV record: fields split at commas outside double quotes; `""` inside quotes is a quote. */
function parseCsvLine(line: string, lineNo: number): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field.trim() === '') quoted = true;
    else if (c === ',') fields.push(field), (field = '');
    else field += c;
  }
  if (quoted) throw new Error(`token file line ${lineNo}: unterminated quoted field`);
  fields.push(field);
  return fields;
}
