//! Fuzzing the protocol's value decoders (`tfplugin::msgpack::decode`, `tfplugin::json::decode`)
//! with generated inputs: random bytes, and valid encodings of random typed values with random
//! mutations (flipped, inserted, removed bytes, truncations, huge length claims, deep nesting).
//! Every decode must return (Ok or Err) without panicking, and allocate no more than a small
//! multiple of its input (a counting allocator measures each decode).
//!
//! The normal test run does a short pass (FUZZ_CASES defaults to 2,000 per property).
//! The long run, 100,000 cases per property (every case decodes against several types):
//!
//!     FUZZ_CASES=100000 cargo test --release --test fuzz_decoders -- --nocapture
//!
//! Each property prints how many decodes it ran.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};

use terraform_provider_cloudflare::tfplugin::{json, msgpack, Number, Type, Value, MAX_DEPTH};

// ---------------------------------------------------------------------------------------------
// Allocation accounting: bytes allocated by this thread while a measurement is open.

struct CountingAllocator;

thread_local! {
    static ALLOCATED: Cell<u64> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATED.try_with(|n| n.set(n.get().saturating_add(layout.size() as u64)));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATED.try_with(|n| n.set(n.get().saturating_add(new_size as u64)));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Runs `f` and returns its result with the bytes this thread allocated meanwhile (a bound on
/// the peak: frees are not subtracted).
fn measured<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let before = ALLOCATED.with(Cell::get);
    let out = f();
    (out, ALLOCATED.with(Cell::get) - before)
}

/// What a decode of `input_len` bytes may allocate: values, keys, error text and the parsed
/// type of dynamic values are all proportional to the input.
fn allocation_budget(input_len: usize) -> u64 {
    64 * 1024 + 256 * input_len as u64
}

// ---------------------------------------------------------------------------------------------
// Configuration and counters.

fn cases() -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000)
}

fn config() -> Config {
    Config {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        max_shrink_iters: 2_000,
        ..Config::default()
    }
}

/// Decodes with both codecs against `ty`; checks the allocation budget.
fn decode_both(bytes: &[u8], ty: &Type, count: &mut u64) -> Result<(), TestCaseError> {
    let (_, used) = measured(|| msgpack::decode(bytes, ty));
    prop_assert!(used <= allocation_budget(bytes.len()), "msgpack decode of {} bytes allocated {used}", bytes.len());
    let (_, used) = measured(|| json::decode(bytes, ty));
    prop_assert!(used <= allocation_budget(bytes.len()), "JSON decode of {} bytes allocated {used}", bytes.len());
    *count += 2;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Types and values.

/// Types shaped like the provider's: the provider block, the mappings resource, and odd ones.
fn fixed_types() -> Vec<Type> {
    let entry = Type::object([("vendor", Type::String), ("region", Type::String)]);
    vec![
        Type::String,
        Type::Number,
        Type::Dynamic,
        Type::list(Type::Number),
        Type::set(Type::String),
        Type::map(Type::Bool),
        Type::Tuple(vec![Type::String, Type::Number, Type::Dynamic]),
        Type::object([
            ("id", Type::String),
            ("zone_id", Type::String),
            ("mappings", Type::map(entry)),
            ("modified_on", Type::String),
        ]),
        Type::object([
            ("api_token", Type::String),
            ("max_retries", Type::Number),
            ("extra", Type::list(Type::list(Type::Dynamic))),
        ]),
    ]
}

fn arb_type() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![Just(Type::String), Just(Type::Number), Just(Type::Bool), Just(Type::Dynamic)];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::btree_map("[a-z_]{1,6}", inner.clone(), 0..4).prop_map(Type::Object),
            prop::collection::vec(inner, 0..3).prop_map(Type::Tuple),
        ]
    })
}

fn arb_number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::from),
        any::<u64>().prop_map(Number::from),
        any::<f64>().prop_filter_map("finite", Number::from_f64),
        "-?[0-9]{1,30}(\\.[0-9]{1,20})?(e[+-]?[0-9]{1,3})?".prop_filter_map("decimal", |s| s.parse().ok()),
    ]
}

