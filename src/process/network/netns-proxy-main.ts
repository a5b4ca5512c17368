// Entry of the proxy process inside the cluster network namespace: `netns-proxy <socket>`.
import { runNetnsProxy } from './netns-proxy.ts';

runNetnsProxy(process.argv[2] ?? '');
