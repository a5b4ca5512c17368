// Summarises a V8 CPU profile (from `BENCH_CPU_PROF=DIR npm run bench`, i.e. node --cpu-prof on
// the server): the functions with the most self time, and total (inclusive) time per function.
// Run: node --import tsx bench/profile-summary.ts FILE.cpuprofile [top]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface HotSpot {
  name: string;
  ms: number;
  share: number;
}

function label(n: ProfileNode): string {
  const f = n.callFrame;
  const file = f.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'npm:').replace(/^.*\/(dist|src)\//, '$1/');
  return `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
}

export function summariseProfile(profile: Profile, top = 25): { totalMs: number; self: HotSpot[]; inclusive: HotSpot[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) selfUs.set(profile.samples[i]!, (selfUs.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    self.set(label(node), (self.get(label(node)) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const name = label(byId.get(cur)!);
      if (seen.has(name)) continue; // recursion counts once
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: Math.round((us / total) * 1000) / 10 }));
  return { totalMs: Math.round(total / 1000), self: rank(self), inclusive: rank(inclusive) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, top = '25'] = process.argv.slice(2);
  if (!file) throw new Error('Usage: profile-summary.ts FILE.cpuprofile [top]');
  const s = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(top));
  console.log(`sampled ${s.totalMs} ms\n\nself time:`);
  for (const h of s.self) console.log(`  ${String(h.share).padStart(5)}%  ${String(h.ms).padStart(6)} ms  ${h.name}`);
  console.log('\ninclusive time:');
  for (const h of s.inclusive) console.log(`  ${String(h.share).padStart(5)}%  ${String(h.ms).padStart(6)} ms  ${h.name}`);
}
