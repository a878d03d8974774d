// docker/ kept in step with the devnet, without a Docker engine (CI has none): runs the real
// `flexctl devnet-init --docker-service-prefix node` and checks docker/docker-compose.yml
// against the node directories and configs it writes (one service per node, its mount, its
// published API port, every peer a service), and docker/Dockerfile against the compose
// command, scripts/install-deps.sh and the libraries the built binaries link.
//   node tests/docker/docker_layout_test.mjs FLEXCTL [FLEXNODE]
// FLEXNODE defaults to the flexnode beside FLEXCTL. Prints every mismatch, exits 1 on any.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const dockerDir = join(root, "docker");
if (!process.argv[2]) {
  console.error("usage: node tests/docker/docker_layout_test.mjs FLEXCTL [FLEXNODE]");
  process.exit(2);
}
const flexctl = resolve(process.argv[2]);
const flexnode = resolve(process.argv[3] ?? join(dirname(flexctl), "flexnode"));

const failures = [];
let passed = 0;
function check(condition, message) {
  if (condition) passed += 1;
  else failures.push(message);
  return condition;
}

// ---- A YAML subset: block mappings, "- scalar" lists, one-line JSON flow sequences, quoted
// or plain scalars, "&anchor" on a mapping key and "<<: *anchor" merges. Anything else in the
// compose file is an error that names the line, so the file cannot drift past this reader.
function stripComment(line) {
  let quote = null;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === "#" && (i === 0 || line[i - 1] === " ")) {
      return line.slice(0, i).trimEnd();
    }
  }
  return line.trimEnd();
}

function parseYamlSubset(text, fileName) {
  const lines = text
    .split("\n")
    .map((raw, i) => ({ number: i + 1, content: stripComment(raw) }))
    .filter((line) => line.content.trim() !== "")
    .map((line) => ({ ...line, indent: line.content.length - line.content.trimStart().length, text: line.content.trim() }));
  const anchors = new Map();
  let index = 0;
  const fail = (line, why) => {
    throw new Error(`${fileName}:${line.number}: ${why} (the layout test reads a YAML subset: see the file's header)`);
  };
  const scalar = (line, value) => {
    if (value.startsWith("*")) {
      if (!anchors.has(value.slice(1))) fail(line, `unknown alias ${value}`);
      return anchors.get(value.slice(1));
    }
    if (value.startsWith("[") || value.startsWith('"')) {
      try {
        return JSON.parse(value);
      } catch {
        fail(line, `not a JSON-style value: ${value}`);
      }
    }
    if (value.startsWith("'")) {
      if (!value.endsWith("'") || value.length < 2) fail(line, `unterminated quote: ${value}`);
      return value.slice(1, -1);
    }
    if (/^[{|>&!]/.test(value)) fail(line, `unsupported YAML: ${value}`);
    return value;
  };
  const parseBlock = (indent) => {
    if (lines[index].text.startsWith("- ")) {
      const list = [];
      while (index < lines.length && lines[index].indent === indent && lines[index].text.startsWith("- ")) {
        list.push(scalar(lines[index], lines[index].text.slice(2).trim()));
        index += 1;
      }
      if (index < lines.length && lines[index].indent > indent) fail(lines[index], "only scalar list items are supported");
      return list;
    }
    const map = {};
    const merged = new Set();
    while (index < lines.length && lines[index].indent >= indent) {
      const line = lines[index];
      if (line.indent > indent) fail(line, "unexpected indentation");
      const match = /^([A-Za-z0-9_.<-]+):(?:\s+(.*))?$/.exec(line.text);
      if (!match) fail(line, "expected KEY: VALUE");
      const [, key, rest = ""] = match;
      index += 1;
      if (key === "<<") {
        const base = scalar(line, rest);
        if (typeof base !== "object" || Array.isArray(base)) fail(line, "<< needs an alias of a mapping");
        for (const [baseKey, value] of Object.entries(base)) {
          if (!(baseKey in map)) {
            map[baseKey] = value;
            merged.add(baseKey);
          }
        }
        continue;
      }
      if (key in map && !merged.has(key)) fail(line, `duplicate key ${key}`);
      merged.delete(key);
      const anchor = /^&(\S+)$/.exec(rest);
      if (rest === "" || anchor) {
        const nested = index < lines.length && lines[index].indent > indent ? parseBlock(lines[index].indent) : null;
        if (anchor) anchors.set(anchor[1], nested);
        map[key] = nested;
      } else {
        map[key] = scalar(line, rest);
      }
    }
    return map;
  };
  const document = parseBlock(0);
  if (index !== lines.length) fail(lines[index], "unexpected indentation");
  return document;
}

// ---- The Dockerfile: instructions with continuations joined, grouped by stage.
function parseDockerfile(text) {
  const joined = text.replace(/\\\n/g, " ").split("\n");
  const stages = [];
  for (const raw of joined) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [, instruction, args] = /^(\S+)\s*(.*)$/.exec(line);
    const upper = instruction.toUpperCase();
    if (upper === "FROM") {
      const [image, as, name] = args.split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === "AS" ? name : undefined, instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1).instructions.push({ instruction: upper, args: args.replace(/\s+/g, " ") });
    }
  }
  return stages;
}

