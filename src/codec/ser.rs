//! A small streaming JSON serializer for `serde`.
//!
//! It writes into any [`Sink`]: a byte counter (to size buffers exactly before writing
//! anything), a slice, or a base64url encoder that writes the payload segment of a token
//! directly. It never allocates and never panics.

use crate::Error;
use core::fmt::{self, Write as _};
use serde::ser::{self, Serialize};

/// Where serialized bytes go.
pub(crate) trait Sink {
    /// Appends `bytes`, or fails (buffer full, overflow).
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error>;
}

/// Counts bytes without storing them.
#[derive(Default)]
pub(crate) struct Counter(pub(crate) usize);

impl Sink for Counter {
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.0 = self.0.checked_add(bytes.len()).ok_or(Error::TooLong)?;
        Ok(())
    }
}

/// Appends to a caller slice.
pub(crate) struct SliceSink<'o> {
    pub(crate) out: &'o mut [u8],
    pub(crate) len: usize,
}

impl Sink for SliceSink<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let end = self.len.checked_add(bytes.len()).ok_or(Error::TooLong)?;
        let dst = self.out.get_mut(self.len..end).ok_or(Error::BufferTooSmall { needed: end })?;
        crate::copy_bytes(dst, bytes);
        self.len = end;
        Ok(())
    }
}

/// Serializes `value` as JSON into `sink`.
pub(crate) fn to_sink<T: Serialize + ?Sized, S: Sink>(value: &T, sink: &mut S) -> Result<(), Error> {
    let mut ser = JsonSerializer { sink };
    value.serialize(&mut ser).map_err(|e| e.0)
}

/// The number of bytes `value` serializes to.
pub(crate) fn serialized_len<T: Serialize + ?Sized>(value: &T) -> Result<usize, Error> {
    let mut counter = Counter(0);
    to_sink(value, &mut counter)?;
    Ok(counter.0)
}

/// The serializer's error: a crate [`Error`] in a wrapper that satisfies serde.
#[derive(Debug)]
pub(crate) struct SerError(pub(crate) Error);

impl fmt::Display for SerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl ser::StdError for SerError {}

impl ser::Error for SerError {
    fn custom<M: fmt::Display>(_msg: M) -> Self {
        SerError(Error::ClaimsSerialization)
    }
}

impl From<Error> for SerError {
    fn from(e: Error) -> Self {
        SerError(e)
    }
}

type SerResult = Result<(), SerError>;

struct JsonSerializer<'s, S: Sink> {
    sink: &'s mut S,
}

impl<S: Sink> JsonSerializer<'_, S> {
    fn put(&mut self, bytes: &[u8]) -> SerResult {
        self.sink.put(bytes).map_err(SerError)
    }

    fn put_u64(&mut self, mut v: u64) -> SerResult {
        // u64 arithmetic: a u128 division is a slow library call on every target.
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        loop {
            i = i.checked_sub(1).ok_or(SerError(Error::ClaimsSerialization))?;
            if let Some(slot) = buf.get_mut(i) {
                *slot = b'0'.wrapping_add((v % 10) as u8);
            }
            v /= 10;
            if v == 0 {
                break;
            }
        }
        let digits = buf.get(i..).ok_or(SerError(Error::ClaimsSerialization))?;
        self.put(digits)
    }

    fn put_u128(&mut self, mut v: u128) -> SerResult {
        if let Ok(small) = u64::try_from(v) {
            return self.put_u64(small);
        }
        let mut buf = [0u8; 40];
        let mut i = buf.len();
        loop {
            i = i.checked_sub(1).ok_or(SerError(Error::ClaimsSerialization))?;
            let digit = (v % 10) as u8; // always < 10
            if let Some(slot) = buf.get_mut(i) {
                *slot = b'0'.wrapping_add(digit);
            }
            v /= 10;
            if v == 0 {
                break;
            }
        }
        let digits = buf.get(i..).ok_or(SerError(Error::ClaimsSerialization))?;
        self.put(digits)
    }

    fn put_i128(&mut self, v: i128) -> SerResult {
        if v < 0 {
            self.put(b"-")?;
        }
        self.put_u128(v.unsigned_abs())
    }

    fn put_str(&mut self, s: &str) -> SerResult {
        self.put(b"\"")?;
        escape_into(s, |b| self.sink.put(b)).map_err(SerError)?;
        self.put(b"\"")
    }
}

