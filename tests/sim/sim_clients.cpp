// Clients: each funded genesis participant signs token.transfers with nonces 1, 2, ... and
// keeps one in flight at a time, so a later nonce never overtakes an earlier one (PROTOCOL
// §4 allows gaps, which would make the earlier transaction stale and lost). A transaction
// goes to a random honest node; if it is not committed 3 s later, the same bytes go to
// another node.
#include "tests/sim/sim_world.hpp"

namespace flex::sim {

namespace {
constexpr std::int64_t kResubmitAfterUs = 3'000'000;
}  // namespace

void World::build_clients(std::size_t count, std::size_t transactions_per_client) {
  for (std::size_t c = 0; c < count; ++c) {
    Client client;
    client.name = "c" + std::to_string(c);
    client.index = c;
    for (std::size_t k = 1; k <= transactions_per_client; ++k) {
      std::size_t to = (c + 1 + rng_.below(count - 1)) % count;
      Json payload{{"amount_micro", rng_.between(1, 1000)}, {"to", to_hex(*derive_public_key(client_keys_[to]))}};
      auto transaction = std::make_shared<const Transaction>(sign_transaction(
          genesis_.chain_id, "token.transfer", client_keys_[c], static_cast<std::int64_t>(k), payload, rng_.hash32()));
      client_transaction_ids_.insert(transaction->id);
      client_of_[transaction->id] = c;
      client.transactions.push_back(std::move(transaction));
    }
    clients_.push_back(std::move(client));
    at(rng_.between(0, 5000 * kMillisecond), [this, c] { client_submit(c); });
  }
}

void World::client_submit(std::size_t client_index) {
  Client& client = clients_[client_index];
  if (client.next >= client.transactions.size()) return;
  const auto& transaction = client.transactions[client.next];
  std::uint64_t attempt = ++client.attempt;
  std::vector<SimNode*> candidates;
  for (auto& node : nodes_) {
    if (node->honest() && node->up() && node->index != client.last_node) candidates.push_back(node.get());
  }
  if (candidates.empty() && client.last_node && nodes_[*client.last_node]->up()) {
    candidates.push_back(nodes_[*client.last_node].get());
  }
  if (!candidates.empty()) {
    SimNode& node = *candidates[rng_.below(candidates.size())];
    client.last_node = node.index;
    static_cast<void>(admit_and_gossip(node, transaction, client.name));  // resubmitted if not committed
  }
  at(kResubmitAfterUs, [this, client_index, attempt] {
    if (clients_[client_index].attempt == attempt) client_submit(client_index);
  });
}

Status World::admit_and_gossip(SimNode& node, const std::shared_ptr<const Transaction>& transaction,
                             const std::string& origin) {
  Status admitted = node.ledger->submit(*transaction);
  trace(node.name + "<-" + origin + " tx " + short_hex(transaction->id) + " nonce " +
        std::to_string(transaction->nonce) + " " + (admitted ? "ok" : admitted.rejection().code));
  if (!admitted) return admitted;
  if (!drive(node, [&node] { node.driver->on_transactions(); })) return admitted;  // it crashed: it gossips nothing
  for (auto& other : nodes_) {
    if (other.get() != &node) send(node, *other, Message{TransactionMessage{transaction}});
  }
  return admitted;
}

void World::client_saw_commit(const Block& block) {
  for (const auto& transaction : block.transactions) {
    if (!committed_ids_.insert(transaction.id).second) continue;
    auto owner = client_of_.find(transaction.id);
    if (owner == client_of_.end()) continue;
    Client& client = clients_[owner->second];
    if (client.next >= client.transactions.size() || client.transactions[client.next]->id != transaction.id) continue;
    ++client.next;
    std::uint64_t attempt = ++client.attempt;  // the pending resubmission check is void now
    at(rng_.between(0, 300 * kMillisecond), [this, index = owner->second, attempt] {
      if (clients_[index].attempt == attempt) client_submit(index);
    });
  }
}

bool World::all_client_transactions_committed() const {
  for (const auto& id : client_transaction_ids_) {
    if (!committed_ids_.count(id)) return false;
  }
  return true;
}

}  // namespace flex::sim
