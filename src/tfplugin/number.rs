//! Arbitrary-precision numbers (cty numbers are big floats; Terraform may send decimal strings).

use std::fmt;
use std::str::FromStr;

/// A number kept as its decimal text so no precision is lost on a round trip.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Number(serde_json::Number);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0:?} is not a decimal number")]
pub struct NumberError(pub String);

impl Number {
    /// A finite float; integral values become integers (so `1.0` equals `1`).
    pub fn from_f64(f: f64) -> Option<Number> {
        if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
            #[allow(clippy::cast_possible_truncation)] // integral and below 2^53: exact
            return Some(Number::from(f as i64));
        }
        serde_json::Number::from_f64(f).map(Number)
    }

    pub fn as_i64(&self) -> Option<i64> {
        self.0.as_i64()
    }

    pub fn as_u64(&self) -> Option<u64> {
        self.0.as_u64()
    }

    /// Nearest f64 (may lose precision).
    pub fn as_f64(&self) -> Option<f64> {
        self.0.as_f64()
    }

    /// The decimal text, e.g. `"12"`, `"0.5"`, `"1e+400"`.
    pub fn as_text(&self) -> String {
        self.0.to_string()
    }

    /// The f64 holding exactly this value, if one does.
    pub fn exact_f64(&self) -> Option<f64> {
        let f = self.as_f64()?;
        let back = serde_json::Number::from_f64(f)?;
        (back.to_string() == self.0.to_string()).then_some(f)
    }

    pub(crate) fn as_json(&self) -> &serde_json::Number {
        &self.0
    }

    pub(crate) fn from_json(n: serde_json::Number) -> Number {
        Number(n).normalized()
    }

    /// Integral values written with a fraction or exponent (`1.0`, `1e3`) become plain
    /// integers, so equal numbers compare equal whatever form Terraform sent.
    fn normalized(self) -> Number {
        // Rebuilt from the integer so that "-0" becomes 0, as it does from a float.
        if let Some(i) = self.0.as_i64() {
            return Number::from(i);
        }
        if self.0.is_u64() {
            return self;
        }
        match self.exact_integral_f64() {
            Some(f) => Number::from_f64(f).unwrap_or(self),
            None => self,
        }
    }

    fn exact_integral_f64(&self) -> Option<f64> {
        let f = self.as_f64()?;
        let exact = f.is_finite() && f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15;
        exact.then_some(f)
    }
}

impl FromStr for Number {
    type Err = NumberError;

    /// Parses JSON number syntax; a leading `+` is tolerated (Go's big.Float may emit it in
    /// exponents only, which JSON syntax already allows).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim();
        let trimmed = trimmed.strip_prefix('+').unwrap_or(trimmed);
        serde_json::Number::from_str(trimmed)
            .map(Number::from_json)
            .map_err(|_| NumberError(s.to_owned()))
    }
}

impl From<i64> for Number {
    fn from(n: i64) -> Self {
        Number(n.into())
    }
}

impl From<u64> for Number {
    fn from(n: u64) -> Self {
        Number(n.into())
    }
}

impl From<i32> for Number {
    fn from(n: i32) -> Self {
        Number(i64::from(n).into())
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Number({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_floats_become_integers() {
        assert_eq!(Number::from_f64(3.0), Some(Number::from(3)));
        assert_eq!(
            Number::from_f64(0.5).map(|n| n.as_text()),
            Some("0.5".to_owned())
        );
        assert_eq!(Number::from_f64(f64::NAN), None);
    }

    #[test]
    fn big_decimal_text_survives() {
        let n: Number = "123456789012345678901234567890.000000000000000001"
            .parse()
            .unwrap();
        assert_eq!(
            n.as_text(),
            "123456789012345678901234567890.000000000000000001"
        );
        assert_eq!(n.exact_f64(), None);
        assert!("abc".parse::<Number>().is_err());
        assert_eq!("0.25".parse::<Number>().unwrap().exact_f64(), Some(0.25));
    }

    #[test]
    fn integral_forms_compare_equal() {
        assert_eq!("1.0".parse::<Number>().unwrap(), Number::from(1));
        assert_eq!("1e3".parse::<Number>().unwrap(), Number::from(1000));
        assert_eq!("-2.000".parse::<Number>().unwrap(), Number::from(-2));
        assert_eq!("-0".parse::<Number>().unwrap(), Number::from(0));
        assert_eq!("-0".parse::<Number>().unwrap(), Number::from_f64(-0.0).unwrap());
        // Beyond exact f64 integers: kept in exponent form, not expanded.
        let big = "1e300".parse::<Number>().unwrap();
        assert_eq!(big.as_i64(), None);
        assert!(big.as_text().len() < 10, "{big}");
    }
}