/// Writes `s` JSON-escaped (RFC 8259 §7) through `put`, in runs of unescaped bytes.
pub(crate) fn escape_into(s: &str, mut put: impl FnMut(&[u8]) -> Result<(), Error>) -> Result<(), Error> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    if !bytes.iter().any(|&b| b == b'"' || b == b'\\' || b < 0x20) {
        // Nothing to escape (the common case): one write.
        return put(bytes);
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short: Option<&[u8]> = match b {
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            b'\n' => Some(b"\\n"),
            b'\r' => Some(b"\\r"),
            b'\t' => Some(b"\\t"),
            0x08 => Some(b"\\b"),
            0x0c => Some(b"\\f"),
            _ => None,
        };
        if short.is_none() && b >= 0x20 {
            continue;
        }
        put(bytes.get(start..i).unwrap_or_default())?;
        start = i.saturating_add(1);
        match short {
            Some(esc) => put(esc)?,
            None => {
                let hi = HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
                let lo = HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0');
                put(&[b'\\', b'u', b'0', b'0', hi, lo])?;
            }
        }
    }
    put(bytes.get(start..).unwrap_or_default())
}

/// Adapts a sink to `core::fmt::Write`, escaping as a JSON string body or passing raw.
struct FmtAdapter<'a, S: Sink> {
    sink: &'a mut S,
    escape: bool,
    error: Option<Error>,
}

impl<S: Sink> fmt::Write for FmtAdapter<'_, S> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let result =
            if self.escape { escape_into(s, |b| self.sink.put(b)) } else { self.sink.put(s.as_bytes()) };
        result.map_err(|e| {
            self.error = Some(e);
            fmt::Error
        })
    }
}

impl<'a, 's, S: Sink> ser::Serializer for &'a mut JsonSerializer<'s, S> {
    type Ok = ();
    type Error = SerError;
    type SerializeSeq = Compound<'a, 's, S>;
    type SerializeTuple = Compound<'a, 's, S>;
    type SerializeTupleStruct = Compound<'a, 's, S>;
    type SerializeTupleVariant = Compound<'a, 's, S>;
    type SerializeMap = Compound<'a, 's, S>;
    type SerializeStruct = Compound<'a, 's, S>;
    type SerializeStructVariant = Compound<'a, 's, S>;

