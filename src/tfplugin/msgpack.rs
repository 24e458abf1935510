//! msgpack form of values (DynamicValue.msgpack), following cty's wire rules:
//! null = nil, unknown = any extension (we write fixext1 type 0 `d4 00 00`), numbers as int,
//! float64 or decimal string, objects as maps with every attribute present, dynamic values as
//! `[type JSON, value]`.

use std::collections::BTreeMap;

use super::codec::{infer_type, value_label, CodecError, Loc, Step};
use super::number::Number;
use super::types::Type;
use super::value::Value;

/// Decodes one msgpack value of type `ty`; the whole input must be consumed.
/// Never panics and never allocates more than the input size warrants.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let mut reader = Reader { buf: bytes, pos: 0 };
    let value = decode_at(&mut reader, ty, &Loc::root())?;
    match reader.remaining() {
        0 => Ok(value),
        n => Err(CodecError::TrailingBytes(n)),
    }
}

/// Encodes `value` as msgpack of type `ty`.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::new();
    encode_at(&mut out, value, ty, &Loc::root())?;
    Ok(out)
}

/// The bytes Terraform uses for an unknown value.
pub const UNKNOWN: [u8; 3] = [0xd4, 0x00, 0x00];

// ---------------------------------------------------------------------------------------------
// Reading

/// One msgpack item header (containers carry only their length).
enum Head<'b> {
    Nil,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(&'b [u8]),
    Bin(&'b [u8]),
    Array(usize),
    Map(usize),
    Ext,
}

impl Head<'_> {
    fn label(&self) -> &'static str {
        match self {
            Head::Nil => "nil",
            Head::Bool(_) => "bool",
            Head::Int(_) | Head::UInt(_) => "integer",
            Head::Float(_) => "float",
            Head::Str(_) => "string",
            Head::Bin(_) => "binary",
            Head::Array(_) => "array",
            Head::Map(_) => "map",
            Head::Ext => "extension",
        }
    }
}

struct Reader<'b> {
    buf: &'b [u8],
    pos: usize,
}

impl<'b> Reader<'b> {
    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'b [u8], CodecError> {
        if n > self.remaining() {
            return Err(CodecError::Truncated);
        }
        let slice = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], CodecError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, CodecError> {
        Ok(self.array::<1>()?[0])
    }

    fn len8(&mut self) -> Result<usize, CodecError> {
        Ok(usize::from(self.u8()?))
    }

    fn len16(&mut self) -> Result<usize, CodecError> {
        Ok(usize::from(u16::from_be_bytes(self.array()?)))
    }

    fn len32(&mut self) -> Result<usize, CodecError> {
        usize::try_from(u32::from_be_bytes(self.array()?)).map_err(|_| CodecError::Truncated)
    }

    /// Skips an extension's type byte and `len` payload bytes.
    fn ext(&mut self, len: usize) -> Result<Head<'b>, CodecError> {
        self.take(1 + len)?;
        Ok(Head::Ext)
    }

    fn head(&mut self) -> Result<Head<'b>, CodecError> {
        let marker = self.u8()?;
        Ok(match marker {
            0x00..=0x7f => Head::Int(i64::from(marker)),
            0x80..=0x8f => Head::Map(usize::from(marker & 0x0f)),
            0x90..=0x9f => Head::Array(usize::from(marker & 0x0f)),
            0xa0..=0xbf => Head::Str(self.take(usize::from(marker & 0x1f))?),
            0xc0 => Head::Nil,
            0xc2 => Head::Bool(false),
            0xc3 => Head::Bool(true),
            0xc4 => {
                let n = self.len8()?;
                Head::Bin(self.take(n)?)
            }
            0xc5 => {
                let n = self.len16()?;
                Head::Bin(self.take(n)?)
            }
            0xc6 => {
                let n = self.len32()?;
                Head::Bin(self.take(n)?)
            }
            0xc7 => {
                let n = self.len8()?;
                self.ext(n)?
            }
            0xc8 => {
                let n = self.len16()?;
                self.ext(n)?
            }
            0xc9 => {
                let n = self.len32()?;
                self.ext(n)?
            }
            0xca => Head::Float(f64::from(f32::from_be_bytes(self.array()?))),
            0xcb => Head::Float(f64::from_be_bytes(self.array()?)),
            0xcc => Head::UInt(u64::from(self.u8()?)),
            0xcd => Head::UInt(u64::from(u16::from_be_bytes(self.array()?))),
            0xce => Head::UInt(u64::from(u32::from_be_bytes(self.array()?))),
            0xcf => Head::UInt(u64::from_be_bytes(self.array()?)),
            0xd0 => Head::Int(i64::from(i8::from_be_bytes(self.array()?))),
            0xd1 => Head::Int(i64::from(i16::from_be_bytes(self.array()?))),
            0xd2 => Head::Int(i64::from(i32::from_be_bytes(self.array()?))),
            0xd3 => Head::Int(i64::from_be_bytes(self.array()?)),
            0xd4 => self.ext(1)?,
            0xd5 => self.ext(2)?,
            0xd6 => self.ext(4)?,
            0xd7 => self.ext(8)?,
            0xd8 => self.ext(16)?,
            0xd9 => {
                let n = self.len8()?;
                Head::Str(self.take(n)?)
            }
            0xda => {
                let n = self.len16()?;
                Head::Str(self.take(n)?)
            }
            0xdb => {
                let n = self.len32()?;
                Head::Str(self.take(n)?)
            }
            0xdc => Head::Array(self.len16()?),
            0xdd => Head::Array(self.len32()?),
            0xde => Head::Map(self.len16()?),
            0xdf => Head::Map(self.len32()?),
            0xe0..=0xff => Head::Int(i64::from(i8::from_be_bytes([marker]))),
            // 0xc1 is reserved ("never used").
            _ => {
                return Err(CodecError::Invalid {
                    path: String::new(),
                    message: format!("invalid msgpack marker 0x{marker:02x}"),
                })
            }
        })
    }
}