// The packages an `apt-get install` in a RUN instruction names (flags and later commands left out).
function aptPackages(stage) {
  const packages = [];
  for (const { instruction, args } of stage?.instructions ?? []) {
    if (instruction !== "RUN") continue;
    for (const command of args.split("&&")) {
      const words = command.trim().split(" ");
      const install = words.indexOf("install");
      if (!words.includes("apt-get") || install < 0) continue;
      packages.push(...words.slice(install + 1).filter((word) => word !== "" && !word.startsWith("-")));
    }
  }
  return packages;
}

// COPY --from=STAGE SOURCE DESTINATION of a stage, as [source, destination] pairs.
function copiesFrom(stage, fromStage) {
  return stage.instructions
    .filter(({ instruction, args }) => instruction === "COPY" && args.includes(`--from=${fromStage} `))
    .map(({ args }) => args.split(" ").filter((word) => !word.startsWith("--")))
    .filter((words) => words.length === 2);
}

// ---- The devnet as flexctl devnet-init writes it, with its defaults.
function generateDevnet(directory) {
  execFileSync(flexctl, ["devnet-init", "--dir", directory, "--docker-service-prefix", "node"], { stdio: "pipe" });
  return readdirSync(directory)
    .filter((name) => /^node\d+$/.test(name))
    .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))
    .map((name) => ({ name, config: JSON.parse(readFileSync(join(directory, name, "config.json"), "utf8")) }));
}

const portOf = (address) => Number(address.slice(address.lastIndexOf(":") + 1));
const hostOf = (address) => address.slice(0, address.lastIndexOf(":"));
const optionValue = (command, option) => {
  const at = command.indexOf(option);
  return at >= 0 ? command[at + 1] : undefined;
};

