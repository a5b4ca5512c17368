// `k8ts watch sts/web`: the dashboard's view of one workload in the terminal, for any cluster a
// kubeconfig reaches. On a TTY a live screen (ink); on a pipe the first screen as lines, then
// each changed row as a line (as `kubectl get -w` prints), so CI logs show the rollout in order.
import { accessClient, kubeconfigPath, readClusterAccess } from '../../cli/remote-client.ts';
import { changedLines, screenLines, type Screen } from './screen.ts';
import { followScreen, parseTarget, type ScreenSource } from './source.ts';

export interface WatchOptions {
  kubeconfig?: string;
  namespace?: string;
  /** Plain lines even on a TTY. */
  plain?: boolean;
  out?: NodeJS.WriteStream;
}

export async function runWatch(ref: string, opts: WatchOptions): Promise<void> {
  const out = opts.out ?? process.stdout;
  const path = kubeconfigPath(opts.kubeconfig);
  const access = await readClusterAccess(path);
  const target = parseTarget(ref, opts.namespace ?? access.namespace ?? 'default');
  const { client, close } = accessClient(access, 'k8ts-watch/v0.1.0');
  // Say at once when the server cannot be reached rather than retrying silently behind a blank screen.
  try {
    const res = await client.request('GET', '/version');
    if (res.status === 401 || res.status === 403) throw new Error(`the server at ${access.server} refused the credentials of ${path} (HTTP ${res.status})`);
  } catch (e) {
    close();
    const msg = (e as Error).message;
    throw new Error(msg.startsWith('the server') ? msg : `cannot reach the API server at ${access.server} (kubeconfig ${path}): ${msg}`);
  }
  const interactive = !opts.plain && out.isTTY === true && process.stdin.isTTY === true;
  try {
    if (interactive) await runInteractive(client, target);
    else await runPlain(client, target, out);
  } finally {
    close();
  }
}

async function runInteractive(client: Parameters<typeof followScreen>[0], target: ReturnType<typeof parseTarget>): Promise<void> {
  // ink draws only its last frame, and without colour, when $CI is set; this path is taken only on
  // a terminal at both ends, where the live screen is the point.
  for (const k of ['CI', 'CONTINUOUS_INTEGRATION']) delete process.env[k];
  const [{ createElement }, { render }, { WatchApp }] = await Promise.all([import('react'), import('ink'), import('./watch-app.tsx')]);
  const listeners = new Set<() => void>();
  let latest: Screen = { title: `${target.kind} ${target.namespace}/${target.name}`, summary: 'listing…', header: '', rows: [], legend: '' };
  const source = followScreen(client, target, (s) => {
    latest = s;
    for (const l of listeners) l();
  });
  const feed = {
    subscribe: (l: () => void) => {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    screen: () => latest,
  };
  const app = render(createElement(WatchApp, { feed }), { exitOnCtrlC: true });
  try {
    await app.waitUntilExit();
  } finally {
    source.stop();
  }
}

function runPlain(client: Parameters<typeof followScreen>[0], target: ReturnType<typeof parseTarget>, out: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    let shown: Screen | undefined;
    let source: ScreenSource | undefined = undefined;
    const finish = () => {
      source?.stop();
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      resolve();
    };
    // A reader that went away (`| head`) ends the watch quietly.
    out.on('error', finish);
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    source = followScreen(
      client,
      target,
      (s) => {
        const lines = shown ? changedLines(shown, s) : screenLines(s);
        shown = s;
        if (lines.length) out.write(`${lines.join('\n')}\n`);
      },
      { log: (m) => process.stderr.write(`k8ts watch: ${m}\n`) },
    );
  });
}
