// The auditor's own re-check of the chain, in the browser, from what the REST API serves:
// the bytes, hashes and signatures of docs/PROTOCOL.md §1, §2, §4, §5, §7 and §10 (steps 1,
// 2 and 4, and the digest re-check). Step 3 (re-executing the contracts to recompute receipt
// codes and app hashes) needs the rules engine and is not done here: `uncheckedInBrowser`.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { hashes as secpHashes, schnorr } from "@noble/secp256k1";

secpHashes.sha256 = sha256;  // noble-secp256k1's synchronous Schnorr verify needs a SHA-256

export interface Transaction {
  chain_id: string;
  nonce: number;
  payload: Record<string, unknown>;
  sig: string;
  signer: string;
  type: string;
}

export interface BlockTransaction {
  id: string;
  height: number;
  position: number;
  result: { code: string; message: string };
  tx: Transaction;
}

export interface BlockHeader {
  app_hash: string;
  chain_id: string;
  height: number;
  previous_hash: string;
  proposer: string;
  time: number;
  tx_root: string;
  validator_set_hash: string;
}

export interface Commit {
  block_hash: string;
  height: number;
  round: number;
  signatures: { signature: string; validator: string }[];
}

// GET /api/v1/blocks/{height}.
export interface BlockDetail {
  height: number;
  hash: string;
  header: BlockHeader;
  commit: Commit;
  transactions: BlockTransaction[];
}

export interface Validator {
  name?: string;
  power: number;
  public_key: string;
}

// The genesis document (PROTOCOL §6): as the node serves it (GET /api/v1/genesis), or as the
// consortium hands it to an auditor.
export interface Genesis {
  chain_id: string;
  genesis_time: number;
  validators: Validator[];
  [member: string]: unknown;
}

// A daily digest record (GET /api/v1/digests, PROTOCOL §9 "Daily digest").
export interface Digest {
  date: string;
  first_height: number;
  last_height: number;
  transactions: number;
  tx_root: string;
  app_hash: string;
  contracts: number;
  settled_contracts: number;
  settled_energy_wh: number;
  settled_value_micro: number;
}

// PROTOCOL §10 checks this browser cannot make, named in the page.
export const uncheckedInBrowser = [
  "re-executing each block's transactions to recompute receipt codes and the app hash (needs the contracts; run flexctl verify)",
  "that the node's stored state equals the state replayed from genesis",
  "that the stored transaction bytes are canonical as stored (the API serves them parsed; the browser re-encodes them canonically and checks their ids)",
  "the digests' counters of contracts and settled energy and value (they come from execution)",
];

const maxTransactionsPerBlock = 5_000;
const blocksInFlight = 6;
const maxBlockBytes = 8 * 1024 * 1024;
const headerMembers = ["app_hash", "chain_id", "height", "previous_hash", "proposer", "time", "tx_root", "validator_set_hash"];
const transactionMembers = ["chain_id", "nonce", "payload", "sig", "signer", "type"];
const commitMembers = ["block_hash", "height", "round", "signatures"];

const hex64 = /^[0-9a-f]{64}$/;
const hex128 = /^[0-9a-f]{128}$/;
const encoder = new TextEncoder();

function compareUtf8(left: string, right: string): number {
  const a = encoder.encode(left);
  const b = encoder.encode(right);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function canonicalString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"') out += '\\"';
    else if (char === "\\") out += "\\\\";
    else if (code === 0x08) out += "\\b";
    else if (code === 0x0c) out += "\\f";
    else if (code === 0x0a) out += "\\n";
    else if (code === 0x0d) out += "\\r";
    else if (code === 0x09) out += "\\t";
    else if (code < 0x20) out += "\\u00" + code.toString(16).padStart(2, "0");
    else out += char;
  }
  return out + '"';
}

// PROTOCOL §2: sorted keys (by UTF-8 bytes), no whitespace, safe integers only.
export function canonicalJson(value: unknown): string {
  if (value === null || value === true || value === false) return String(value);
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new Error(`not a canonical integer: ${value}`);
    return String(value === 0 ? 0 : value);  // never "-0"
  }
  if (typeof value === "string") return canonicalString(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort(compareUtf8);
    return `{${keys.map((key) => `${canonicalString(key)}:${canonicalJson(record[key])}`).join(",")}}`;
  }
  throw new Error(`not JSON: ${typeof value}`);
}

export const sha256Hex = (bytes: Uint8Array): string => bytesToHex(sha256(bytes));