function checkCompose(compose, nodes, devnetDir) {
  const services = compose.services ?? {};
  const nodeServices = Object.keys(services).filter((name) => /^node\d+$/.test(name));
  const expected = nodes.map((node) => node.name);
  check(
    JSON.stringify([...nodeServices].sort()) === JSON.stringify([...expected].sort()),
    `compose node services [${nodeServices}] differ from devnet-init's default node directories [${expected}]`,
  );
  const networks = Object.keys(compose.networks ?? {});
  const [referenceName] = nodeServices;  // every node service runs like the first one
  const reference = services[referenceName] ?? {};
  for (const [index, node] of nodes.entries()) {
    const service = services[node.name];
    if (!check(service, `no compose service ${node.name} for devnet-init's ${node.name}/`)) continue;
    const where = `service ${node.name}`;
    const command = service.command ?? [];
    check(Array.isArray(command) && command[0] === "flexnode" && command.includes("--dev"),
      `${where}: command ${JSON.stringify(command)} is not flexnode --dev ...`);
    const configPath = optionValue(command, "--config");
    const volumes = (service.volumes ?? []).map((volume) => volume.split(":"));
    const mount = volumes.find(([, target]) => target === node.config.data_dir);
    if (check(mount, `${where}: nothing is mounted at the config's data_dir ${node.config.data_dir}`)) {
      check(resolve(dockerDir, mount[0]) === join(devnetDir, node.name),
        `${where}: mounts ${mount[0]} at ${mount[1]}, not devnet/${node.name} (its own node directory)`);
      check(configPath === `${mount[1]}/config.json`,
        `${where}: --config ${configPath} is not the mounted node directory's ${mount[1]}/config.json`);
    }
    const apiPort = portOf(node.config.listen);
    const ports = (service.ports ?? []).map((port) => port.replace(/\/tcp$/, "").split(":"));
    check(ports.length === 1 && ports[0].length === 3, `${where}: ports ${JSON.stringify(service.ports)} is not one HOST_IP:HOST_PORT:PORT`);
    check(JSON.stringify(ports[0]) === JSON.stringify(["127.0.0.1", String(8080 + index), String(apiPort)]),
      `${where}: publishes ${JSON.stringify(service.ports)}, expected "127.0.0.1:${8080 + index}:${apiPort}" (API on the host's loopback at 8080+N)`);
    check(hostOf(node.config.listen) === "0.0.0.0" && node.config.allow_public_plain_http === true,
      `${node.name}/config.json: listen ${node.config.listen} without allow_public_plain_http is unreachable through the published port`);
    check(Array.isArray(service.networks) && service.networks.length > 0 && service.networks.every((name) => networks.includes(name)),
      `${where}: networks ${JSON.stringify(service.networks)} are not all declared under networks: [${networks}]`);
    check(JSON.stringify(service.networks) === JSON.stringify(reference.networks),
      `${where}: not on the same networks as ${referenceName}, so peers cannot resolve it`);
    check(service.restart === "unless-stopped", `${where}: restart is ${service.restart}, expected unless-stopped`);
    for (const key of ["image", "build", "user", "command"]) {
      check(JSON.stringify(service[key]) === JSON.stringify(reference[key]),
        `${where}: ${key} ${JSON.stringify(service[key])} differs from ${referenceName}'s ${JSON.stringify(reference[key])}`);
    }
    for (const peer of node.config.peers) {
      const peerService = hostOf(peer);
      const peerNode = nodes.find((other) => other.name === peerService);
      check(services[peerService] && peerNode,
        `${node.name}/config.json: peer ${peer} names no compose service (services: ${Object.keys(services)})`);
      if (peerNode) {
        check(portOf(peer) === portOf(peerNode.config.p2p_listen),
          `${node.name}/config.json: peer ${peer} dials a port ${peerService} does not listen on (${peerNode.config.p2p_listen})`);
      }
    }
  }
  checkInitService(services, nodes, devnetDir);
}

// The one-shot init must write the directory the nodes mount, with devnet-init's defaults.
function checkInitService(services, nodes, devnetDir) {
  const init = services.init;
  if (!check(init, "no compose service init (docker compose run --rm init, docker/README.md)")) return;
  const command = init.command ?? [];
  const dir = optionValue(command, "--dir");
  check(command[0] === "flexctl" && command[1] === "devnet-init" && command.length === 6 &&
      optionValue(command, "--docker-service-prefix") === "node",
    `service init: command ${JSON.stringify(command)} is not flexctl devnet-init --dir DIR --docker-service-prefix node ` +
      "(any other option would make a devnet unlike the compose services)");
  const mount = (init.volumes ?? []).map((volume) => volume.split(":")).find(([, target]) => dir?.startsWith(`${target.replace(/\/$/, "")}/`));
  check(mount && resolve(dockerDir, mount[0], dir.slice(mount[1].replace(/\/$/, "").length + 1)) === devnetDir,
    `service init: writes ${dir} through ${JSON.stringify(init.volumes)}, not the docker/devnet the nodes mount`);
  check(JSON.stringify(init.profiles) === JSON.stringify(["init"]), "service init: not behind profile init, so docker compose up would run it");
  check(nodes.length > 0, "devnet-init wrote no node directory");
}

