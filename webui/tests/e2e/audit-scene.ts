// Scene-setting for the audit journeys: the running node's genesis file (as the consortium
// would hand it to an auditor) and a tampered copy, a fresh participant key, and the moment
// just after a block.
import { expect, type APIRequestContext } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bytesToHex } from "@noble/hashes/utils.js";
import { schnorr, utils } from "@noble/secp256k1";

// The node's data directory: global-setup.ts's fresh one, or FLEX_E2E_DATA for a running node.
export const genesisFilePath = (): string => join(process.env.FLEX_E2E_DATA!, "genesis.json");

// The node's genesis file with its first validator's key replaced, as a file to upload.
export function tamperedGenesisFile(): { name: string; mimeType: string; buffer: Buffer } {
  const genesis = JSON.parse(readFileSync(genesisFilePath(), "utf8"));
  genesis.validators[0].public_key = freshPublicKey();
  return { name: "genesis-tampered.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(genesis, null, 2)) };
}

// A new participant's x-only public key, as its own node would make it.
export const freshPublicKey = (): string => bytesToHex(schnorr.getPublicKey(utils.randomSecretKey()));

export async function chainHeight(context: APIRequestContext): Promise<number> {
  const response = await context.get("/api/v1/status");
  expect(response.ok()).toBeTruthy();
  return (await response.json()).height as number;
}

// The dev node makes a block every few seconds: waiting for one to land leaves the most time
// before the next, so a height read now is still the tip a moment later.
export async function heightJustAfterABlock(context: APIRequestContext): Promise<number> {
  const start = await chainHeight(context);
  for (;;) {
    const height = await chainHeight(context);
    if (height > start) return height;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
