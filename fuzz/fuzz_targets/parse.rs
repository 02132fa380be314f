//! Header and claims parsing and the strict JSON reader, against the serde_json model:
//! `json::parse_object` accepts exactly the strict objects and reports the same members;
//! `Header::parse`, `RegisteredClaims::parse` and `Validation::validate` (every policy) agree
//! with `ciphertoken_fuzz::model`.
#![no_main]

use ciphertoken::hazmat::json::{self, Value};
use ciphertoken::{Error, FixedClock, Header, RegisteredClaims};
use ciphertoken_fuzz::model::{self, HeaderVerdict, Policy, Strict, J, POLICIES};
use ciphertoken_fuzz::NOW;

/// Whether ciphertoken's value equals the model's, recursively.
fn same(v: Value<'_>, j: &J) -> bool {
    match (v, j) {
        (Value::Null, J::Null) => true,
        (Value::Bool(a), J::Bool(b)) => a == *b,
        (Value::Number(n), J::U64(m)) => json::parse_u64(n) == Some(*m),
        (Value::Number(n), J::OtherNumber) => json::parse_u64(n).is_none(),
        (Value::String(s), J::Str(m)) => {
            let decoded: String = s.chars().collect();
            let mut buf = vec![0u8; s.unescaped_len()];
            let exact = s.unescape_into(&mut buf).map(str::to_owned);
            // A buffer one byte short is refused with the exact size, never cut.
            if !m.is_empty() {
                let mut short = vec![0u8; m.len() - 1];
                assert_eq!(s.unescape_into(&mut short), Err(Error::BufferTooSmall { needed: m.len() }));
            }
            decoded == *m && exact.as_deref() == Ok(m.as_str()) && s.eq_str(m) && s.unescaped_len() == m.len()
        }
        (Value::Array(text), J::Arr(items)) => {
            let got: Vec<_> = json::array_elements(text).collect();
            got.len() == items.len()
                && got.into_iter().zip(items).all(|(g, i)| matches!(g, Ok(g) if same(g, i)))
        }
        (Value::Object(text), J::Obj(_)) => members_match(text.as_bytes(), j),
        _ => false,
    }
}

fn members_match(bytes: &[u8], j: &J) -> bool {
    let J::Obj(members) = j else { return false };
    let mut i = 0;
    let mut ok = true;
    let res = json::parse_object(bytes, |name, value| {
        match members.get(i) {
            Some((k, v)) => ok &= name.eq_str(k) && same(value, v),
            None => ok = false,
        }
        i += 1;
        Ok(())
    });
    res.is_ok() && ok && i == members.len()
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let verdict = model::strict_object(data);
    let ct = json::parse_object(data, |_, _| Ok(()));
    match &verdict {
        Strict::Unknown => return,
        Strict::Valid(obj) => {
            assert_eq!(ct, Ok(()), "strict reader refused a strict object");
            assert!(members_match(data, obj), "members differ from the model's");
        }
        Strict::Invalid => assert_eq!(ct, Err(Error::InvalidJson), "strict reader accepted a bad object"),
    }

    // Header::parse.
    let header = Header::parse(data);
    match (&verdict, &header) {
        (Strict::Valid(obj), _) => match (model::header(obj), &header) {
            (HeaderVerdict::DependsOnBuild, _) => {}
            (HeaderVerdict::Accept(m), Ok(h)) => {
                assert_eq!(h.alg.name(), m.alg);
                assert!(model::same_str(h.kid, &m.kid), "kid {:?} vs {:?}", h.kid, m.kid);
                assert!(model::same_str(h.typ, &m.typ), "typ {:?} vs {:?}", h.typ, m.typ);
            }
            (HeaderVerdict::Refuse, Err(_)) => {}
            (m, h) => panic!("Header::parse: {h:?}, model: {m:?}"),
        },
        (_, h) => assert!(h.is_err(), "Header::parse accepted a bad object: {h:?}"),
    }

    // RegisteredClaims::parse and every validation policy.
    let claims = RegisteredClaims::parse(data);
    let model_claims = match &verdict {
        Strict::Valid(obj) => model::claims(obj),
        _ => None,
    };
    match (&claims, &model_claims) {
        (Ok(c), Some(m)) => {
            model::assert_same_claims(c, m);
            for i in 0..POLICIES {
                let p = Policy::pick(i);
                let got = p.validation().validate(c, &FixedClock(NOW));
                assert_eq!(got.is_ok(), p.claims_ok(m, NOW), "policy {p:?}: {got:?} for {m:?}");
            }
        }
        (Err(_), None) => {}
        (c, m) => panic!("RegisteredClaims::parse: {c:?}, model: {m:?}"),
    }
});
