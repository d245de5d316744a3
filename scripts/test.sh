#!/usr/bin/env bash
# The whole test suite: static checks, unit tests (Vitest, Node) and end-to-end tests (Playwright on
# Debian's Chromium). Installs Chromium with apt-get when it is missing, and PostgreSQL likewise:
# a throwaway cluster runs for the unit tests, whose API storage tests run on SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/test-postgres.sh

if [ ! -x /usr/bin/chromium ]; then
	echo "test: /usr/bin/chromium is missing; installing Debian's chromium package with apt-get (needs root)…"
	if [ "$(id -u)" -ne 0 ]; then
		echo "test: not root: install it with 'sudo apt-get update && sudo apt-get install -y chromium'" >&2
		exit 1
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
	echo "test: chromium installed: $(/usr/bin/chromium --version 2>/dev/null || echo unknown version)"
fi

rm -rf test-results
mkdir -p test-results

# The app is built into, and served from, test-results/app (svelte.config.js), not .svelte-kit and
# build/: `npm start` may be serving those meanwhile. Sync first: tsconfig.json extends
# .svelte-kit/tsconfig.json, which the build reads even when it writes elsewhere.
test_build=test-results/app

# Each phase says how long it took: the whole suite must stay under 15 minutes on a 2-core machine.
phase_name=
phase_started=$SECONDS
phase() {
	if [ -n "$phase_name" ]; then
		echo "test: $phase_name took $((SECONDS - phase_started)) s (suite so far: $SECONDS s)"
	fi
	phase_name=$1
	phase_started=$SECONDS
	[ -z "$1" ] || echo "== $1"
}

phase "build (wasm, CLI, API + app)"
npx svelte-kit sync
FERRY_BUILD_DIR=$test_build npm run --silent build

phase "static checks (types and lint side by side)"
# Side by side: each leaves a core idle much of its time, and together they took a tenth of the suite.
npm run --silent check >test-results/check.log 2>&1 &
check_pid=$!
npm run --silent lint >test-results/lint.log 2>&1 &
lint_pid=$!
check_status=0
wait "$check_pid" || check_status=$?
lint_status=0
wait "$lint_pid" || lint_status=$?
cat test-results/check.log test-results/lint.log
if [ "$check_status" -ne 0 ] || [ "$lint_status" -ne 0 ]; then
	echo "test: static checks failed (types: exit $check_status, lint: exit $lint_status)" >&2
	exit 1
fi

phase "unit tests (vitest; the API's storage on SQLite and on a throwaway PostgreSQL)"
trap stop_test_postgres EXIT
start_test_postgres
unit_status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/unit.json || unit_status=$?
stop_test_postgres

phase "end-to-end tests (playwright, chromium)"
e2e_status=0
FERRY_BUILD_DIR=$test_build npx playwright test || e2e_status=$?

phase ""

summary_status=0
node scripts/test-summary.mjs test-results/unit.json test-results/e2e.json || summary_status=$?
if [ "$unit_status" -ne 0 ] || [ "$e2e_status" -ne 0 ] || [ "$summary_status" -ne 0 ]; then
	exit 1
fi
