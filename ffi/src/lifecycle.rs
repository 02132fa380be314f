//! `ct_issuer`: the token life cycle from C (the core's `CipherToken`): access/refresh
//! pairs, verification against a revocation list and token versions, refresh rotation with
//! reuse detection, logout, and signing-key rotation with a grace window.

use crate::key::{ct_key, key_ref, Key, CT_KEY_SIZE};
use crate::keyset::add_to;
use crate::object::{self, fits, Object};
use crate::random::{ct_random_fn, ct_version_fn, CallbackRng, CallbackVersions};
use crate::raw::{disjoint, guard, input, input_str, non_null, output, write_out};
use crate::revocation::{ct_revocation_list, known_time, list_mut, list_ref, CT_REVOCATION_LIST_SIZE};
use crate::signer::IssuerKey;
use crate::status::{
    check, ct_status, from_error, CT_STATUS_INVALID_ARGUMENT, CT_STATUS_RANDOM_UNAVAILABLE,
    CT_STATUS_VERIFY_ONLY_KEY,
};
use crate::token::{ct_verify_claims_cap, deliver_payload, finish_token, token_body};
use crate::validation::Text;
use ciphertoken::lifecycle::{self, CipherToken, Subject, TokenPair};
use ciphertoken::{
    Error, FixedClock, KeyId, KeySet, NoRevocation, RandomId, RevocationStore, SigningKey, UnixSeconds,
};
use core::ffi::{c_char, c_void};
use core::mem::size_of;
use zeroize::Zeroize;

/// Keys an issuer verifies with: its signing key and up to `CT_ISSUER_MAX_KEYS - 1`
/// previous ones still in their rotation windows.
pub const CT_ISSUER_MAX_KEYS: usize = 4;

/// Bytes of storage a `ct_issuer` needs (`sizeof(ct_issuer)`).
pub const CT_ISSUER_SIZE: usize = 1408;

/// The default access-token lifetime of `ct_issuer_init`: 10 minutes.
pub const CT_ISSUER_DEFAULT_ACCESS_TTL: u64 = 600;

/// The default refresh-token lifetime of `ct_issuer_init`: 7 days.
pub const CT_ISSUER_DEFAULT_REFRESH_TTL: u64 = 604_800;

/// The longest subject (`sub`) of the life cycle, in bytes.
pub const CT_MAX_SUBJECT_LEN: usize = 256;

/// The length of the random ids the issuer generates: every `jti` and family id (`fam`).
pub const CT_RANDOM_ID_LEN: usize = 22;

// The header's numbers are the core's.
const _: () = assert!(CT_ISSUER_DEFAULT_ACCESS_TTL == lifecycle::DEFAULT_ACCESS_TTL);
const _: () = assert!(CT_ISSUER_DEFAULT_REFRESH_TTL == lifecycle::DEFAULT_REFRESH_TTL);
const _: () = assert!(CT_MAX_SUBJECT_LEN == lifecycle::MAX_SUBJECT_LEN);
const _: () = assert!(CT_RANDOM_ID_LEN == ciphertoken::RANDOM_ID_LEN);

/// Previous signing keys kept for their rotation windows.
const PREVIOUS_KEYS: usize = 3;
const _: () = assert!(PREVIOUS_KEYS + 1 == CT_ISSUER_MAX_KEYS);

/// Caller-allocated storage for an issuer and verifier of access and refresh tokens: the
/// signing key, the keys of its rotation windows, the lifetimes, the leeway and the
/// expected `iss` and `aud`. Opaque: initialize it with `ct_issuer_init`, configure it with
/// the `ct_issuer_set_*` calls, erase it with `ct_issuer_wipe` (it holds key copies). No
/// pointer, no heap memory; align it like `uint64_t`. Only `ct_issuer_init`, the setters,
/// `ct_issuer_rotate_key` and `ct_issuer_wipe` modify it: the other calls may share one
/// issuer, also concurrently.
///
/// Its tokens carry `"type":"access"` or `"type":"refresh"`, `iat`, `exp`, and when given
/// `sub`, `ver`, `iss`, `aud`, `jti` and the login's family id `fam`, followed by the
/// application's claims. Verifying requires `exp`, `iat` and the right `type` (an access
/// token is refused where a refresh token is expected and vice versa, with
/// `CT_STATUS_WRONG_TOKEN_USE`), and `iss`/`aud` when set.
#[repr(C)]
pub struct ct_issuer {
    _opaque: [u64; 176],
}

/// What `ct_issuer` storage holds.
pub(crate) struct Issuer {
    signing: IssuerKey,
    previous: KeySet<PREVIOUS_KEYS>,
    access_ttl: u64,
    refresh_ttl: u64,
    leeway: u64,
    issuer: Text,
    audience: Text,
}

// SAFETY: the storage holds a `Slot<Issuer>` (asserted below); the magic is unique.
unsafe impl Object for ct_issuer {
    type Value = Issuer;
    const MAGIC: u64 = u64::from_le_bytes(*b"ctissue1");
}

// Keys are the core's prepared keys, whose size does not depend on the core's `rsa` feature.
const _: () = assert!(fits::<ct_issuer>());
const _: () = assert!(size_of::<ct_issuer>() == CT_ISSUER_SIZE);

type Lifecycle<'i> = CipherToken<'i, FixedClock, CT_ISSUER_MAX_KEYS, IssuerKey>;

impl Issuer {
    /// The core's issuer at `now_unix` (0, "time unknown", is refused: every token of the life
    /// cycle has `iat` and `exp`).
    fn at(&self, now_unix: u64) -> Result<Lifecycle<'_>, ct_status> {
        let now = known_time(now_unix)?;
        let mut ct = check(CipherToken::new(self.signing.clone(), FixedClock(now)))?
            .access_ttl(self.access_ttl)
            .refresh_ttl(self.refresh_ttl)
            .leeway(self.leeway);
        if let Some(iss) = self.issuer.get()? {
            ct = ct.issuer(iss);
        }
        if let Some(aud) = self.audience.get()? {
            ct = ct.audience(aud);
        }
        check(add_to(&self.previous, ct.keys_mut()))?;
        Ok(ct)
    }
}

