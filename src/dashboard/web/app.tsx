// The dashboard page: a login gate, then the cluster's workloads as live views. Everything shown
// comes from list+watch of the public API, so the page works against any cluster.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ApiAction } from '../model/actions.ts';
import type { Objects, ResourceName } from '../model/objects.ts';
import type { KubeList } from '../../api/meta/types.ts';
import { getJson, run, saveToken, savedToken, signedIn } from './api.ts';
import { ClusterStore } from './cluster-store.ts';
import { parseRoute, routeHash, SECTIONS, SECTION_TITLES, type Route, type Section } from './route.ts';
import { DaemonSetsView } from './views/daemonsets.tsx';
import { DeploymentsView } from './views/deployments.tsx';
import { EventsView } from './views/events.tsx';
import { NodesView } from './views/nodes.tsx';
import { ServicesView } from './views/services.tsx';
import { StatefulSetsView } from './views/statefulsets.tsx';
import { StorageView } from './views/storage.tsx';

/** An action whose request needs a read first (a rollback reads the revisions). */
export interface LateAction {
  kubectl: string;
  build(): Promise<ApiAction>;
}

/** What a view draws from, and how it asks for an action. */
export interface ViewProps {
  objects: Objects;
  route: Route;
  act(action: ApiAction | LateAction): void;
}

const NEEDS: Record<Section, ResourceName[]> = {
  statefulsets: ['statefulsets', 'pods', 'persistentvolumeclaims', 'persistentvolumes'],
  daemonsets: ['daemonsets', 'pods', 'nodes', 'controllerrevisions'],
  deployments: ['deployments', 'replicasets', 'pods'],
  services: ['services', 'endpointslices', 'pods'],
  storage: ['storageclasses', 'persistentvolumeclaims', 'persistentvolumes', 'pods'],
  events: ['events'],
  nodes: ['nodes', 'pods'],
};

const VIEWS: Record<Section, (p: ViewProps) => preact.JSX.Element> = {
  statefulsets: StatefulSetsView,
  daemonsets: DaemonSetsView,
  deployments: DeploymentsView,
  services: ServicesView,
  storage: StorageView,
  events: EventsView,
  nodes: NodesView,
};

type Gate = 'checking' | 'in' | 'out';

export function App() {
  const [gate, setGate] = useState<Gate>('checking');
  const [gateError, setGateError] = useState('');
  useEffect(() => {
    signedIn().then(
      (ok) => setGate(ok ? 'in' : 'out'),
      (e: Error) => {
        setGateError(e.message);
        setGate('out');
      },
    );
  }, []);
  if (gate === 'checking') return <p class="loading">Connecting…</p>;
  if (gate === 'out')
    return (
      <Login
        error={gateError}
        onToken={async (token) => {
          saveToken(token);
          if (await signedIn().catch(() => false)) {
            setGate('in');
            return;
          }
          saveToken(undefined);
          setGateError('The API server did not accept this token.');
        }}
      />
    );
  return <Dashboard />;
}

function Login(props: { error: string; onToken(token: string): void }) {
  const [token, setToken] = useState(savedToken() ?? '');
  return (
    <main class="login">
      <h1>k8ts dashboard</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          props.onToken(token.trim());
        }}
      >
        <label for="token">Bearer token</label>
        <input id="token" type="password" autocomplete="off" value={token} onInput={(e) => setToken(e.currentTarget.value)} required />
        <p class="hint">
          The token of your kubeconfig's user: <code>kubectl config view --raw -o jsonpath='{'{.users[0].user.token}'}'</code>
        </p>
        {props.error && (
          <p class="error" role="alert">
            {props.error}
          </p>
        )}
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}

interface Done {
  kubectl: string;
  outcome: string;
  ok: boolean;
}

function Dashboard() {
  const store = useMemo(() => new ClusterStore(), []);
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  const [, setTick] = useState(0);
  const [done, setDone] = useState<Done | undefined>();
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onHash);
    const unsubscribe = store.subscribe(() => setTick((t) => t + 1));
    return () => {
      removeEventListener('hashchange', onHash);
      unsubscribe();
      store.close();
    };
  }, [store]);
  store.follow(NEEDS[route.section], route.namespace);
  const namespaces = useNamespaces(route.namespace);
  const objects = store.objects();
  const go = (r: Partial<Route>) => {
    location.hash = routeHash({ ...route, name: undefined, ...r });
  };
  const act = (action: ApiAction | LateAction) => {
    setDone({ kubectl: action.kubectl, outcome: 'sending…', ok: true });
    ('build' in action ? action.build() : Promise.resolve(action)).then(run).then(
      () => setDone({ kubectl: action.kubectl, outcome: 'done', ok: true }),
      (e: Error) => setDone({ kubectl: action.kubectl, outcome: e.message, ok: false }),
    );
  };
  const View = VIEWS[route.section];
  const connection = store.connection();
  const errors = [...store.errors.values()];
  return (
    <div class="layout">
      <header>
        <a class="brand" href="#/statefulsets/default">
          k8ts
        </a>
        <label>
          Namespace{' '}
          <select value={route.namespace || '_all'} onFocus={namespaces.refresh} onChange={(e) => go({ namespace: e.currentTarget.value === '_all' ? '' : e.currentTarget.value })}>
            <option value="_all">all namespaces</option>
            {namespaces.names.map((ns) => (
              <option value={ns}>{ns}</option>
            ))}
          </select>
        </label>
        <span class={`connection ${connection}`} role="status" aria-live="polite">
          {connection === 'live' ? 'live' : connection === 'connecting' ? 'loading…' : 'reconnecting…'}
        </span>
        <button
          class="signout"
          onClick={() => {
            saveToken(undefined);
            location.reload();
          }}
        >
          Sign out
        </button>
      </header>
      <nav aria-label="Sections">
        <ul>
          {SECTIONS.map((s) => (
            <li>
              <a href={routeHash({ section: s, namespace: route.namespace })} aria-current={s === route.section ? 'page' : undefined}>
                {SECTION_TITLES[s]}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="view" data-section={route.section}>
        <h1>{SECTION_TITLES[route.section]}</h1>
        {connection === 'reconnecting' && errors.length > 0 && (
          <p class="error" role="alert">
            {errors[0]}
          </p>
        )}
        {store.synced(NEEDS[route.section]) ? <View objects={objects} route={route} act={act} /> : <p class="loading">Loading…</p>}
      </main>
      <footer aria-live="polite">
        {done ? (
          <p class={done.ok ? 'command' : 'command failed'}>
            <code>$ {done.kubectl}</code> <span class="outcome">{done.outcome}</span>
          </p>
        ) : (
          <p class="command muted">Each action shows the command that does the same.</p>
        )}
      </footer>
    </div>
  );
}

/** The namespaces for the selector: read when the page opens and whenever the selector gets focus (no watch: see cluster-store.ts). */
function useNamespaces(current: string): { names: string[]; refresh(): void } {
  const [names, setNames] = useState<string[]>([]);
  const refresh = () => {
    getJson<KubeList>('/api/v1/namespaces').then(
      (l) => setNames(l.items.map((n) => n.metadata.name!)),
      () => undefined,
    );
  };
  useEffect(refresh, []);
  return { names: [...new Set([...names, current, 'default'])].filter(Boolean).sort(), refresh };
}
