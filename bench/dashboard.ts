// Issue 10's figures: the dashboard in Debian's Chromium against `k8ts up`:
// - page load: navigation start until the view shows every slot (StatefulSet of 1,000 replicas
//   with claims) or every node's cell (DaemonSet on 5,000 nodes), Ready; target < 1 s;
// - from an API change to the DOM showing it (p99 < 200 ms): the page itself sends the request
//   and a MutationObserver notes when the element changes, both on the page's clock. Changes: a
//   StatefulSet's partition (the partition line moves) and a pod deleted (its slot leaves Ready);
//   a node cordoned and uncordoned (its cell says so).
import type { Browser, Page } from 'playwright-core';
import type { KubeObject } from '../src/api/meta/types.ts';
import { workerName } from '../src/node/contract.ts';
import { launchChromium } from '../test/fixtures/browser.ts';
import { clusterSession, isReady, type ClusterSession } from './lib/cluster-session.ts';
import { measured, type Results, type Target } from './lib/result.ts';
import { quantile } from './lib/stats.ts';

export const DASHBOARD_LOAD_TARGET: Target = { op: '<', value: 1000 };
export const DASHBOARD_UPDATE_TARGET: Target = { op: '<', value: 200 };

/** Opens the page signed in (the token put in session storage first) and times the first full view. */
async function openView(browser: Browser, s: ClusterSession, hash: string, drawn: string): Promise<{ page: Page; loadMs: number }> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1400, height: 900 } });
  await context.addInitScript(`sessionStorage.setItem('k8ts.dashboard.token', ${JSON.stringify(s.k.token)})`);
  const page = await context.newPage();
  await page.goto(`${s.k.url}/dashboard/${hash}`);
  await page.waitForSelector(drawn, { timeout: 60_000 });
  const loadMs = (await page.evaluate('performance.now()')) as number;
  return { page, loadMs };
}

/**
 * In the page: sends `request` (method, path, content type, body) and resolves with the ms until
 * `selector` matches, as noticed by a MutationObserver.
 */
async function timeChange(page: Page, request: { method: string; path: string; contentType?: string; body?: unknown }, selector: string): Promise<number> {
  return (await page.evaluate(
    `(async ({ request, selector }) => {
      const token = sessionStorage.getItem('k8ts.dashboard.token');
      const seen = new Promise((resolve) => {
        const check = () => { if (document.querySelector(selector)) { observer.disconnect(); resolve(performance.now()); } };
        const observer = new MutationObserver(check);
        observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      });
      const t0 = performance.now();
      const res = await fetch(request.path, { method: request.method, headers: { authorization: 'Bearer ' + token, 'content-type': request.contentType ?? 'application/json' }, body: request.body === undefined ? undefined : JSON.stringify(request.body) });
      if (!res.ok) throw new Error(request.method + ' ' + request.path + ': ' + res.status);
      const t1 = await Promise.race([seen, new Promise((_, reject) => setTimeout(() => reject(new Error('not shown within 10 s: ' + selector)), 10000))]);
      return t1 - t0;
    })(${JSON.stringify({ request, selector })})`,
  )) as number;
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { samples: samples.length, p50Ms: Math.round(quantile(sorted, 0.5) * 10) / 10, maxMs: Math.round(sorted.at(-1)! * 10) / 10 };
}

