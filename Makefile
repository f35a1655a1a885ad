# assay — two commands on a fresh Debian 12 machine with Swift:
#   make run    install the C libraries, build a release binary, snapshot and check this repository
#   make test   run every test
# (`make dist` builds the Debian package and tarball into dist/; `make test-dist` installs and checks it.)
SWIFT ?= swift
APT_PACKAGES = git python3 python3-pip pkg-config libgit2-dev libcmark-gfm-dev libcmark-gfm-extensions-dev \
               libcurl4-openssl-dev libsqlite3-dev chromium groff-base man-db binutils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run deps build test eval-claims bench bench-audit bench-hooks bench-receipts bench-drift clean

run: deps build
	.build/release/assay snapshot --repo .
	.build/release/assay claims --repo .
	.build/release/assay audit --repo . --commit HEAD --fail-on never

# Installs only what is missing, so it is quick on a machine that has everything.
deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	@python3 -c "import jsonschema, junitparser, pre_commit, in_toto_attestation, securesystemslib, cryptography" 2>/dev/null || python3 -m pip install -q jsonschema junitparser pre-commit in-toto-attestation 'securesystemslib[crypto]' 2>/dev/null \
	  || python3 -m pip install -q --break-system-packages jsonschema junitparser pre-commit in-toto-attestation 'securesystemslib[crypto]'

# The Swift runtime linked statically: a hook run starts about 13 ms sooner (measured on --version).
build:
	$(SWIFT) build -c release --static-swift-stdlib

test:
	$(SWIFT) test

# The benchmarks: a 20,000-commit / 50,000-file history generated once into bench/corpus/.
bench: deps build
	python3 bench/snapshot_bench.py
	python3 bench/claims_bench.py
	python3 bench/audit_bench.py
	python3 bench/hooks_bench.py
	python3 bench/receipts_bench.py
	python3 bench/drift_bench.py

# Only the audit benchmark (10 files, 200 added lines, staged, in the 50,000-file corpus).
bench-audit: deps build
	python3 bench/audit_bench.py

# Only the hook benchmark (the installed pre-commit and commit-msg hooks on the same change).
bench-hooks: deps build
	python3 bench/hooks_bench.py

# Only the receipt benchmark (what writing a receipt adds to a run).
bench-receipts: deps build
	python3 bench/receipts_bench.py

# Only the drift benchmark (200 docs, 5,000 claims, 20,000 commits: one report, --backfill 50, 50 runs).
bench-drift: deps build
	python3 bench/drift_bench.py

# The hand-judged claims of ten public agent-built repositories (../shared/realclaims), scored on the
# release binary: contradicted precision and recall, false alarms on true claims, claims not extracted.
eval-claims: build
	python3 ../shared/realclaims/score .build/release/assay ../shared/realclaims/repos

# A stripped release, a Debian package (/usr/bin/assay, man page, completions), a tarball and
# SHA256SUMS, into dist/ (packaging/dist.sh says how the package's Depends are found).
.PHONY: dist test-dist
dist: deps
	packaging/dist.sh

# Installs the package built by `make dist` with apt-get and runs the installed assay (tests/dist_test.sh).
test-dist: dist
	tests/dist_test.sh

clean:
	rm -rf .build

# Fuzzing (docs/fuzzing.md): a libFuzzer target per parser of outside input, in their own package
# (Fuzz/Package.swift), run one after another over the seeds in Tests/FuzzCorpus/<target>/.
# `make fuzz FUZZ_TARGETS=FuzzPolicy FUZZ_RUNS=10000` runs one target briefly.
FUZZ_TARGETS ?= FuzzMarkdownClaims FuzzTaskMaster FuzzPolicy FuzzConfig FuzzHookInput FuzzCIEvent FuzzReceiptLine FuzzJUnit
FUZZ_RUNS ?= 1000000
# Each target's runs are split over this many processes, one after another (FuzzJUnit needs 2:
# Foundation's XMLParser keeps memory per malformed document, past 2 GiB in about 800,000 inputs).
FUZZ_PARTS ?= 2
FUZZ_FLAGS ?= -timeout=1 -rss_limit_mb=2048 -print_final_stats=1
FUZZ_BIN = Fuzz/.build/release
FUZZ_WORK = Fuzz/.build/fuzz

.PHONY: fuzz fuzz-build

fuzz-build:
	$(SWIFT) build --package-path Fuzz -c release -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library

# New inputs go to $(FUZZ_WORK)/corpus/<target> (the seeds stay as they are); a crash or slow input is
# written to $(FUZZ_WORK)/artifacts/ and stops the run with its path. Swift's own backtracer is off
# so that a runtime trap reaches libFuzzer's handler, which saves the input.
fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_WORK)/corpus/$$t $(FUZZ_WORK)/artifacts; \
	  for part in $$(seq $(FUZZ_PARTS)); do \
	    echo "== $$t: part $$part of $(FUZZ_PARTS), $$(( $(FUZZ_RUNS) / $(FUZZ_PARTS) )) runs"; \
	    SWIFT_BACKTRACE=enable=no $(FUZZ_BIN)/$$t -runs=$$(( $(FUZZ_RUNS) / $(FUZZ_PARTS) )) $(FUZZ_FLAGS) \
	      -artifact_prefix=$(FUZZ_WORK)/artifacts/$$t- $(FUZZ_WORK)/corpus/$$t Tests/FuzzCorpus/$$t || exit 1; \
	  done; \
	done
