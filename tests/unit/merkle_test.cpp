#include <catch2/catch.hpp>

#include "ledger/hash.hpp"
#include "ledger/merkle.hpp"

using namespace flex;

// Reference tree heads of the Certificate Transparency test suite for RFC 6962
// (google/certificate-transparency, merkle_tree_test): leaves and roots for sizes 0..8.
TEST_CASE("Merkle root matches the RFC 6962 reference tree heads", "[merkle]") {
  const std::vector<std::string> leaf_hex = {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                             "606162636465666768696a6b6c6d6e6f"};
  const std::vector<std::string> roots = {
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  };
  std::vector<Bytes> leaves;
  for (const auto& hex : leaf_hex) leaves.push_back(*from_hex(hex));
  for (std::size_t size = 0; size <= leaves.size(); ++size) {
    INFO("tree size " << size);
    CHECK(to_hex(merkle_root(std::span<const Bytes>(leaves.data(), size))) == roots[size]);
  }
}

TEST_CASE("odd leaf counts are not padded by duplication", "[merkle]") {
  // Bitcoin's tree gives [a, b, c] and [a, b, c, c] the same root (CVE-2012-2459); RFC 6962 does not.
  std::vector<Bytes> three = {{1}, {2}, {3}};
  std::vector<Bytes> four = {{1}, {2}, {3}, {3}};
  CHECK(merkle_root(three) != merkle_root(four));
  // Size 3 by hand: node(node(leaf a, leaf b), leaf c).
  Hash32 expected = merkle_node_hash(merkle_node_hash(merkle_leaf_hash(three[0]), merkle_leaf_hash(three[1])),
                                     merkle_leaf_hash(three[2]));
  CHECK(merkle_root(three) == expected);
}
