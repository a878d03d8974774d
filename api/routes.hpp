// The REST routes under /api/v1 (docs/API.md lists them), plus the dashboard's static
// files at /. Errors are application/problem+json with the contracts' stable codes.
#pragma once

#include <map>
#include <string>

#include "api/http_server.hpp"
#include "node/chain.hpp"

namespace flex::api {

struct NodeIdentity {
  PublicKey participant{};  // the key this node signs with
  bool validator = false;
  std::string version;
};

class Router {
 public:
  Router(Chain& chain, NodeIdentity identity, std::string webui_dir);
  Response handle(const Request& request);

 private:
  Response status(const Request& request);
  Response submit_transaction(const Request& request);
  Response get_transaction(const Request& request, std::string_view id);
  Response get_block(const Request& request, std::string_view height_text);
  Response static_file(const Request& request, std::string_view path) const;

  struct StaticFile {
    std::string content_type;
    std::string body;
  };

  Chain& chain_;
  NodeIdentity identity_;
  // The dashboard's files, read once at start-up: only these paths are ever served, so no
  // request path can reach another file (such as the node's key).
  std::map<std::string, StaticFile, std::less<>> static_files_;
};

// HTTP status for a rejection code (400 unless the code says otherwise).
http::status status_for_code(std::string_view code);

}  // namespace flex::api