// BIP-340 tagged hash: H(H(tag) || H(tag) || message).
export function taggedHash(tag: string, message: Uint8Array): Uint8Array {
  const tagHash = sha256(utf8ToBytes(tag));
  return sha256(concatBytes(tagHash, tagHash, message));
}

// RFC 6962 Merkle tree hash over raw 32-byte leaves (PROTOCOL §5).
export function merkleRoot(leaves: Uint8Array[]): Uint8Array {
  return merkleOfLeafHashes(leaves.map((leaf) => sha256(concatBytes(new Uint8Array([0]), leaf))));
}

function merkleOfLeafHashes(leafHashes: Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return sha256(new Uint8Array());
  if (leafHashes.length === 1) return leafHashes[0];
  let split = 1;
  while (split * 2 < leafHashes.length) split *= 2;
  const left = merkleOfLeafHashes(leafHashes.slice(0, split));
  const right = merkleOfLeafHashes(leafHashes.slice(split));
  return sha256(concatBytes(new Uint8Array([1]), left, right));
}

export function transactionSigningDigest(tx: Transaction): Uint8Array {
  const { sig: _signature, ...unsigned } = tx;
  return taggedHash("FlexLedger/tx", utf8ToBytes(canonicalJson(unsigned)));
}

export const transactionId = (tx: Transaction): string => sha256Hex(utf8ToBytes(canonicalJson(tx)));

export const blockHash = (header: BlockHeader): string => sha256Hex(utf8ToBytes(canonicalJson(header)));

export function validatorSetHash(validators: Validator[]): string {
  const entries = validators
    .map((validator) => ({ power: validator.power, public_key: validator.public_key }))
    .sort((a, b) => compareUtf8(a.public_key, b.public_key));
  return sha256Hex(utf8ToBytes(canonicalJson(entries)));
}

export const genesisHash = (genesis: Genesis): string => sha256Hex(utf8ToBytes(canonicalJson(genesis)));

export function precommitDigest(chainId: string, height: number, round: number, hash: string): Uint8Array {
  const vote = { block_hash: hash, chain_id: chainId, height, round, type: "precommit" };
  return taggedHash("FlexLedger/vote", utf8ToBytes(canonicalJson(vote)));
}

function schnorrValid(signatureHex: string, digest: Uint8Array, publicKeyHex: string): boolean {
  if (!hex128.test(signatureHex) || !hex64.test(publicKeyHex)) return false;
  try {
    return schnorr.verify(hexToBytes(signatureHex), digest, hexToBytes(publicKeyHex));
  } catch {
    return false;  // not a point on the curve
  }
}

const hasExactly = (value: unknown, members: string[]): boolean =>
  typeof value === "object" && value !== null && !Array.isArray(value) && canonicalJson(Object.keys(value).sort()) === canonicalJson(members);

// What a block is checked against: the block before it, and the genesis validators.
export interface Cursor {
  chainId: string;
  previousHash: string;
  previousTime: number;
  validators: Validator[];
}

// PROTOCOL §10 steps 1, 2 and 4 for one block: "" when it checks out, else the reason.
export function checkBlock(block: BlockDetail, height: number, cursor: Cursor): string {
  const { header, commit } = block;
  if (!hasExactly(header, headerMembers)) return "the header does not have exactly the members of PROTOCOL §7";
  let hash: string;
  try {
    hash = blockHash(header);
  } catch (error) {
    return `the header is not canonical JSON: ${String(error)}`;
  }
  if (hash !== block.hash) return `the block hash ${block.hash} does not match the header (which hashes to ${hash})`;
  if (header.chain_id !== cursor.chainId) return `the header names another chain (${header.chain_id})`;
  if (header.height !== height) return `the header height is ${header.height}`;
  if (header.previous_hash !== cursor.previousHash) {
    return height === 1 ? "previous_hash is not the genesis hash" : "previous_hash does not link to the block before";
  }
  if (header.time < cursor.previousTime) return "the block time goes back";
  if (header.validator_set_hash !== validatorSetHash(cursor.validators)) return "validator_set_hash is not that of the genesis validators";
  if (!cursor.validators.some((validator) => validator.public_key === header.proposer)) return "the proposer is not a validator";

  const ids: Uint8Array[] = [];
  let bytes = 0;
  for (const [index, row] of block.transactions.entries()) {
    if (row.position !== index) return "transaction positions have a gap";
    if (!hasExactly(row.tx, transactionMembers)) return `transaction ${index}: malformed (PROTOCOL §4 members)`;
    let id: string;
    try {
      id = transactionId(row.tx);
      bytes += utf8ToBytes(canonicalJson(row.tx)).length;
    } catch (error) {
      return `transaction ${index}: not canonical JSON: ${String(error)}`;
    }
    if (id !== row.id) return `transaction ${index}: id mismatch (its bytes hash to ${id}, the node names ${row.id})`;
    ids.push(hexToBytes(id));
  }
  if (block.transactions.length > maxTransactionsPerBlock || bytes > maxBlockBytes) {
    return "the block exceeds the limits of transactions or bytes per block";
  }
  if (bytesToHex(merkleRoot(ids)) !== header.tx_root) return "tx_root does not match the transactions";
  for (const [index, row] of block.transactions.entries()) {
    if (!schnorrValid(row.tx.sig, transactionSigningDigest(row.tx), row.tx.signer)) return `transaction ${index}: bad signature`;
  }
  return checkCommit(commit, header, hash, cursor.validators);
}

