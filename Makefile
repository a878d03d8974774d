# The two commands of the README (make demo, make test) and their helpers.
# Every target installs missing Debian packages first (scripts/install-deps.sh).
JOBS ?= $(shell nproc)
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
CMAKE_FLAGS ?=
ifeq ($(CI),true)
  CMAKE_FLAGS += -DFLEX_WERROR=ON
endif
DEMO_LISTEN ?= 127.0.0.1:8080
DEMO_DATA ?= ./data

.PHONY: deps build demo devnet test test-fast test-asan bench clean

deps:
	./scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Builds and runs a single-validator node with its data under ./data, seeded with demo
# data through its own API (scripts/demo.sh, scripts/demo-seed.mjs).
demo: build
	./scripts/demo.sh $(BUILD_DIR) $(DEMO_DATA) $(DEMO_LISTEN)

# A local network on loopback: 4 validators and 2 full nodes, node N's dashboard at
# http://127.0.0.1:808N (scripts/devnet.sh; `scripts/devnet.sh stop` stops it).
devnet: build
	BUILD_DIR=$(BUILD_DIR) ./scripts/devnet.sh start

# Every test, in the normal build and in the sanitizer (ASan + UBSan) build.
test: test-fast test-asan

test-fast: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DFLEX_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(ASAN_DIR) -j $(JOBS)
	cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

bench: build
	./$(BUILD_DIR)/bench/bench_throughput
	./$(BUILD_DIR)/bench/bench_matching
	./$(BUILD_DIR)/bench/bench_settlement
	./$(BUILD_DIR)/bench/bench_api
	./$(BUILD_DIR)/bench/bench_network

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
