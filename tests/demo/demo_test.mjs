// `make demo`'s script, as a user runs it: scripts/demo.sh on a fresh data directory must
// start the node, seed every page's data through the API, settle the demo delivery within
// its minutes, and stop cleanly on Ctrl-C (SIGINT). Exact counts come from
// scripts/demo-chargers.csv (ten chargers, five zones) and the seed's own plan.
//   node tests/demo/demo_test.mjs BUILD_DIR
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const buildDir = resolve(process.argv[2] ?? join(root, "build"));
const directory = mkdtempSync(join(tmpdir(), "flexledger-demo-"));
const dataDir = join(directory, "data");

const port = await new Promise((done) => {
  const server = createServer().listen(0, "127.0.0.1", () => {
    const { port: free } = server.address();
    server.close(() => done(free));
  });
});
const listen = `127.0.0.1:${port}`;
// Starts scripts/demo.sh in its own process group (so a failed run can kill the node and the
// seed with it) and waits for the seed's "demo: done".
async function startDemo() {
  const demo = spawn(join(root, "scripts/demo.sh"), [buildDir, dataDir, listen], { stdio: ["ignore", "pipe", "pipe"], detached: true });
  const run = { demo, output: "", exited: new Promise((done) => demo.on("exit", (code, signal) => done({ code, signal }))) };
  demo.stdout.on("data", (chunk) => (run.output += chunk));
  demo.stderr.on("data", (chunk) => (run.output += chunk));
  // One-minute ISPs: the delivery starts within two minutes and lasts two; 6 minutes is ample.
  const deadline = Date.now() + 6 * 60_000;
  while (!/^demo: done$/m.test(run.output)) {
    if (/demo: failed/.test(run.output) || demo.exitCode !== null || Date.now() > deadline) {
      process.kill(-demo.pid, "SIGKILL");
      await run.exited;
      assert.fail(`the seed did not finish (failed, exited or over 6 minutes):\n${run.output}`);
    }
    await new Promise((done) => setTimeout(done, 500));
  }
  return run;
}

// Ctrl-C, as a user stops it: the node must stop cleanly.
async function stopDemo(run) {
  run.demo.kill("SIGINT");
  const { code } = await run.exited;
  assert.equal(code, 0, `demo.sh did not stop cleanly:\n${run.output}`);
}

try {
  const run = await startDemo();
  const logins = JSON.parse(readFileSync(join(dataDir, "dev_logins.json"), "utf8"));
  const base = `http://${listen}/api/v1`;
  // Sessions end with the node: each start logs in again.
  let token = "";
  const logIn = async () => {
    const login = await fetch(`${base}/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user: "auditor", password: logins.auditor, mode: "bearer" }),
    });
    token = (await login.json()).token;
  };
  await logIn();
  const get = async (path) => {
    const response = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    const text = await response.text();
    assert.equal(response.status, 200, `${path}: ${text}`);
    return JSON.parse(text);
  };

  assert.equal((await get("/params")).isp_seconds, 60);
  assert.equal((await get("/zones?limit=500")).items.length, 5);
  const assets = (await get("/assets?limit=500")).items;
  assert.equal(assets.length, 10);
  assert.ok(assets.every((asset) => asset.prequalification.status === "qualified"));
  // Bozüyük, the first charger: 39.916473 N 30.014083 E, exactly in micro-degrees.
  const bozuyuk = assets.find((asset) => asset.name === "ZES - Bozüyük Sarar Outlet DC");
  assert.equal(bozuyuk.property.latitude_micro, 39_916_473);
  assert.equal(bozuyuk.property.longitude_micro, 30_014_083);
  // Ten peak offers and the one delivered now.
  assert.equal((await get("/offers?limit=500")).items.length, 11);
  const requests = (await get("/requests?limit=500")).items;
  assert.deepEqual(requests.map((request) => request.request_id.replace(/^dso-now-\d+$/, "dso-now-START")).sort(),
                   ["afyon-evening-peak", "dso-now-START", "eskisehir-evening-peak", "tso-reserve"]);
  assert.equal(requests.find((request) => request.request_id === "eskisehir-evening-peak").status, "open");
  const contracts = (await get("/contracts?limit=500")).items;
  assert.ok(contracts.some((contract) => contract.request_id === "afyon-evening-peak"), "auto-match made a contract");
  const reservation = contracts.find((contract) => contract.request_id === "tso-reserve");
  assert.equal(reservation.status, "active");
  const now = contracts.find((contract) => contract.request_id.startsWith("dso-now-"));
  assert.equal(now.status, "settled");
  // 10 kW delivered in each of two 60 s ISPs at 250 EUR/MWh: per ISP the money line is
  // 10,000 W x 60 s x 250,000,000 micro/MWh / 3.6e9 W s/MWh = 41,666.67, rounded half to
  // even to 41,667 (PROTOCOL §9, money lines); two ISPs make 83,334.
  const settlement = await get(`/settlements/${now.contract_id}`);
  assert.equal(settlement.net_micro, 83_334);
  assert.equal(settlement.status, "provisional");

  await stopDemo(run);

  // A second start on the same data completes nothing new and duplicates nothing.
  const again = await startDemo();
  await logIn();
  assert.match(again.output, /demo: settlement: already settled/);
  assert.equal((await get("/offers?limit=500")).items.length, 11);
  assert.equal((await get("/requests?limit=500")).items.length, 4);
  assert.equal((await get("/contracts?limit=500")).items.length, contracts.length);
  await stopDemo(again);
  console.log("demo seeded and settled, restarted without duplicates, stopped cleanly");
} finally {
  rmSync(directory, { recursive: true, force: true });
}
