// The terminal UI of `k8ts watch` (ink): title, summary, column heads, then as many rows as the
// terminal has room for, coloured by how each reads; ↑/↓ and PgUp/PgDn scroll, q quits. It
// draws a Screen and nothing else, so what it shows is what the plain output prints.
import { useEffect, useState, useSyncExternalStore } from 'react';
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import { visibleRows, type Screen, type Tone } from './screen.ts';

export interface ScreenFeed {
  subscribe(onChange: () => void): () => void;
  screen(): Screen;
}

const COLOUR: Record<Tone, { color?: string; dimColor?: boolean; bold?: boolean }> = {
  ok: { color: 'green' },
  progress: { color: 'yellow' },
  warn: { color: 'magenta' },
  bad: { color: 'red', bold: true },
  dim: { dimColor: true },
  mark: { color: 'cyan' },
};

/** Lines the frame takes besides the rows (title, summary, header, legend, key help) and one
 *  spare: a frame as tall as the terminal would scroll it by its final newline. */
const CHROME = 6;

export function ScreenView({ screen, rows, columns, offset }: { screen: Screen; rows: number; columns: number; offset: number }) {
  const shown = visibleRows(screen.rows, Math.max(3, rows - CHROME), offset);
  return (
    <Box flexDirection="column" width={columns}>
      <Text bold wrap="truncate">{screen.title}</Text>
      <Text wrap="truncate">{screen.summary}</Text>
      {screen.header ? <Text dimColor wrap="truncate">{screen.header}</Text> : null}
      {shown.map((row) => (
        <Text key={row.key} wrap="truncate" {...COLOUR[row.tone]}>{row.text}</Text>
      ))}
      {screen.legend ? <Text dimColor wrap="truncate">{screen.legend}</Text> : null}
      <Text dimColor wrap="truncate">q quit · ↑/↓ PgUp/PgDn scroll</Text>
    </Box>
  );
}

export function WatchApp({ feed }: { feed: ScreenFeed }) {
  const screen = useSyncExternalStore(feed.subscribe, feed.screen);
  const { stdout } = useStdout();
  const { exit } = useApp();
  const [size, setSize] = useState({ rows: stdout.rows || 24, columns: stdout.columns || 80 });
  const [offset, setOffset] = useState(0);
  useEffect(() => {
    const resized = () => setSize({ rows: stdout.rows || 24, columns: stdout.columns || 80 });
    stdout.on('resize', resized);
    return () => void stdout.off('resize', resized);
  }, [stdout]);
  const page = Math.max(1, size.rows - CHROME - 1);
  const last = Math.max(0, screen.rows.length - page);
  useInput((input, key) => {
    if (input === 'q' || (key.ctrl && input === 'c')) exit();
    else if (key.downArrow) setOffset((o) => Math.min(last, o + 1));
    else if (key.upArrow) setOffset((o) => Math.max(0, o - 1));
    else if (key.pageDown) setOffset((o) => Math.min(last, o + page));
    else if (key.pageUp) setOffset((o) => Math.max(0, o - page));
  });
  return <ScreenView screen={screen} rows={size.rows} columns={size.columns} offset={Math.min(offset, last)} />;
}
