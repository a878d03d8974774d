// `make devnet`'s script, as a user drives it: scripts/devnet.sh on a fresh directory starts
// 4 validators and 2 full nodes; `kill`, `start`, `pause`/`resume` and `restart` act on one
// node each; `status` reports every node; in the end every node holds the same block hash
// and app hash at every height, `stop` stops them all and `reset` removes the directory.
// Ports come from free ones, so it runs beside other tests.
//   node tests/devnet/devnet_script_test.mjs BUILD_DIR
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const buildDir = resolve(process.argv[2] ?? join(root, "build"));
const directory = mkdtempSync(join(tmpdir(), "flexledger-devnet-"));
const devnetDir = join(directory, "devnet");
const nodes = 6;

// A base port with `count` free ports after it, below Linux's ephemeral range (32768 up), so
// no outgoing connection takes one of them before its node listens.
async function freeBase(count) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 15000 + Math.floor(Math.random() * (32000 - 15000 - count));
    const servers = [];
    try {
      for (let i = 0; i < count; i++) {
        servers.push(await new Promise((done, fail) => {
          const server = createServer().once("error", fail).listen(base + i, "127.0.0.1", () => done(server));
        }));
      }
      return base;
    } catch {
      // taken: try another base
    } finally {
      await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
    }
  }
  throw new Error("no run of free ports");
}

const apiPort = await freeBase(2 * nodes);  // API ports, then the p2p ports after them
const p2pPort = apiPort + nodes;
const env = { ...process.env, DEVNET_DIR: devnetDir, BUILD_DIR: buildDir, DEVNET_API_PORT: String(apiPort), DEVNET_P2P_PORT: String(p2pPort) };
const devnet = async (...args) => (await run(join(root, "scripts/devnet.sh"), args, { env })).stdout;
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function status(n) {
  try {
    const reply = await fetch(`http://127.0.0.1:${apiPort + n}/api/v1/status`, { signal: AbortSignal.timeout(3000) });
    return reply.ok ? await reply.json() : null;
  } catch {
    return null;
  }
}

async function waitHeight(n, height, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const now = await status(n);
    if (now && now.height >= height) return now;
    assert.ok(Date.now() < deadline, `node${n} did not reach height ${height} within ${seconds} s (at ${now?.height})`);
    await sleep(200);
  }
}

// Block hash and app hash per height 1..upTo, as node n's auditor reads them.
async function blocks(n, upTo) {
  const logins = JSON.parse(readFileSync(join(devnetDir, `node${n}`, "dev_logins.json"), "utf8"));
  const base = `http://127.0.0.1:${apiPort + n}/api/v1`;
  const login = await fetch(`${base}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ mode: "bearer", user: "auditor", password: logins.auditor }),
  });
  assert.equal(login.status, 200, `node${n}: auditor login`);
  const { token } = await login.json();
  const facts = [];
  for (let before = upTo + 1; before > 1;) {
    const page = await (await fetch(`${base}/blocks?limit=100&before=${before}`, { headers: { authorization: `Bearer ${token}` } })).json();
    if (page.items.length === 0) break;
    for (const item of page.items) facts[item.height] = `${item.hash} ${item.app_hash}`;
    before = page.items[page.items.length - 1].height;
  }
  return facts.slice(1);
}

try {
  const started = await devnet("start");
  assert.match(started, /4 validators and 2 full nodes/);
  for (let n = 0; n < nodes; n++) assert.match(started, new RegExp(`node${n}: started`));
  for (let n = 0; n < nodes; n++) await waitHeight(n, 1);
  const first = await status(0);
  assert.equal(first.consensus.role, "validator");
  assert.equal((await status(4)).consensus.role, "full");
  assert.equal(first.peers.length, 5, "a validator peers with the 3 other validators and both full nodes");
  assert.equal((await status(5)).peers.length, 4, "a full node peers with the 4 validators");

  assert.match(await devnet("kill", "2"), /node2: sent SIGKILL/);
  assert.match(await devnet("status", "2"), /node2: stopped/);
  await sleep(2000);
  await devnet("start", "2");
  await waitHeight(2, (await status(0)).height);

  await devnet("pause", "1");
  await sleep(5000);
  await devnet("resume", "1");
  await waitHeight(1, (await status(0)).height);

  await devnet("restart", "5");
  await waitHeight(5, (await status(0)).height);
  const report = await devnet("status");
  for (let n = 0; n < nodes; n++) assert.match(report, new RegExp(`node${n}: height \\d+ (validator|full)`));

  const height = (await status(0)).height;
  for (let n = 0; n < nodes; n++) await waitHeight(n, height);
  const reference = await blocks(0, height);
  assert.equal(reference.length, height);
  for (let n = 1; n < nodes; n++) assert.deepEqual(await blocks(n, height), reference, `node${n} has another chain`);

  await devnet("stop");
  for (let n = 0; n < nodes; n++) assert.equal(await status(n), null, `node${n} still answers after stop`);
  await devnet("reset");
  assert.ok(!existsSync(devnetDir), "reset leaves the devnet directory");
  console.log(`devnet script: 6 nodes agreed on ${height} blocks through kill -9, SIGSTOP and a restart`);
} catch (error) {
  await run(join(root, "scripts/devnet.sh"), ["kill"], { env }).catch(() => {});
  for (let n = 0; n < nodes; n++) {
    const log = join(devnetDir, `node${n}`, "node.log");
    if (existsSync(log)) console.error(`---- node${n}\n${readFileSync(log, "utf8").split("\n").filter((l) => !l.includes("dev.login")).slice(-15).join("\n")}`);
  }
  throw error;
} finally {
  rmSync(directory, { recursive: true, force: true });
}
