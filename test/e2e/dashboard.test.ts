// The dashboard in a real browser (Debian's Chromium through playwright-core) against `k8ts up`,
// with changes made by the pinned kubectl: StatefulSet slots appear in ordinal order, a claim stays
// when its pod goes, the DaemonSet grid follows the nodes, buttons make kubectl's requests, and
// the page follows a server restart. Each view's screenshot is kept in test-results/dashboard/.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../fixtures/browser.ts';
import { kubectlOk, repoRoot, useK8ts, waitFor } from './harness.ts';

const cluster = useK8ts();
const ok = (args: string[], input?: string) => kubectlOk(cluster(), args, input);
const manifest = (name: string) => join(repoRoot, '../shared/manifests', name);
const shots = join(repoRoot, 'test-results/dashboard');

let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  browser = await launchChromium();
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
});

const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
const slotState = (pod: string) => page.getAttribute(`[data-pod="${pod}"]`, 'data-state', { timeout: 1000 }).catch(() => null);

describe('dashboard', () => {
  it('refuses a wrong token with a message, and signs in with the kubeconfig token', async () => {
    await page.goto(`${cluster().url}/dashboard/`);
    await page.fill('#token', 'not-the-token');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('[role=alert]'), { timeout: 10_000 }).toContain('did not accept');
    await page.fill('#token', cluster().token);
    await page.click('button[type=submit]');
    await page.waitForSelector('.connection.live', { timeout: 20_000 });
  });

  it('shows StatefulSet slots appearing in ordinal order, and claims that stay when pods go', async () => {
    // Record, in the page, the order in which slots first get a pod.
    // (Page-side code as text: this file is type-checked without the DOM library.)
    await page.evaluate(`
      window.seen = [];
      const note = () => {
        for (const el of document.querySelectorAll('[data-pod]')) {
          if (el.dataset.state !== 'none' && !window.seen.includes(el.dataset.pod)) window.seen.push(el.dataset.pod);
        }
      };
      new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
    `);
    await ok(['apply', '-f', manifest('000-statefulset-basic.yaml')]);
    await ok(['scale', 'sts', 'my-statefulset', '--replicas=4']);
    await waitFor(async () => (await slotState('my-statefulset-3')) === 'Ready', { timeoutMs: 60_000, message: 'slot 3 Ready in the page' });
    const seen = ((await page.evaluate('window.seen')) as string[]).filter((p) => p.startsWith('my-statefulset-'));
    expect(seen).toEqual(['my-statefulset-0', 'my-statefulset-1', 'my-statefulset-2', 'my-statefulset-3']);
    const ordinals = await page.$$eval('.statefulset[data-name="my-statefulset"] [data-ordinal]', (els) => els.map((e) => Number(e.getAttribute('data-ordinal'))));
    expect(ordinals).toEqual([0, 1, 2, 3]);
    await waitFor(async () => (await page.getAttribute('[data-claim="my-volume-my-statefulset-3"]', 'data-phase')) === 'Bound', { message: 'claim of ordinal 3 Bound' });

    // Scale down: the pod of ordinal 3 goes, its claim stays, waiting for the ordinal to return.
    await ok(['scale', 'sts', 'my-statefulset', '--replicas=3']);
    await waitFor(async () => (await slotState('my-statefulset-3')) === 'none', { timeoutMs: 60_000, message: 'slot 3 emptied' });
    expect(await page.getAttribute('[data-claim="my-volume-my-statefulset-3"]', 'data-phase')).toBe('Bound');
    expect(await page.textContent('[data-pod="my-statefulset-3"]')).toContain('waiting for my-statefulset-3');
    await shot('statefulset');
  });

  it('scales with a button, showing the kubectl command that does the same', async () => {
    await page.click('.statefulset[data-name="my-statefulset"] button[aria-label="Scale up by one"]');
    await expect.poll(() => page.textContent('footer'), { timeout: 10_000 }).toContain('kubectl scale sts my-statefulset --replicas=4');
    await waitFor(async () => (await ok(['get', 'sts', 'my-statefulset', '-o', 'jsonpath={.spec.replicas}'])) === '4', { message: 'replicas 4 in the API' });
    // The returning ordinal gets its old claim back.
    await waitFor(async () => (await slotState('my-statefulset-3')) === 'Ready', { timeoutMs: 60_000, message: 'slot 3 Ready again' });
  });

  it('draws a DaemonSet as a grid of nodes, with the reason a node has no pod, and cordons from it', async () => {
    await ok(['apply', '-f', manifest('000-daemonset-basic.yaml')]);
    await page.click('nav a:text("DaemonSets")');
    const nodes = (await ok(['get', 'nodes', '-o', 'name'])).trim().split('\n').map((n) => n.replace('node/', ''));
    await waitFor(async () => (await page.$$('.daemonset[data-name="my-daemonset"] [data-node]')).length === nodes.length, { message: 'a cell per node' });
    // The control-plane node's taint is not tolerated by the seed's DaemonSet.
    const cp = await page.getAttribute('[data-node="k8ts-control-plane"] button', 'aria-label');
    expect(cp).toContain('taint node-role.kubernetes.io/control-plane:NoSchedule not tolerated');
    await waitFor(async () => (await page.getAttribute('[data-node="k8ts-worker"]', 'data-state')) === 'Ready', { timeoutMs: 60_000, message: 'daemon pod Ready on k8ts-worker' });

    await page.click('[data-node="k8ts-worker"] button');
    await page.click('.details button:text("Cordon")');
    await expect.poll(() => page.textContent('footer'), { timeout: 10_000 }).toContain('kubectl cordon k8ts-worker done');
    expect(await ok(['get', 'node', 'k8ts-worker', '-o', 'jsonpath={.spec.unschedulable}'])).toBe('true');
    await ok(['uncordon', 'k8ts-worker']);

    // A node added with the pinned kubectl's help gets its cell and its daemon pod.
    await page.click('button:text("Add a simulated node")');
    await waitFor(async () => (await page.getAttribute('[data-node="dashboard-node-1"]', 'data-state').catch(() => null)) === 'Ready', { timeoutMs: 60_000, message: 'daemon pod Ready on the added node' });
    expect(await ok(['get', 'node', 'dashboard-node-1', '-o', 'name'])).toContain('node/dashboard-node-1');
    expect(await page.getAttribute('[data-node="dashboard-node-1"] button', 'aria-label')).toMatch(/^dashboard-node-1: my-daemonset-\w+ Ready, updated$/);
    await shot('daemonset');
  });

  it('shows a Deployment for contrast, the names DNS answers, storage, events and nodes', async () => {
    await ok(['apply', '-f', manifest('002-nginx-web.yaml')]);
    await ok(['apply', '-f', manifest('003-deployment-contrast.yaml')]);

    await page.click('nav a:text("Deployments")');
    await waitFor(async () => (await page.$$('.deployment[data-name="stateless-web"] .chip[data-state="Ready"]')).length >= 1, { timeoutMs: 60_000, message: 'Deployment pods Ready' });
    const podNames = await page.$$eval('.deployment[data-name="stateless-web"] .chip', (els) => els.map((e) => e.getAttribute('data-pod')));
    for (const name of podNames) expect(name).toMatch(/^stateless-web-[a-z0-9]+-[a-z0-9]{5}$/);
    await shot('deployments');

    await page.click('nav a:text("Services")');
    const podIp = await waitFor(async () => (await ok(['get', 'pod', 'web-0', '-o', 'jsonpath={.status.podIP}'])) || undefined, { timeoutMs: 60_000, message: 'web-0 has an IP' });
    await expect.poll(() => page.textContent('[data-dns-name="web-0.nginx.default.svc.cluster.local"]'), { timeout: 30_000 }).toContain(podIp);
    expect(await page.textContent('[data-service="nginx"]')).toContain('headless');
    await shot('services');

    await page.click('nav a:text("Storage")');
    await page.waitForSelector('[data-claim="www-web-0"][data-phase="Bound"]', { timeout: 30_000 });
    expect(await page.textContent('[data-claim="www-web-0"]')).toContain('web-0');
    expect(await page.textContent('[data-class="standard"]')).toContain('(default)');
    await shot('storage');

    await page.click('nav a:text("Events")');
    await page.waitForSelector('[data-event]', { timeout: 30_000 });
    expect(await page.textContent('table.events')).toContain('statefulset/web');
    await shot('events');

    await page.click('nav a:text("Nodes")');
    await page.waitForSelector('[data-node="dashboard-node-1"][data-status="Ready"]', { timeout: 30_000 });
    expect(await page.textContent('[data-node="k8ts-control-plane"]')).toContain('node-role.kubernetes.io/control-plane:NoSchedule');
    await shot('nodes');
  });

  it('follows a server restart without a reload', async () => {
    await page.click('nav a:text("StatefulSets")');
    await cluster().restart();
    await ok(['scale', 'sts', 'my-statefulset', '--replicas=5']);
    await waitFor(async () => (await slotState('my-statefulset-4')) === 'Ready', { timeoutMs: 60_000, message: 'slot 4 Ready after the restart' });
    await page.waitForSelector('.connection.live');
    expect(pageErrors).toEqual([]);
  });
});