/// The size in bytes of `ct_issuer` (equal to `CT_ISSUER_SIZE`). Its alignment is that of
/// `uint64_t`.
#[no_mangle]
pub extern "C" fn ct_issuer_size() -> usize {
    CT_ISSUER_SIZE
}

/// A memory region a call reads or writes.
type Region = (*const u8, usize);

/// Fails with `CT_STATUS_INVALID_ARGUMENT` unless every region of `outputs` (written) is
/// disjoint from the other outputs and from every region of `inputs` (only read).
fn exclusive(outputs: &[Region], inputs: &[Region]) -> Result<(), ct_status> {
    for (i, &(p, len)) in outputs.iter().enumerate() {
        for &(q, q_len) in outputs.iter().skip(i.saturating_add(1)).chain(inputs) {
            disjoint(p, len, q, q_len)?;
        }
    }
    Ok(())
}

/// An optional input region (NULL: none).
fn optional(ptr: *const u8, len: usize) -> Region {
    if ptr.is_null() {
        (ptr, 0)
    } else {
        (ptr, len)
    }
}

/// The subject of new tokens: `sub` (NULL: none; otherwise 1 to `CT_MAX_SUBJECT_LEN` bytes of
/// UTF-8) and `ver` (NULL: none).
///
/// # Safety
/// `sub` NULL or readable for `sub_len` bytes; `ver` NULL or readable for 8 bytes.
unsafe fn subject<'a>(sub: *const c_char, sub_len: usize, ver: *const u64) -> Result<Subject<'a>, ct_status> {
    let sub = if sub.is_null() {
        None
    } else {
        // SAFETY: readable per the caller.
        let sub = unsafe { input_str(sub, sub_len) }?;
        if sub.is_empty() {
            return Err(CT_STATUS_INVALID_ARGUMENT);
        }
        Some(sub)
    };
    // SAFETY: readable per the caller; C need not have aligned it.
    let ver = (!ver.is_null()).then(|| unsafe { ver.read_unaligned() });
    Ok(Subject { sub, ver })
}

/// Initializes `issuer` with a copy of `signing_key` (a private key or HMAC secret:
/// `CT_STATUS_VERIFY_ONLY_KEY` for a public key) and the defaults: access tokens live
/// `CT_ISSUER_DEFAULT_ACCESS_TTL` seconds (10 minutes), refresh tokens
/// `CT_ISSUER_DEFAULT_REFRESH_TTL` (7 days), no leeway, no `iss`, no `aud`. The key needs a
/// `kid` (`ct_key_set_kid`) before `ct_issuer_rotate_key` can replace it. Overwrites
/// whatever `issuer` held; on failure it is untouched.
///
/// # Safety
/// `issuer` points to `CT_ISSUER_SIZE` writable bytes; `signing_key` to an initialized
/// `ct_key` outside them.
#[no_mangle]
pub unsafe extern "C" fn ct_issuer_init(issuer: *mut ct_issuer, signing_key: *const ct_key) -> ct_status {
    guard(|| {
        non_null(&[issuer.cast(), signing_key.cast()])?;
        disjoint(issuer.cast(), CT_ISSUER_SIZE, signing_key.cast(), CT_KEY_SIZE)?;
        // SAFETY: `signing_key` points to a `ct_key` (caller) outside `issuer` (checked).
        let Key::Signing(key) = unsafe { key_ref(signing_key) }? else {
            return Err(CT_STATUS_VERIFY_ONLY_KEY);
        };
        // SAFETY: `issuer` non-null and writable (caller); `key` is not used after this.
        unsafe { init_issuer(issuer, IssuerKey::Key(key.clone())) }
    })
}

/// Installs a fresh issuer signing with `signing`, with the defaults of `ct_issuer_init`.
///
/// # Safety
/// `issuer` non-null, pointing to `CT_ISSUER_SIZE` writable bytes nothing else accesses.
pub(crate) unsafe fn init_issuer(issuer: *mut ct_issuer, signing: IssuerKey) -> Result<(), ct_status> {
    let value = Issuer {
        signing,
        previous: KeySet::new(),
        access_ttl: CT_ISSUER_DEFAULT_ACCESS_TTL,
        refresh_ttl: CT_ISSUER_DEFAULT_REFRESH_TTL,
        leeway: 0,
        issuer: Text::EMPTY,
        audience: Text::EMPTY,
    };
    // SAFETY: per the caller.
    unsafe { object::install(issuer, value) }
}

/// Stores `value` (unless it is an error) in the number `field` selects.
///
/// # Safety
/// `issuer` NULL or pointing to a `ct_issuer` nothing else accesses.
unsafe fn set_number(
    issuer: *mut ct_issuer,
    value: Result<u64, ct_status>,
    field: fn(&mut Issuer) -> &mut u64,
) -> ct_status {
    guard(|| {
        non_null(&[issuer.cast()])?;
        // SAFETY: `issuer` non-null and writable (caller).
        let state = unsafe { object::get_mut(issuer) }?;
        *field(state) = value?;
        Ok(())
    })
}

/// A lifetime in seconds: 0 would issue tokens that are expired when issued.
fn lifetime(seconds: u64) -> Result<u64, ct_status> {
    if seconds == 0 {
        Err(CT_STATUS_INVALID_ARGUMENT)
    } else {
        Ok(seconds)
    }
}

/// Sets the access-token lifetime (seconds, at least 1; 5 to 15 minutes is typical).
/// `CT_STATUS_INVALID_ARGUMENT` for 0.
///
/// # Safety
/// `issuer` points to an initialized `ct_issuer`.
#[no_mangle]
pub unsafe extern "C" fn ct_issuer_set_access_ttl(issuer: *mut ct_issuer, seconds: u64) -> ct_status {
    // SAFETY: forwarded caller contract.
    unsafe { set_number(issuer, lifetime(seconds), |i| &mut i.access_ttl) }
}

