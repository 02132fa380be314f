//! A strict, checked JSON reader (RFC 8259) for headers and claims.
//!
//! It validates a whole document before anything is trusted: one object, nothing after it,
//! valid UTF-8, no control characters in strings, valid escapes (surrogates paired), the
//! number grammar, bounded nesting, a bounded member count per object, and no duplicate
//! member names in any object (names compared after unescaping, so `"\u0061lg"` and
//! `"alg"` are duplicates). It never allocates and never panics; every index is checked.

use crate::Error;

/// The deepest nesting of arrays and objects accepted (the top-level object is depth 1).
pub const MAX_DEPTH: usize = 16;
/// The most members one object may have.
pub const MAX_MEMBERS: usize = 64;

/// A JSON string as it appears in the document (escapes not yet decoded), already validated.
///
/// Compare it with [`JsonStr::eq_str`] (which decodes escapes, so the comparison is exact:
/// never a prefix match) or decode it with [`JsonStr::unescape_into`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct JsonStr<'a> {
    raw: &'a str,
    /// Whether `raw` has a `\` escape (found while validating, so `as_str` needs no scan).
    escaped: bool,
}

impl core::fmt::Debug for JsonStr<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "\"{}\"", self.raw)
    }
}

impl<'a> JsonStr<'a> {
    /// The string body exactly as in the JSON text, escapes included.
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// The decoded string when it contains no escapes (the common case), borrowing the token.
    ///
    /// Returns `None` when the string has escapes; use [`JsonStr::unescape_into`] then.
    pub fn as_str(&self) -> Option<&'a str> {
        if self.escaped {
            None
        } else {
            Some(self.raw)
        }
    }

    /// The decoded characters.
    pub fn chars(&self) -> impl Iterator<Item = char> + 'a {
        Unescape { rest: self.raw.as_bytes() }
    }

    /// Whether the decoded string equals `other` exactly.
    pub fn eq_str(&self, other: &str) -> bool {
        if let Some(plain) = self.as_str() {
            return plain == other;
        }
        self.chars().eq(other.chars())
    }

    /// The length in bytes of the decoded string.
    pub fn unescaped_len(&self) -> usize {
        self.chars().fold(0usize, |n, c| n.saturating_add(c.len_utf8()))
    }

    /// Decodes the string into `buf` and returns it.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] with the decoded length when `buf` is too short.
    pub fn unescape_into<'b>(&self, buf: &'b mut [u8]) -> Result<&'b str, Error> {
        let needed = self.unescaped_len();
        let dst = buf.get_mut(..needed).ok_or(Error::BufferTooSmall { needed })?;
        let mut pos = 0usize;
        for c in self.chars() {
            let (bytes, len) = utf8(c);
            let end = pos.checked_add(len).ok_or(Error::InvalidJson)?;
            let slot = dst.get_mut(pos..end).ok_or(Error::InvalidJson)?;
            crate::copy_bytes(slot, &bytes);
            pos = end;
        }
        core::str::from_utf8(dst).map_err(|_| Error::InvalidJson)
    }
}

/// `c` in UTF-8 (RFC 3629 §3) and its length. Spelled out because `char::encode_utf8` keeps
/// its "buffer too small" panic path at `opt-level = "z"` (see `cargo xtask panics`).
pub(crate) fn utf8(c: char) -> ([u8; 4], usize) {
    let cp = u32::from(c);
    // The low six bits of `cp >> shift`, as a continuation byte `10xxxxxx`.
    let cont = |shift: u32| (cp.checked_shr(shift).unwrap_or(0) & 0x3f) as u8 | 0x80;
    let lead = |shift: u32, tag: u8| cp.checked_shr(shift).unwrap_or(0) as u8 | tag;
    match c.len_utf8() {
        1 => ([cp as u8, 0, 0, 0], 1),
        2 => ([lead(6, 0xc0), cont(0), 0, 0], 2),
        3 => ([lead(12, 0xe0), cont(6), cont(0), 0], 3),
        _ => ([lead(18, 0xf0), cont(12), cont(6), cont(0)], 4),
    }
}

/// Decodes escapes of an already validated string body.
struct Unescape<'a> {
    rest: &'a [u8],
}

impl Unescape<'_> {
    fn hex4(&mut self) -> Option<u32> {
        let (digits, rest) = self.rest.split_first_chunk::<4>()?;
        self.rest = rest;
        digits.iter().try_fold(0u32, |acc, &d| Some((acc << 4) | char::from(d).to_digit(16)?))
    }
}