fn utf8<'b>(bytes: &'b [u8], loc: &Loc<'_>) -> Result<&'b str, CodecError> {
    std::str::from_utf8(bytes).map_err(|_| loc.invalid("string is not valid UTF-8"))
}

/// Capacity for a container that declares `len` items: every item takes at least one byte, so
/// never reserve more than the bytes left.
fn capacity(len: usize, reader: &Reader<'_>) -> usize {
    len.min(reader.remaining())
}

/// The same for a map: every entry takes at least two bytes (a key and a value).
fn map_capacity(len: usize, reader: &Reader<'_>) -> usize {
    len.min(reader.remaining() / 2)
}

fn decode_at(r: &mut Reader<'_>, ty: &Type, loc: &Loc<'_>) -> Result<Value, CodecError> {
    let head = r.head()?;
    match head {
        Head::Nil => return Ok(Value::Null),
        Head::Ext => return Ok(Value::Unknown),
        _ => {}
    }
    let mismatch = |head: &Head<'_>| loc.mismatch(ty, head.label());
    match ty {
        Type::String => match head {
            Head::Str(bytes) => Ok(Value::string(utf8(bytes, loc)?)),
            other => Err(mismatch(&other)),
        },
        Type::Bool => match head {
            Head::Bool(b) => Ok(Value::Bool(b)),
            other => Err(mismatch(&other)),
        },
        Type::Number => match head {
            Head::Int(n) => Ok(Value::Number(Number::from(n))),
            Head::UInt(n) => Ok(Value::Number(Number::from(n))),
            Head::Float(f) => Number::from_f64(f)
                .map(Value::Number)
                .ok_or_else(|| loc.invalid(format!("number {f} is not finite"))),
            Head::Str(bytes) => {
                let text = utf8(bytes, loc)?;
                text.parse::<Number>()
                    .map(Value::Number)
                    .map_err(|e| loc.invalid(e.to_string()))
            }
            other => Err(mismatch(&other)),
        },
        Type::List(elem) | Type::Set(elem) => {
            let Head::Array(len) = head else {
                return Err(mismatch(&head));
            };
            let mut items = Vec::with_capacity(capacity(len, r));
            for i in 0..len {
                items.push(decode_at(r, elem, &loc.child(Step::Index(i))?)?);
            }
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(items)
            } else {
                Value::List(items)
            })
        }
        Type::Tuple(elems) => {
            let Head::Array(len) = head else {
                return Err(mismatch(&head));
            };
            if len != elems.len() {
                return Err(
                    loc.invalid(format!("tuple needs {} elements, found {len}", elems.len()))
                );
            }
            let mut items = Vec::with_capacity(len);
            for (i, elem) in elems.iter().enumerate() {
                items.push(decode_at(r, elem, &loc.child(Step::Index(i))?)?);
            }
            Ok(Value::Tuple(items))
        }
        Type::Map(elem) => {
            let Head::Map(len) = head else {
                return Err(mismatch(&head));
            };
            let mut entries = Vec::with_capacity(map_capacity(len, r));
            for _ in 0..len {
                let key = read_key(r, loc)?;
                let item = decode_at(r, elem, &loc.child(Step::Key(key))?)?;
                entries.push((key.to_owned(), item));
            }
            // cty writes keys sorted, which `collect` turns into one bulk build instead of a
            // search per insert; a key given twice keeps its last value, as inserts would.
            Ok(Value::Map(entries.into_iter().collect()))
        }
        Type::Object(attrs) => {
            let Head::Map(len) = head else {
                return Err(mismatch(&head));
            };
            // Objects are small (their type's attributes): plain inserts cost least.
            let mut entries = BTreeMap::new();
            for _ in 0..len {
                let key = read_key(r, loc)?;
                let Some((name, attr_ty)) = attrs.get_key_value(key) else {
                    return Err(loc.invalid(format!("unsupported attribute {key:?}")));
                };
                let item = decode_at(r, attr_ty, &loc.child(Step::Attr(key))?)?;
                entries.insert(name.clone(), item);
            }
            // Terraform sends every attribute; be lenient and treat absent ones as null.
            if entries.len() < attrs.len() {
                for name in attrs.keys() {
                    if !entries.contains_key(name) {
                        entries.insert(name.clone(), Value::Null);
                    }
                }
            }
            Ok(Value::Object(entries))
        }
        Type::Dynamic => {
            let Head::Array(2) = head else {
                return Err(loc.invalid(format!(
                    "dynamic value must be [type, value], found {}",
                    head.label()
                )));
            };
            let type_json = match r.head()? {
                Head::Bin(bytes) | Head::Str(bytes) => bytes,
                other => {
                    return Err(loc.invalid(format!(
                        "dynamic type must be binary, found {}",
                        other.label()
                    )))
                }
            };
            let actual =
                Type::from_json_bytes(type_json).map_err(|e| loc.invalid(e.to_string()))?;
            if actual == Type::Dynamic {
                return Err(loc.invalid("dynamic value announces type \"dynamic\""));
            }
            decode_at(r, &actual, &loc.child(Step::Index(1))?)
        }
    }
}

