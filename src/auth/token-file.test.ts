import { describe, expect, it } from 'vitest';
import { parseTokenFile, tokenFileAuthenticator } from './token-file.ts';

describe('parseTokenFile', () => {
  it.each<[string, string, Record<string, unknown>]>([
    ['three columns', 't1,alice,1001', { t1: { username: 'alice', uid: '1001', groups: ['system:authenticated'] } }],
    ['quoted groups', 't2,bob,,"devs,ops"', { t2: { username: 'bob', groups: ['devs', 'ops', 'system:authenticated'] } }],
    ['single group unquoted', 't3,carol,7,devs', { t3: { username: 'carol', uid: '7', groups: ['devs', 'system:authenticated'] } }],
    ['blank lines and comments', '\n# admins\nt4,dave,1\n', { t4: { username: 'dave', uid: '1', groups: ['system:authenticated'] } }],
    ['quotes in a field', 't5,"e ""x""",2', { t5: { username: 'e "x"', uid: '2', groups: ['system:authenticated'] } }],
  ])('%s', (_, text, want) => {
    expect(Object.fromEntries(parseTokenFile(text))).toEqual(want);
  });

  it.each([
    ['t1,alice', 'token file line 1: must have at least 3 columns (token, user name, user uid), found 2'],
    [',alice,1', 'token file line 1: the token is empty'],
    ['t1,"alice,1', 'token file line 1: unterminated quoted field'],
  ])('refuses %s', (text, message) => {
    expect(() => parseTokenFile(text)).toThrow(message);
  });

  it('authenticates the listed tokens only', async () => {
    const auth = tokenFileAuthenticator('t1,alice,1\nt2,bob,2,devs');
    expect((await auth('t2'))?.username).toBe('bob');
    expect(await auth('nope')).toBeUndefined();
  });
});
