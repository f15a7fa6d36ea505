# lib.sh - helpers for the collector test scripts (POSIX sh).  Source it:
#
#   . "$CHORUS_SOURCE/tests/collect/lib.sh"
#   start_server [--tls] [server.py options...]
#   ... "$CHORUS" collect ... "$BASE/api/v1/timelines/public" ...
#
# ctest sets CHORUS, PYTHON3, CHORUS_SOURCE, CHORUS_TEST_DIR, CHORUS_BUILD
# (tests/CMakeLists.txt).  Exit status 77 means skipped.
#
# start_server  makes $CHORUS_TEST_DIR (emptied first), starts
#               tests/collect/server.py in the background (log in
#               $CHORUS_TEST_DIR/server.log, its stderr in server.err), waits
#               up to 10 s for its port and exports
#                 BASE=http://127.0.0.1:PORT   SERVER_LOG   SERVER_PID
#               and with --tls (a throw-away CA and a certificate for
#               127.0.0.1 and localhost, made with openssl in that folder):
#                 TLSBASE=https://127.0.0.1:TLSPORT   CA=<the CA file>
#               Further arguments go to server.py (--seed, --posts).  The
#               server stops when the script exits (trap).
# stop_server   stops it (called by the EXIT trap).
# skip "why"    prints why and exits 77.
# fail "why"    prints why and exits 1.
# server_control PATH [POST]  GET (or POST) $BASE/PATH with python3, body on
#               stdout (POST /control/reset, GET /control/log).

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

: "${CHORUS_SOURCE:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${CHORUS_TEST_DIR:=${TMPDIR:-/tmp}/chorus-collect-test.$$}"
: "${PYTHON3:=python3}"
case $PYTHON3 in
*NOTFOUND*|'') PYTHON3=python3 ;;
esac

# The tests talk to 127.0.0.1 only: no proxy in between.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY

SERVER_PID=

make_certs() {
	command -v openssl >/dev/null 2>&1 || skip "openssl is not installed"
	(
		cd "$CHORUS_TEST_DIR" || exit 1
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout ca.key -out ca.pem -days 2 -subj "/CN=chorus test CA" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" &&
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout server.key -out server.csr -subj "/CN=127.0.0.1" &&
		printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" \
			"basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" \
			"extendedKeyUsage=serverAuth" > server.ext &&
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-out server.pem -days 2 -extfile server.ext
	) > "$CHORUS_TEST_DIR/openssl.log" 2>&1 || fail "openssl could not make the test certificates (see $CHORUS_TEST_DIR/openssl.log)"
}

start_server() {
	command -v "$PYTHON3" >/dev/null 2>&1 || skip "python3 is not installed"
	tls=
	if [ "${1:-}" = --tls ]; then
		tls=1
		shift
	fi
	case $CHORUS_TEST_DIR in
	''|/|.|..) fail "CHORUS_TEST_DIR='$CHORUS_TEST_DIR' is no place for a throw-away folder" ;;
	esac
	rm -rf "$CHORUS_TEST_DIR"
	mkdir -p "$CHORUS_TEST_DIR" || fail "cannot make $CHORUS_TEST_DIR"
	set --  --port-file "$CHORUS_TEST_DIR/port" --log "$CHORUS_TEST_DIR/server.log" "$@"
	if [ -n "$tls" ]; then
		make_certs
		set -- "$@" --tls-cert "$CHORUS_TEST_DIR/server.pem" --tls-key "$CHORUS_TEST_DIR/server.key"
	fi
	"$PYTHON3" "$CHORUS_SOURCE/tests/collect/server.py" "$@" 2> "$CHORUS_TEST_DIR/server.err" &
	SERVER_PID=$!
	trap stop_server EXIT
	trap 'exit 1' HUP INT TERM
	n=0
	while [ ! -s "$CHORUS_TEST_DIR/port" ]; do
		kill -0 "$SERVER_PID" 2>/dev/null || fail "the test server died: $(cat "$CHORUS_TEST_DIR/server.err")"
		n=$((n + 1))
		[ $n -le 100 ] || fail "the test server did not start within 10 s"
		sleep 0.1
	done
	PORT=$(sed -n 1p "$CHORUS_TEST_DIR/port")
	BASE="http://127.0.0.1:$PORT"
	SERVER_LOG="$CHORUS_TEST_DIR/server.log"
	export PORT BASE SERVER_LOG SERVER_PID
	if [ -n "$tls" ]; then
		TLSPORT=$(sed -n 2p "$CHORUS_TEST_DIR/port")
		TLSBASE="https://127.0.0.1:$TLSPORT"
		CA="$CHORUS_TEST_DIR/ca.pem"
		export TLSPORT TLSBASE CA
	fi
}

stop_server() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
		SERVER_PID=
	fi
}

server_control() {
	"$PYTHON3" - "$BASE/$1" "${2:-GET}" <<'EOF'
import sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
req = urllib.request.Request(sys.argv[1], method=sys.argv[2], data=b"" if sys.argv[2] == "POST" else None)
sys.stdout.write(opener.open(req, timeout=10).read().decode())
EOF
}