export async function benchDashboardStatefulSet(opts: { replicas?: number; signal?: AbortSignal } = {}): Promise<Results> {
  const replicas = opts.replicas ?? 1000;
  const s = await clusterSession({ name: 'dash-sts', workers: Math.ceil(replicas / 100), signal: opts.signal });
  const browser = await launchChromium();
  try {
    const set: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'big' },
      spec: {
        serviceName: 'big',
        replicas,
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: { app: 'big' } },
        template: { metadata: { labels: { app: 'big' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '1m', memory: '1Mi' } }, volumeMounts: [{ name: 'data', mountPath: '/data' }] }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    };
    await s.client.resource({ apiVersion: 'apps/v1', resource: 'statefulsets', namespaced: true }).create('default', set);
    await s.until(() => s.pods.list('default').filter(isReady).length >= replicas, opts.signal);

    const loads: number[] = [];
    let page: Page | undefined;
    for (let i = 0; i < 3; i++) {
      await page?.context().close();
      const opened = await openView(browser, s, '#/statefulsets/default/big', `[data-pod="big-${replicas - 1}"][data-state="Ready"]`);
      page = opened.page;
      loads.push(opened.loadMs);
    }
    const samples: number[] = [];
    const path = '/apis/apps/v1/namespaces/default/statefulsets/big';
    for (let i = 1; i <= 60; i++) {
      const partition = (i * 37) % replicas || 1;
      samples.push(await timeChange(page!, { method: 'PATCH', path, contentType: 'application/merge-patch+json', body: { spec: { updateStrategy: { rollingUpdate: { partition } } } } }, `.partition-line[aria-label^="partition ${partition}:"]`));
    }
    for (let i = 0; i < 40; i++) {
      const pod = `big-${(i * 53) % replicas}`;
      await s.until(() => s.pods.list('default').some((p) => p.metadata.name === pod && isReady(p) && !p.metadata.deletionTimestamp), opts.signal);
      samples.push(await timeChange(page!, { method: 'DELETE', path: `/api/v1/namespaces/default/pods/${pod}` }, `[data-pod="${pod}"]:not([data-state="Ready"])`));
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const note = `bench/dashboard.ts: StatefulSet of ${replicas} replicas with claims in Chromium; 60 partition changes and 40 pod deletes, each from the request sent in the page to the DOM showing it`;
    return {
      dashboardStatefulSetLoad: measured(quantile([...loads].sort((a, b) => a - b), 0.5), 'ms', DASHBOARD_LOAD_TARGET, { replicas, loadsMs: loads.map((l) => Math.round(l)), note: 'navigation start to every slot drawn Ready, median of 3' }),
      dashboardStatefulSetUpdateP99: measured(quantile(sorted, 0.99), 'ms', DASHBOARD_UPDATE_TARGET, { replicas, ...summary(samples), note }),
    };
  } finally {
    await browser.close();
    await s.stop();
  }
}

export async function benchDashboardDaemonSet(opts: { nodes?: number; signal?: AbortSignal } = {}): Promise<Results> {
  const workers = opts.nodes ?? 5000;
  const s = await clusterSession({ name: 'dash-ds', workers, signal: opts.signal });
  const browser = await launchChromium();
  try {
    await s.client.resource({ apiVersion: 'apps/v1', resource: 'daemonsets', namespaced: true }).create('default', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { metadata: { labels: { app: 'agent' } }, spec: { tolerations: [{ operator: 'Exists' }], containers: [{ name: 'agent', image: 'agent:v1', resources: { requests: { cpu: '1m', memory: '1Mi' } } }] } },
      },
    });
    await s.until(() => s.pods.list('default').filter(isReady).length >= s.nodes, opts.signal);
    const last = workerName(workers - 1);
    const loads: number[] = [];
    let page: Page | undefined;
    for (let i = 0; i < 3; i++) {
      await page?.context().close();
      const opened = await openView(browser, s, '#/daemonsets/default/agent', `[data-node="${last}"][data-state="Ready"]`);
      page = opened.page;
      loads.push(opened.loadMs);
    }
    const samples: number[] = [];
    for (let i = 0; i < 50; i++) {
      const node = workerName((i * 97) % workers);
      for (const on of [true, false]) {
        samples.push(
          await timeChange(
            page!,
            { method: 'PATCH', path: `/api/v1/nodes/${node}`, contentType: 'application/strategic-merge-patch+json', body: { spec: { unschedulable: on ? true : null } } },
            `[data-node="${node}"][data-cordoned="${on}"]`,
          ),
        );
      }
    }
    const sorted = [...samples].sort((a, b) => a - b);
    return {
      dashboardDaemonSetLoad: measured(quantile([...loads].sort((a, b) => a - b), 0.5), 'ms', DASHBOARD_LOAD_TARGET, { nodes: s.nodes, loadsMs: loads.map((l) => Math.round(l)), note: 'navigation start to every node cell drawn Ready, median of 3' }),
      dashboardDaemonSetUpdateP99: measured(quantile(sorted, 0.99), 'ms', DASHBOARD_UPDATE_TARGET, {
        nodes: s.nodes,
        ...summary(samples),
        note: `bench/dashboard.ts: DaemonSet on ${s.nodes} nodes in Chromium; 50 nodes cordoned then uncordoned, each from the request sent in the page to the cell saying so`,
      }),
    };
  } finally {
    await browser.close();
    await s.stop();
  }
}
