# Two commands matter: `make run` starts everything, `make test` runs every test.
# Both install what is missing first (a project virtualenv in .venv, the web assets via npm).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
WEB_STAMP := web/dist/.built

.PHONY: run check test test-fast install web chromium proto proto-check lint imports format typecheck bench bench-execution bench-coach bench-analytics bench-console priors clean test-cgroup2 test-rootless bench-apps bench-datasets test-cluster bench-load
# Later targets declare themselves phony beside their rule (fewer merge conflicts here).
.PHONY: bench-regret bench-serving bench-explain bench-cf

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

$(WEB_STAMP): web/package.json web/package-lock.json $(wildcard web/src/*) $(wildcard web/build.mjs)
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build
	@touch $(WEB_STAMP)

web: $(WEB_STAMP)

run: install web
	$(BIN)/python -m services.supervisor

# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update && apt-get install -y chromium)

# Static checks, all run by `make test`: stubs in sync with the protos, lint, format, the import
# contract (pyproject.toml [tool.importlinter]) and mypy --strict ([tool.mypy]).
check: install
	$(BIN)/python proto/generate.py --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# The slowest tests are listed at the end of every run: the suite must stay well under 20 min.
test: install web chromium check
	$(BIN)/python -m pytest --durations=25

# Unit tests only: no stack, no nats-server, no browser, no sandbox runs (markers from
# tests/support/lanes.py).
test-fast: install
	$(BIN)/python -m pytest -q -m "not integration and not browser and not nats and not sandbox"

# The sandbox tests on a real cgroup v2 kernel: a Debian bookworm VM (debootstrap, cached in
# .cache/cgroup2-vm) booted with qemu; KVM by default, ASCENT_VM_ACCEL=tcg where /dev/kvm
# cannot boot a stock kernel (tests/hosts/cgroup2/, results in services/execution/README.md).
test-cgroup2: install
	tests/hosts/cgroup2/run.sh

# Several hosts on one machine (issue 19): network namespaces for a 3-node NATS cluster and two
# execution hosts, with faults (tests/hosts/cluster; root; results in infra/README.md).
test-cluster: install
	tests/hosts/cluster/run.sh

# Load (issue 19): 200 simulated learners for 300 s against one execution host, then two, on
# the cluster of tests/hosts/cluster (root). Figures: bench/README.md.
bench-load: install
	ip netns del asc-load 2>/dev/null || true
	ip netns add asc-load && nsenter --net=/run/netns/asc-load ip link set lo up
	nsenter --net=/run/netns/asc-load $(BIN)/python bench/bench_load.py; status=$$?; \
	  ip netns del asc-load; exit $$status

# The sandbox tests as a non-root user (rootless mode); DELEGATE=1 gives it a cgroup subtree.
test-rootless: install
	tests/hosts/rootless/run.sh $(if $(DELEGATE),--delegate)

proto: install
	$(BIN)/python proto/generate.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# No service package imports another's (contracts in pyproject.toml, [tool.importlinter]).
imports: install
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# mypy --strict over the project's own code; what it checks and the stub packages it relies on
# are set in pyproject.toml [tool.mypy].
typecheck: install
	$(BIN)/mypy

bench: bench-execution

bench-execution: install
	$(BIN)/python bench/bench_execution.py

# Long console output in headless Chromium (issue 13): run end → lines shown, medians.
bench-console: install web chromium
	$(BIN)/python bench/bench_console.py --runs 5

# The Explorer's first view and profile; the playground's "what if" and the sandbox's first
# curve point, through the stack (issue 14).
# Serving (issue 16): a 30-feature forest through the predict path and the gRPC server.
bench-serving: install
	$(BIN)/python bench/bench_serving.py

bench-apps: install
	$(BIN)/python bench/bench_apps.py --runs 5
	$(BIN)/python bench/bench_apps_playground.py --runs 5
	$(BIN)/python bench/bench_automl.py --budget 30 --runs 1

# Model Explainability Suite (issue 15): the global SHAP view of a tree model on 10,000 rows.
bench-explain: install
	$(BIN)/python bench/bench_explain.py --runs 5

# Datasets of real size (issue 19): upload, first profile view, starter run on 100k and 1M rows.
# -- Time-Series Forecaster (issue 15): five years of daily data end to end, where time goes.
.PHONY: bench-forecast
bench-forecast: install
	$(BIN)/python bench/bench_forecast.py --runs 5

bench-datasets: install
	$(BIN)/python bench/bench_datasets.py --runs 3

bench-analytics: install
	$(BIN)/python bench/bench_analytics.py

# Optional extras (FLAML, statsmodels' bundled datasets) are installed on demand, never by
# `make install`: the runtime does not need them.
bench-coach: install
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python bench/bench_coach.py

# Does the recommender learn? The first proposal's regret as the knowledge base grows, against
# priors only and learning off (issue 20 §2; root for the sandbox; bench/figures/regret.png).
bench-regret: install
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python bench/bench_regret.py

# Collaborative filtering's hit rate for the next challenge vs the skills-only ranking and the
# blend, leave-last-out over generated learner histories on the real curriculum (issue 20 §5).
bench-cf: install
	$(BIN)/python bench/bench_cf.py

# Rebuild the recommender's cold-start priors (services/recommender/priors.json).
priors: install
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python bench/build_priors.py

clean:
	rm -rf .ascent web/dist test-artifacts