    fn serialize_bool(self, v: bool) -> SerResult {
        self.put(if v { b"true" } else { b"false" })
    }
    fn serialize_i8(self, v: i8) -> SerResult {
        self.put_i128(i128::from(v))
    }
    fn serialize_i16(self, v: i16) -> SerResult {
        self.put_i128(i128::from(v))
    }
    fn serialize_i32(self, v: i32) -> SerResult {
        self.put_i128(i128::from(v))
    }
    fn serialize_i64(self, v: i64) -> SerResult {
        self.put_i128(i128::from(v))
    }
    fn serialize_i128(self, v: i128) -> SerResult {
        self.put_i128(v)
    }
    fn serialize_u8(self, v: u8) -> SerResult {
        self.put_u64(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> SerResult {
        self.put_u64(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> SerResult {
        self.put_u64(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> SerResult {
        self.put_u64(v)
    }
    fn serialize_u128(self, v: u128) -> SerResult {
        self.put_u128(v)
    }
    fn serialize_f32(self, v: f32) -> SerResult {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> SerResult {
        // JSON has no NaN or infinity (RFC 8259 §6).
        if !v.is_finite() {
            return Err(SerError(Error::ClaimsSerialization));
        }
        let mut w = FmtAdapter { sink: &mut *self.sink, escape: false, error: None };
        match write!(w, "{v}") {
            Ok(()) => Ok(()),
            Err(_) => Err(SerError(w.error.unwrap_or(Error::ClaimsSerialization))),
        }
    }
    fn serialize_char(self, v: char) -> SerResult {
        let mut buf = [0u8; 4];
        self.put_str(v.encode_utf8(&mut buf))
    }
    fn serialize_str(self, v: &str) -> SerResult {
        self.put_str(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> SerResult {
        self.put(b"[")?;
        for (i, b) in v.iter().enumerate() {
            if i > 0 {
                self.put(b",")?;
            }
            self.put_u64(u64::from(*b))?;
        }
        self.put(b"]")
    }
    fn serialize_none(self) -> SerResult {
        self.put(b"null")
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> SerResult {
        value.serialize(self)
    }
    fn serialize_unit(self) -> SerResult {
        self.put(b"null")
    }
    fn serialize_unit_struct(self, _name: &'static str) -> SerResult {
        self.put(b"null")
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> SerResult {
        self.put_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> SerResult {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> SerResult {
        self.put(b"{")?;
        self.put_str(variant)?;
        self.put(b":")?;
        value.serialize(&mut *self)?;
        self.put(b"}")
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, SerError> {
        self.put(b"[")?;
        Ok(Compound { ser: self, first: true, close: b"]" })
    }
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, SerError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, SerError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, SerError> {
        self.put(b"{")?;
        self.put_str(variant)?;
        self.put(b":[")?;
        Ok(Compound { ser: self, first: true, close: b"]}" })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, SerError> {
        self.put(b"{")?;
        Ok(Compound { ser: self, first: true, close: b"}" })
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct, SerError> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, SerError> {
        self.put(b"{")?;
        self.put_str(variant)?;
        self.put(b":{")?;
        Ok(Compound { ser: self, first: true, close: b"}}" })
    }
    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> SerResult {
        self.put(b"\"")?;
        let mut w = FmtAdapter { sink: &mut *self.sink, escape: true, error: None };
        if write!(w, "{value}").is_err() {
            return Err(SerError(w.error.unwrap_or(Error::ClaimsSerialization)));
        }
        self.put(b"\"")
    }
}

/// An array, object or variant being written.
pub(crate) struct Compound<'a, 's, S: Sink> {
    ser: &'a mut JsonSerializer<'s, S>,
    first: bool,
    close: &'static [u8],
}

impl<S: Sink> Compound<'_, '_, S> {
    fn comma(&mut self) -> SerResult {
        if self.first {
            self.first = false;
            Ok(())
        } else {
            self.ser.put(b",")
        }
    }
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> SerResult {
        self.comma()?;
        value.serialize(&mut *self.ser)
    }
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> SerResult {
        self.comma()?;
        self.ser.put_str(key)?;
        self.ser.put(b":")?;
        value.serialize(&mut *self.ser)
    }
    fn finish(self) -> SerResult {
        self.ser.put(self.close)
    }
}

impl<S: Sink> ser::SerializeSeq for Compound<'_, '_, S> {
    type Ok = ();
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> SerResult {
        self.element(value)
    }
    fn end(self) -> SerResult {
        self.finish()
    }
}

impl<S: Sink> ser::SerializeTuple for Compound<'_, '_, S> {
    type Ok = ();
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> SerResult {
        self.element(value)
    }
    fn end(self) -> SerResult {
        self.finish()
    }
}

impl<S: Sink> ser::SerializeTupleStruct for Compound<'_, '_, S> {
    type Ok = ();
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> SerResult {
        self.element(value)
    }
    fn end(self) -> SerResult {
        self.finish()
    }
}

impl<S: Sink> ser::SerializeTupleVariant for Compound<'_, '_, S> {
    type Ok = ();
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> SerResult {
        self.element(value)
    }
    fn end(self) -> SerResult {
        self.finish()
    }
}

impl<S: Sink> ser::SerializeMap for Compound<'_, '_, S> {
    type Ok = ();
    type Error = SerError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> SerResult {
        self.comma()?;
        key.serialize(MapKey { ser: &mut *self.ser })?;
        self.ser.put(b":")
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> SerResult {
        value.serialize(&mut *self.ser)
    }
    fn end(self) -> SerResult {
        self.finish()
    }
}

impl<S: Sink> ser::SerializeStruct for Compound<'_, '_, S> {
    type Ok = ();
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> SerResult {
        self.field(key, value)
    }
    fn end(self) -> SerResult {
        self.finish()
    }
}

impl<S: Sink> ser::SerializeStructVariant for Compound<'_, '_, S> {
    type Ok = ();
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> SerResult {
        self.field(key, value)
    }
    fn end(self) -> SerResult {
        self.finish()
    }
}

/// Serializes map keys: JSON object names must be strings, so integers are quoted.
struct MapKey<'a, 's, S: Sink> {
    ser: &'a mut JsonSerializer<'s, S>,
}

impl<S: Sink> MapKey<'_, '_, S> {
    fn quoted(self, f: impl FnOnce(&mut JsonSerializer<'_, S>) -> SerResult) -> SerResult {
        self.ser.put(b"\"")?;
        f(&mut *self.ser)?;
        self.ser.put(b"\"")
    }
}

fn key_error() -> SerError {
    SerError(Error::ClaimsSerialization)
}

impl<S: Sink> ser::Serializer for MapKey<'_, '_, S> {
    type Ok = ();
    type Error = SerError;
    type SerializeSeq = ser::Impossible<(), SerError>;
    type SerializeTuple = ser::Impossible<(), SerError>;
    type SerializeTupleStruct = ser::Impossible<(), SerError>;
    type SerializeTupleVariant = ser::Impossible<(), SerError>;
    type SerializeMap = ser::Impossible<(), SerError>;
    type SerializeStruct = ser::Impossible<(), SerError>;
    type SerializeStructVariant = ser::Impossible<(), SerError>;

    fn serialize_str(self, v: &str) -> SerResult {
        self.ser.put_str(v)
    }
    fn serialize_char(self, v: char) -> SerResult {
        let mut buf = [0u8; 4];
        self.ser.put_str(v.encode_utf8(&mut buf))
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> SerResult {
        self.ser.put_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> SerResult {
        value.serialize(self)
    }
    fn serialize_i8(self, v: i8) -> SerResult {
        self.quoted(|s| s.put_i128(i128::from(v)))
    }
    fn serialize_i16(self, v: i16) -> SerResult {
        self.quoted(|s| s.put_i128(i128::from(v)))
    }
    fn serialize_i32(self, v: i32) -> SerResult {
        self.quoted(|s| s.put_i128(i128::from(v)))
    }
    fn serialize_i64(self, v: i64) -> SerResult {
        self.quoted(|s| s.put_i128(i128::from(v)))
    }
    fn serialize_u8(self, v: u8) -> SerResult {
        self.quoted(|s| s.put_u64(u64::from(v)))
    }
    fn serialize_u16(self, v: u16) -> SerResult {
        self.quoted(|s| s.put_u64(u64::from(v)))
    }
    fn serialize_u32(self, v: u32) -> SerResult {
        self.quoted(|s| s.put_u64(u64::from(v)))
    }
    fn serialize_u64(self, v: u64) -> SerResult {
        self.quoted(|s| s.put_u64(v))
    }
    fn serialize_bool(self, _v: bool) -> SerResult {
        Err(key_error())
    }
    fn serialize_f32(self, _v: f32) -> SerResult {
        Err(key_error())
    }
    fn serialize_f64(self, _v: f64) -> SerResult {
        Err(key_error())
    }
    fn serialize_bytes(self, _v: &[u8]) -> SerResult {
        Err(key_error())
    }
    fn serialize_none(self) -> SerResult {
        Err(key_error())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> SerResult {
        Err(key_error())
    }
    fn serialize_unit(self) -> SerResult {
        Err(key_error())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> SerResult {
        Err(key_error())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> SerResult {
        Err(key_error())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, SerError> {
        Err(key_error())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, SerError> {
        Err(key_error())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, SerError> {
        Err(key_error())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, SerError> {
        Err(key_error())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, SerError> {
        Err(key_error())
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct, SerError> {
        Err(key_error())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, SerError> {
        Err(key_error())
    }
    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> SerResult {
        self.ser.put(b"\"")?;
        let mut w = FmtAdapter { sink: &mut *self.ser.sink, escape: true, error: None };
        if write!(w, "{value}").is_err() {
            return Err(SerError(w.error.unwrap_or(Error::ClaimsSerialization)));
        }
        self.ser.put(b"\"")
    }
}

/// Holds back the last byte written, to drop a closing `}`.
struct DropLast<'s, S: Sink> {
    inner: &'s mut S,
    held: Option<u8>,
}

impl<S: Sink> Sink for DropLast<'_, S> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let Some((&last, init)) = bytes.split_last() else { return Ok(()) };
        if let Some(h) = self.held {
            self.inner.put(&[h])?;
        }
        self.inner.put(init)?;
        self.held = Some(last);
        Ok(())
    }
}

/// Drops an opening `{` and puts a `,` before the first member, if any.
struct DropFirst<'s, S: Sink> {
    inner: &'s mut S,
    state: u8,
}

impl<S: Sink> Sink for DropFirst<'_, S> {
    fn put(&mut self, mut bytes: &[u8]) -> Result<(), Error> {
        if self.state == 0 {
            let Some((&first, rest)) = bytes.split_first() else { return Ok(()) };
            if first != b'{' {
                return Err(Error::ClaimsSerialization);
            }
            self.state = 1;
            bytes = rest;
        }
        if self.state == 1 {
            let Some(&first) = bytes.first() else { return Ok(()) };
            if first != b'}' {
                self.inner.put(b",")?;
            }
            self.state = 2;
        }
        self.inner.put(bytes)
    }
}

/// Serializes two values that serialize as JSON objects as one object with the members
/// of `head` followed by those of `tail` (a flatten that needs no allocation).
pub(crate) fn to_sink_merged<H, T, S>(head: &H, tail: &T, sink: &mut S) -> Result<(), Error>
where
    H: Serialize + ?Sized,
    T: Serialize + ?Sized,
    S: Sink,
{
    to_sink_open(head, sink)?;
    let mut back = DropFirst { inner: sink, state: 0 };
    to_sink(tail, &mut back)?;
    if back.state != 2 {
        return Err(Error::ClaimsSerialization);
    }
    Ok(())
}

/// Serializes `head`, which must serialize as a JSON object, without its closing `}`, so
/// that more members can follow.
pub(crate) fn to_sink_open<H: Serialize + ?Sized, S: Sink>(head: &H, sink: &mut S) -> Result<(), Error> {
    let mut front = DropLast { inner: sink, held: None };
    to_sink(head, &mut front)?;
    if front.held != Some(b'}') {
        return Err(Error::ClaimsSerialization);
    }
    Ok(())
}

/// The length of [`to_sink_merged`]'s output.
pub(crate) fn merged_len<H: Serialize + ?Sized, T: Serialize + ?Sized>(
    head: &H,
    tail: &T,
) -> Result<usize, Error> {
    let mut counter = Counter(0);
    to_sink_merged(head, tail, &mut counter)?;
    Ok(counter.0)
}

#[cfg(test)]
mod number_tests {
    extern crate std;
    use super::*;

    fn json<T: Serialize>(v: T) -> std::string::String {
        let mut out = [0u8; 64];
        let mut sink = SliceSink { out: &mut out, len: 0 };
        to_sink(&v, &mut sink).unwrap();
        let len = sink.len;
        std::string::String::from_utf8(out[..len].to_vec()).unwrap()
    }

    #[test]
    fn integers_match_serde_json_at_every_width_boundary() {
        let u: [u64; 8] = [0, 9, 10, 99, 1_700_000_000, 4_000_000_000, u64::MAX - 1, u64::MAX];
        for v in u {
            assert_eq!(json(v), serde_json::to_string(&v).unwrap());
            assert_eq!(json(u128::from(v) + 1), serde_json::to_string(&(u128::from(v) + 1)).unwrap());
        }
        for v in [i64::MIN, -1, 0, i64::MAX] {
            assert_eq!(json(v), serde_json::to_string(&v).unwrap());
        }
        for v in [i128::MIN, i128::from(i64::MIN) - 1, i128::MAX] {
            assert_eq!(json(v), serde_json::to_string(&v).unwrap());
        }
        assert_eq!(json(u128::MAX), serde_json::to_string(&u128::MAX).unwrap());
        assert_eq!(json(u32::MAX), "4294967295");
    }
}
