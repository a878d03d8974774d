// The Byzantine validator. It follows the chain with a driver of its own (so it keeps a
// correct ledger and votes like the others most of the time), but its outgoing messages
// pass through here:
//   - as the round's proposer it sends two different valid blocks to two random halves of
//     the network, and prevotes and precommits both (an equivocation every honest node
//     should detect and survive);
//   - every 0.5-2.5 s it sends garbage: bad signatures, votes for height + 5 and for round
//     10^9, votes for blocks that do not exist, votes from a key outside the set, and a
//     proposal whose block id does not match its block.
#include "tests/sim/sim_world.hpp"

namespace flex::sim {

namespace {
constexpr std::int64_t kHugeRound = 1'000'000'000;
}  // namespace

Signature World::byzantine_sign(SimNode& node, const Hash32& digest) {
  return *schnorr_sign(*node.key, digest, node.aux_random.hash32());
}

void World::byzantine_broadcast(SimNode& node, const Message& message) {
  const auto* proposal = std::get_if<consensus::SignedProposal>(&message);
  // Relays, re-proposals and the re-gossip of a proposal already doubled go out as they are.
  if (!proposal || proposal->valid_round != -1 || proposal->signer != node.public_key ||
      !byzantine_equivocated_.insert({proposal->height, proposal->round}).second) {
    const auto* vote = std::get_if<consensus::SignedVote>(&message);
    if (vote && vote->validator == node.public_key && own_signatures_sent_.insert(vote->signature).second) {
      trace(node.name + " (Byzantine) driver sends " + std::string(vote_type_name(vote->type)) + " h" +
            std::to_string(vote->height) + " r" + std::to_string(vote->round) + " " +
            (vote->block ? short_hex(*vote->block) : "nil"));
    }
    for (auto& other : nodes_) {
      if (other.get() != &node) send(node, *other, message);
    }
    return;
  }
  // A second block on the same tip: a later time (still valid: at most 1 s ahead of the
  // clock) and half of the first block's transactions, so its id differs.
  const Block& first_block = *proposal->block;
  consensus::SignedProposal second = *proposal;
  second.block = node.ledger->build_block(first_block.header.time + 1, node.public_key,
                                          first_block.transactions.size() / 2);
  second.block_id = block_hash(second.block->header);
  second.signature = byzantine_sign(node, second.digest(genesis_.chain_id));
  trace(node.name + " (Byzantine) proposes " + short_hex(proposal->block_id) + " and " + short_hex(second.block_id) +
        " at h" + std::to_string(proposal->height) + " r" + std::to_string(proposal->round));
  for (auto& other : nodes_) {
    if (other.get() == &node) continue;
    send(node, *other, rng_.below(2) ? Message{*proposal} : Message{second});
  }
  for (VoteType type : {VoteType::prevote, VoteType::precommit}) {
    for (const Hash32& id : {proposal->block_id, second.block_id}) {
      consensus::SignedVote vote{type, proposal->height, proposal->round, id, node.public_key, {}};
      vote.signature = byzantine_sign(node, vote.digest(genesis_.chain_id));
      for (auto& other : nodes_) {
        if (other.get() != &node) send(node, *other, Message{vote});
      }
    }
  }
}

void World::byzantine_garbage_tick(SimNode& node, std::uint64_t epoch) {
  if (node.epoch != epoch || node.power_state == Power::crashed) return;
  if (node.up()) {
    consensus::RoundState state = node.driver->state();
    const std::int64_t height = state.height;
    const std::int64_t round = std::max<std::int64_t>(state.round, 0);
    const std::string& chain_id = genesis_.chain_id;
    consensus::SignedVote vote{VoteType::prevote, height, round, std::nullopt, node.public_key, {}};
    std::optional<Message> garbage;
    std::string what;
    switch (rng_.below(6)) {
      case 0: {
        Hash32 left = rng_.hash32(), right = rng_.hash32();
        std::copy(left.begin(), left.end(), vote.signature.begin());
        std::copy(right.begin(), right.end(), vote.signature.begin() + 32);
        garbage = vote, what = "a prevote with a bad signature";
        break;
      }
      case 1:
        vote.height = height + 5;
        vote.signature = byzantine_sign(node, vote.digest(chain_id));
        garbage = vote, what = "a prevote for height + 5";
        break;
      case 2:
        vote.type = VoteType::precommit, vote.round = kHugeRound;
        vote.signature = byzantine_sign(node, vote.digest(chain_id));
        garbage = vote, what = "a precommit for round 10^9";
        break;
      case 3:
        vote.block = rng_.hash32();
        vote.signature = byzantine_sign(node, vote.digest(chain_id));
        garbage = vote, what = "a prevote for a block that does not exist";
        break;
      case 4: {
        SecretKey outsider(rng_.hash32());
        auto outsider_key = derive_public_key(outsider);
        if (!outsider_key) break;
        vote.validator = *outsider_key;
        vote.signature = *schnorr_sign(outsider, vote.digest(chain_id), rng_.hash32());
        garbage = vote, what = "a prevote from a key outside the set";
        break;
      }
      default: {
        consensus::SignedProposal proposal;
        proposal.height = height, proposal.round = round, proposal.signer = node.public_key;
        proposal.block = node.ledger->build_block(std::max(now_seconds(), node.ledger->tip().last_block_time),
                                                  node.public_key, 0);
        proposal.block_id = rng_.hash32();  // not the block's hash
        proposal.signature = byzantine_sign(node, proposal.digest(chain_id));
        garbage = proposal, what = "a proposal whose id is not its block's";
        break;
      }
    }
    if (garbage) {
      trace(node.name + " (Byzantine) sends " + what);
      for (auto& other : nodes_) {
        if (other.get() != &node && rng_.below(2)) send(node, *other, *garbage);
      }
    }
  }
  at(rng_.between(500 * kMillisecond, 2500 * kMillisecond), [this, &node, epoch] { byzantine_garbage_tick(node, epoch); });
}

}  // namespace flex::sim
