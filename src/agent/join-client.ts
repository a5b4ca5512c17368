// The agent's side of joining: fetch the cluster CA, trusting it only once the server has proved
// it knows the join token (HMAC over a fresh nonce and the CA), then trade the join token for a
// credential per node over a connection verified against that CA.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { request } from 'node:https';
import { CACERTS_PATH, caProof, JOIN_PATH } from './join-server.ts';
import { joinTokenId } from './join-tokens.ts';

export interface Joined {
  caCertPem: string;
  /** Bearer token per node name. */
  tokens: Record<string, string>;
}

interface Reply {
  status: number;
  body: string;
}

function call(url: URL, o: { method: string; ca?: string; token?: string; body?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const r = request(
      url,
      {
        method: o.method,
        // Before the CA is known the connection is not verified: nothing secret is sent on it.
        ...(o.ca ? { ca: o.ca } : { rejectUnauthorized: false }),
        headers: { accept: 'application/json', ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...(o.body ? { 'content-type': 'application/json' } : {}) },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.on('timeout', () => r.destroy(new Error('no answer within 10 s')));
    r.on('error', reject);
    r.end(o.body);
  });
}

/** The message of a Status body, or the body itself when it is not one. */
export function statusMessage(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body;
  } catch {
    return body;
  }
}

const messageOf = (r: Reply) => statusMessage(r.body);

export async function joinCluster(o: { server: string; token: string; nodes: string[] }): Promise<Joined> {
  const base = new URL(o.server);
  if (base.protocol !== 'https:') throw new Error(`--server must be an https:// URL, not ${o.server}`);
  const reach = async (url: URL, opts: Parameters<typeof call>[1]) => {
    try {
      return await call(url, opts);
    } catch (e) {
      throw new Error(`cannot reach the server at ${o.server}: ${(e as Error).message}`, { cause: e });
    }
  };
  const nonce = randomBytes(16).toString('hex');
  const id = joinTokenId(o.token);
  const caUrl = new URL(`${CACERTS_PATH}?nonce=${nonce}${id ? `&tokenId=${id}` : ''}`, base);
  const ca = await reach(caUrl, { method: 'GET' });
  if (ca.status === 404) throw new Error(`the server at ${o.server} does not know this join token: ${messageOf(ca)}`);
  if (ca.status !== 200) throw new Error(`the server at ${o.server} did not hand out its CA (HTTP ${ca.status}): ${messageOf(ca)}`);
  const { caCertPem, proof } = JSON.parse(ca.body) as { caCertPem: string; proof: string };
  const want = Buffer.from(caProof(o.token, nonce, caCertPem), 'hex');
  const got = Buffer.from(String(proof), 'hex');
  if (got.length !== want.length || !timingSafeEqual(got, want)) {
    throw new Error(`the server at ${o.server} could not prove it knows the join token: check --token and --server`);
  }
  const joined = await reach(new URL(JOIN_PATH, base), { method: 'POST', ca: caCertPem, token: o.token, body: JSON.stringify({ nodes: o.nodes }) });
  if (joined.status === 401) throw new Error(`the server refused the join token: ${messageOf(joined)}`);
  if (joined.status !== 200) throw new Error(`joining failed (HTTP ${joined.status}): ${messageOf(joined)}`);
  return { caCertPem, tokens: (JSON.parse(joined.body) as { tokens: Record<string, string> }).tokens };
}
