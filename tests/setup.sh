#!/usr/bin/env bash
# Installs what iam-pgpass's demo or test suite needs, when it is missing, then
# runs it:  bash tests/setup.sh demo   |   bash tests/setup.sh test
# As root it installs Debian packages with apt-get and Deno from the npm
# registry; otherwise it prints the exact commands to run and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

task="${1:-}"
case "$task" in
  demo)
    packages=(postgresql postgresql-client openssl golang-go
      golang-github-lib-pq-dev golang-github-jackc-pgx-v4-dev) ;;
  test)
    packages=(postgresql postgresql-client openssl util-linux libpam-modules
      python3 python3-psycopg2 python3-psycopg python3-asyncpg
      golang-go golang-github-lib-pq-dev golang-github-jackc-pgx-v4-dev
      libpostgresql-jdbc-java)
    command -v javac >/dev/null 2>&1 || packages+=(default-jdk-headless) ;;
  *)
    echo "usage: bash tests/setup.sh demo|test" >&2
    exit 2 ;;
esac

deno_version=2.9.6
root=false
[ "$(id -u)" = 0 ] && root=true

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
    grep -q 'install ok installed' || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if $root; then
    echo "setup: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages. Run, then try again:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

if ! command -v deno >/dev/null 2>&1; then
  if $root && command -v npm >/dev/null 2>&1; then
    echo "setup: installing Deno $deno_version from the npm registry" >&2
    npm install -g --silent "deno@$deno_version" >/dev/null
  else
    echo "setup: Deno 2 is missing. Install it, then try again:" >&2
    echo "  npm install -g deno@$deno_version" >&2
    exit 1
  fi
fi

exec deno task "$task"
