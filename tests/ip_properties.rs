//! Property tests for `ip::canonical_ip`: every spelling of an address (upper case, zero-padded
//! groups, uncompressed, compressed at any run of zeros, dotted IPv4 tail) has one canonical
//! form, that form follows RFC 5952 (checked against a reference formatter written here from the
//! RFC's rules, and against the RFC's own examples), and canonicalising is idempotent.
//!
//! FUZZ_CASES sets the number of generated addresses per property (default 2,000).

use std::net::{Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, FileFailurePersistence};

use terraform_provider_cloudflare::ip::{canonical_ip, parse_ip};

fn config() -> Config {
    Config {
        cases: std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

/// RFC 5952 section 4, applied independently of `std`: lower-case hex without leading zeros,
/// `::` for the longest run (first on ties) of two or more zero groups, and (section 5) the
/// dotted form for IPv4-mapped addresses.
fn rfc5952(groups: [u16; 8]) -> String {
    if groups[..5] == [0; 5] && groups[5] == 0xffff {
        let [a, b] = groups[6].to_be_bytes();
        let [c, d] = groups[7].to_be_bytes();
        return format!("::ffff:{a}.{b}.{c}.{d}");
    }
    let mut best: Option<(usize, usize)> = None; // (start, length)
    let mut i = 0;
    while i < 8 {
        if groups[i] != 0 {
            i += 1;
            continue;
        }
        let start = i;
        while i < 8 && groups[i] == 0 {
            i += 1;
        }
        let len = i - start;
        if len >= 2 && best.is_none_or(|(_, best_len)| len > best_len) {
            best = Some((start, len));
        }
    }
    let hex = |gs: &[u16]| gs.iter().map(|g| format!("{g:x}")).collect::<Vec<_>>().join(":");
    match best {
        None => hex(&groups),
        Some((start, len)) => format!("{}::{}", hex(&groups[..start]), hex(&groups[start + len..])),
    }
}

#[test]
fn the_reference_formatter_agrees_with_the_rfc_examples() {
    assert_eq!(rfc5952([0x2001, 0xdb8, 0, 0, 0, 0, 2, 1]), "2001:db8::2:1");
    assert_eq!(rfc5952([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]), "2001:db8:0:1:1:1:1:1");
    assert_eq!(rfc5952([0x2001, 0, 0, 1, 0, 0, 0, 1]), "2001:0:0:1::1");
    assert_eq!(rfc5952([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), "2001:db8::1:0:0:1");
    assert_eq!(rfc5952([0; 8]), "::");
    assert_eq!(rfc5952([0, 0, 0, 0, 0, 0, 0, 1]), "::1");
    assert_eq!(rfc5952([1, 0, 0, 0, 0, 0, 0, 0]), "1::");
}

/// RFC 5952 section 4 (and the equivalent spellings of section 2) -> canonical form.
#[test]
fn rfc5952_vectors() {
    let vectors: &[(&[&str], &str)] = &[
        // 4.1: leading zeros suppressed.
        (&["2001:0db8::0001", "2001:db8::001", "2001:db8::01", "2001:0DB8::1"], "2001:db8::1"),
        // 4.2.1: `::` as long as possible.
        (&["2001:db8:0:0:0:0:2:1", "2001:db8::0:2:1", "2001:db8:0::0:2:1"], "2001:db8::2:1"),
        // 4.2.2: a single zero group is not compressed.
        (&["2001:db8:0:1:1:1:1:1", "2001:db8::1:1:1:1:1"], "2001:db8:0:1:1:1:1:1"),
        // 4.2.3: the longest run, the first of equal runs.
        (&["2001:0:0:1:0:0:0:1", "2001::1:0:0:0:1", "2001:0000:0000:0001:0000:0000:0000:0001"], "2001:0:0:1::1"),
        (&["2001:db8:0:0:1:0:0:1", "2001:db8:0:0:1::1", "2001:db8::0:1:0:0:1"], "2001:db8::1:0:0:1"),
        // 4.3: lower case.
        (&["2001:DB8::ABCD", "2001:db8::AbCd", "2001:Db8:0::abcd"], "2001:db8::abcd"),
        // Section 2's spellings of one address.
        (
            &[
                "2001:db8:0:0:1:0:0:1",
                "2001:0db8:0:0:1:0:0:1",
                "2001:db8::1:0:0:1",
                "2001:db8::0:1:0:0:1",
                "2001:0db8::1:0:0:1",
                "2001:db8:0:0:1::1",
                "2001:db8:0000:0:1::1",
                "2001:DB8:0:0:1::1",
            ],
            "2001:db8::1:0:0:1",
        ),
        (
            &[
                "2001:db8:aaaa:bbbb:cccc:dddd:eeee:0001",
                "2001:db8:aaaa:bbbb:cccc:dddd:eeee:001",
                "2001:db8:aaaa:bbbb:cccc:dddd:eeee:01",
                "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1",
            ],
            "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1",
        ),
        (&["2001:db8:aaaa:bbbb:cccc:dddd::1", "2001:db8:aaaa:bbbb:cccc:dddd:0:1"], "2001:db8:aaaa:bbbb:cccc:dddd:0:1"),
        (&["2001:db8:0:0:0::1", "2001:db8:0:0::1", "2001:db8:0::1", "2001:db8::1"], "2001:db8::1"),
        (&["2001:db8::aaaa:0:0:1", "2001:db8:0:0:aaaa::1"], "2001:db8::aaaa:0:0:1"),
        (
            &["2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:AAAA", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:AaAa"],
            "2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa",
        ),
        // Section 5: IPv4-mapped addresses keep the dotted tail.
        (&["::ffff:192.0.2.1", "::FFFF:c000:0201", "0:0:0:0:0:ffff:192.0.2.1"], "::ffff:192.0.2.1"),
        // Ends of the address.
        (&["0:0:0:0:0:0:0:0", "::0", "0::"], "::"),
        (&["0:0:0:0:0:0:0:1", "::0:1"], "::1"),
        (&["fe80:0:0:0:0:0:0:0", "FE80::"], "fe80::"),
    ];
    for (spellings, canonical) in vectors {
        for spelling in *spellings {
            assert_eq!(canonical_ip(spelling).as_deref(), Ok(*canonical), "{spelling}");
        }
        assert_eq!(canonical_ip(canonical).as_deref(), Ok(*canonical), "idempotent: {canonical}");
    }
}

/// Eight groups where zeros are common, so runs of every length and position occur.
fn groups() -> impl Strategy<Value = [u16; 8]> {
    let group = prop_oneof![2 => Just(0u16), 1 => Just(0xffff), 3 => any::<u16>()];
    prop::array::uniform8(group)
}

/// How to spell one address.
#[derive(Debug, Clone)]
struct Spelling {
    upper: Vec<bool>,
    pad: Vec<u8>,
    /// Compress some run of zero groups (any run, not only the longest), if there is one.
    compress: Option<Index>,
    /// Write the last 32 bits as a dotted quad.
    dotted_tail: bool,
}

fn spelling() -> impl Strategy<Value = Spelling> {
    (
        prop::collection::vec(any::<bool>(), 8),
        prop::collection::vec(0u8..=4, 8),
        any::<Option<Index>>(),
        any::<bool>(),
    )
        .prop_map(|(upper, pad, compress, dotted_tail)| Spelling { upper, pad, compress, dotted_tail })
}

fn spell(groups: [u16; 8], how: &Spelling) -> String {
    let group_text = |i: usize| {
        let text = format!("{:0width$x}", groups[i], width = usize::from(how.pad[i]));
        if how.upper[i] { text.to_uppercase() } else { text }
    };
    let hex_groups = if how.dotted_tail { 6 } else { 8 };
    let mut parts: Vec<String> = (0..hex_groups).map(group_text).collect();
    // Runs of zero groups (start, length) among the hex groups.
    let mut runs = Vec::new();
    let mut i = 0;
    while i < hex_groups {
        if groups[i] == 0 {
            let start = i;
            while i < hex_groups && groups[i] == 0 {
                i += 1;
            }
            runs.push((start, i - start));
        } else {
            i += 1;
        }
    }
    let tail = how.dotted_tail.then(|| {
        let [a, b] = groups[6].to_be_bytes();
        let [c, d] = groups[7].to_be_bytes();
        format!("{a}.{b}.{c}.{d}")
    });
    match how.compress.as_ref().filter(|_| !runs.is_empty()) {
        Some(which) => {
            let (start, len) = runs[which.index(runs.len())];
            let head = parts[..start].join(":");
            let mut rest: Vec<String> = parts.split_off(start + len);
            rest.extend(tail);
            format!("{head}::{}", rest.join(":"))
        }
        None => {
            parts.extend(tail);
            parts.join(":")
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_ipv6_spelling_has_the_rfc5952_form(groups in groups(), how in spelling()) {
        let text = spell(groups, &how);
        let expected = rfc5952(groups);
        prop_assert_eq!(canonical_ip(&text), Ok(expected), "spelled {}", text);
        prop_assert_eq!(parse_ip(&text).ok(), Some(Ipv6Addr::from(groups).into()));
    }

    #[test]
    fn canonicalising_is_idempotent(groups in groups(), how in spelling()) {
        let once = canonical_ip(&spell(groups, &how)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(canonical_ip(&once), Ok(once.clone()));
    }

    #[test]
    fn ipv4_is_its_own_canonical_form(address in any::<u32>()) {
        let text = Ipv4Addr::from(address).to_string();
        prop_assert_eq!(canonical_ip(&text), Ok(text.clone()));
    }

    /// Zero-padded octets read as octal by some tools, so they are refused, never reinterpreted.
    #[test]
    fn ipv4_with_a_zero_padded_octet_is_refused(octets in any::<[u8; 4]>(), which in 0usize..4) {
        let text = octets
            .iter()
            .enumerate()
            .map(|(i, o)| if i == which { format!("0{o}") } else { o.to_string() })
            .collect::<Vec<_>>()
            .join(".");
        prop_assert!(canonical_ip(&text).is_err(), "{} accepted", text);
    }

    #[test]
    fn whitespace_anywhere_is_refused(groups in groups(), at in any::<Index>(), space in prop::sample::select(vec![" ", "\t", "\n", "\u{a0}"])) {
        let mut text = rfc5952(groups);
        text.insert_str(at.index(text.len() + 1), space);
        prop_assert!(canonical_ip(&text).is_err(), "{:?} accepted", text);
    }
}