/// A known value for a dynamic slot (its type is inferred when encoding).
fn arb_dynamic_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<String>().prop_map(Value::String),
        arb_number().prop_map(Value::Number),
        any::<bool>().prop_map(Value::Bool),
        prop::collection::vec(".{0,8}".prop_map(Value::String), 0..4).prop_map(Value::List),
        prop::collection::btree_map("[a-z]{1,4}", arb_number().prop_map(Value::Number), 0..3).prop_map(Value::Object),
    ]
}

/// A value of type `ty`; unknowns only when `unknowns` (JSON cannot carry them).
fn arb_value(ty: &Type, unknowns: bool) -> BoxedStrategy<Value> {
    let known: BoxedStrategy<Value> = match ty {
        Type::String => any::<String>().prop_map(Value::String).boxed(),
        Type::Number => arb_number().prop_map(Value::Number).boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Dynamic => arb_dynamic_value().boxed(),
        Type::List(elem) => prop::collection::vec(arb_value(elem, unknowns), 0..4).prop_map(Value::List).boxed(),
        Type::Set(elem) => prop::collection::vec(arb_value(elem, unknowns), 0..4).prop_map(Value::Set).boxed(),
        Type::Map(elem) => prop::collection::btree_map(".{0,6}", arb_value(elem, unknowns), 0..4)
            .prop_map(Value::Map)
            .boxed(),
        Type::Object(attrs) => {
            let fields: Vec<BoxedStrategy<(String, Value)>> = attrs
                .iter()
                .map(|(name, ty)| {
                    let name = name.clone();
                    arb_value(ty, unknowns).prop_map(move |v| (name.clone(), v)).boxed()
                })
                .collect();
            fields.prop_map(|pairs| Value::Object(pairs.into_iter().collect())).boxed()
        }
        Type::Tuple(elems) => {
            let items: Vec<BoxedStrategy<Value>> = elems.iter().map(|t| arb_value(t, unknowns)).collect();
            items.prop_map(Value::Tuple).boxed()
        }
    };
    if unknowns {
        prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown), 6 => known].boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 6 => known].boxed()
    }
}

fn typed_value(unknowns: bool) -> impl Strategy<Value = (Type, Value)> {
    arb_type().prop_flat_map(move |ty| (Just(ty.clone()), arb_value(&ty, unknowns)))
}

// ---------------------------------------------------------------------------------------------
// Mutations of valid encodings.

/// Byte sequences that make decoders work hard: huge length claims, bad markers, deep nesting.
const MSGPACK_BOMBS: &[&[u8]] = &[
    &[0xdd, 0xff, 0xff, 0xff, 0xff],       // array of 4 Gi items
    &[0xdf, 0xff, 0xff, 0xff, 0xff],       // map of 4 Gi entries
    &[0xdb, 0xff, 0xff, 0xff, 0xff],       // string of 4 GiB
    &[0xc6, 0xff, 0xff, 0xff, 0xff],       // binary of 4 GiB
    &[0xc9, 0xff, 0xff, 0xff, 0xff, 0x00], // extension of 4 GiB
    &[0xdc, 0xff, 0xff],                   // array of 64 Ki items
    &[0xc1],                               // reserved marker
    &[0xd4, 0x00, 0x00],                   // unknown
    &[0x92, 0xc4, 0x08, b'"', b's', b't', b'r', b'i', b'n', b'g', b'"'], // dynamic header
    &[0xcb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0], // +infinity
    &[0xa3, 0xff, 0xfe, 0xfd],             // invalid UTF-8
];

const JSON_BOMBS: &[&str] = &[
    "1e999999999", "-1e-999999999", "123456789012345678901234567890.5", "\"\\ud800\"", "[[[[[[[[", "]]]]",
    "{\"a\":", "null", "\"", "\\", "{}", "[]", "true", "-", "0x10", "NaN", ",", ":",
];

#[derive(Debug, Clone)]
enum Mutation {
    Flip(Index, u8),
    Set(Index, u8),
    Insert(Index, u8),
    Remove(Index),
    Truncate(Index),
    Splice(Index, Index),
    Bomb(Index, Index),
}

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 0u8..8).prop_map(|(i, bit)| Mutation::Flip(i, bit)),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<Index>().prop_map(Mutation::Remove),
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Splice(a, b)),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Bomb(a, b)),
    ]
}