function checkDockerfile(stages, node0, nodes) {
  const builder = stages.find((stage) => stage.name === "builder");
  const runtime = stages.at(-1);
  check(builder?.image === "debian:bookworm", `Dockerfile: the builder stage is FROM ${builder?.image}, expected debian:bookworm AS builder`);
  check(runtime?.image === "debian:bookworm-slim", `Dockerfile: the last (runtime) stage is FROM ${runtime?.image}, expected debian:bookworm-slim`);
  if (!builder || !runtime) return;
  const command = node0.command ?? [];
  const copies = copiesFrom(runtime, "builder");
  const copied = new Map(copies.map(([source, destination]) => [destination, source]));
  const buildRun = builder.instructions.find(({ instruction, args }) => instruction === "RUN" && args.includes("cmake --build"));
  const buildDir = /-B (\S+)/.exec(buildRun?.args ?? "")?.[1];
  check(buildDir && /--target flexnode flexctl\b/.test(buildRun.args), `Dockerfile: no RUN that configures with -B DIR and builds --target flexnode flexctl`);
  for (const binary of ["flexnode", "flexctl"]) {
    check(copied.get(`/usr/local/bin/${binary}`) === `${buildDir}/node/${binary}`,
      `Dockerfile: the runtime does not COPY --from=builder ${buildDir}/node/${binary} /usr/local/bin/${binary}`);
  }
  check(command[0] === "flexnode", `compose: the node services run ${command[0]}, not the flexnode the Dockerfile copies`);
  const webuiDir = optionValue(command, "--webui-dir");
  check(webuiDir && copied.get(webuiDir) === `${buildDir}/webui`,
    `compose: --webui-dir ${webuiDir} is not where the Dockerfile copies the dashboard built in ${buildDir}/webui`);
  const cmd = runtime.instructions.find(({ instruction }) => instruction === "CMD");
  check(cmd && JSON.stringify(JSON.parse(cmd.args)) === JSON.stringify(command),
    `Dockerfile: CMD ${cmd?.args} differs from the compose command ${JSON.stringify(command)}`);
  const entrypoint = runtime.instructions.find(({ instruction }) => instruction === "ENTRYPOINT");
  const entrypointCopy = runtime.instructions.find(({ instruction, args }) =>
    instruction === "COPY" && entrypoint && args.endsWith(` ${JSON.parse(entrypoint.args)[0]}`));
  const entrypointSource = entrypointCopy?.args.split(" ").filter((word) => !word.startsWith("--"))[0];
  check(entrypointSource && existsSync(join(root, entrypointSource)),
    `Dockerfile: ENTRYPOINT ${entrypoint?.args} is not copied from a file of the repository`);
  const exposed = runtime.instructions.filter(({ instruction }) => instruction === "EXPOSE").flatMap(({ args }) => args.split(" ")).map(Number);
  const wanted = [...new Set(nodes.flatMap((node) => [portOf(node.config.listen), portOf(node.config.p2p_listen)]))];
  check(JSON.stringify([...exposed].sort()) === JSON.stringify([...wanted].sort()),
    `Dockerfile: EXPOSE ${exposed} differs from the configs' API and p2p ports ${wanted}`);
  const health = runtime.instructions.find(({ instruction }) => instruction === "HEALTHCHECK")?.args ?? "";
  check(health.includes(`"flexctl", "get", "healthz", "--node", "http://127.0.0.1:${wanted[0]}"`),
    `Dockerfile: HEALTHCHECK ${health} does not ask flexctl for healthz on the API port ${wanted[0]}`);
  const uid = /--uid (\d+)/.exec(runtime.instructions.map(({ args }) => args).join("\n"))?.[1];
  const user = runtime.instructions.filter(({ instruction }) => instruction === "USER").at(-1)?.args;
  check(uid && uid !== "0" && user && user !== "root", `Dockerfile: the runtime does not end on a non-root USER with a --uid`);
  check(node0.user === `\${FLEX_UID:-${uid}}:\${FLEX_GID:-${uid}}`,
    `compose: user ${node0.user} does not default to the image user's uid ${uid}`);
  checkBuildPackages(builder);
  checkRuntimeLibraries(runtime);
}

