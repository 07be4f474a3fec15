#!/usr/bin/env bash
# Installs the Debian packages gazsync needs to build, test and run its demo.
# Idempotent: asks apt only for what is missing. Sourced or run by the other
# scripts; needs root (or sudo) only when something is missing.
set -euo pipefail
GS_PACKAGES=(build-essential cmake pkg-config git ca-certificates
  libsqlite3-dev sqlite3 libcurl4-openssl-dev libjansson-dev libcmocka-dev
  libmicrohttpd-dev libpq-dev libinih-dev postgresql postgresql-client
  valgrind procps libclang-rt-14-dev clang python3 curl tzdata
  nodejs node-graphql clang-format dpkg-dev util-linux file)
missing=()
for p in "${GS_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
