// Starts one real flexnode for the browser journeys: --dev (one validator, one hosted
// participant per role, logins in dev_logins.json) on a fresh data directory and a free
// loopback port. The node serves the dashboard it was built with. Returns the teardown.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default async function globalSetup(): Promise<() => Promise<void>> {
  const flexnode = process.env.FLEXNODE ?? "../build/node/flexnode";
  const directory = mkdtempSync(join(tmpdir(), "flexledger-e2e-"));
  const dataDir = join(directory, "data");
  const node = spawn(flexnode, ["--dev", "--data", dataDir, "--listen", "127.0.0.1:0"], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`flexnode did not start in 30 s; its log:\n${log}`)), 30_000);
    node.stderr.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      for (const line of log.split("\n")) {
        if (!line.includes('"node.started"')) continue;
        clearTimeout(timer);
        resolve(JSON.parse(line).url as string);
        return;
      }
    });
    node.on("exit", (code) => reject(new Error(`flexnode exited with ${code}; its log:\n${log}`)));
  });
  process.env.FLEX_E2E_URL = url;
  process.env.FLEX_E2E_LOGINS = readFileSync(join(dataDir, "dev_logins.json"), "utf8");
  return async () => {
    node.kill("SIGTERM");
    await new Promise((resolve) => node.once("exit", resolve));
    rmSync(directory, { recursive: true, force: true });
  };
}
