#!/usr/bin/env bash
# The provisioning walk-through of docs/c-firmware.md, end to end: make a device key, bake it
# into C, build the device program against libciphertoken.a, sign on the "device", verify on
# the "gateway" with the public key only, and check the refusals the guide promises.
#
#   bash examples/provisioning/walkthrough.sh [PROFILE_DIR]
#
# PROFILE_DIR is the cargo output directory holding the `ciphertoken` CLI and
# libciphertoken.a (default: target/debug, built here if missing). Everything is written to a
# temporary directory that is removed on exit; nothing lands in the checkout.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin_dir=${1:-$root/target/debug}
case $bin_dir in /*) ;; *) bin_dir=$PWD/$bin_dir ;; esac   # relative to the caller, made absolute
if [ ! -x "$bin_dir/ciphertoken" ] || [ ! -f "$bin_dir/libciphertoken.a" ]; then
    (cd "$root" && cargo build -q -p ciphertoken-cli -p ciphertoken-ffi)
fi
ct() { "$bin_dir/ciphertoken" "$@"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# expect CODE CMD...: runs CMD, fails the walk-through unless it exits with CODE.
expect() {
    local want=$1 got=0
    shift
    "$@" || got=$?
    if [ "$got" -ne "$want" ]; then
        echo "walkthrough: expected exit $want, got $got: $*" >&2
        exit 1
    fi
    echo "  -> exit $got, as expected"
}

echo "== 0. A device key (private file mode 0600), its kid on stdout"
ct keygen --alg es256 --out sensor-7.pem --pub-out sensor-7.pub.pem
[ "$(stat -c %a sensor-7.pem)" = 600 ]

echo "== 1. Firmware: the private scalar for the device; the public key for a C gateway"
ct key export-c --key-file sensor-7.pem --secret --name device_key --out device_key.h
ct key export-c --key-file sensor-7.pem --name sensor7_pub --out sensor7_pub.h
grep -q 'SENSOR7_PUB_LEN 65' sensor7_pub.h

echo "== 2. Buffer sizes for the device's claims (device.c uses CT_MAX_TOKEN_LEN(160))"
echo '{"fw":"1.4.2"}' | ct size --key-file sensor-7.pem --claims - --iss sensor-7 --sub sensor-7 --aud gateway --exp +5m

echo "== 3. The device signs"
cc -std=c99 -Wall -Wextra -Werror -I"$root/include" -I. "$root/examples/provisioning/device.c" \
    "$bin_dir/libciphertoken.a" -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc -o device
./device > token.jwt

echo "== 4. The gateway verifies with the public key only"
expect 0 ct verify --key-file sensor-7.pub.pem --iss sensor-7 --aud gateway < token.jwt
echo "== ten minutes later: expired"
expect 7 ct verify --key-file sensor-7.pub.pem --iss sensor-7 --aud gateway --now +10m < token.jwt
echo "== another audience"
expect 9 ct verify --key-file sensor-7.pub.pem --iss sensor-7 --aud billing < token.jwt
echo "== another device's key"
ct keygen --alg es256 --out other.pem --pub-out other.pub.pem > /dev/null
expect 6 ct verify --key-file other.pub.pem --iss sensor-7 --aud gateway < token.jwt
echo "== the same refusal as JSON, for scripts"
expect 7 ct --json verify --key-file sensor-7.pub.pem --iss sensor-7 --aud gateway --now +10m < token.jwt
echo "== inspect decodes without verifying, under a banner"
ct inspect < token.jwt

echo "walkthrough: all steps behaved as documented"
