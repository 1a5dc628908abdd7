#!/usr/bin/env bash
# The tool bed: the pulumi CLI, its Python, YAML and Node.js language hosts, livekit-server and
# actionlint built from Go modules into .tools/bin, the Node.js SDK and TypeScript from npm into
# .tools/node, and Debian's redis-server and postgresql. Reruns are no-ops while the pins hold.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$ROOT/.tools/bin"
# The real language host and its runner; .tools/bin/pulumi-language-python is our launcher in front of it.
LIBEXEC="$ROOT/.tools/libexec"
PULUMI_VERSION="3.274.1"
# The language host moved to a module of its own in v3.80.0, which the Go module
# proxy does not serve; v3.79.0 is the newest release that still ships it in sdk/v3.
LANGUAGE_HOST_VERSION="3.79.0"
# Runs `runtime: yaml` programs.
YAML_HOST_VERSION="1.25.0"
# Likewise the Node.js host has had a module of its own, not served, since v3.69.0.
NODEJS_HOST_VERSION="3.68.0"
# @pulumi/pulumi, ts-node and typescript for `runtime: nodejs`, pinned by tools/node/package-lock.json.
NODE_DIR="$ROOT/.tools/node"
LIVEKIT_VERSION="v1.13.5"
# Lints the CI example under examples/ci/.
ACTIONLINT_VERSION="v1.7.12"
STAMP="$ROOT/.tools/stamp"

die() { echo "make tools: $*" >&2; exit 1; }

command -v go >/dev/null 2>&1 || die "Go is not installed. Install Go 1.26 or newer (it builds pulumi and livekit-server from the Go module proxy)."
if ! { command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; }; then
  # Debian's packages, as for redis-server below, when this runs as root.
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "make tools: installing Debian's nodejs and npm"
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm >/dev/null; } \
      || die "apt-get install nodejs npm failed"
  else
    die "node and npm are not installed: run 'sudo apt-get install nodejs npm' (Node.js 20 or newer runs TypeScript programs)"
  fi
fi
GO_VERSION="$(go env GOVERSION)"
WANT="pulumi=$PULUMI_VERSION pulumi-language-python=$LANGUAGE_HOST_VERSION pulumi-language-yaml=$YAML_HOST_VERSION pulumi-language-nodejs=$NODEJS_HOST_VERSION livekit-server=$LIVEKIT_VERSION actionlint=$ACTIONLINT_VERSION $GO_VERSION $(cat "$ROOT"/tools/*/go.sum "$ROOT"/tools/*/*/*.go "$ROOT"/tools/node/package*.json | sha256sum | cut -c1-16)"
mkdir -p "$BIN" "$LIBEXEC"

have_all() {
  for tool in pulumi pulumi-language-python pulumi-resource-pulumi-python pulumi-language-yaml \
      pulumi-language-nodejs pulumi-resource-pulumi-nodejs livekit-server actionlint; do
    [ -x "$BIN/$tool" ] || return 1
  done
  for pkg in @pulumi/pulumi ts-node typescript; do
    [ -f "$NODE_DIR/node_modules/$pkg/package.json" ] || return 1
  done
  for tool in pulumi-language-python pulumi-language-python-exec; do
    [ -x "$LIBEXEC/$tool" ] || return 1
  done
}

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && have_all; then
  echo "make tools: up to date ($WANT)"