impl Iterator for Unescape<'_> {
    type Item = char;
    fn next(&mut self) -> Option<char> {
        let (&first, rest) = self.rest.split_first()?;
        if first != b'\\' {
            // Decode one UTF-8 scalar (the body was validated as UTF-8).
            let width = utf8_width(first);
            let (bytes, rest) = self.rest.split_at_checked(width)?;
            self.rest = rest;
            return core::str::from_utf8(bytes).ok()?.chars().next();
        }
        let (&esc, rest) = rest.split_first()?;
        self.rest = rest;
        Some(match esc {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = self.hex4()?;
                if (0xD800..0xDC00).contains(&hi) {
                    // A validated high surrogate is always followed by `\u` and a low one.
                    self.rest = self.rest.get(2..)?;
                    let lo = self.hex4()?;
                    let c = 0x10000u32
                        .checked_add((hi.checked_sub(0xD800)?) << 10)?
                        .checked_add(lo.checked_sub(0xDC00)?)?;
                    char::from_u32(c)?
                } else {
                    char::from_u32(hi)?
                }
            }
            _ => return None,
        })
    }
}

fn utf8_width(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

/// A validated JSON value, borrowing the document (public for the C ABI's claim getters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// The number's text, matching the JSON number grammar.
    Number(&'a str),
    /// A string (escapes not yet decoded).
    String(JsonStr<'a>),
    /// The array's text including brackets.
    Array(&'a str),
    /// The object's text including braces.
    Object(&'a str),
}

/// A checked cursor over a UTF-8 document.
struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn bump(&mut self) {
        self.pos = self.pos.saturating_add(1);
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.bump();
        }
    }

    fn eat(&mut self, byte: u8) -> Result<(), Error> {
        if self.peek() == Some(byte) {
            self.bump();
            Ok(())
        } else {
            Err(Error::InvalidJson)
        }
    }

    fn slice(&self, start: usize) -> Result<&'a str, Error> {
        self.text.get(start..self.pos).ok_or(Error::InvalidJson)
    }

    fn literal(&mut self, word: &str) -> Result<(), Error> {
        let end = self.pos.checked_add(word.len()).ok_or(Error::InvalidJson)?;
        if self.text.get(self.pos..end) == Some(word) {
            self.pos = end;
            Ok(())
        } else {
            Err(Error::InvalidJson)
        }
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = self.peek().and_then(|b| char::from(b).to_digit(16)).ok_or(Error::InvalidJson)?;
            v = (v << 4) | d;
            self.bump();
        }
        Ok(v)
    }

    /// A string starting at the opening quote.
    fn string(&mut self) -> Result<JsonStr<'a>, Error> {
        self.eat(b'"')?;
        let start = self.pos;
        let mut escaped = false;
        loop {
            // Skip a run of plain bytes in one pass: everything but `"`, `\` and control
            // characters stands for itself (RFC 8259 §7; UTF-8 was validated up front).
            let rest = self.text.as_bytes().get(self.pos..).unwrap_or_default();
            let plain = rest.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20).unwrap_or(rest.len());
            self.pos = self.pos.saturating_add(plain);
            match self.peek().ok_or(Error::InvalidJson)? {
                b'"' => {
                    let raw = self.slice(start)?;
                    self.bump();
                    return Ok(JsonStr { raw, escaped });
                }
                b'\\' => {
                    escaped = true;
                    self.bump();
                    match self.peek().ok_or(Error::InvalidJson)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.bump(),
                        b'u' => {
                            self.bump();
                            let unit = self.hex4()?;
                            if (0xDC00..0xE000).contains(&unit) {
                                return Err(Error::InvalidJson); // lone low surrogate
                            }
                            if (0xD800..0xDC00).contains(&unit) {
                                self.literal("\\u")?;
                                let low = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&low) {
                                    return Err(Error::InvalidJson);
                                }
                            }
                        }
                        _ => return Err(Error::InvalidJson),
                    }
                }
                0x00..=0x1F => return Err(Error::InvalidJson),
                _ => self.bump(),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.bump();
        }
        self.pos.saturating_sub(start)
    }

    /// A number per RFC 8259 §6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Result<&'a str, Error> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.bump();
        }
        match self.peek() {
            Some(b'0') => self.bump(),
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(Error::InvalidJson),
        }
        if self.peek() == Some(b'.') {
            self.bump();
            if self.digits() == 0 {
                return Err(Error::InvalidJson);
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.bump();
            if let Some(b'+' | b'-') = self.peek() {
                self.bump();
            }
            if self.digits() == 0 {
                return Err(Error::InvalidJson);
            }
        }
        self.slice(start)
    }

    fn value(&mut self, depth: usize) -> Result<Value<'a>, Error> {
        self.skip_ws();
        let start = self.pos;
        match self.peek().ok_or(Error::InvalidJson)? {
            b'"' => Ok(Value::String(self.string()?)),
            b'{' => {
                self.object(depth, &mut [], |_, _| Ok(()))?;
                Ok(Value::Object(self.slice(start)?))
            }
            b'[' => {
                self.array(depth)?;
                Ok(Value::Array(self.slice(start)?))
            }
            b't' => self.literal("true").map(|()| Value::Bool(true)),
            b'f' => self.literal("false").map(|()| Value::Bool(false)),
            b'n' => self.literal("null").map(|()| Value::Null),
            _ => Ok(Value::Number(self.number()?)),
        }
    }

    fn array(&mut self, depth: usize) -> Result<(), Error> {
        let depth = enter(depth)?;
        self.eat(b'[')?;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.bump();
            return Ok(());
        }
        loop {
            self.value(depth)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.bump(),
                Some(b']') => {
                    self.bump();
                    return Ok(());
                }
                _ => return Err(Error::InvalidJson),
            }
        }
    }

    /// An object starting at `{`; calls `member` for each of its members, in order.
    ///
    /// `names` remembers the first member names so duplicates are found without re-reading
    /// the object; past its capacity (and for nested objects, which pass an empty slice to
    /// keep the stack flat) earlier names are re-read from the text.
    fn object(
        &mut self,
        depth: usize,
        names: &mut [JsonStr<'a>],
        mut member: impl FnMut(JsonStr<'a>, Value<'a>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let depth = enter(depth)?;
        let body = self.pos;
        self.eat(b'{')?;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.bump();
            return Ok(());
        }
        let mut count = 0usize;
        loop {
            self.skip_ws();
            let name = self.string()?;
            count = count.saturating_add(1);
            if count > MAX_MEMBERS {
                return Err(Error::InvalidJson);
            }
            let earlier = count.saturating_sub(1);
            let duplicate = match names.get(..earlier) {
                Some(seen) => seen.iter().any(|s| same_name(*s, name)),
                None => self.earlier_name_equals(body, earlier, name)?,
            };
            if duplicate {
                // RFC 7515 §4 / RFC 7519 §4: duplicate names are rejected, never "last wins".
                return Err(Error::InvalidJson);
            }
            if let Some(slot) = names.get_mut(earlier) {
                *slot = name;
            }
            self.skip_ws();
            self.eat(b':')?;
            let value = self.value(depth)?;
            member(name, value)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.bump(),
                Some(b'}') => {
                    self.bump();
                    return Ok(());
                }
                _ => return Err(Error::InvalidJson),
            }
        }
    }

    /// Whether one of the first `earlier` member names of the object at `start` equals `name`.
    ///
    /// The earlier members were validated already, so re-reading them cannot fail; the
    /// object is bounded by `MAX_MEMBERS`, so this costs at most `MAX_MEMBERS²/2` comparisons.
    fn earlier_name_equals(&self, start: usize, earlier: usize, name: JsonStr<'a>) -> Result<bool, Error> {
        let mut r = Reader { text: self.text, pos: start };
        r.eat(b'{')?;
        for _ in 0..earlier {
            r.skip_ws();
            let seen = r.string()?;
            if same_name(seen, name) {
                return Ok(true);
            }
            r.skip_ws();
            r.eat(b':')?;
            r.skip_value()?;
            r.skip_ws();
            r.eat(b',')?;
        }
        Ok(false)
    }

    /// Skips a value that was validated before (no duplicate checks, no callbacks).
    fn skip_value(&mut self) -> Result<(), Error> {
        self.skip_ws();
        match self.peek().ok_or(Error::InvalidJson)? {
            b'"' => self.string().map(|_| ()),
            b'{' | b'[' => {
                // Match brackets, stepping over strings.
                let mut level = 0usize;
                loop {
                    match self.peek().ok_or(Error::InvalidJson)? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => level = level.saturating_add(1),
                        b'}' | b']' => {
                            level = level.checked_sub(1).ok_or(Error::InvalidJson)?;
                            if level == 0 {
                                self.bump();
                                return Ok(());
                            }
                        }
                        _ => {}
                    }
                    self.bump();
                }
            }
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            _ => self.number().map(|_| ()),
        }
    }
}

