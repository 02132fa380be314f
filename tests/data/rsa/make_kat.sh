#!/usr/bin/env bash
# Regenerates kat.txt: one known-answer signature per RSA algorithm and key, made by the
# OpenSSL CLI (independent of the code under test). Line format, hex fields:
#   ALG MODULUS EXPONENT MESSAGE SIGNATURE
set -euo pipefail
cd "$(dirname "$0")"
msg=$(mktemp)
printf 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJrYXQifQ' >"$msg"
msg_hex=$(xxd -p -c 100000 "$msg")
{
    echo "# made by make_kat.sh with $(openssl version | cut -d' ' -f1-2)"
    for key in key_2049 key_3072_e3 key_4096; do
        n=$(openssl pkey -in "$key.pem" -noout -text | awk '/^modulus:/{f=1;next} /^publicExponent/{f=0} f' | tr -d ' :\n')
        e=$(openssl pkey -in "$key.pem" -noout -text | sed -n 's/^publicExponent: [0-9]* (0x\([0-9a-f]*\))/\1/p')
        [ $(( ${#e} % 2 )) -eq 1 ] && e="0$e"
        for h in 256 384 512; do
            rs=$(openssl dgst -sha$h -sign "$key.pem" "$msg" | xxd -p -c 100000)
            ps=$(openssl dgst -sha$h -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest \
                -sign "$key.pem" "$msg" | xxd -p -c 100000)
            echo "RS$h $n $e $msg_hex $rs"
            echo "PS$h $n $e $msg_hex $ps"
        done
    done
} >kat.txt
rm -f "$msg"