/// Sets the refresh-token lifetime (seconds, at least 1). `CT_STATUS_INVALID_ARGUMENT` for 0.
///
/// # Safety
/// `issuer` points to an initialized `ct_issuer`.
#[no_mangle]
pub unsafe extern "C" fn ct_issuer_set_refresh_ttl(issuer: *mut ct_issuer, seconds: u64) -> ct_status {
    // SAFETY: forwarded caller contract.
    unsafe { set_number(issuer, lifetime(seconds), |i| &mut i.refresh_ttl) }
}

/// Tolerates `seconds` of clock skew when verifying (default 0).
///
/// # Safety
/// `issuer` points to an initialized `ct_issuer`.
#[no_mangle]
pub unsafe extern "C" fn ct_issuer_set_leeway(issuer: *mut ct_issuer, seconds: u32) -> ct_status {
    // SAFETY: forwarded caller contract.
    unsafe { set_number(issuer, Ok(u64::from(seconds)), |i| &mut i.leeway) }
}

/// Copies `(text, len)` into the `Text` that `field` selects.
///
/// # Safety
/// `issuer` as for `set_number`; `text` NULL or readable for `len` bytes.
unsafe fn set_text(
    issuer: *mut ct_issuer,
    text: *const c_char,
    len: usize,
    field: fn(&mut Issuer) -> &mut Text,
) -> ct_status {
    guard(|| {
        non_null(&[issuer.cast(), text.cast()])?;
        disjoint(issuer.cast(), CT_ISSUER_SIZE, text.cast(), len)?;
        // SAFETY: readable for `len` bytes (caller), outside `issuer` (checked).
        let text = unsafe { input_str(text, len) }?;
        // SAFETY: `issuer` non-null and writable (caller).
        field(unsafe { object::get_mut(issuer) }?).set(text)
    })
}

/// Sets the issuer `iss` (`len` bytes of UTF-8, 1 to `CT_VALIDATION_MAX_VALUE_LEN`; copied):
/// written into every token and required when verifying. `CT_STATUS_TOO_LONG`,
/// `CT_STATUS_INVALID_ARGUMENT` (empty), `CT_STATUS_INVALID_UTF8`; on failure nothing changes.
///
/// # Safety
/// `issuer` points to an initialized `ct_issuer`; `iss` to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_issuer_set_issuer(
    issuer: *mut ct_issuer,
    iss: *const c_char,
    len: usize,
) -> ct_status {
    // SAFETY: forwarded caller contract.
    unsafe { set_text(issuer, iss, len, |i| &mut i.issuer) }
}

/// Sets the audience `aud`: written into every token and required when verifying. As
/// `ct_issuer_set_issuer` otherwise.
///
/// # Safety
/// `issuer` points to an initialized `ct_issuer`; `aud` to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_issuer_set_audience(
    issuer: *mut ct_issuer,
    aud: *const c_char,
    len: usize,
) -> ct_status {
    // SAFETY: forwarded caller contract.
    unsafe { set_text(issuer, aud, len, |i| &mut i.audience) }
}