// PROTOCOL §7: a commit valid for the header, signed by genesis validators holding more than 2/3 of the power.
function checkCommit(commit: Commit, header: BlockHeader, hash: string, validators: Validator[]): string {
  if (!hasExactly(commit, commitMembers) || !Array.isArray(commit.signatures) || !Number.isSafeInteger(commit.round)) {
    return "the commit does not have exactly the members of PROTOCOL §7";
  }
  if (commit.signatures.some((entry) => !hasExactly(entry, ["signature", "validator"]))) {
    return "a commit signature does not have exactly signature and validator";
  }
  if (commit.height !== header.height) return "commit.height_mismatch: the commit is for another height";
  if (commit.block_hash !== hash) return "commit.hash_mismatch: the commit signs another block hash";
  const vote = precommitDigest(header.chain_id, header.height, commit.round, hash);
  const seen = new Set<string>();
  let signedPower = 0;
  for (const entry of commit.signatures) {
    const validator = validators.find((candidate) => candidate.public_key === entry.validator);
    if (!validator) return `commit.unknown_validator: ${entry.validator} is not a genesis validator`;
    if (seen.has(entry.validator)) return `commit.duplicate_validator: ${entry.validator} signs twice`;
    seen.add(entry.validator);
    if (!schnorrValid(entry.signature, vote, entry.validator)) return `commit.bad_signature: the signature of ${entry.validator} does not verify`;
    signedPower += validator.power;
  }
  const totalPower = validators.reduce((sum, validator) => sum + validator.power, 0);
  if (3 * signedPower <= 2 * totalPower) return "commit.no_quorum: the signers hold no more than 2/3 of the power";
  return "";
}

// A genesis file's validators as PROTOCOL §6 bounds them; throws with the reason otherwise.
export function genesisValidators(genesis: Genesis): Validator[] {
  if (!Array.isArray(genesis.validators) || genesis.validators.length === 0) throw new Error("the genesis names no validators");
  for (const validator of genesis.validators) {
    if (!hex64.test(validator.public_key)) throw new Error("a validator key is not 64 lowercase hex digits");
    if (!Number.isSafeInteger(validator.power) || validator.power < 1 || validator.power > 1_000_000) {
      throw new Error("a validator power is not an integer in [1, 1000000]");
    }
  }
  return genesis.validators;
}

// The first place, as a path like validators[0].public_key, where two JSON values differ; "" if none.
export function firstDifference(left: unknown, right: unknown, path = ""): string {
  const bothArrays = Array.isArray(left) && Array.isArray(right);
  const bothObjects = !bothArrays && [left, right].every((value) => typeof value === "object" && value !== null && !Array.isArray(value));
  if (bothArrays || bothObjects) {
    const a = left as Record<string, unknown>;
    const b = right as Record<string, unknown>;
    const keys = bothArrays
      ? Array.from({ length: Math.max((left as unknown[]).length, (right as unknown[]).length) }, (_, index) => String(index))
      : [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compareUtf8);
    for (const key of keys) {
      const difference = firstDifference(a[key], b[key], bothArrays ? `${path}[${key}]` : path ? `${path}.${key}` : key);
      if (difference) return difference;
    }
    return "";
  }
  return JSON.stringify(left) === JSON.stringify(right) ? "" : path || "(the whole document)";
}

