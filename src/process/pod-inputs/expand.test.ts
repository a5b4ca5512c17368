import { describe, expect, it } from 'vitest';
import { expand, mappingFor } from './expand.ts';

describe('expand', () => {
  const mapping = mappingFor(new Map([['VAR_A', 'A'], ['VAR_B', 'B'], ['EMPTY', '']]));
  it.each([
    ['plain', 'plain'],
    ['$(VAR_A)', 'A'],
    ['x-$(VAR_A)-$(VAR_B)-y', 'x-A-B-y'],
    ['$(EMPTY)', ''],
    ['$(UNKNOWN)', '$(UNKNOWN)'],
    ['$$(VAR_A)', '$(VAR_A)'],
    ['$$$(VAR_A)', '$A'],
    ['$$$$(VAR_A)', '$$(VAR_A)'],
    ['$VAR_A', '$VAR_A'],
    ['$', '$'],
    ['a$', 'a$'],
    ['$$', '$'],
    ['$(VAR_A', '$(VAR_A'],
    ['$(VAR_A$(VAR_B)', '$(VAR_A$(VAR_B)'],
    ['$()', '$()'],
    ['$(VAR_A)$(VAR_B)', 'AB'],
    ['${VAR_A}', '${VAR_A}'],
  ])('%s → %s', (input, want) => {
    expect(expand(input, mapping)).toBe(want);
  });

  it('tries the maps in order', () => {
    const m = mappingFor(new Map([['X', 'first']]), new Map([['X', 'second'], ['Y', 'y']]));
    expect(expand('$(X) $(Y)', m)).toBe('first y');
  });
});