// The builder installs scripts/install-deps.sh's packages but those only tests and tools use.
function checkBuildPackages(builder) {
  const notForTheImage = new Map([
    ["chromium", "browser tests"],
    ["wrk", "benchmarks"],
    ["sqlite3", "the sqlite shell"],
    ["curl", "scripts"],
  ]);
  const extraForTheImage = ["ca-certificates"];  // npm ci over HTTPS in a bare image
  const script = readFileSync(join(root, "scripts/install-deps.sh"), "utf8");
  const list = /packages=\(\n([\s\S]*?)\n\)/.exec(script);
  if (!check(list, "scripts/install-deps.sh: no packages=( ... ) list found")) return;
  const wanted = list[1].split(/\s+/).filter(Boolean);
  const installed = aptPackages(builder);
  for (const name of wanted) {
    check(installed.includes(name) || notForTheImage.has(name),
      `Dockerfile: the builder does not install ${name}, which scripts/install-deps.sh installs for the build`);
  }
  for (const name of installed) {
    check(wanted.includes(name) || extraForTheImage.includes(name),
      `Dockerfile: the builder installs ${name}, which scripts/install-deps.sh does not list`);
  }
}

// The runtime installs the Debian package of every library flexnode and flexctl link, beyond
// those every bookworm-slim image has. Skipped (with a note) off Debian.
function checkRuntimeLibraries(runtime) {
  const inBaseImage = ["libc6", "libgcc-s1", "libstdc++6"];
  const run = (file, args) => execFileSync(file, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  let libraries;
  try {
    libraries = [flexnode, flexctl].flatMap((binary) => [...run("ldd", [binary]).matchAll(/=> (\/\S+)/g)].map((match) => match[1]));
  } catch (error) {
    console.log(`docker-layout: note: runtime libraries not checked (ldd ${flexnode}: ${error.message.split("\n")[0]})`);
    return;
  }
  // dpkg records each file under one of its merged-/usr names: try them all.
  const packageOwning = (library) => {
    const real = realpathSync(library);
    const names = [library, real, real.replace(/^\/usr\/lib\//, "/lib/"), library.replace(/^\/lib\//, "/usr/lib/")];
    for (const name of new Set(names)) {
      try {
        return run("dpkg-query", ["-S", name]).split(":")[0];
      } catch {}
    }
    return undefined;
  };
  const needed = new Set();
  for (const library of new Set(libraries)) {
    const owner = packageOwning(library);
    if (!owner) {
      console.log(`docker-layout: note: runtime libraries not checked (no Debian package owns ${library})`);
      return;
    }
    needed.add(owner);
  }
  const installed = aptPackages(runtime);
  for (const name of needed) {
    check(installed.includes(name) || inBaseImage.includes(name),
      `Dockerfile: the runtime does not install ${name}, whose library flexnode or flexctl links`);
  }
  for (const name of installed) {
    check(needed.has(name), `Dockerfile: the runtime installs ${name}, which neither flexnode nor flexctl links`);
  }
}

function checkDockerignore() {
  const ignored = readFileSync(join(root, ".dockerignore"), "utf8").split("\n").map((line) => line.trim());
  for (const [pattern, why] of [["docker/devnet", "the devnet's private keys"], ["webui/node_modules", "host npm packages"], ["build", "the host build"]]) {
    check(ignored.includes(pattern), `.dockerignore: does not exclude ${pattern} (${why}) from the build context`);
  }
}

const scratch = mkdtempSync(join(tmpdir(), "flexledger-docker-layout-"));
try {
  const compose = parseYamlSubset(readFileSync(join(dockerDir, "docker-compose.yml"), "utf8"), "docker/docker-compose.yml");
  const stages = parseDockerfile(readFileSync(join(dockerDir, "Dockerfile"), "utf8"));
  const nodes = generateDevnet(join(scratch, "devnet"));
  const services = compose.services ?? {};
  const node0 = services[Object.keys(services).find((name) => /^node\d+$/.test(name))] ?? {};
  const build = node0.build ?? {};
  check(resolve(dockerDir, build.context ?? ".", build.dockerfile ?? "Dockerfile") === join(dockerDir, "Dockerfile") &&
      resolve(dockerDir, build.context ?? ".") === root,
    `compose: build ${JSON.stringify(build)} is not the repository root with docker/Dockerfile`);
  checkCompose(compose, nodes, join(dockerDir, "devnet"));
  checkDockerfile(stages, node0, nodes);
  checkDockerignore();
} catch (error) {
  failures.push(error.message);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

for (const failure of failures) console.error(`docker-layout: MISMATCH: ${failure}`);
console.log(`docker-layout: ${passed} passed, ${failures.length} failed`);
process.exit(failures.length === 0 ? 0 : 1);
