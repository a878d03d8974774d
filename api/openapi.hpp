// The OpenAPI 3.1 document of the API (api/openapi.json, embedded at build time).
#pragma once

#include <string_view>

namespace flex::api {

std::string_view openapi_document();

}  // namespace flex::api