/// Issues an access token at `now_unix` (0: `CT_STATUS_TIME_UNAVAILABLE`) for the subject
/// `sub` (`sub_len` bytes of UTF-8, 1 to `CT_MAX_SUBJECT_LEN`; NULL for none) with the
/// token version `*ver` (NULL for none), carrying the application claims `claims_json`: a
/// JSON object (`"{}"` for none), validated strictly (`CT_STATUS_INVALID_JSON`) and copied
/// verbatim after the registered claims. It must not use a registered name (`iss`, `sub`,
/// `aud`, `exp`, `nbf`, `iat`, `jti`, `type`, `ver`, `fam`): `CT_STATUS_INVALID_CLAIM`.
///
/// With a `random` callback the token gets a random `jti` (so `ct_issuer_revoke` can revoke
/// it); with NULL it has none. Outputs as for `ct_sign`: the token and a NUL in `out`, its
/// length in `*out_len`; if `out_cap` is too small, `CT_STATUS_BUFFER_TOO_SMALL` with the
/// capacity needed in `*out_len` and `out` untouched.
///
/// # Safety
/// `issuer` points to a `ct_issuer`; `random` follows `ct_random_fn`'s contract (or is NULL);
/// `sub` to `sub_len` readable bytes (or NULL); `ver` to a `uint64_t` (or NULL);
/// `claims_json` to `claims_len` readable bytes; `out` to `out_cap` writable bytes
/// overlapping none of them; `out_len` to a `size_t`.
#[no_mangle]
pub unsafe extern "C" fn ct_issuer_issue_access(
    issuer: *const ct_issuer,
    now_unix: u64,
    random: ct_random_fn,
    random_ctx: *mut c_void,
    sub: *const c_char,
    sub_len: usize,
    ver: *const u64,
    claims_json: *const u8,
    claims_len: usize,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> ct_status {
    guard(|| {
        non_null(&[issuer.cast(), claims_json.cast(), out.cast_const().cast(), out_len.cast_const().cast()])?;
        let out = out.cast::<u8>();
        exclusive(
            &[(out, out_cap)],
            &[
                (issuer.cast(), CT_ISSUER_SIZE),
                (claims_json, claims_len),
                optional(sub.cast(), sub_len),
                optional(ver.cast(), size_of::<u64>()),
            ],
        )?;
        // SAFETY: the inputs are readable (caller) and outside `out` (checked).
        let (state, subject, claims) =
            unsafe { (object::get(issuer)?, subject(sub, sub_len, ver)?, input(claims_json, claims_len)?) };
        // SAFETY: writable for `out_cap` bytes (caller), disjoint from the inputs (checked).
        let out = unsafe { output(out, out_cap) }?;
        let ct = state.at(now_unix)?;
        let mut rng = random.map(|f| CallbackRng::new(Some(f), random_ctx)).transpose()?;
        let jti = match rng.as_mut() {
            Some(rng) => Some(check(RandomId::generate(rng))?),
            None => None,
        };
        let jti = jti.as_ref().map(RandomId::as_str);
        let result = ct.issue_access_json(subject, jti, claims, token_body(out)).map(str::len);
        // SAFETY: `out_len` non-null and writable (caller).
        unsafe { finish_token(out, result, out_len) }
    })
}

/// `TokenPair` lengths written to the C outputs (each token followed by its NUL), or on
/// `BufferTooSmall` the capacities `needed` (NUL included).
///
/// # Safety
/// `lens` non-null and writable.
unsafe fn finish_pair(
    outs: (&mut [u8], &mut [u8]),
    result: Result<(usize, usize), Error>,
    needed: [usize; 2],
    lens: (*mut usize, *mut usize),
) -> Result<(), ct_status> {
    match result {
        Ok((a, r)) => {
            // SAFETY: forwarded caller contract.
            unsafe {
                finish_token(outs.0, Ok(a), lens.0)?;
                finish_token(outs.1, Ok(r), lens.1)
            }
        }
        Err(Error::BufferTooSmall { .. }) => {
            // SAFETY: forwarded caller contract.
            unsafe {
                write_out(lens.0, needed[0].saturating_add(1));
                write_out(lens.1, needed[1].saturating_add(1));
            }
            Err(from_error(Error::BufferTooSmall { needed: 0 }))
        }
        Err(e) => Err(from_error(e)),
    }
}

fn pair_lens(pair: TokenPair<'_, '_>) -> (usize, usize) {
    (pair.access.len(), pair.refresh.len())
}

/// Issues a new login at `now_unix`: an access token and a refresh token with random `jti`s
/// and a new random family id (`fam`) from `random` (required here), for `sub`, `*ver` and
/// `claims_json` as in `ct_issuer_issue_access`.
///
/// On success both outputs hold their token and a NUL, `*access_len` and `*refresh_len`
/// their lengths. If either buffer is too small, `CT_STATUS_BUFFER_TOO_SMALL`, both
/// `*access_len` and `*refresh_len` receive the capacities needed, nothing is written and
/// `random` is not called. A failing `random` gives `CT_STATUS_RANDOM_UNAVAILABLE`.
///
/// # Safety
/// As `ct_issuer_issue_access`, with two output buffers (disjoint from each other) and
/// their `size_t` lengths.
#[no_mangle]
pub unsafe extern "C" fn ct_issuer_issue_pair(
    issuer: *const ct_issuer,
    now_unix: u64,
    random: ct_random_fn,
    random_ctx: *mut c_void,
    sub: *const c_char,
    sub_len: usize,
    ver: *const u64,
    claims_json: *const u8,
    claims_len: usize,
    access_out: *mut c_char,
    access_cap: usize,
    access_len: *mut usize,
    refresh_out: *mut c_char,
    refresh_cap: usize,
    refresh_len: *mut usize,
) -> ct_status {
    guard(|| {
        non_null(&[
            issuer.cast(),
            claims_json.cast(),
            access_out.cast_const().cast(),
            access_len.cast_const().cast(),
            refresh_out.cast_const().cast(),
            refresh_len.cast_const().cast(),
        ])?;
        let mut rng = CallbackRng::new(random, random_ctx)?;
        let (access_out, refresh_out) = (access_out.cast::<u8>(), refresh_out.cast::<u8>());
        exclusive(
            &[(access_out, access_cap), (refresh_out, refresh_cap)],
            &[
                (issuer.cast(), CT_ISSUER_SIZE),
                (claims_json, claims_len),
                optional(sub.cast(), sub_len),
                optional(ver.cast(), size_of::<u64>()),
            ],
        )?;
        // SAFETY: the inputs are readable (caller) and outside the outputs (checked).
        let (state, subject, claims) =
            unsafe { (object::get(issuer)?, subject(sub, sub_len, ver)?, input(claims_json, claims_len)?) };
        // SAFETY: writable (caller), disjoint from each other and the inputs (checked).
        let (access, refresh) =
            unsafe { (output(access_out, access_cap)?, output(refresh_out, refresh_cap)?) };
        let ct = state.at(now_unix)?;
        let mut needed = [0; 2];
        let bodies = (token_body(access), token_body(refresh));
        let result = ct.issue_pair_json(&mut rng, subject, claims, bodies, &mut needed).map(pair_lens);
        if rng.failed() && result.is_ok() {
            // Not reachable through the core (it only asks fallibly); refuse all the same.
            access.zeroize();
            refresh.zeroize();
            return Err(CT_STATUS_RANDOM_UNAVAILABLE);
        }
        // SAFETY: the lengths are non-null and writable (caller).
        unsafe { finish_pair((access, refresh), result, needed, (access_len, refresh_len)) }
    })
}

/// Verifies `token` as a token of `token_type` and delivers its claims like `ct_verify`.
///
/// # Safety
/// As `ct_issuer_verify_access`.
#[allow(clippy::too_many_arguments)]
unsafe fn verify_typed(
    token_type: &'static str,
    issuer: *const ct_issuer,
    now_unix: u64,
    list: *const ct_revocation_list,
    version: ct_version_fn,
    version_ctx: *mut c_void,
    token: *const c_char,
    token_len: usize,
    (claims_out, claims_cap, claims_len): (*mut u8, usize, *mut usize),
) -> ct_status {
    guard(|| {
        non_null(&[
            issuer.cast(),
            token.cast(),
            claims_out.cast_const().cast(),
            claims_len.cast_const().cast(),
        ])?;
        let token = token.cast::<u8>();
        exclusive(
            &[(claims_out, claims_cap)],
            &[
                (issuer.cast(), CT_ISSUER_SIZE),
                (token, token_len),
                optional(list.cast(), CT_REVOCATION_LIST_SIZE),
            ],
        )?;
        // SAFETY: the inputs are readable (caller) and outside `claims_out` (checked).
        let (state, token) = unsafe { (object::get(issuer)?, input(token, token_len)?) };
        let store: &dyn RevocationStore = if list.is_null() {
            &NoRevocation
        } else {
            // SAFETY: non-null, pointing to a `ct_revocation_list` (caller).
            unsafe { list_ref(list) }?
        };
        // SAFETY: writable for `claims_cap` bytes (caller), disjoint from the inputs (checked).
        let out = unsafe { output(claims_out, claims_cap) }?;
        let ct = state.at(now_unix)?;
        let versions = CallbackVersions::new(version, version_ctx);
        let result = ct
            .verify_as(token, token_type, store, &versions, &mut *out)
            .map(|verified| verified.payload_range());
        // SAFETY: `claims_len` non-null and writable (caller).
        versions.outcome(unsafe { deliver_payload(out, token_len, result, claims_len) })
    })
}

/// Verifies an access token at `now_unix` (0: `CT_STATUS_TIME_UNAVAILABLE`): the signature,
/// with the key its `kid` selects among the issuer's keys (the signing key and the previous
/// ones still in their rotation windows: `CT_STATUS_UNKNOWN_KEY` otherwise); the claims
/// (`"type":"access"`: a refresh token gives `CT_STATUS_WRONG_TOKEN_USE`; `exp` and `iat`
/// required; `iss`/`aud` when set); its `jti` and family against `list`
/// (`CT_STATUS_REVOKED`; NULL: no revocation check); and its `ver` against the subject's
/// current version from `version` (`CT_STATUS_STALE_VERSION` when older,
/// `CT_STATUS_MISSING_CLAIM` when absent for a tracked subject; NULL: no version check).
///
/// Outputs exactly as for `ct_verify`: the verified claims JSON and a NUL in `claims_out`
/// (`CT_VERIFY_CLAIMS_CAP(token_len)` bytes are always enough), its length in
/// `*claims_len`; the decoding region is zeroed after any other failure.
///
/// # Safety
/// `issuer` points to a `ct_issuer`, `list` to a `ct_revocation_list` (or NULL), `version`
/// follows `ct_version_fn`'s contract (or is NULL), `token` points to `token_len` readable
/// bytes, `claims_out` to `claims_cap` writable bytes overlapping none of them, and
/// `claims_len` to a `size_t`.
#[no_mangle]
pub unsafe extern "C" fn ct_issuer_verify_access(
    issuer: *const ct_issuer,
    now_unix: u64,
    list: *const ct_revocation_list,
    version: ct_version_fn,
    version_ctx: *mut c_void,
    token: *const c_char,
    token_len: usize,
    claims_out: *mut u8,
    claims_cap: usize,
    claims_len: *mut usize,
) -> ct_status {
    let outs = (claims_out, claims_cap, claims_len);
    // SAFETY: forwarded caller contract.
    unsafe {
        verify_typed(lifecycle::ACCESS, issuer, now_unix, list, version, version_ctx, token, token_len, outs)
    }
}

/// Verifies a refresh token without using it (`"type":"refresh"`: an access token gives
/// `CT_STATUS_WRONG_TOKEN_USE`). As `ct_issuer_verify_access` otherwise.
///
/// # Safety
/// As `ct_issuer_verify_access`.
#[no_mangle]
pub unsafe extern "C" fn ct_issuer_verify_refresh(
    issuer: *const ct_issuer,
    now_unix: u64,
    list: *const ct_revocation_list,
    version: ct_version_fn,
    version_ctx: *mut c_void,
    token: *const c_char,
    token_len: usize,
    claims_out: *mut u8,
    claims_cap: usize,
    claims_len: *mut usize,
) -> ct_status {
    let outs = (claims_out, claims_cap, claims_len);
    // SAFETY: forwarded caller contract.
    unsafe {
        verify_typed(lifecycle::REFRESH, issuer, now_unix, list, version, version_ctx, token, token_len, outs)
    }
}

/// The `scratch` work buffer of calls that verify without returning claims: at least
/// `ct_verify_claims_cap(token_len)` bytes (`CT_STATUS_INVALID_ARGUMENT` otherwise).
fn scratch_fits(scratch_cap: usize, token_len: usize) -> Result<(), ct_status> {
    if scratch_cap < ct_verify_claims_cap(token_len) {
        Err(CT_STATUS_INVALID_ARGUMENT)
    } else {
        Ok(())
    }
}

/// Uses the refresh token `refresh_token` at `now_unix` (refresh rotation): verifies it like
/// `ct_issuer_verify_refresh` (it must also have a `jti` and a `fam`), records it in `list`
/// as used until it expires (single use), and issues a new pair in the same family, for the
/// same `sub` and `ver`, carrying the same application claims (verbatim), with new random
/// `jti`s from `random`.
///
/// Presenting a refresh token that was already used is reuse (it may have been stolen): its
/// whole family (every token of that login, access tokens included) is revoked in `list`
/// and the call returns `CT_STATUS_REFRESH_TOKEN_REUSED` (OAuth 2.0 Security BCP, RFC 9700
/// §4.14.2). A token of a revoked family gives `CT_STATUS_REVOKED`. A full list gives
/// `CT_STATUS_STORE_FULL` and no new pair.
///
/// `scratch` is the decoding buffer (`CT_VERIFY_CLAIMS_CAP(refresh_token_len)` bytes at
/// least, `CT_STATUS_INVALID_ARGUMENT` otherwise); it is zeroed before the call returns.
/// Outputs as for `ct_issuer_issue_pair`. Buffer sizes and `random` are checked before the
/// presented token is used up: after `CT_STATUS_BUFFER_TOO_SMALL` (both lengths written) or
/// `CT_STATUS_RANDOM_UNAVAILABLE` it can be presented again.
///
/// # Safety
/// `issuer` points to a `ct_issuer`, `list` to a `ct_revocation_list`, `version` and
/// `random` follow their contracts (`version` may be NULL), `refresh_token` points to
/// `refresh_token_len` readable bytes, `scratch`, `access_out` and `refresh_out` to
/// `scratch_cap`, `access_cap` and `refresh_cap` writable bytes overlapping each other and
/// the inputs nowhere, the lengths to `size_t`s.
#[no_mangle]
pub unsafe extern "C" fn ct_issuer_rotate(
    issuer: *const ct_issuer,
    now_unix: u64,
    list: *mut ct_revocation_list,
    version: ct_version_fn,
    version_ctx: *mut c_void,
    random: ct_random_fn,
    random_ctx: *mut c_void,
    refresh_token: *const c_char,
    refresh_token_len: usize,
    scratch: *mut u8,
    scratch_cap: usize,
    access_out: *mut c_char,
    access_cap: usize,
    access_len: *mut usize,
    refresh_out: *mut c_char,
    refresh_cap: usize,
    refresh_len: *mut usize,
) -> ct_status {
    guard(|| {
        non_null(&[
            issuer.cast(),
            list.cast_const().cast(),
            refresh_token.cast(),
            scratch.cast_const().cast(),
            access_out.cast_const().cast(),
            access_len.cast_const().cast(),
            refresh_out.cast_const().cast(),
            refresh_len.cast_const().cast(),
        ])?;
        let mut rng = CallbackRng::new(random, random_ctx)?;
        let (access_out, refresh_out) = (access_out.cast::<u8>(), refresh_out.cast::<u8>());
        let token = refresh_token.cast::<u8>();
        exclusive(
            &[
                (list.cast_const().cast(), CT_REVOCATION_LIST_SIZE),
                (scratch, scratch_cap),
                (access_out, access_cap),
                (refresh_out, refresh_cap),
            ],
            &[(issuer.cast(), CT_ISSUER_SIZE), (token, refresh_token_len)],
        )?;
        scratch_fits(scratch_cap, refresh_token_len)?;
        // SAFETY: the inputs are readable (caller) and outside every output (checked).
        let (state, token) = unsafe { (object::get(issuer)?, input(token, refresh_token_len)?) };
        // SAFETY: `list` points to a `ct_revocation_list` (caller) that nothing else here
        // accesses (checked); the buffers are writable and pairwise disjoint (checked).
        let (list, scratch, access, refresh) = unsafe {
            (
                list_mut(list)?,
                output(scratch, scratch_cap)?,
                output(access_out, access_cap)?,
                output(refresh_out, refresh_cap)?,
            )
        };
        let versions = CallbackVersions::new(version, version_ctx);
        let result = state.at(now_unix).and_then(|ct| {
            let mut needed = [0; 2];
            let bodies = (token_body(access), token_body(refresh));
            let result = ct
                .rotation_json(token, (list, &versions, &mut rng), scratch, bodies, &mut needed)
                .map(pair_lens);
            // SAFETY: the lengths are non-null and writable (caller).
            unsafe { finish_pair((access, refresh), result, needed, (access_len, refresh_len)) }
        });
        scratch.zeroize();
        if rng.failed() && result.is_ok() {
            // Not reachable through the core (it only asks fallibly); refuse all the same.
            access.zeroize();
            refresh.zeroize();
            return Err(CT_STATUS_RANDOM_UNAVAILABLE);
        }
        versions.outcome(result)
    })
}

/// Logout: verifies `token` (an access or refresh token of this issuer, with the checks of
/// `ct_issuer_verify_access` except `type`, revocation and versions) and records its `jti`
/// in `list` as revoked until it expires. `CT_STATUS_MISSING_CLAIM` for a token without
/// `jti` (tokens of `ct_issuer_issue_access` without `random`); `CT_STATUS_STORE_FULL`.
/// `scratch` as for `ct_issuer_rotate` (zeroed before the call returns).
///
/// # Safety
/// `issuer` points to a `ct_issuer`, `list` to a `ct_revocation_list`, `token` to
/// `token_len` readable bytes, `scratch` to `scratch_cap` writable bytes; no overlaps.
#[no_mangle]
pub unsafe extern "C" fn ct_issuer_revoke(
    issuer: *const ct_issuer,
    now_unix: u64,
    list: *mut ct_revocation_list,
    token: *const c_char,
    token_len: usize,
    scratch: *mut u8,
    scratch_cap: usize,
) -> ct_status {
    guard(|| {
        non_null(&[issuer.cast(), list.cast_const().cast(), token.cast(), scratch.cast_const().cast()])?;
        let token = token.cast::<u8>();
        exclusive(
            &[(list.cast_const().cast(), CT_REVOCATION_LIST_SIZE), (scratch, scratch_cap)],
            &[(issuer.cast(), CT_ISSUER_SIZE), (token, token_len)],
        )?;
        scratch_fits(scratch_cap, token_len)?;
        // SAFETY: readable (caller), outside the outputs (checked).
        let (state, token) = unsafe { (object::get(issuer)?, input(token, token_len)?) };
        // SAFETY: writable, exclusive and disjoint (caller, checked).
        let (list, scratch) = unsafe { (list_mut(list)?, output(scratch, scratch_cap)?) };
        let result = state.at(now_unix).and_then(|ct| check(ct.revoke(token, list, scratch)));
        scratch.zeroize();
        result
    })
}

/// Revokes a whole login: every token of the family `family` (the `fam` claim, `len` bytes;
/// read it from verified claims with `ct_claims_get_str`), until the longest lifetime any of
/// them can have (`now_unix` + refresh lifetime + leeway). `CT_STATUS_STORE_FULL`.
///
/// # Safety
/// `issuer` points to a `ct_issuer`, `list` to a `ct_revocation_list`, `family` to `len`
/// readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_issuer_revoke_family(
    issuer: *const ct_issuer,
    now_unix: u64,
    list: *mut ct_revocation_list,
    family: *const c_char,
    len: usize,
) -> ct_status {
    guard(|| {
        non_null(&[issuer.cast(), list.cast_const().cast(), family.cast()])?;
        exclusive(
            &[(list.cast_const().cast(), CT_REVOCATION_LIST_SIZE)],
            &[(issuer.cast(), CT_ISSUER_SIZE), (family.cast(), len)],
        )?;
        // SAFETY: readable (caller), outside the list (checked).
        let (state, family) = unsafe { (object::get(issuer)?, input_str(family, len)?) };
        // SAFETY: `list` writable and exclusive (caller, checked).
        let list = unsafe { list_mut(list) }?;
        let ct = state.at(now_unix)?;
        check(ct.revoke_family(family, list))
    })
}

