import { describe, expect, it } from 'vitest';
import { KeyedSerializer } from './keyed-serializer.ts';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('KeyedSerializer', () => {
  it('runs the jobs of one key one at a time, in arrival order', async () => {
    const s = new KeyedSerializer();
    const log: string[] = [];
    let running = 0;
    const job = (name: string) => async () => {
      running++;
      expect(running).toBe(1);
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      running--;
      return name;
    };
    const results = await Promise.all([s.run('k', job('a')), s.run('k', job('b')), s.run('k', job('c'))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(s.size).toBe(0);
  });

  it('lets different keys overlap', async () => {
    const s = new KeyedSerializer();
    let release!: () => void;
    const blocked = s.run('a', () => new Promise<void>((r) => (release = r)));
    await tick();
    expect(await s.run('b', async () => 'free')).toBe('free');
    release();
    await blocked;
  });

  it('goes on after a job fails, and reports the failure to its caller only', async () => {
    const s = new KeyedSerializer();
    const failed = s.run('k', async () => {
      throw new Error('boom');
    });
    const next = s.run('k', async () => 'next');
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('next');
    expect(s.size).toBe(0);
  });
});
