# A throwaway PostgreSQL cluster for the test run (sourced by scripts/test.sh):
#   start_test_postgres   installs Debian's postgresql with apt-get when missing (needs root), runs
#                         initdb into a temporary directory, starts it on a free loopback port and
#                         exports FERRY_TEST_POSTGRES (the URL of an empty database)
#   stop_test_postgres    stops the cluster and removes its directory
# The cluster listens on 127.0.0.1 only and trusts local connections: it holds nothing but tests.
# PostgreSQL refuses to run as root, so as root it runs as the `postgres` user the package creates.

test_postgres_dir=""

test_postgres_bin() {
	# The newest installed major version, whichever Debian ships.
	ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

test_postgres_as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

start_test_postgres() {
	local bin port
	bin=$(test_postgres_bin)
	if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
		echo "test: PostgreSQL is missing; installing Debian's postgresql package with apt-get (needs root)…"
		if [ "$(id -u)" -ne 0 ]; then
			echo "test: not root: install it with 'sudo apt-get update && sudo apt-get install -y postgresql'" >&2
			return 1
		fi
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
		bin=$(test_postgres_bin)
		echo "test: postgresql installed: $("$bin/postgres" --version)"
	fi

	test_postgres_dir=$(mktemp -d "${TMPDIR:-/tmp}/ferry-postgres.XXXXXX")
	chmod 755 "$test_postgres_dir"
	if [ "$(id -u)" -eq 0 ]; then chown postgres: "$test_postgres_dir"; fi
	port=$(node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")

	# C locale: text sorts by byte, as SQLite sorts it. fsync off: the cluster dies with the run.
	test_postgres_as_owner "$bin/initdb" --pgdata="$test_postgres_dir/data" --username=ferry \
		--auth=trust --no-locale --encoding=UTF8 >"$test_postgres_dir/initdb.log"
	test_postgres_as_owner "$bin/pg_ctl" --pgdata="$test_postgres_dir/data" \
		--log="$test_postgres_dir/server.log" --wait --silent \
		--options="-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories='$test_postgres_dir' -c fsync=off -c max_connections=200" \
		start
	test_postgres_as_owner "$bin/createdb" --host=127.0.0.1 --port="$port" --username=ferry ferry_test
	export FERRY_TEST_POSTGRES="postgres://ferry@127.0.0.1:$port/ferry_test"
	echo "test: $("$bin/postgres" --version) on $FERRY_TEST_POSTGRES ($test_postgres_dir)"
}

stop_test_postgres() {
	if [ -z "$test_postgres_dir" ]; then return 0; fi
	test_postgres_as_owner "$(test_postgres_bin)/pg_ctl" --pgdata="$test_postgres_dir/data" \
		--mode=immediate --wait --silent stop || true
	rm -rf "$test_postgres_dir"
	test_postgres_dir=""
}