/** An HTTP request with the Host and Origin headers a browser on another site would send. */
function rawRequest(url: string, method: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = request(url, { method, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    r.on('error', reject);
    r.end(method === 'GET' ? undefined : '{}');
  });
}

describe('k8ts dashboard --kubeconfig', () => {
  it('serves the page for the cluster a kubeconfig points to, with no token to type, and refuses other sites', async () => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin/k8ts.mjs'), 'dashboard', '--kubeconfig', cluster().kubeconfig, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const url = await waitFor(() => /(http:\/\/127\.0\.0\.1:\d+\/dashboard\/)/.exec(out)?.[1], { message: () => `dashboard URL printed: ${out}` });
      const proxied = await browser.newPage();
      await proxied.goto(url);
      await proxied.waitForSelector('.connection.live', { timeout: 20_000 });
      await proxied.waitForSelector('[data-pod="my-statefulset-0"][data-state="Ready"]', { timeout: 20_000 });
      await proxied.close();

      const api = new URL('/api/v1/namespaces/default/configmaps', url).href;
      expect(await rawRequest(api, 'GET', { host: 'evil.example' })).toBe(403);
      expect(await rawRequest(api, 'POST', { origin: 'https://evil.example', 'content-type': 'application/json' })).toBe(403);
      expect(await rawRequest(new URL('/api', url).href, 'GET', {})).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
