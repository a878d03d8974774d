// Starts one real flexnode for the browser journeys: --dev (one validator, one hosted
// participant per role, logins in dev_logins.json) on a fresh data directory and a free
// loopback port. The node serves the dashboard it was built with. Returns the teardown.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default async function globalSetup(): Promise<() => Promise<void>> {
  // A developer may point the journeys at a node already running (or at `npm run dev`,
  // which proxies one): FLEX_E2E_URL and FLEX_E2E_DATA (its data directory) set.
  if (process.env.FLEX_E2E_URL && process.env.FLEX_E2E_DATA) {
    process.env.FLEX_E2E_LOGINS = readFileSync(join(process.env.FLEX_E2E_DATA, "dev_logins.json"), "utf8");
    return async () => {};
  }
  const flexnode = process.env.FLEXNODE ?? "../build/node/flexnode";
  const directory = mkdtempSync(join(tmpdir(), "flexledger-e2e-"));
  const dataDir = join(directory, "data");
  // One-minute ISPs, so a journey sees a delivery period end and settle within two minutes.
  const args = ["--dev", "--data", dataDir, "--listen", "127.0.0.1:0", "--dev-isp-seconds", "60"];
  // FLEX_WEBUI_DIR: serve a dashboard built elsewhere (a worktree's `vite build --outDir`).
  if (process.env.FLEX_WEBUI_DIR) args.push("--webui-dir", process.env.FLEX_WEBUI_DIR);
  const node = spawn(flexnode, args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  let pending = "";
  const url = await new Promise<string>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      node.stderr.off("data", onData);
      reject(new Error(`${why}; its log:\n${log}`));
    };
    const timer = setTimeout(() => fail("flexnode did not start in 30 s"), 30_000);
    // The log is JSON lines; a line may arrive in pieces, so only whole lines are read.
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.includes('"node.started"')) continue;
        clearTimeout(timer);
        node.stderr.off("data", onData);
        node.stderr.resume();  // keep draining, so the node never blocks on a full pipe
        resolve(JSON.parse(line).url as string);
        return;
      }
    };
    node.stderr.on("data", onData);
    node.on("error", (error) => fail(`cannot start ${flexnode}: ${error.message}`));
    node.on("exit", (code) => fail(`flexnode exited with ${code}`));
  });
  process.env.FLEX_E2E_URL = url;
  process.env.FLEX_E2E_DATA = dataDir;  // for journeys that read the node's files (its genesis)
  process.env.FLEX_E2E_LOGINS = readFileSync(join(dataDir, "dev_logins.json"), "utf8");
  return async () => {
    if (node.exitCode === null && node.signalCode === null) {
      const exited = new Promise((resolve) => node.once("exit", resolve));
      node.kill("SIGTERM");
      await exited;
    }
    rmSync(directory, { recursive: true, force: true });
  };
}
