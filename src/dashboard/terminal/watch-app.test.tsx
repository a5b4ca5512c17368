import { renderToString } from 'ink';
import { describe, expect, it } from 'vitest';
import type { Screen } from './screen.ts';
import { ScreenView } from './watch-app.tsx';

const screen = (n: number): Screen => ({
  title: 'statefulset ns/web · OrderedReady · RollingUpdate',
  summary: `${n}/${n} ready`,
  header: 'ORD  POD',
  legend: 'legend line',
  rows: Array.from({ length: n }, (_, i) => ({ key: `ordinal/${i}`, text: `${i}    web-${i}`, tone: 'ok' as const })),
});

// Colours are off in tests (no TTY), so the frame reads as plain text.
describe('ScreenView', () => {
  it('draws title, summary, header, rows, legend and key help', () => {
    const out = renderToString(<ScreenView screen={screen(3)} rows={40} columns={80} offset={0} />).split('\n');
    expect(out).toEqual(['statefulset ns/web · OrderedReady · RollingUpdate', '3/3 ready', 'ORD  POD', '0    web-0', '1    web-1', '2    web-2', 'legend line', 'q quit · ↑/↓ PgUp/PgDn scroll']);
  });

  it('fits the rows to the terminal height, one line spare, and says how many more there are', () => {
    const out = renderToString(<ScreenView screen={screen(1000)} rows={12} columns={80} offset={0} />).split('\n');
    // A frame as tall as the terminal would scroll it by the final newline.
    expect(out).toHaveLength(11);
    expect(out).toContain('… 995 more below (↑/↓ to scroll)');
  });

  it('cuts lines wider than the terminal instead of wrapping them', () => {
    const wide: Screen = { ...screen(1), rows: [{ key: 'x', text: `0 ${'x'.repeat(200)}`, tone: 'ok' }] };
    const out = renderToString(<ScreenView screen={wide} rows={20} columns={40} offset={0} />, { columns: 40 }).split('\n');
    expect(out).toHaveLength(6);
    for (const line of out) expect(line.length).toBeLessThanOrEqual(40);
  });
});