/// Rotates the signing key at `now_unix`: new tokens are signed with a copy of `next` (a
/// private key or HMAC secret with a `kid` distinct from the issuer's other keys:
/// `CT_STATUS_INVALID_KEY_ID` otherwise, also when the current key has no `kid`;
/// `CT_STATUS_VERIFY_ONLY_KEY` for a public key), and tokens of the current key keep
/// verifying while `now < now_unix + grace_seconds`, then only `next`'s. Keys whose window
/// has closed are dropped first; `CT_STATUS_STORE_FULL` when `CT_ISSUER_MAX_KEYS` keys would
/// still be in use. On failure the issuer is unchanged.
///
/// # Safety
/// `issuer` points to an initialized `ct_issuer`; `next` to an initialized `ct_key` outside it.
#[no_mangle]
pub unsafe extern "C" fn ct_issuer_rotate_key(
    issuer: *mut ct_issuer,
    now_unix: u64,
    next: *const ct_key,
    grace_seconds: u64,
) -> ct_status {
    guard(|| {
        non_null(&[issuer.cast(), next.cast()])?;
        disjoint(issuer.cast(), CT_ISSUER_SIZE, next.cast(), CT_KEY_SIZE)?;
        // SAFETY: `next` points to a `ct_key` (caller) outside the issuer (checked).
        let Key::Signing(next) = unsafe { key_ref(next) }? else {
            return Err(CT_STATUS_VERIFY_ONLY_KEY);
        };
        // SAFETY: `issuer` non-null and writable (caller).
        let state = unsafe { object::get_mut(issuer) }?;
        let now = known_time(now_unix)?;
        // The core decides (kid rules, capacity, window); the stored state then follows it.
        check(state.at(now)?.rotate_key(IssuerKey::Key(next.clone()), grace_seconds))?;
        retire_current(state, next.clone(), now, grace_seconds)
    })
}

