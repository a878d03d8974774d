#include <catch2/catch.hpp>

#include "ledger/canonical_json.hpp"
#include "ledger/limits.hpp"

using namespace flex;

namespace {
std::string code_of(std::string_view bytes) {
  auto parsed = parse_canonical(bytes, 1 << 20);
  return parsed ? "ok" : parsed.rejection().code;
}
}  // namespace

TEST_CASE("canonical JSON sorts keys, drops whitespace and keeps UTF-8 raw", "[canonical]") {
  Json value = Json::parse(R"({ "b": 1, "a": [true, null, "x"], "é": "ü" })");
  CHECK(to_canonical(value) == "{\"a\":[true,null,\"x\"],\"b\":1,\"\xC3\xA9\":\"\xC3\xBC\"}");
  // Keys sort by their UTF-8 bytes: "Z" (0x5a) < "a" (0x61) < "é" (0xc3 0xa9).
  CHECK(to_canonical(Json::parse(R"({"a":0,"Z":0,"é":0})")) == "{\"Z\":0,\"a\":0,\"\xC3\xA9\":0}");
  // Only '"', '\\' and control characters are escaped; '/' is not.
  CHECK(to_canonical(Json("a\"b\\c/d\n\x01")) == R"("a\"b\\c/d\n\u0001")");
}

TEST_CASE("canonical bodies are accepted and re-serialise to themselves", "[canonical]") {
  for (std::string_view body : {R"({"a":1,"b":[-5,0,9007199254740991]})", R"([])", R"("text")", R"({"nested":{"x":{}}})"}) {
    auto parsed = parse_canonical(body, 1024);
    REQUIRE(parsed);
    CHECK(to_canonical(*parsed) == body);
  }
}

TEST_CASE("non-canonical bodies are rejected with stable codes", "[canonical]") {
  CHECK(code_of(R"({"b":1,"a":2})") == "encoding.not_canonical");     // keys out of order
  CHECK(code_of(R"({"a":1,"a":2})") == "encoding.not_canonical");     // duplicate key
  CHECK(code_of(R"({"a": 1})") == "encoding.not_canonical");          // whitespace
  CHECK(code_of(" {}") == "encoding.not_canonical");
  CHECK(code_of(R"({"a":-0})") == "encoding.not_canonical");          // signed zero
  CHECK(code_of(R"("\u00e9")") == "encoding.not_canonical");          // needless escape
  CHECK(code_of(R"("\/")") == "encoding.not_canonical");
  CHECK(code_of(R"({"a":1.5})") == "encoding.non_integer");
  CHECK(code_of(R"({"a":1.0})") == "encoding.non_integer");
  CHECK(code_of(R"({"a":1e3})") == "encoding.non_integer");
  CHECK(code_of(R"({"a":9007199254740992})") == "encoding.integer_range");  // 2^53
  CHECK(code_of(R"({"a":-9007199254740992})") == "encoding.integer_range");
  CHECK(code_of(R"({"a":18446744073709551616})") == "encoding.non_integer");      // beyond uint64 parses as float
  CHECK(code_of(R"({"a":01})") == "encoding.not_json");
  CHECK(code_of(R"({"a":1,})") == "encoding.not_json");
  CHECK(code_of("") == "encoding.not_json");
  CHECK(code_of("\"\xff\"") == "encoding.not_json");                 // invalid UTF-8
  CHECK(code_of("\"\xc3\"") == "encoding.not_json");                 // truncated UTF-8
  CHECK(code_of("{\"a\":1}garbage") == "encoding.not_json");
}

TEST_CASE("a trailing newline is rejected with a message that says so", "[canonical]") {
  auto parsed = parse_canonical("{\"a\":1}\n", 1024);
  REQUIRE_FALSE(parsed);
  CHECK(parsed.rejection().code == "encoding.not_canonical");
  CHECK(parsed.rejection().message ==
        "JSON is not canonical: whitespace after the value from byte 7 (send the bytes without a trailing newline)");
}

TEST_CASE("size and depth limits come before parsing", "[canonical]") {
  CHECK(parse_canonical(std::string(100, ' '), 99).rejection().code == "encoding.too_large");
  std::string deep = std::string(limits::max_json_depth + 1, '[') + std::string(limits::max_json_depth + 1, ']');
  CHECK(parse_canonical(deep, 1 << 20).rejection().code == "encoding.too_deep");
  std::string allowed = std::string(limits::max_json_depth, '[') + std::string(limits::max_json_depth, ']');
  CHECK(parse_canonical(allowed, 1 << 20).ok());
  // Brackets inside strings do not count.
  std::string in_string = "\"" + std::string(100, '[') + "\"";
  CHECK(parse_canonical(in_string, 1 << 20).ok());
  std::string huge_depth(100000, '[');
  CHECK(parse_canonical(huge_depth, 1 << 20).rejection().code == "encoding.too_deep");
}

TEST_CASE("is_integer_only finds floats anywhere", "[canonical]") {
  CHECK(is_integer_only(Json::parse(R"({"a":[1,2,{"b":-3}]})")));
  CHECK_FALSE(is_integer_only(Json::parse(R"({"a":[1,2,{"b":0.5}]})")));
}
