# Horizon: the two commands of the README.
#   make demo   install what is missing, build, run the main job on the
#               bundled sample data (SQLite store, no network)
#   make test   build and run every test (Release and ASan/UBSan builds), the
#               ThreadSanitizer tests, the fuzz smoke runs and make lint
#   make install PREFIX=P   build, then install headers, libhorizon (.so, .a),
#               the horizon CLI, horizon.pc and README.md (share/doc/horizon)
#               under P (default /usr/local)
#   make lint   clang-tidy, cppcheck, function length and layer checks
#               (zero findings; scripts/lint.sh)
#   make test-tsan   runner, suite and OpenMP tests under ThreadSanitizer
#   make fuzz   each fuzz target for FUZZ_SECONDS (default 60) with libFuzzer
#   make fuzz-smoke  the same for FUZZ_SMOKE_SECONDS (15) each, as in `make test`
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 15
CMAKE_FLAGS ?=
PREFIX ?= /usr/local

.PHONY: all deps build demo test test-release test-asan bench clean peers \
        install install-only lint test-tsan fuzz fuzz-smoke

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

install: build
	$(MAKE) install-only

# install what $(BUILD) holds, without configuring or building again
install-only:
	cmake --install $(BUILD) --prefix $(PREFIX)

# configure only: the checks need compile_commands.json and the generated
# headers, not a build
lint: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	LINT_JOBS=$(JOBS) scripts/lint.sh $(BUILD)

demo: build
	@scripts/demo.sh $(BUILD)/horizon

test: deps peers test-release test-asan test-tsan fuzz-smoke lint

# npm test peers (tests/peers, pinned by package-lock.json): npm ci, idempotent
peers: deps
	@scripts/test-peers.sh

test-release: peers
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DHZ_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: peers
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DHZ_SANITIZE=ON -DHZ_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    ctest --output-on-failure -j $(JOBS) -L unit

# ThreadSanitizer (clang, LLVM libomp + Archer): scripts/tsan.sh
test-tsan: deps
	scripts/tsan.sh -j $(JOBS) $(TSAN_BUILD)

# libFuzzer (clang, ASan + UBSan): scripts/fuzz.sh; findings fail
fuzz: deps
	scripts/fuzz.sh -j $(JOBS) $(FUZZ_BUILD) $(FUZZ_SECONDS)

fuzz-smoke: deps
	FUZZ_SEED=1 scripts/fuzz.sh -j $(JOBS) $(FUZZ_BUILD) $(FUZZ_SMOKE_SECONDS)

bench: build
	@scripts/install-deps.sh --bench
	bench/run_all.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)