/// The core's `rotate_key` on the stored state: drop the closed windows, keep the current
/// key for `grace` seconds, sign with `next`.
fn retire_current(
    state: &mut Issuer,
    next: SigningKey,
    now: UnixSeconds,
    grace: u64,
) -> Result<(), ct_status> {
    state.previous.prune(now);
    let current = check(ciphertoken::JwsSigner::verifier(&state.signing))?;
    let kid = current.kid().map(KeyId::new).transpose().map_err(from_error)?;
    check(state.previous.insert(current))?;
    if let Some(kid) = kid {
        check(state.previous.retire(kid.as_str(), now.saturating_add(grace)))?;
    }
    state.signing = IssuerKey::Key(next);
    Ok(())
}

/// Erases an issuer (every byte, keys included). Afterwards calls with it return
/// `CT_STATUS_UNINITIALIZED`. Safe on a wiped or never-initialized issuer; does nothing for
/// NULL or misaligned pointers.
///
/// # Safety
/// `issuer` is NULL or points to `CT_ISSUER_SIZE` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ct_issuer_wipe(issuer: *mut ct_issuer) {
    // SAFETY: forwarded caller contract.
    unsafe { object::wipe(issuer) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_is_tight() {
        assert_eq!(ct_issuer_size(), size_of::<ct_issuer>());
        let used = size_of::<crate::object::Slot<Issuer>>();
        assert!(used <= CT_ISSUER_SIZE && CT_ISSUER_SIZE - used < CT_ISSUER_SIZE / 8, "{used}");
    }

    unsafe extern "C" fn counter_rng(ctx: *mut c_void, out: *mut u8, len: usize) -> ct_status {
        // SAFETY: the test passes a `u8` counter as `ctx`; the library `len` writable bytes.
        unsafe {
            let next = &mut *ctx.cast::<u8>();
            for i in 0..len {
                *next = next.wrapping_add(1);
                out.add(i).write(*next);
            }
        }
        crate::status::CT_STATUS_OK
    }

    /// The whole boundary once (also under miri): objects in caller storage, callbacks,
    /// pair, verification into the caller's buffer, rotation, reuse, key rotation.
    #[test]
    fn login_refresh_reuse_and_key_rotation_through_the_abi() {
        use crate::key::ct_key_hs256;
        use crate::revocation::ct_revocation_list_init;
        use crate::status::*;
        use core::mem::MaybeUninit;

        let mut keys = [MaybeUninit::<ct_key>::zeroed(), MaybeUninit::<ct_key>::zeroed()];
        let mut issuer = MaybeUninit::<ct_issuer>::zeroed();
        let mut list = MaybeUninit::<ct_revocation_list>::zeroed();
        let mut counter = 0u8;
        let rng_ctx = core::ptr::addr_of_mut!(counter).cast::<c_void>();
        let (mut a, mut r, mut a2, mut r2) = ([0u8; 400], [0u8; 400], [0u8; 400], [0u8; 400]);
        let (mut al, mut rl, mut al2, mut rl2) = (0usize, 0usize, 0usize, 0usize);
        let mut scratch = [0x5Au8; 400];
        let mut claims = [0u8; 400];
        let mut claims_len = 0usize;
        let (i, l) = (issuer.as_mut_ptr(), list.as_mut_ptr());
        // SAFETY: local storage and buffers with their true lengths; callbacks of the right type.
        unsafe {
            for (k, (byte, kid)) in keys.iter_mut().zip([(1u8, c"k1"), (2, c"k2")]) {
                assert_eq!(ct_key_hs256(k.as_mut_ptr(), [byte; 32].as_ptr(), 32), CT_STATUS_OK);
                assert_eq!(crate::key::ct_key_set_kid(k.as_mut_ptr(), kid.as_ptr(), 2), CT_STATUS_OK);
            }
            assert_eq!(ct_issuer_init(i, keys[0].as_ptr()), CT_STATUS_OK);
            assert_eq!(ct_revocation_list_init(l), CT_STATUS_OK);
            let sub = c"ann";
            let app = br#"{"role":"x"}"#;
            let status = ct_issuer_issue_pair(
                i,
                1_000,
                Some(counter_rng),
                rng_ctx,
                sub.as_ptr(),
                3,
                core::ptr::null(),
                app.as_ptr(),
                app.len(),
                a.as_mut_ptr().cast(),
                a.len(),
                &mut al,
                r.as_mut_ptr().cast(),
                r.len(),
                &mut rl,
            );
            assert_eq!(status, CT_STATUS_OK);
            let verify = |token: &[u8], now: u64, claims: &mut [u8], len: &mut usize| {
                ct_issuer_verify_access(
                    i,
                    now,
                    l,
                    None,
                    core::ptr::null_mut(),
                    token.as_ptr().cast(),
                    token.len(),
                    claims.as_mut_ptr(),
                    claims.len(),
                    len,
                )
            };
            assert_eq!(verify(&a[..al], 1_001, &mut claims, &mut claims_len), CT_STATUS_OK);
            let text = core::str::from_utf8(&claims[..claims_len]).unwrap();
            assert!(text.starts_with(r#"{"sub":"ann","#) && text.ends_with(r#""type":"access","role":"x"}"#));
            assert_eq!(claims[claims_len], 0);

            let mut rotate = |refresh: &[u8], out: (&mut [u8], &mut usize, &mut [u8], &mut usize)| {
                ct_issuer_rotate(
                    i,
                    1_002,
                    l,
                    None,
                    core::ptr::null_mut(),
                    Some(counter_rng),
                    rng_ctx,
                    refresh.as_ptr().cast(),
                    refresh.len(),
                    scratch.as_mut_ptr(),
                    scratch.len(),
                    out.0.as_mut_ptr().cast(),
                    out.0.len(),
                    out.1,
                    out.2.as_mut_ptr().cast(),
                    out.2.len(),
                    out.3,
                )
            };
            let refresh = r;
            assert_eq!(rotate(&refresh[..rl], (&mut a2, &mut al2, &mut r2, &mut rl2)), CT_STATUS_OK);
            assert_eq!(
                rotate(&refresh[..rl], (&mut a, &mut al, &mut r, &mut rl)),
                CT_STATUS_REFRESH_TOKEN_REUSED
            );
            assert!(scratch.iter().all(|&b| b == 0), "scratch erased");
            assert_eq!(verify(&a2[..al2], 1_003, &mut claims, &mut claims_len), CT_STATUS_REVOKED);

            // Key rotation: the new key signs, the old one verifies during its window.
            let issue = |now: u64, out: &mut [u8], len: &mut usize| {
                ct_issuer_issue_access(
                    i,
                    now,
                    None,
                    core::ptr::null_mut(),
                    core::ptr::null(),
                    0,
                    core::ptr::null(),
                    b"{}".as_ptr(),
                    2,
                    out.as_mut_ptr().cast(),
                    out.len(),
                    len,
                )
            };
            assert_eq!(issue(1_004, &mut a, &mut al), CT_STATUS_OK); // signed with k1
            assert_eq!(ct_issuer_rotate_key(i, 1_004, keys[1].as_ptr(), 10), CT_STATUS_OK);
            assert_eq!(issue(1_005, &mut a2, &mut al2), CT_STATUS_OK); // signed with k2
            assert_eq!(verify(&a[..al], 1_013, &mut claims, &mut claims_len), CT_STATUS_OK);
            assert_eq!(verify(&a[..al], 1_014, &mut claims, &mut claims_len), CT_STATUS_UNKNOWN_KEY);
            assert_eq!(verify(&a2[..al2], 1_014, &mut claims, &mut claims_len), CT_STATUS_OK);
            // The same token through a key set that knows only k2.
            let mut set = MaybeUninit::<crate::keyset::ct_key_set>::zeroed();
            let mut v = MaybeUninit::<crate::validation::ct_validation>::zeroed();
            assert_eq!(crate::keyset::ct_key_set_init(set.as_mut_ptr()), CT_STATUS_OK);
            assert_eq!(crate::keyset::ct_key_set_insert(set.as_mut_ptr(), keys[1].as_ptr()), CT_STATUS_OK);
            assert_eq!(crate::validation::ct_validation_init(v.as_mut_ptr()), CT_STATUS_OK);
            let mut by_set = [0x5Au8; 400];
            let mut by_set_len = 0usize;
            let status = crate::keyset::ct_verify_with_key_set(
                set.as_ptr(),
                v.as_ptr(),
                1_014,
                a2.as_ptr().cast(),
                al2,
                by_set.as_mut_ptr(),
                by_set.len(),
                &mut by_set_len,
            );
            assert_eq!(status, CT_STATUS_OK);
            assert_eq!(&by_set[..=by_set_len], &claims[..=claims_len], "the same claims, NUL-terminated");
            crate::keyset::ct_key_set_wipe(set.as_mut_ptr());
            ct_issuer_wipe(i);
            assert_eq!(verify(&a2[..al2], 1_005, &mut claims, &mut claims_len), CT_STATUS_UNINITIALIZED);
            for k in &mut keys {
                crate::key::ct_key_wipe(k.as_mut_ptr());
            }
        }
    }

    #[test]
    fn outputs_must_be_exclusive() {
        let buf = [0u8; 32];
        let p = buf.as_ptr();
        assert_eq!(exclusive(&[(p, 8), (p.wrapping_add(8), 8)], &[(p.wrapping_add(16), 16)]), Ok(()));
        assert_eq!(exclusive(&[(p, 9), (p.wrapping_add(8), 8)], &[]), Err(CT_STATUS_INVALID_ARGUMENT));
        assert_eq!(exclusive(&[(p, 8)], &[(p.wrapping_add(4), 1)]), Err(CT_STATUS_INVALID_ARGUMENT));
        // Inputs may overlap each other.
        assert_eq!(exclusive(&[(p, 8)], &[(p.wrapping_add(8), 8), (p.wrapping_add(8), 8)]), Ok(()));
        assert_eq!(optional(core::ptr::null(), 99), (core::ptr::null(), 0));
    }
}