// PROTOCOL §6 and §10 step 1 at height 0: the node's genesis must hash to its status's
// genesis_hash and name its chain; a genesis file the auditor received must be identical
// to it. Returns the failure's reason, or "" and the validators to check blocks against.
function checkGenesis(nodeGenesis: Genesis, source: ChainSource, received: Genesis | null): { reason: string; validators: Validator[] } {
  let validators: Validator[];
  let nodeHash: string;
  try {
    validators = genesisValidators(nodeGenesis);
    nodeHash = genesisHash(nodeGenesis);
  } catch (error) {
    return { reason: `the node's genesis (GET /genesis) is not valid: ${String(error)}`, validators: [] };
  }
  if (nodeHash !== source.genesisHash) {
    return { reason: `the node's genesis (GET /genesis) hashes to ${nodeHash}, its status names genesis hash ${source.genesisHash}`, validators };
  }
  if (nodeGenesis.chain_id !== source.chainId) return { reason: `the node's genesis is for chain ${nodeGenesis.chain_id}`, validators };
  if (received) {
    let receivedHash: string;
    try {
      receivedHash = genesisHash(received);
    } catch (error) {
      return { reason: `the genesis file you received is not valid: ${String(error)}`, validators };
    }
    if (receivedHash !== nodeHash) {
      return {
        reason: `the genesis file you received differs from the node's genesis at ${firstDifference(received, nodeGenesis)}: it hashes to ${receivedHash}, the node's to ${nodeHash}`,
        validators,
      };
    }
  }
  return { reason: "", validators };
}

export type VerifyOutcome =
  | { kind: "verified"; height: number; digestsChecked: number; validators: number; comparedWithReceived: boolean }
  | { kind: "failed"; height: number; reason: string }
  | { kind: "cancelled"; height: number };

export interface ChainSource {
  tip: number;  // the height to verify up to, fixed when the run starts
  genesisHash: string;  // the node's own claim (GET /status)
  chainId: string;
  genesis: () => Promise<Genesis>;  // the node's genesis (GET /genesis)
  block: (height: number) => Promise<BlockDetail>;
  digests: () => Promise<Digest[]>;
}

// Checks the node's genesis (and the auditor's received copy, if any) at height 0, then
// verifies heights 1 … tip in order against its validators and stops at the first bad one;
// then re-checks every digest within the tip against the blocks it covers.
export async function verifyChain(
  source: ChainSource,
  receivedGenesis: Genesis | null,
  onProgress: (height: number, tip: number) => void,
  cancelled: () => boolean,
): Promise<VerifyOutcome> {
  const nodeGenesis = await source.genesis();
  const { reason: genesisReason, validators } = checkGenesis(nodeGenesis, source, receivedGenesis);
  if (genesisReason) return { kind: "failed", height: 0, reason: genesisReason };
  const cursor: Cursor = { chainId: source.chainId, previousHash: source.genesisHash, previousTime: nodeGenesis.genesis_time, validators };
  const idsByHeight = new Map<number, Uint8Array[]>();
  const appHashByHeight = new Map<number, string>();
  const fetching = new Map<number, Promise<BlockDetail>>();
  for (let height = 1; height <= source.tip; height++) {
    if (cancelled()) return { kind: "cancelled", height: height - 1 };
    // A few blocks in flight at once, so the run is not bound by one round trip per block.
    for (let ahead = height; ahead < height + blocksInFlight && ahead <= source.tip; ahead++) {
      if (fetching.has(ahead)) continue;
      const request = source.block(ahead);
      request.catch(() => {});  // a failure is reported when its height is reached, not as unhandled
      fetching.set(ahead, request);
    }
    const block = await fetching.get(height)!;
    fetching.delete(height);
    const reason = checkBlock(block, height, cursor);
    if (reason) return { kind: "failed", height, reason };
    cursor.previousHash = block.hash;
    cursor.previousTime = block.header.time;
    idsByHeight.set(height, block.transactions.map((row) => hexToBytes(row.id)));
    appHashByHeight.set(height, block.header.app_hash);
    onProgress(height, source.tip);
  }
  const digests = (await source.digests()).filter((digest) => digest.last_height <= source.tip);
  for (const digest of digests) {
    const ids: Uint8Array[] = [];
    for (let height = digest.first_height; height <= digest.last_height; height++) ids.push(...(idsByHeight.get(height) ?? []));
    if (bytesToHex(merkleRoot(ids)) !== digest.tx_root) {
      return { kind: "failed", height: digest.last_height, reason: `the digest of ${digest.date} has a wrong transaction root` };
    }
    if (appHashByHeight.get(digest.last_height) !== digest.app_hash) {
      return { kind: "failed", height: digest.last_height, reason: `the digest of ${digest.date} names another app hash` };
    }
  }
  return { kind: "verified", height: source.tip, digestsChecked: digests.length, validators: validators.length, comparedWithReceived: receivedGenesis !== null };
}