/// Whether two validated member names decode to the same string.
fn same_name(a: JsonStr<'_>, b: JsonStr<'_>) -> bool {
    // Without escapes on either side the raw text is the decoded text.
    a.raw == b.raw || ((a.as_str().is_none() || b.as_str().is_none()) && a.chars().eq(b.chars()))
}

fn enter(depth: usize) -> Result<usize, Error> {
    let next = depth.checked_add(1).ok_or(Error::InvalidJson)?;
    if next > MAX_DEPTH {
        Err(Error::InvalidJson)
    } else {
        Ok(next)
    }
}

/// Validates `json` as exactly one JSON object (surrounding white space allowed) and calls
/// `member` for each top-level member, in order. Nested objects are validated the same way.
pub fn parse_object<'a>(
    json: &'a [u8],
    member: impl FnMut(JsonStr<'a>, Value<'a>) -> Result<(), Error>,
) -> Result<(), Error> {
    let text = core::str::from_utf8(json).map_err(|_| Error::InvalidJson)?;
    let mut r = Reader { text, pos: 0 };
    r.skip_ws();
    if r.peek() != Some(b'{') {
        return Err(Error::InvalidJson);
    }
    // Top-level objects (claims, headers) rarely have more members than this.
    let mut names = [JsonStr { raw: "", escaped: false }; 16];
    r.object(0, &mut names, member)?;
    r.skip_ws();
    if r.pos != text.len() {
        return Err(Error::InvalidJson);
    }
    Ok(())
}

