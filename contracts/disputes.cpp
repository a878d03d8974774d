// Disputes of provisional settlements (DESIGN.md §2.10).
//   settlement.dispute {"contract_id":ID,"reason":S}                       (the buyer or the seller)
//   settlement.resolve {"contract_id":ID,"reason":S,"resolution":"rerun"}  (operator)
//   settlement.resolve {"contract_id":ID,"net_micro":N,"reason":S,"resolution":"adjust"}
// Either side of a contract may dispute its settlement while it is provisional, before its
// final_at. A disputed settlement does not become final at final_at; corrections still re-run
// it. The operator closes the dispute by re-running the settlement with the data now on the
// ledger, or by an adjustment that sets its net (at most the contract's escrow) with a stated
// reason. Either way the difference in money moves and the settlement is final.
#include "contracts/settlement.hpp"
#include "contracts/state_keys.hpp"
#include "ledger/limits.hpp"

namespace flex {
namespace {

constexpr std::size_t max_reason_bytes = 1000;

struct Disputed {
  Json contract, settlement;
};

// The contract and settlement a dispute transaction names.
Result<Disputed> named_settlement(const HandlerContext& context) {
  auto contract_id = payload_identifier(context.transaction.payload, "contract_id");
  if (!contract_id) return contract_id.rejection();
  auto settlement = read_json(context.state, "settlement/" + *contract_id);
  if (!settlement) return reject("settlement.unknown", "contract '" + *contract_id + "' has no settlement");
  return Disputed{*read_json(context.state, keys::contract(*contract_id)), *settlement};
}

}  // namespace

Status dispute_settlement(HandlerContext& context) {
  auto named = named_settlement(context);
  if (!named) return named.rejection();
  auto reason = payload_text(context.transaction.payload, "reason", max_reason_bytes);
  if (!reason) return reason.rejection();
  auto& [contract, settlement] = *named;
  const std::string signer = to_hex(context.transaction.signer);
  if (signer != contract["buyer"] && signer != contract["seller"]) {
    return reject("settlement.not_party", "only the contract's buyer or seller disputes its settlement");
  }
  if (settlement["status"] == "disputed") return reject("settlement.disputed", "the settlement is already disputed");
  if (settlement["status"] == "final" || context.block.time >= settlement["final_at"].get<std::int64_t>()) {
    return reject("settlement.final", "the dispute window closed at " + settlement["final_at"].dump());
  }
  settlement["status"] = "disputed";
  settlement["dispute"] = Json{{"opened_at", context.block.time}, {"opened_by", signer}, {"reason", *reason}};
  write_json(context.state, "settlement/" + contract["contract_id"].get<std::string>(), settlement);
  return ok_status();
}

Status resolve_dispute(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto named = named_settlement(context);
  if (!named) return named.rejection();
  const std::string resolution = text_member(payload, "resolution");
  if (resolution != "rerun" && resolution != "adjust") {
    return reject("payload.invalid", "resolution must be rerun or adjust");
  }
  auto reason = payload_text(payload, "reason", max_reason_bytes);
  if (!reason) return reason.rejection();
  auto& [contract, settlement] = *named;
  Result<std::int64_t> net = std::int64_t{0};
  if (resolution == "adjust") {
    // The buyer promised at most its escrow E; below, -(2^53 - 1 - E) keeps the difference
    // from any earlier net within the ledger's integer range (as computed nets are).
    const std::int64_t escrow = contract["escrow_micro"].get<std::int64_t>();
    net = payload_integer(payload, "net_micro", -(limits::max_json_integer - escrow), escrow);
    if (!net) return net.rejection();
  }
  if (settlement["status"] != "disputed") return reject("settlement.not_disputed", "the settlement is not disputed");
  Json dispute = settlement["dispute"];
  settlement = resolution == "rerun" ? rerun_settlement(context.state, contract, context.block.time, "dispute_rerun")
                                     : adjust_settlement(context.state, contract, *net, context.block.time);
  dispute["resolution"] = resolution;
  dispute["resolved_at"] = context.block.time;
  dispute["resolved_by"] = to_hex(context.transaction.signer);
  dispute["resolution_reason"] = *reason;
  settlement["dispute"] = dispute;
  make_final(context.state, contract, std::move(settlement));
  return ok_status();
}

}  // namespace flex
