//! base64url: decoding accepts exactly the canonical unpadded encodings (the `base64` crate
//! with its strict engine is the model) and re-encodes to the same text; encoding matches the
//! model and decodes back; short buffers give `BufferTooSmall` with the size and no output.
#![no_main]

use ciphertoken::hazmat::base64url::{decode, decoded_len_max, encode, encoded_len};
use ciphertoken::Error;
use ciphertoken_fuzz::{b64d, b64e};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // Decode arbitrary text.
    let max = decoded_len_max(data.len());
    let mut buf = vec![0u8; max];
    let got = decode(data, &mut buf).map(<[u8]>::to_vec);
    let want = std::str::from_utf8(data).ok().and_then(b64d);
    match (&got, &want) {
        (Ok(g), Some(w)) => {
            assert_eq!(g, w);
            assert!(g.len() <= max);
            // Canonical: the decoded bytes encode back to exactly the input.
            let mut again = vec![0u8; data.len()];
            assert_eq!(encode(g, &mut again), Ok(data.len()));
            assert_eq!(again, data);
        }
        (Err(Error::InvalidBase64), None) => {}
        _ => panic!("decode {:?}: {got:?}, model {want:?}", String::from_utf8_lossy(data)),
    }
    if max > 0 {
        let mut short = vec![0xA5u8; max - 1];
        assert_eq!(decode(data, &mut short), Err(Error::BufferTooSmall { needed: max }));
        assert!(short.iter().all(|&b| b == 0xA5), "decode wrote into a short buffer");
    }

    // Encode arbitrary bytes.
    let n = encoded_len(data.len()).unwrap_or_else(|| panic!("encoded_len overflow"));
    let mut out = vec![0u8; n + 3];
    assert_eq!(encode(data, &mut out), Ok(n));
    let text = &out[..n];
    assert_eq!(text, b64e(data).as_bytes());
    assert!(out[n..].iter().all(|&b| b == 0), "encode wrote past its length");
    let mut back = vec![0u8; decoded_len_max(n)];
    assert_eq!(decode(text, &mut back).map(<[u8]>::to_vec), Ok(data.to_vec()));
    if n > 0 {
        let mut short = vec![0xA5u8; n - 1];
        assert_eq!(encode(data, &mut short), Err(Error::BufferTooSmall { needed: n }));
        assert!(short.iter().all(|&b| b == 0xA5), "encode wrote into a short buffer");
    }
});
