# Entry points. Every target sets up .venv/ from requirements.lock first, so a fresh
# machine with only python3 needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SNAKEMAKE := $(BIN)/snakemake
CORES ?= 4
# CONFIG=their.yaml runs the workflow on the cohorts of that file alone (README, "Your own cohort").
CONFIG ?=
CONFIG_ARGS = $(if $(CONFIG),--configfile $(CONFIG) --replace-workflow-config,)
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
# This machine's pip config names local mirrors that may be absent; their warnings are noise.
QUIET_PIP := grep --line-buffered -v 'is ignored: it is neither a file nor a directory' || true

.PHONY: setup run test lint report golden bench synth test-slurm lock clean unlock bad-inputs-doc browser screenshots

# After a failed run: a lock left in .snakemake/locks is either another run's (still going) or a
# killed run's. Snakemake refuses to start in both cases; this says what to do in the second.
LOCK_HINT = if ls .snakemake/locks/*.lock >/dev/null 2>&1; then \
	  echo >&2 "pppflow: this folder is locked by another Snakemake run. If none is running (a killed run leaves its lock behind), remove the lock with: make unlock"; fi

setup: $(STAMP)

# The first run spends a minute or two here: it says so, and pip shows each package it installs.
$(STAMP): requirements.lock
	@echo "pppflow: setting up the environment in $(VENV)/ from requirements.lock (first run only; a minute or two)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar off -r requirements.lock 2>&1 | { $(QUIET_PIP); }
	@echo "pppflow: environment ready"
	touch $@

run: $(STAMP)
	@$(SNAKEMAKE) --workflow-profile profiles/default --cores $(CORES) $(CONFIG_ARGS) || { status=$$?; $(LOCK_HINT); exit $$status; }

# Removes the lock a killed run left behind. Only when no other run is going in this folder.
unlock: $(STAMP)
	$(SNAKEMAKE) --workflow-profile profiles/default --unlock $(CONFIG_ARGS)

test: $(STAMP) lint browser
	$(BIN)/python -m pytest -q -rs tests

# Headless Chromium and its driver for the browser test and `make screenshots`, from Debian's
# packages, installed when missing (needs root and apt, as CI has).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  echo "pppflow: installing chromium and chromium-driver (apt) for the browser test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }

# Screenshots of each cohort's summary, chart index and a chart page, and of the report, as
# headless Chromium shows them offline; and each summary printed to PDF: results/screenshots/.
screenshots: report browser
	$(BIN)/python tools/screenshots.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakefmt --check Snakefile rules
	$(SNAKEMAKE) --lint

# Runs the workflow, then writes the self-contained HTML report (opens with no network).
report: $(STAMP)
	$(SNAKEMAKE) --workflow-profile profiles/default --cores $(CORES) $(CONFIG_ARGS)
	$(SNAKEMAKE) --workflow-profile profiles/default --report results/report.html $(CONFIG_ARGS)

# Regenerate tests/golden/ on purpose after an intended change; review `git diff tests/golden`.
golden: $(STAMP)
	$(BIN)/python tools/golden.py

# docs/bad-inputs.md from the bad-input cases the tests run (tests/bad_input_cases.py).
bad-inputs-doc: $(STAMP)
	$(BIN)/python tools/bad_inputs_doc.py

# A draft claims file from a paper's plain text: every number of its prose with its sentence and a
# guessed kind, refers_to left to complete, `draft: true` until reviewed. MEASURE=claims.yaml
# also prints how many of a reviewed file's numbers the draft finds.
.PHONY: claims
claims: $(STAMP)
	$(BIN)/python tools/draft_claims.py --paper $(PAPER) --cohort $(COHORT) \
	  --out results/drafts/$(COHORT)/claims.yaml $(if $(MEASURE),--measure $(MEASURE),)

# A seeded synthetic cohort of N patients (CSV below 100k, parquet from there on), then the
# workflow on that cohort alone. PLANT=1 plants known errors: the run then stops at validation
# listing exactly $(SYNTH_DIR)/expected_failures.csv. ARMS=2: a randomised placebo/active trial
# (region stratum, placebo switching to active after week 16), under results/synth/n$(N)_arms2.
N ?= 10000
SEED ?= 0
ARMS ?= 1
SYNTH_DIR = results/synth/n$(N)$(if $(filter 2,$(ARMS)),_arms2,)

synth: $(STAMP)
	$(BIN)/python tools/synth.py --patients $(N) --seed $(SEED) --out $(SYNTH_DIR) --arms $(ARMS) $(if $(PLANT),--plant-errors,)
	$(SNAKEMAKE) --workflow-profile profiles/default --cores $(CORES) \
	  --configfile $(SYNTH_DIR)/config.yaml --replace-workflow-config

# Default cohort cold / no-op / one process, synthetic 10k-100k-1M end to end, polars vs pandas:
# written to docs/benchmarks.md. Runs in copies under /tmp (about 4 minutes on 2 cores).
bench: $(STAMP)
	$(BIN)/python bench/run_bench.py --cores 2 --out docs/benchmarks.md

# Opt-in (not part of `make test`): a real single-node SLURM cluster on localhost runs the
# workflow through profiles/slurm, and its results are compared with a local run's. Needs root
# and apt (it installs slurm-wlm, slurmdbd, munge, mariadb-server). See docs/slurm.md.
test-slurm: $(STAMP)
	tests/slurm/run_slurm_test.sh

lock:
	$(PYTHON) -m venv /tmp/pppflow-lock-venv
	/tmp/pppflow-lock-venv/bin/python -m pip install --quiet -r requirements.in
	( echo '# Generated by `make lock` from requirements.in: the exact versions every environment installs.'; \
	  /tmp/pppflow-lock-venv/bin/python -m pip freeze --exclude pip ) > requirements.lock

clean:
	rm -rf results logs benchmarks .snakemake
