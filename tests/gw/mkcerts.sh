#!/bin/sh
# mkcerts.sh DIR - test certificates for the SIP TLS transport and the daemon's end-to-end tests.
#
#   ca.pem ca.key        the test CA
#   gw.pem gw.key        the gateway: CN gw.test, SAN DNS:gw.test, IP:127.0.0.1 (signed by the CA)
#   um.pem um.key        a peer: CN um.test, SAN DNS:um.test, IP:127.0.0.1 (signed by the CA)
#   pbx.pem pbx.key      another peer: CN pbx.test, SAN DNS:pbx.test (signed by the CA)
#   rogue.pem rogue.key  self-signed, CN um.test, SAN DNS:um.test, IP:127.0.0.1 (not from the CA)
#
# EC P-256 keys, valid 10 days.  Quiet; does nothing when DIR/ca.pem exists.
set -eu

dir=${1:?usage: mkcerts.sh DIR}
[ -f "$dir/ca.pem" ] && exit 0
mkdir -p "$dir"
OPENSSL=${OPENSSL:-openssl}
days=10
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mkcerts.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

key() {
	"$OPENSSL" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
	chmod 600 "$1"
}

# self-signed: name cn san basic-constraints key-usage
selfsigned() {
	key "$tmp/$1.key"
	"$OPENSSL" req -x509 -new -key "$tmp/$1.key" -days $days -subj "/CN=$2" \
		-addext "subjectAltName=$3" -addext "basicConstraints=critical,$4" -addext "keyUsage=critical,$5" \
		-out "$tmp/$1.pem" 2>/dev/null
}

# signed by the CA: name cn san
leaf() {
	key "$tmp/$1.key"
	"$OPENSSL" req -new -key "$tmp/$1.key" -subj "/CN=$2" -out "$tmp/$1.csr" 2>/dev/null
	printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n%s\n' \
		"$3" 'extendedKeyUsage=serverAuth,clientAuth' > "$tmp/$1.ext"
	"$OPENSSL" x509 -req -in "$tmp/$1.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial \
		-CAserial "$tmp/ca.srl" -days $days -extfile "$tmp/$1.ext" -out "$tmp/$1.pem" 2>/dev/null
}

selfsigned ca "gw test CA" "DNS:ca.test" "CA:TRUE" "keyCertSign,cRLSign"
leaf gw gw.test "DNS:gw.test,IP:127.0.0.1"
leaf um um.test "DNS:um.test,IP:127.0.0.1"
leaf pbx pbx.test "DNS:pbx.test"
selfsigned rogue um.test "DNS:um.test,IP:127.0.0.1" "CA:FALSE" "digitalSignature"

# ca.pem last: its presence means the set is complete
for f in gw um pbx rogue ca; do
	cp "$tmp/$f.key" "$dir/$f.key"
	cp "$tmp/$f.pem" "$dir/$f.pem"
done