else
  rm -f "$STAMP"
  echo "make tools: building pulumi $PULUMI_VERSION from Go modules"
  (cd "$ROOT/tools/pulumi" && CGO_ENABLED=0 go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
    -o "$BIN/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi) \
    || die "building pulumi failed; it needs the Go module proxy (GOPROXY) to be reachable"
  echo "make tools: building pulumi-language-python $LANGUAGE_HOST_VERSION from Go modules"
  (cd "$ROOT/tools/pulumi-language-python" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$LANGUAGE_HOST_VERSION" \
    -o "$LIBEXEC/pulumi-language-python" github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python) \
    || die "building pulumi-language-python failed; it needs the Go module proxy (GOPROXY) to be reachable"
  # The launcher also runs Python policy packs (RunPlugin), which the v3.79.0 host predates.
  echo "make tools: building the launcher that passes Pulumi.yaml's virtualenv to the language host and runs policy packs"
  (cd "$ROOT/tools/pulumi-language-python" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" \
    -o "$BIN/pulumi-language-python" ./launcher) \
    || die "building the language-host launcher failed"
  # The runner (next to the language host) and the dynamic-provider launcher are scripts inside the sdk/v3 module.
  SDK_DIR="$(cd "$ROOT/tools/pulumi" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"
  install -m 0755 "$SDK_DIR/python/cmd/pulumi-language-python-exec" "$LIBEXEC/pulumi-language-python-exec"
  rm -f "$BIN/pulumi-language-python-exec"  # left by older beds; the host looks next to itself
  install -m 0755 "$SDK_DIR/python/dist/pulumi-resource-pulumi-python" "$BIN/pulumi-resource-pulumi-python"

  echo "make tools: building pulumi-language-yaml $YAML_HOST_VERSION from Go modules"
  (cd "$ROOT/tools/pulumi-language-yaml" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$YAML_HOST_VERSION" \
    -o "$BIN/pulumi-language-yaml" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml) \
    || die "building pulumi-language-yaml failed; it needs the Go module proxy (GOPROXY) to be reachable"
  echo "make tools: building pulumi-language-nodejs $NODEJS_HOST_VERSION from Go modules"
  (cd "$ROOT/tools/pulumi-language-nodejs" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$NODEJS_HOST_VERSION" \
    -o "$BIN/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs) \
    || die "building pulumi-language-nodejs failed; it needs the Go module proxy (GOPROXY) to be reachable"
  # Starts TypeScript dynamic providers; resolves @pulumi/pulumi from the program's node_modules.
  install -m 0755 "$SDK_DIR/nodejs/dist/pulumi-resource-pulumi-nodejs" "$BIN/pulumi-resource-pulumi-nodejs"
  echo "make tools: installing @pulumi/pulumi, ts-node and typescript from npm into .tools/node"
  mkdir -p "$NODE_DIR"
  install -m 0644 "$ROOT/tools/node/package.json" "$ROOT/tools/node/package-lock.json" "$NODE_DIR/"
  npm ci --prefix "$NODE_DIR" --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null \
    || die "npm ci in .tools/node failed; it needs the npm registry to be reachable"

  echo "make tools: installing livekit-server $LIVEKIT_VERSION from Go modules"
  CGO_ENABLED=0 GOBIN="$BIN" go install "github.com/livekit/livekit-server/cmd/server@$LIVEKIT_VERSION" \
    || die "installing livekit-server failed; it needs the Go module proxy (GOPROXY) to be reachable"
  mv -f "$BIN/server" "$BIN/livekit-server"
  echo "make tools: installing actionlint $ACTIONLINT_VERSION from Go modules"
  CGO_ENABLED=0 GOBIN="$BIN" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" \
    || die "installing actionlint failed; it needs the Go module proxy (GOPROXY) to be reachable"
  echo "$WANT" > "$STAMP"
fi

# Debian packages: Redis for livekit-server, PostgreSQL for the team-backend tests.
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -n "$PG_BIN" ] && [ -x "$PG_BIN/postgres" ] || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "make tools: installing Debian's ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; } \
      || die "apt-get install ${missing[*]} failed"
  else
    die "${missing[*]} not installed: run 'sudo apt-get install ${missing[*]}'"
  fi
fi
"$BIN/pulumi" version >/dev/null || die "$BIN/pulumi does not run"
echo "make tools: pulumi $("$BIN/pulumi" version), livekit-server $("$BIN/livekit-server" --version | awk '{print $NF}'), $(redis-server --version | awk '{print $3}')"
