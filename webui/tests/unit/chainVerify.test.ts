import { describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { schnorr } from "@noble/secp256k1";
import {
  blockHash,
  canonicalJson,
  checkBlock,
  firstDifference,
  genesisHash,
  merkleRoot,
  transactionId,
  transactionSigningDigest,
  validatorSetHash,
  verifyChain,
  type BlockDetail,
  type Digest,
  type Genesis,
  type Transaction,
} from "../../src/lib/chainVerify";
import fixture from "./fixtures/dev-chain.json";

// GET /api/v1/blocks/1..4 and genesis.json of a `flexnode --dev` chain (see the fixture's _comment).
const genesis = fixture.genesis as unknown as Genesis;
const blocks = fixture.blocks as unknown as BlockDetail[];
const copy = <T>(value: T): T => structuredClone(value);

function source(chain: BlockDetail[], digests: Digest[] = [], nodeGenesis: Genesis = genesis) {
  return {
    tip: chain.length,
    // The node's /status genesis_hash for that chain, as it answered (also block 1's previous_hash).
    genesisHash: "e1d145bce850f28b8bd2aa6b92f5e2ba64130d8ba2826fbbd5f1a0435a0f3be5",
    chainId: "flexledger-dev",
    block: async (height: number) => chain[height - 1],
    digests: async () => digests,
    genesis: async () => nodeGenesis,  // GET /genesis
  };
}

// `received`: a genesis file the auditor got from the consortium; `nodeGenesis`: what GET /genesis serves.
const run = (chain: BlockDetail[], received: Genesis | null = null, digests: Digest[] = [], nodeGenesis: Genesis = genesis) => {
  const seen: number[] = [];
  return verifyChain(source(chain, digests, nodeGenesis), received, (height) => seen.push(height), () => false).then((outcome) => ({ outcome, seen }));
};

describe("PROTOCOL.md §4 worked example", () => {
  // Every expected value below is copied from docs/PROTOCOL.md §4.
  const tx: Transaction = {
    chain_id: "flexledger-test",
    nonce: 1,
    payload: { amount_micro: 1_500_000, to: "4edfcf9dfe6c0b5c83d1ab3f78d1b39a46ebac6798e08e19761f5ed89ec83c10" },
    sig: "fced77b1cb014a04b50bfb9c8038e7263845f68c96e40820e450b94ced7027a02980776d7ecf0a448ff9d0bbc5beb5010f18d7bfc19782802ff8e00a0633ddc5",
    signer: "9997a497d964fc1a62885b05a51166a65a90df00492c8d7cf61d6accf54803be",
    type: "token.transfer",
  };

  it("signs the tagged hash of the canonical bytes without sig", () => {
    const { sig: _sig, ...unsigned } = tx;
    expect(canonicalJson(unsigned)).toBe(
      '{"chain_id":"flexledger-test","nonce":1,"payload":{"amount_micro":1500000,"to":"4edfcf9dfe6c0b5c83d1ab3f78d1b39a46ebac6798e08e19761f5ed89ec83c10"},"signer":"9997a497d964fc1a62885b05a51166a65a90df00492c8d7cf61d6accf54803be","type":"token.transfer"}',
    );
    const digest = transactionSigningDigest(tx);
    expect(bytesToHex(digest)).toBe("186a34cadf72790cd3b4b16d7311da50180cb0539b8ddb70491d5c85f024a811");
    const secret = sha256(utf8ToBytes("alice"));
    expect(bytesToHex(schnorr.getPublicKey(secret))).toBe(tx.signer);
    expect(bytesToHex(schnorr.sign(digest, secret, new Uint8Array(32)))).toBe(tx.sig);
  });

  it("derives the id and the one-transaction tx_root", () => {
    expect(transactionId(tx)).toBe("a04e4e915de4ad8b05afa7e6ac3e60375ddb71a35e52ee5580217504304c6613");
    expect(bytesToHex(merkleRoot([hexToBytes(transactionId(tx))]))).toBe("9b93e9de7a57a8a0cefe8ebd8a1191d1dec1b77f789c2c9dd2b040fda1426fdb");
  });
});

describe("canonical JSON (PROTOCOL §2)", () => {
  it("sorts keys by UTF-8 bytes and escapes exactly the control characters", () => {
    // "é" (C3 A9) sorts after "z" (7A) by bytes; U+0001 is \u0001, "/" and U+007F stay raw.
    expect(canonicalJson({ z: 1, "é": 2, a: [true, null, -3] })).toBe('{"a":[true,null,-3],"z":1,"é":2}');
    expect(canonicalJson("q\"\\\n\t\u0001/\u007f")).toBe('"q\\"\\\\\\n\\t\\u0001/\u007f"');
    expect(() => canonicalJson(1.5)).toThrow("not a canonical integer");
  });

  it("hashes an empty Merkle tree as H(\"\")", () => {
    expect(bytesToHex(merkleRoot([]))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });
});

describe("a real dev chain", () => {
  it("recomputes the node's genesis, validator set and block hashes", () => {
    expect(genesisHash(genesis)).toBe(blocks[0].header.previous_hash);
    expect(validatorSetHash(genesis.validators)).toBe("a34e3c8c2b7122d6ca30b073f9665dedb1c14b9a130faf2bea6b20409c584e0e");
    // Block 3 as the node served it: its hash, its token.mint's id.
    expect(blockHash(blocks[2].header)).toBe("84a789124bb893fb7279462ecc5391b86052f3540ed542b06ad90d0eadc6624e");
    expect(transactionId(blocks[2].transactions[0].tx)).toBe("ddb213d2d005718932d34b266d2960a9e98ff1217d562ba00ad9161b231e7d30");
  });

  it("verifies heights 1 to 4, reporting each", async () => {
    const { outcome, seen } = await run(blocks);
    expect(outcome).toEqual({ kind: "verified", height: 4, digestsChecked: 0, validators: 1, comparedWithReceived: false });
    expect(seen).toEqual([1, 2, 3, 4]);
    // An identical copy received from the consortium changes nothing but says it was compared.
    expect((await run(blocks, copy(genesis))).outcome).toEqual({ kind: "verified", height: 4, digestsChecked: 0, validators: 1, comparedWithReceived: true });
  });

  it("stops at the first bad height with the reason", async () => {
    const mintAltered = copy(blocks);
    mintAltered[2].transactions[0].tx.payload.amount_micro = 6_000_000;
    expect((await run(mintAltered)).outcome).toEqual({
      kind: "failed",
      height: 3,
      reason: expect.stringMatching(/^transaction 0: id mismatch \(its bytes hash to [0-9a-f]{64}, the node names ddb213d2/),
    });

    // A re-signed header (time changed, stored hash updated) no longer links to block 3.
    const timeAltered = copy(blocks);
    timeAltered[2].header.time += 1;
    timeAltered[2].hash = blockHash(timeAltered[2].header);
    expect((await run(timeAltered)).outcome).toEqual({ kind: "failed", height: 3, reason: expect.stringMatching(/^commit.hash_mismatch/) });

    const sigAltered = copy(blocks);
    sigAltered[3].commit.signatures[0].signature = sigAltered[2].commit.signatures[0].signature;
    expect((await run(sigAltered)).outcome).toEqual({
      kind: "failed",
      height: 4,
      reason: "commit.bad_signature: the signature of 613d393697356539160146e620daa008b9ca7428cafec9002a833b6d1f007c98 does not verify",
    });

    const txSigAltered = copy(blocks);
    txSigAltered[3].transactions[0].tx.sig = blocks[2].transactions[0].tx.sig;
    txSigAltered[3].transactions[0].id = transactionId(txSigAltered[3].transactions[0].tx);
    // The id is fixed up, so the tx_root check catches it before the signature.
    expect((await run(txSigAltered)).outcome).toEqual({ kind: "failed", height: 4, reason: "tx_root does not match the transactions" });

    const headerAltered = copy(blocks);
    headerAltered[1].header.app_hash = "00".repeat(32);
    expect((await run(headerAltered)).outcome).toEqual({
      kind: "failed",
      height: 2,
      reason: expect.stringMatching(/^the block hash 896d9018[0-9a-f]+ does not match the header/),
    });
  });

  it("stops when cancelled, saying how far it got", async () => {
    const seen: number[] = [];
    const outcome = await verifyChain(source(blocks), null, (height) => seen.push(height), () => seen.length >= 2);
    expect(outcome).toEqual({ kind: "cancelled", height: 2 });
  });

  it("checks the node's genesis against its status's genesis hash (height 0)", async () => {
    const otherGenesis = copy(genesis);
    otherGenesis.genesis_time += 1;
    const { outcome, seen } = await run(blocks, null, [], otherGenesis);
    expect(outcome).toEqual({
      kind: "failed",
      height: 0,
      reason: expect.stringMatching(/^the node's genesis \(GET \/genesis\) hashes to [0-9a-f]{64}, its status names genesis hash e1d145bc[0-9a-f]{56}$/),
    });
    expect(seen).toEqual([]);
  });

  it("reports a received genesis file that differs from the node's at height 0, naming where", async () => {
    const tampered = copy(genesis);
    tampered.validators[0].public_key = bytesToHex(schnorr.getPublicKey(sha256(utf8ToBytes("stranger"))));
    const { outcome, seen } = await run(blocks, tampered);
    expect(outcome).toEqual({
      kind: "failed",
      height: 0,
      reason: `the genesis file you received differs from the node's genesis at validators[0].public_key: it hashes to ${genesisHash(tampered)}, the node's to e1d145bce850f28b8bd2aa6b92f5e2ba64130d8ba2826fbbd5f1a0435a0f3be5`,
    });
    expect(seen).toEqual([]);
    expect(firstDifference({ a: [1, { b: 2 }], c: 3 }, { a: [1, { b: 2 }], c: 3 })).toBe("");
    expect(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }, 4] })).toBe("a[2]");
    expect(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 5 }], z: 0 })).toBe("a[1].b");
  });

  it("checks proposer, membership and quorum against the genesis validators", () => {
    const cursor = { chainId: "flexledger-dev", previousHash: genesisHash(genesis), previousTime: genesis.genesis_time, validators: genesis.validators };
    expect(checkBlock(blocks[0], 1, cursor)).toBe("");
    const strangerKey = bytesToHex(schnorr.getPublicKey(sha256(utf8ToBytes("stranger"))));
    const foreign = copy(blocks[0]);
    foreign.commit.signatures[0].validator = strangerKey;
    expect(checkBlock(foreign, 1, cursor)).toBe(`commit.unknown_validator: ${strangerKey} is not a genesis validator`);
    // The one dev validator holds all the power: no signature is 0 of it, not more than 2/3.
    const unsigned = copy(blocks[0]);
    unsigned.commit.signatures = [];
    expect(checkBlock(unsigned, 1, cursor)).toBe("commit.no_quorum: the signers hold no more than 2/3 of the power");
    const strangerProposes = copy(blocks[0]);
    strangerProposes.header.proposer = strangerKey;
    strangerProposes.hash = blockHash(strangerProposes.header);
    expect(checkBlock(strangerProposes, 1, cursor)).toBe("the proposer is not a validator");
  });

  it("re-checks a digest's root over the ids of the blocks it covers", async () => {
    // Heights 1-4 hold the ids of block 3 and block 4: MTH of two leaves, computed independently with
    // Python's hashlib: sha256(0x01 || sha256(0x00 || id3) || sha256(0x00 || id4)).
    const root = "8e81db0dbeefa29b552b708861734b8ca28b9a4cee53a0dc206a1ae917bf8f30";
    const digest: Digest = {
      date: "2026-11-22",
      first_height: 1,
      last_height: 4,
      transactions: 2,
      tx_root: root,
      app_hash: blocks[3].header.app_hash,
      contracts: 0,
      settled_contracts: 0,
      settled_energy_wh: 0,
      settled_value_micro: 0,
    };
    expect((await run(blocks, null, [{ ...digest, tx_root: root }])).outcome).toEqual({
      kind: "verified",
      height: 4,
      digestsChecked: 1,
      validators: 1,
      comparedWithReceived: false,
    });
    expect((await run(blocks, null, [{ ...digest, tx_root: root, last_height: 3 }])).outcome).toEqual({
      kind: "failed",
      height: 3,
      reason: "the digest of 2026-11-22 has a wrong transaction root",
    });
  });
});