fn mutate(bytes: &mut Vec<u8>, mutation: &Mutation, bombs: &[&[u8]]) {
    let at = |i: &Index, len: usize| if len == 0 { 0 } else { i.index(len) };
    match mutation {
        Mutation::Flip(i, bit) if !bytes.is_empty() => {
            let i = at(i, bytes.len());
            bytes[i] ^= 1 << bit;
        }
        Mutation::Set(i, b) if !bytes.is_empty() => {
            let i = at(i, bytes.len());
            bytes[i] = *b;
        }
        Mutation::Insert(i, b) => {
            let i = at(i, bytes.len() + 1);
            bytes.insert(i, *b);
        }
        Mutation::Remove(i) if !bytes.is_empty() => {
            let i = at(i, bytes.len());
            bytes.remove(i);
        }
        Mutation::Truncate(i) => {
            let i = at(i, bytes.len() + 1);
            bytes.truncate(i);
        }
        // Copies a slice of the input elsewhere: duplicates whole sub-values now and then.
        Mutation::Splice(from, to) if !bytes.is_empty() => {
            let start = at(from, bytes.len());
            let end = (start + 1 + from.index(16)).min(bytes.len());
            let chunk = bytes[start..end].to_vec();
            let dest = at(to, bytes.len() + 1);
            bytes.splice(dest..dest, chunk);
        }
        Mutation::Bomb(which, i) => {
            let bomb = bombs[which.index(bombs.len())];
            let i = at(i, bytes.len() + 1);
            bytes.splice(i..i, bomb.iter().copied());
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Properties.

/// Runs `check` on `cases()` generated inputs and prints the figures.
fn fuzz<S: Strategy>(
    property: &str,
    strategy: S,
    check: impl Fn(S::Value, &mut u64) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let started = Instant::now();
    let decodes = Cell::new(0u64);
    let runs = Cell::new(0u64);
    let mut runner = TestRunner::new(config());
    let result = runner.run(&strategy, |input| {
        let mut count = 0;
        let outcome = check(input, &mut count);
        decodes.set(decodes.get() + count);
        runs.set(runs.get() + 1);
        outcome
    });
    eprintln!(
        "[fuzz] {property}: {} inputs (incl. any shrinking), {} decodes in {:.1?}",
        runs.get(),
        decodes.get(),
        started.elapsed()
    );
    if let Err(failure) = result {
        panic!("{property}: {failure}");
    }
}

#[test]
fn random_bytes_never_panic() {
    let types = fixed_types();
    fuzz("random bytes", prop::collection::vec(any::<u8>(), 0..256), |bytes, count| {
        for ty in &types {
            decode_both(&bytes, ty, count)?;
        }
        Ok(())
    });
}

#[test]
fn mutated_msgpack_never_panics() {
    let types = fixed_types();
    let strategy = (typed_value(true), prop::collection::vec(arb_mutation(), 1..5));
    fuzz("mutated msgpack", strategy, |((ty, value), mutations), count| {
        let mut bytes = msgpack::encode(&value, &ty).map_err(|e| TestCaseError::fail(e.to_string()))?;
        // The untouched encoding decodes back to the same value.
        let decoded = msgpack::decode(&bytes, &ty).map_err(|e| TestCaseError::fail(format!("{e}: {bytes:02x?}")))?;
        prop_assert_eq!(&decoded, &value);
        for mutation in &mutations {
            mutate(&mut bytes, mutation, MSGPACK_BOMBS);
        }
        decode_both(&bytes, &ty, count)?;
        for other in &types {
            decode_both(&bytes, other, count)?;
        }
        Ok(())
    });
}

#[test]
fn mutated_json_never_panics() {
    let types = fixed_types();
    let bombs: Vec<&[u8]> = JSON_BOMBS.iter().map(|b| b.as_bytes()).collect();
    let strategy = (typed_value(false), prop::collection::vec(arb_mutation(), 1..5));
    fuzz("mutated JSON", strategy, |((ty, value), mutations), count| {
        let mut bytes = json::encode(&value, &ty).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let decoded = json::decode(&bytes, &ty)
            .map_err(|e| TestCaseError::fail(format!("{e}: {}", String::from_utf8_lossy(&bytes))))?;
        prop_assert_eq!(&decoded, &value);
        for mutation in &mutations {
            mutate(&mut bytes, mutation, &bombs);
        }
        decode_both(&bytes, &ty, count)?;
        for other in &types {
            decode_both(&bytes, other, count)?;
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// Hostile inputs that must fail fast and small.

fn assert_fails_fast(bytes: &[u8], ty: &Type, what: &str) {
    let started = Instant::now();
    let (result, used) = measured(|| msgpack::decode(bytes, ty));
    assert!(result.is_err(), "{what}: decoded {result:?}");
    assert!(used < 64 * 1024, "{what}: allocated {used} bytes");
    assert!(started.elapsed() < Duration::from_secs(1), "{what}: took {:?}", started.elapsed());
}

#[test]
fn tiny_inputs_claiming_gigabytes_fail_fast() {
    let four_gib = [0xff, 0xff, 0xff, 0xff];
    for (marker, ty, what) in [
        (0xdd, Type::list(Type::String), "array of 4 Gi strings"),
        (0xdd, Type::set(Type::Number), "set of 4 Gi numbers"),
        (0xdf, Type::map(Type::Bool), "map of 4 Gi entries"),
        (0xdf, Type::object([("a", Type::String)]), "object of 4 Gi attributes"),
        (0xdb, Type::String, "string of 4 GiB"),
        (0xdb, Type::Number, "number text of 4 GiB"),
    ] {
        let mut bytes = vec![marker];
        bytes.extend_from_slice(&four_gib);
        assert_fails_fast(&bytes, &ty, what);
        bytes.extend_from_slice(&[0xc0; 16]);
        assert_fails_fast(&bytes, &ty, &format!("{what}, with 16 items"));
    }
    // A dynamic value whose type JSON claims 4 GiB of binary.
    assert_fails_fast(&[0x92, 0xc6, 0xff, 0xff, 0xff, 0xff], &Type::Dynamic, "dynamic type of 4 GiB");
    // An extension (unknown) claiming 4 GiB.
    assert_fails_fast(&[0xc9, 0xff, 0xff, 0xff, 0xff, 0x00], &Type::String, "extension of 4 GiB");
}

#[test]
fn nesting_deeper_than_the_limit_is_refused_without_overflowing_the_stack() {
    let depth = MAX_DEPTH + 50;
    let mut ty = Type::String;
    for _ in 0..depth {
        ty = Type::list(ty);
    }
    let mut bytes = vec![0x91; depth];
    bytes.push(0xa0);
    assert_fails_fast(&bytes, &ty, "msgpack nested past the limit");

    let text = "[".repeat(depth) + "\"\"" + &"]".repeat(depth);
    assert!(json::decode(text.as_bytes(), &ty).is_err(), "JSON nested past the limit");
    let deep = "[".repeat(100_000);
    let (result, used) = measured(|| json::decode(deep.as_bytes(), &Type::Dynamic));
    assert!(result.is_err());
    assert!(used < allocation_budget(deep.len()), "allocated {used}");

    // A dynamic value announcing a type nested 10,000 levels deep.
    let type_json = "[\"list\",".repeat(10_000) + "\"string\"" + &"]".repeat(10_000);
    let mut bytes = vec![0x92, 0xc6];
    bytes.extend_from_slice(&(type_json.len() as u32).to_be_bytes());
    bytes.extend_from_slice(type_json.as_bytes());
    bytes.push(0xc0);
    assert_fails_fast(&bytes, &Type::Dynamic, "dynamic type nested 10,000 deep");
}

#[test]
fn a_million_nils_in_a_list_cost_memory_in_proportion() {
    let count: u32 = 1_000_000;
    let mut bytes = vec![0xdd];
    bytes.extend_from_slice(&count.to_be_bytes());
    bytes.extend(std::iter::repeat_n(0xc0, count as usize));
    let (result, used) = measured(|| msgpack::decode(&bytes, &Type::list(Type::String)));
    match result {
        Ok(Value::List(items)) => assert_eq!(items.len(), count as usize),
        other => panic!("expected a list of nulls, got {:?}", other.map(|_| ())),
    }
    assert!(used <= allocation_budget(bytes.len()), "allocated {used} for {} bytes", bytes.len());
}

#[test]
fn the_allocation_counter_counts() {
    let (_, used) = measured(|| vec![0u8; 1 << 20]);
    assert!(used >= 1 << 20);
}
