# video-ingest: build, run and test. `make run` and `make test` install what is missing first.
SHELL := /bin/bash
SWIFT ?= swift
DEB_PACKAGES := libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev \
                libsqlite3-dev libcurl4-openssl-dev pkg-config ffmpeg python3 curl
CONFIG ?= config/ingest.json
BIN := .build/debug/video-ingest

.PHONY: deps build release run test samples bench bench-smoke clean

## deps: install the Debian packages that are missing (apt-get update first, only when needed).
deps:
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

## run: the daemon on the embedded default (spool var/, SQLite, config/ingest.json).
run: build
	$(BIN) daemon --config $(CONFIG)

## test: every unit and end-to-end test.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## samples: remake the committed sample media with the ffmpeg command line.
samples: deps
	SampleMedia/make-samples.sh

## bench: the release build side by side with the ffmpeg/curl command line; prints the table and writes it
## into docs/BENCHMARKS.md (about 15 minutes on 2 cores). bench-smoke: the same harness on tiny inputs (seconds).
bench: release
	Benchmarks/run --bin .build/release/video-ingest --out docs/BENCHMARKS.md

bench-smoke: build
	Benchmarks/run --smoke --bin $(BIN)

clean:
	rm -rf .build