/// Iterates the elements of a validated array's text (brackets included), e.g. a
/// [`Value::Array`] from [`parse_object`].
pub fn array_elements<'a>(array: &'a str) -> impl Iterator<Item = Result<Value<'a>, Error>> + 'a {
    let mut r = Reader { text: array, pos: 0 };
    let mut started = false;
    let mut done = false;
    core::iter::from_fn(move || {
        if done {
            return None;
        }
        if !started {
            started = true;
            if r.eat(b'[').is_err() {
                done = true;
                return Some(Err(Error::InvalidJson));
            }
            r.skip_ws();
            if r.peek() == Some(b']') {
                done = true;
                return None;
            }
        }
        // Depth is irrelevant here: the array was validated within bounds already.
        let item = r.value(0);
        r.skip_ws();
        match r.peek() {
            Some(b',') => r.bump(),
            _ => done = true,
        }
        Some(item)
    })
}

/// Parses a JSON number as a non-negative integer: no sign, fraction or exponent, no overflow.
pub fn parse_u64(number: &str) -> Option<u64> {
    if number.is_empty() {
        return None;
    }
    number.bytes().try_fold(0u64, |acc, b| {
        let d = char::from(b).to_digit(10)?;
        acc.checked_mul(10)?.checked_add(u64::from(d))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_matches_core_at_every_length_boundary() {
        let chars = [
            '\0',
            'a',
            '\u{7f}',
            '\u{80}',
            'é',
            '\u{7ff}',
            '\u{800}',
            '€',
            '\u{ffff}',
            '\u{10000}',
            '😀',
            '\u{10ffff}',
        ];
        for c in chars {
            let mut expected = [0u8; 4];
            let expected = c.encode_utf8(&mut expected).as_bytes();
            let (bytes, len) = utf8(c);
            assert_eq!(&bytes[..len], expected, "{c:?}");
        }
    }

    fn ok(s: &str) -> bool {
        parse_object(s.as_bytes(), |_, _| Ok(())).is_ok()
    }

    #[test]
    fn accepts_valid_objects() {
        assert!(ok(r#"{}"#));
        assert!(ok(r#" {"a":1,"b":[1,2,{"c":null}],"d":"x\u00e9\ud83d\ude00","e":-0.5e+3} "#));
    }

    #[test]
    fn rejects_invalid() {
        for bad in [
            "",
            "[]",
            "1",
            "\"x\"",
            "{",
            "{}x",
            "{} {}",
            r#"{"a"}"#,
            r#"{"a":}"#,
            r#"{"a":1,}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":.5}"#,
            r#"{"a":+1}"#,
            r#"{"a":1e}"#,
            r#"{"a":tru}"#,
            r#"{"a":"\x"}"#,
            r#"{"a":"\ud800"}"#,
            r#"{"a":"\udc00"}"#,
            "{\"a\":\"\u{1}\"}",
            r#"{"a":1,"a":2}"#,
            r#"{"a":1,"\u0061":2}"#,
            r#"{"x":{"b":1,"b":2}}"#,
            r#"{'a':1}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":NaN}"#,
        ] {
            assert!(!ok(bad), "accepted {bad:?}");
        }
    }

    #[test]
    fn duplicates_found_before_and_past_the_remembered_names() {
        extern crate std;
        use std::format;
        use std::string::String;
        // 20 distinct members, then one more that repeats member `dup` (possibly escaped),
        // at the top level (names remembered up to 16) and nested (always re-read).
        for dup in [0usize, 1, 15, 16, 17, 19] {
            for escaped in [false, true] {
                let mut body = String::new();
                for i in 0..20 {
                    body.push_str(&format!("\"m{i:02}\":{i},"));
                }
                let name = format!("m{dup:02}");
                let name = if escaped { format!("\\u006d{}", &name[1..]) } else { name };
                body.push_str(&format!("\"{name}\":true"));
                let top = format!("{{{body}}}");
                assert!(!ok(&top), "top level, dup {dup}, escaped {escaped}");
                let nested = format!("{{\"x\":{{{body}}}}}");
                assert!(!ok(&nested), "nested, dup {dup}, escaped {escaped}");
                // Without the repeated member, both are fine.
                let distinct = format!("{{{}}}", body.replace(&format!(",\"{name}\":true"), ""));
                assert!(ok(&distinct), "{distinct}");
            }
        }
        // Distinct names that only share a prefix, or differ only after an escape.
        assert!(ok(r#"{"a":1,"ab":2,"a\u0062c":3,"abc\u0064":4}"#));
        assert!(!ok(r#"{"a":1,"ab":2,"a\u0062":3}"#));
    }

    #[test]
    fn depth_and_members_bounded() {
        let mut deep = [0u8; 64];
        let mut n = 0;
        for b in br#"{"a":"# {
            deep[n] = *b;
            n += 1;
        }
        let open = MAX_DEPTH; // top-level object + MAX_DEPTH arrays = one too many
        for _ in 0..open {
            deep[n] = b'[';
            n += 1;
        }
        for _ in 0..open {
            deep[n] = b']';
            n += 1;
        }
        deep[n] = b'}';
        n += 1;
        assert!(parse_object(&deep[..n], |_, _| Ok(())).is_err());
        // One level less is fine.
        let mut ok_doc = [0u8; 64];
        let mut m = 0;
        for b in br#"{"a":"# {
            ok_doc[m] = *b;
            m += 1;
        }
        for _ in 0..open - 1 {
            ok_doc[m] = b'[';
            m += 1;
        }
        for _ in 0..open - 1 {
            ok_doc[m] = b']';
            m += 1;
        }
        ok_doc[m] = b'}';
        m += 1;
        assert!(parse_object(&ok_doc[..m], |_, _| Ok(())).is_ok());
    }

    #[test]
    fn unescape_and_compare() {
        let mut seen = None;
        parse_object(br#"{"k":"a\"b\u00e9\ud83d\ude00\n"}"#, |_, v| {
            seen = Some(v);
            Ok(())
        })
        .unwrap();
        let Some(Value::String(s)) = seen else { panic!() };
        assert_eq!(s.as_str(), None, "escaped strings have no borrowed form");
        assert!(s.eq_str("a\"b\u{e9}\u{1f600}\n"));
        assert!(!s.eq_str("a\"b"));
        let mut buf = [0u8; 32];
        assert_eq!(s.unescape_into(&mut buf).unwrap(), "a\"b\u{e9}\u{1f600}\n");
        let mut small = [0u8; 3];
        assert_eq!(s.unescape_into(&mut small), Err(Error::BufferTooSmall { needed: 10 }));
    }

    #[test]
    fn u64_parsing() {
        assert_eq!(parse_u64("0"), Some(0));
        assert_eq!(parse_u64("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64("18446744073709551616"), None);
        assert_eq!(parse_u64("-1"), None);
        assert_eq!(parse_u64("1.0"), None);
        assert_eq!(parse_u64("1e3"), None);
    }
}