fn read_key<'b>(r: &mut Reader<'b>, loc: &Loc<'_>) -> Result<&'b str, CodecError> {
    match r.head()? {
        Head::Str(bytes) => utf8(bytes, loc),
        other => Err(loc.invalid(format!("map key must be a string, found {}", other.label()))),
    }
}

// ---------------------------------------------------------------------------------------------
// Writing

fn write_uint(out: &mut Vec<u8>, n: u64) {
    if n < 0x80 {
        out.push(n as u8);
    } else if let Ok(n) = u8::try_from(n) {
        out.extend_from_slice(&[0xcc, n]);
    } else if let Ok(n) = u16::try_from(n) {
        out.push(0xcd);
        out.extend_from_slice(&n.to_be_bytes());
    } else if let Ok(n) = u32::try_from(n) {
        out.push(0xce);
        out.extend_from_slice(&n.to_be_bytes());
    } else {
        out.push(0xcf);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn write_int(out: &mut Vec<u8>, n: i64) {
    if let Ok(u) = u64::try_from(n) {
        write_uint(out, u);
    } else if n >= -32 {
        out.push(n as u8); // negative fixint: the two's complement low byte
    } else if let Ok(n) = i8::try_from(n) {
        out.push(0xd0);
        out.extend_from_slice(&n.to_be_bytes());
    } else if let Ok(n) = i16::try_from(n) {
        out.push(0xd1);
        out.extend_from_slice(&n.to_be_bytes());
    } else if let Ok(n) = i32::try_from(n) {
        out.push(0xd2);
        out.extend_from_slice(&n.to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

/// Writes a length with the fix/8/16/32-bit marker family of a container kind.
fn write_len(
    out: &mut Vec<u8>,
    len: usize,
    fix: Option<(u8, usize)>,
    markers: [u8; 3],
    loc: &Loc<'_>,
) -> Result<(), CodecError> {
    match fix {
        Some((base, limit)) if len < limit => out.push(base | len as u8),
        _ if markers[0] != 0 && len <= usize::from(u8::MAX) => {
            out.extend_from_slice(&[markers[0], len as u8])
        }
        _ if len <= usize::from(u16::MAX) => {
            out.push(markers[1]);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            let len = u32::try_from(len).map_err(|_| loc.invalid("too long for msgpack"))?;
            out.push(markers[2]);
            out.extend_from_slice(&len.to_be_bytes());
        }
    }
    Ok(())
}

fn write_str(out: &mut Vec<u8>, s: &str, loc: &Loc<'_>) -> Result<(), CodecError> {
    write_len(out, s.len(), Some((0xa0, 32)), [0xd9, 0xda, 0xdb], loc)?;
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

fn write_bin(out: &mut Vec<u8>, b: &[u8], loc: &Loc<'_>) -> Result<(), CodecError> {
    write_len(out, b.len(), None, [0xc4, 0xc5, 0xc6], loc)?;
    out.extend_from_slice(b);
    Ok(())
}

fn write_array_len(out: &mut Vec<u8>, len: usize, loc: &Loc<'_>) -> Result<(), CodecError> {
    write_len(out, len, Some((0x90, 16)), [0, 0xdc, 0xdd], loc)
}

fn write_map_len(out: &mut Vec<u8>, len: usize, loc: &Loc<'_>) -> Result<(), CodecError> {
    write_len(out, len, Some((0x80, 16)), [0, 0xde, 0xdf], loc)
}

fn write_number(out: &mut Vec<u8>, n: &Number, loc: &Loc<'_>) -> Result<(), CodecError> {
    if let Some(i) = n.as_i64() {
        write_int(out, i);
    } else if let Some(u) = n.as_u64() {
        write_uint(out, u);
    } else if let Some(f) = n.exact_f64() {
        out.push(0xcb);
        out.extend_from_slice(&f.to_be_bytes());
    } else {
        write_str(out, &n.as_text(), loc)?;
    }
    Ok(())
}

fn encode_at(out: &mut Vec<u8>, value: &Value, ty: &Type, loc: &Loc<'_>) -> Result<(), CodecError> {
    let mismatch = || loc.mismatch(ty, value_label(value));
    match (ty, value) {
        (_, Value::Null) => out.push(0xc0),
        (_, Value::Unknown) => out.extend_from_slice(&UNKNOWN),
        (Type::String, Value::String(s)) => write_str(out, s, loc)?,
        (Type::Bool, Value::Bool(b)) => out.push(if *b { 0xc3 } else { 0xc2 }),
        (Type::Number, Value::Number(n)) => write_number(out, n, loc)?,
        (Type::List(elem) | Type::Set(elem), Value::List(items) | Value::Set(items)) => {
            write_array_len(out, items.len(), loc)?;
            for (i, item) in items.iter().enumerate() {
                encode_at(out, item, elem, &loc.child(Step::Index(i))?)?;
            }
        }
        (Type::Tuple(elems), Value::Tuple(items) | Value::List(items)) => {
            if items.len() != elems.len() {
                return Err(mismatch());
            }
            write_array_len(out, items.len(), loc)?;
            for (i, (item, elem)) in items.iter().zip(elems).enumerate() {
                encode_at(out, item, elem, &loc.child(Step::Index(i))?)?;
            }
        }
        (Type::Map(elem), Value::Map(entries) | Value::Object(entries)) => {
            write_map_len(out, entries.len(), loc)?;
            for (key, item) in entries {
                write_str(out, key, loc)?;
                encode_at(out, item, elem, &loc.child(Step::Key(key))?)?;
            }
        }
        (Type::Object(attrs), Value::Object(entries)) => {
            if let Some(extra) = entries.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(loc.invalid(format!("value has attribute {extra:?} not in its type")));
            }
            write_map_len(out, attrs.len(), loc)?;
            for (name, attr_ty) in attrs {
                write_str(out, name, loc)?;
                match entries.get(name) {
                    Some(item) => encode_at(out, item, attr_ty, &loc.child(Step::Attr(name))?)?,
                    None => out.push(0xc0),
                }
            }
        }
        (Type::Dynamic, _) => {
            let actual = infer_type(value);
            write_array_len(out, 2, loc)?;
            write_bin(out, &actual.to_json_bytes(), loc)?;
            encode_at(out, value, &actual, &loc.child(Step::Index(1))?)?;
        }
        _ => return Err(mismatch()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(value: &Value, ty: &Type) -> Vec<u8> {
        let bytes = encode(value, ty).unwrap();
        assert_eq!(&decode(&bytes, ty).unwrap(), value, "bytes {bytes:02x?}");
        bytes
    }

    fn num(text: &str) -> Value {
        Value::Number(text.parse().unwrap())
    }

    #[test]
    fn primitives_round_trip() {
        round_trip(&Value::from("héllo"), &Type::String);
        round_trip(&Value::from("x".repeat(40)), &Type::String);
        round_trip(&Value::from("x".repeat(300)), &Type::String);
        round_trip(&Value::from("x".repeat(70_000)), &Type::String);
        round_trip(&Value::Bool(true), &Type::Bool);
        round_trip(&Value::Bool(false), &Type::Bool);
        for ty in [
            Type::String,
            Type::Number,
            Type::Bool,
            Type::list(Type::String),
            Type::Dynamic,
        ] {
            assert_eq!(round_trip(&Value::Null, &ty), vec![0xc0]);
            assert_eq!(round_trip(&Value::Unknown, &ty), UNKNOWN.to_vec());
        }
    }

    #[test]
    fn numbers_pick_int_float_or_string() {
        assert_eq!(round_trip(&num("5"), &Type::Number), vec![0x05]);
        assert_eq!(round_trip(&num("-1"), &Type::Number), vec![0xff]);
        assert_eq!(round_trip(&num("-33"), &Type::Number), vec![0xd0, 0xdf]);
        assert_eq!(round_trip(&num("200"), &Type::Number), vec![0xcc, 200]);
        assert_eq!(round_trip(&num("70000"), &Type::Number)[0], 0xce);
        assert_eq!(
            round_trip(&num("-9223372036854775808"), &Type::Number)[0],
            0xd3
        );
        assert_eq!(
            round_trip(&num("18446744073709551615"), &Type::Number)[0],
            0xcf
        );
        assert_eq!(
            round_trip(&num("0.5"), &Type::Number),
            [&[0xcb][..], &0.5f64.to_be_bytes()].concat()
        );
        let big = "123456789012345678901234567890.000000000000000001";
        let bytes = round_trip(&num(big), &Type::Number);
        assert_eq!(bytes[0], 0xd9);
        assert_eq!(&bytes[2..], big.as_bytes());
        round_trip(&num("18446744073709551616"), &Type::Number);
    }

    #[test]
    fn numbers_decode_from_every_form() {
        assert_eq!(
            decode(&[0xca, 0x3f, 0x80, 0, 0], &Type::Number).unwrap(),
            num("1")
        );
        assert_eq!(
            decode(&[0xcd, 0x01, 0x00], &Type::Number).unwrap(),
            num("256")
        );
        assert_eq!(
            decode(&[0xa3, b'1', b'.', b'5'], &Type::Number).unwrap(),
            num("1.5")
        );
        assert!(decode(&[0xa3, b'a', b'b', b'c'], &Type::Number).is_err());
        let inf = [&[0xcb][..], &f64::INFINITY.to_be_bytes()].concat();
        assert!(decode(&inf, &Type::Number).is_err());
    }

    fn everything_type() -> Type {
        Type::object([
            ("s", Type::String),
            ("n", Type::Number),
            ("b", Type::Bool),
            ("l", Type::list(Type::String)),
            ("st", Type::set(Type::Number)),
            ("m", Type::map(Type::Bool)),
            ("t", Type::Tuple(vec![Type::String, Type::Number])),
            (
                "o",
                Type::object([("x", Type::String), ("y", Type::list(Type::Number))]),
            ),
            ("d", Type::Dynamic),
            (
                "blocks",
                Type::list(Type::object([
                    ("port", Type::Number),
                    ("proto", Type::String),
                ])),
            ),
        ])
    }

    #[test]
    fn every_type_round_trips_with_unknowns_and_nulls_anywhere() {
        let ty = everything_type();
        let full = Value::object([
            ("s", Value::from("s")),
            ("n", num("42.25")),
            ("b", Value::Bool(true)),
            (
                "l",
                Value::List(vec![Value::from("a"), Value::Unknown, Value::Null]),
            ),
            ("st", Value::Set(vec![num("1"), Value::Unknown])),
            (
                "m",
                Value::map([
                    ("k", Value::Unknown),
                    ("j", Value::Bool(false)),
                    ("z", Value::Null),
                ]),
            ),
            ("t", Value::Tuple(vec![Value::Unknown, Value::Null])),
            (
                "o",
                Value::object([
                    ("x", Value::Unknown),
                    ("y", Value::List(vec![Value::Unknown])),
                ]),
            ),
            (
                "d",
                Value::object([("inner", Value::List(vec![Value::from("q")]))]),
            ),
            (
                "blocks",
                Value::List(vec![
                    Value::object([("port", num("1")), ("proto", Value::Null)]),
                    Value::object([("port", num("2")), ("proto", Value::Unknown)]),
                ]),
            ),
        ]);
        round_trip(&full, &ty);
        let Value::Object(attrs) = &full else {
            unreachable!()
        };
        for name in attrs.keys() {
            for replacement in [Value::Null, Value::Unknown] {
                let mut v = full.clone();
                v.set_attr(name.clone(), replacement);
                round_trip(&v, &ty);
            }
        }
        let empty = Value::object([
            ("l", Value::List(vec![])),
            ("m", Value::Map(BTreeMap::new())),
            ("d", Value::Null),
        ]);
        let decoded = decode(&encode(&empty, &ty).unwrap(), &ty).unwrap();
        assert_eq!(decoded.get_attr("l"), Some(&Value::List(vec![])));
        assert_eq!(
            decoded.get_attr("s"),
            Some(&Value::Null),
            "absent attributes written as nil"
        );
    }

    #[test]
    fn matches_terraform_wire_bytes() {
        // From a real TF 1.0.3 PlanResourceChange: {"id": null, "name": "bravo", "tags": {"ref": unknown}}
        let ty = Type::object([
            ("id", Type::String),
            ("name", Type::String),
            ("tags", Type::map(Type::String)),
        ]);
        let bytes = [
            &[0x83, 0xa2][..],
            b"id",
            &[0xc0, 0xa4],
            b"name",
            &[0xa5],
            b"bravo",
            &[0xa4],
            b"tags",
            &[0x81, 0xa3],
            b"ref",
            &[0xd4, 0x00, 0x00],
        ]
        .concat();
        let value = decode(&bytes, &ty).unwrap();
        assert_eq!(
            value.get_attr("name").and_then(Value::as_str),
            Some("bravo")
        );
        assert_eq!(encode(&value, &ty).unwrap(), bytes);
    }

    #[test]
    fn any_extension_is_unknown() {
        // Refined unknown: ext type 12 with a map payload {1: false} (not null).
        assert_eq!(
            decode(&[0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2], &Type::String).unwrap(),
            Value::Unknown
        );
        assert_eq!(
            decode(&[0xd5, 0x0c, 0x00, 0x00], &Type::Number).unwrap(),
            Value::Unknown
        );
        assert_eq!(
            decode(
                &[0xd8, 0x01]
                    .iter()
                    .chain(&[0u8; 16])
                    .copied()
                    .collect::<Vec<_>>(),
                &Type::Bool
            )
            .unwrap(),
            Value::Unknown
        );
    }

    #[test]
    fn dynamic_accepts_str_or_bin_type() {
        let bytes = [&[0x92, 0xa8][..], br#""string""#, &[0xa1, b'x']].concat();
        assert_eq!(decode(&bytes, &Type::Dynamic).unwrap(), Value::from("x"));
        let bytes = [&[0x92, 0xc4, 0x08][..], br#""number""#, &[0x07]].concat();
        assert_eq!(decode(&bytes, &Type::Dynamic).unwrap(), num("7"));
    }

    #[test]
    fn malformed_input_is_an_error() {
        let ty = everything_type();
        let good = encode(
            &Value::object([
                ("s", Value::from("abc")),
                ("l", Value::List(vec![Value::from("q")])),
            ]),
            &ty,
        )
        .unwrap();
        for cut in 0..good.len() {
            assert!(decode(&good[..cut], &ty).is_err(), "cut at {cut}");
        }
        let mut trailing = good.clone();
        trailing.push(0xc0);
        assert!(matches!(
            decode(&trailing, &ty),
            Err(CodecError::TrailingBytes(1))
        ));
        assert!(decode(&[0xc1], &Type::String).is_err());
        assert!(
            decode(&[0xa2, 0xff, 0xfe], &Type::String).is_err(),
            "invalid UTF-8"
        );
        assert!(decode(
            &[0x81, 0xa1, b'q', 0xc0],
            &Type::object([("a", Type::String)])
        )
        .is_err());
        assert!(decode(&[0x01], &Type::String).is_err());
        assert!(decode(&[0x92, 0x01], &Type::Tuple(vec![Type::Number])).is_err());
    }

    #[test]
    fn hostile_lengths_do_not_allocate() {
        // An array claiming 2^32-1 elements with no bytes behind it.
        assert!(matches!(
            decode(&[0xdd, 0xff, 0xff, 0xff, 0xff], &Type::list(Type::String)),
            Err(CodecError::Truncated)
        ));
        assert!(matches!(
            decode(&[0xdf, 0xff, 0xff, 0xff, 0xff], &Type::map(Type::String)),
            Err(CodecError::Truncated)
        ));
        assert!(matches!(
            decode(&[0xdb, 0xff, 0xff, 0xff, 0xff], &Type::String),
            Err(CodecError::Truncated)
        ));
    }

    #[test]
    fn deep_nesting_is_limited() {
        fn nested(depth: usize) -> (Type, Vec<u8>) {
            let mut ty = Type::String;
            let mut bytes = vec![0x91; depth];
            for _ in 0..depth {
                ty = Type::list(ty);
            }
            bytes.push(0xa0);
            (ty, bytes)
        }
        let (ty, bytes) = nested(100);
        assert!(decode(&bytes, &ty).is_ok());
        let (ty, bytes) = nested(200);
        assert!(matches!(decode(&bytes, &ty), Err(CodecError::TooDeep)));
        // Deep input against a shallow type (the type itself stays small).
        let bytes = vec![0x91; 100_000];
        let mut ty = Type::Dynamic;
        for _ in 0..10 {
            ty = Type::list(ty);
        }
        assert!(decode(&bytes, &ty).is_err());
    }

    #[test]
    fn encode_rejects_wrong_shapes() {
        assert!(encode(&Value::from(1), &Type::String).is_err());
        let ty = Type::object([("a", Type::String)]);
        assert!(encode(&Value::object([("b", Value::from("x"))]), &ty).is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            let _ = decode(&bytes, &everything_type());
            let _ = decode(&bytes, &Type::Dynamic);
            let _ = decode(&bytes, &Type::list(Type::map(Type::Number)));
        }
    }
}
