//! Numbers as Redis reads and writes them.

use rustc_apfloat::ieee::{Double, X87DoubleExtended};
use rustc_apfloat::{Float, FloatConvert, Round};

/// Format a double as C's `printf("%.17g")`, which Redis 7.0 uses for double
/// replies (`inf`, `-inf`, `nan` spelled as glibc does).
pub fn format_double(d: f64) -> String {
    format_g(d, 17)
}

/// C's `%.<precision>g` for an `f64` (precision >= 1).
pub fn format_g(d: f64, precision: usize) -> String {
    if d.is_nan() {
        return if d.is_sign_negative() {
            "-nan".into()
        } else {
            "nan".into()
        };
    }
    if d.is_infinite() {
        return if d < 0.0 { "-inf".into() } else { "inf".into() };
    }
    let p = precision.max(1);
    if d == 0.0 {
        return if d.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // Rust's `{:e}` rounds exactly (round-half-even on exact ties, as glibc).
    let sci = format!("{:.*e}", p - 1, d);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let mut out = String::with_capacity(p + 8);
    if neg {
        out.push('-');
    }
    if exp < -4 || exp >= p as i32 {
        out.push_str(&digits[..1]);
        let frac = digits[1..].trim_end_matches('0');
        if !frac.is_empty() {
            out.push('.');
            out.push_str(frac);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.push('0');
        }
        out.push_str(&e.to_string());
    } else if exp >= 0 {
        let int_len = exp as usize + 1;
        out.push_str(&digits[..int_len]);
        let frac = digits[int_len..].trim_end_matches('0');
        if !frac.is_empty() {
            out.push('.');
            out.push_str(frac);
        }
    } else {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(digits.trim_end_matches('0'));
    }
    out
}

/// Longest text Redis's `string2ld` reads is one less than this
/// (`MAX_LONG_DOUBLE_CHARS`, the size of its stack buffer).
pub const LONG_DOUBLE_MAX_CHARS: usize = 5 * 1024;

/// A C `long double` as Redis on x86-64 Linux has it: the x87 80-bit
/// extended format (64-bit significand, 15-bit exponent). INCRBYFLOAT and
/// HINCRBYFLOAT compute in it, so their results differ from `f64` maths
/// (`10.5 + 0.1` prints as `10.6`, not `10.59999999999999964`).
#[derive(Debug, Clone, Copy)]
pub struct LongDouble(X87DoubleExtended);

impl PartialEq for LongDouble {
    /// Bitwise equality (so `-0 != 0` and NaN equals itself): what tests want.
    fn eq(&self, other: &Self) -> bool {
        self.0.bitwise_eq(other.0)
    }
}

impl LongDouble {
    /// Positive zero.
    pub const ZERO: LongDouble = LongDouble(X87DoubleExtended::ZERO);

    /// The exact value of an integer (every `i64` fits the 64-bit significand),
    /// as C's `(long double)n`.
    pub fn from_i64(n: i64) -> LongDouble {
        LongDouble(X87DoubleExtended::from_i128(i128::from(n)).value)
    }

    /// The exact value of a double, as C's `(long double)d`.
    pub fn from_f64(d: f64) -> LongDouble {
        let mut loses_info = false;
        let wide: X87DoubleExtended = Double::from_bits(u128::from(d.to_bits()))
            .convert(&mut loses_info)
            .value;
        LongDouble(wide)
    }

    /// The 80-bit pattern (sign, 15-bit biased exponent, 64-bit significand
    /// with its explicit integer bit), as stored in memory by the x87.
    pub fn to_bits(self) -> u128 {
        self.0.to_bits()
    }

    /// The value of an 80-bit pattern (see [`LongDouble::to_bits`]).
    pub fn from_bits(bits: u128) -> LongDouble {
        LongDouble(X87DoubleExtended::from_bits(bits))
    }

    /// `self + rhs` rounded to nearest-even, as the x87 adds `long double`s.
    #[allow(clippy::should_implement_trait)]
    pub fn add(self, rhs: LongDouble) -> LongDouble {
        LongDouble(self.0.add_r(rhs.0, Round::NearestTiesToEven).value)
    }

    /// The nearest double (ties to even), as C's `(double)ld`: values beyond
    /// a double's range become infinities, tiny ones zero (keeping the sign).
    pub fn to_f64(self) -> f64 {
        let mut loses_info = false;
        let narrow: Double = self.0.convert(&mut loses_info).value;
        f64::from_bits(narrow.to_bits() as u64)
    }

    /// Strictly greater than zero.
    pub fn is_positive(self) -> bool {
        !self.0.is_negative() && !self.0.is_zero() && !self.0.is_nan()
    }

    /// Neither infinite nor NaN.
    pub fn is_finite(self) -> bool {
        self.0.is_finite()
    }

    /// Redis's `string2ld`: the whole of `s` must be a number `strtold`
    /// accepts in the C locale: no leading space, no trailing bytes, fewer
    /// than [`LONG_DOUBLE_MAX_CHARS`] bytes, not NaN, not out of range
    /// (overflow to infinity or underflow to zero). `inf`/`infinity` are
    /// accepted, as are hexadecimal floats (`0x1.8p3`).
    pub fn parse(s: &[u8]) -> Option<LongDouble> {
        if s.len() >= LONG_DOUBLE_MAX_CHARS {
            return None;
        }
        parse_strtod::<X87DoubleExtended>(s).map(LongDouble)
    }

    /// Redis's `ld2string` in human-friendly mode: `printf("%.17Lf")` (exact
    /// decimal expansion, rounded half-to-even at the 17th fractional digit),
    /// trailing fractional zeros and a bare dot removed, `-0` printed as `0`.
    /// Infinities print as `inf`/`-inf`.
    pub fn format_human(self) -> String {
        let bits = self.to_bits();
        let negative = (bits >> 79) & 1 == 1;
        if self.0.is_nan() {
            return if negative { "-nan" } else { "nan" }.to_string();
        }
        if self.0.is_infinite() {
            return if negative { "-inf" } else { "inf" }.to_string();
        }
        let biased = ((bits >> 64) & 0x7fff) as i32;
        let significand = bits as u64;
        // value = significand * 2^exp2; denormals use the minimum exponent.
        let exp2 = biased.max(1) - 16383 - 63;
        let mut text = if significand == 0 {
            String::from("0")
        } else if exp2 >= 0 {
            shifted_to_decimal(significand, exp2 as u32)
        } else {
            fixed17_of_fraction(significand, exp2.unsigned_abs())
        };
        if negative && text != "0" {
            text.insert(0, '-');
        }
        text
    }
}

/// Redis's `string2d` (behind `getDoubleFromObject`: ZADD scores and the
/// like): the whole of `s` must be a number C's `strtod` accepts, with the
/// same rules as [`LongDouble::parse`] but rounded to a double and without
/// the length limit.
pub fn parse_double(s: &[u8]) -> Option<f64> {
    let v = parse_strtod::<Double>(s)?;
    Some(f64::from_bits(v.to_bits() as u64))
}

/// The grammar and range checks shared by `strtod` and `strtold` as Redis
/// uses them: optional sign, `inf`/`infinity`, or a decimal or `0x`
/// hexadecimal mantissa with an optional exponent, covering all of `s`;
/// correctly rounded (nearest-even) to `F`; overflow, underflow to zero and
/// NaN refused.
fn parse_strtod<F: Float>(s: &[u8]) -> Option<F> {
    if s.is_empty() {
        return None;
    }
    let (negative, body) = match s[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let sign = |v: F| if negative { -v } else { v };
    if body.eq_ignore_ascii_case(b"inf") || body.eq_ignore_ascii_case(b"infinity") {
        return Some(sign(F::INFINITY));
    }
    // NaN spellings are syntax strtod accepts, but Redis refuses NaN anyway,
    // so they fall through to the grammar below and fail there.
    let (hex, body) = match body {
        [b'0', x, rest @ ..] if x | 0x20 == b'x' => (true, rest),
        _ => (false, body),
    };
    let number = scan_number(body, hex)?;
    // Hand the parser a canonical text whose exponent is small enough for
    // its fixed-width arithmetic yet still beyond the format's range.
    let exponent = number.exponent.clamp(-EXPONENT_CLAMP, EXPONENT_CLAMP);
    let mantissa = std::str::from_utf8(number.mantissa).ok()?;
    let text = if hex {
        format!("0x{mantissa}p{exponent}")
    } else {
        format!("{mantissa}e{exponent}")
    };
    let v = F::from_str_r(&text, Round::NearestTiesToEven).ok()?.value;
    if v.is_nan() || v.is_infinite() {
        // strtod's ERANGE with HUGE_VAL: overflow.
        return None;
    }
    if v.is_zero() && number.nonzero {
        // strtod's ERANGE with a zero result: underflow.
        return None;
    }
    Some(sign(v))
}

/// Exponents beyond this cannot matter for a mantissa of fewer than
/// [`LONG_DOUBLE_MAX_CHARS`] digits: the value over- or underflows anyway.
const EXPONENT_CLAMP: i64 = 1_000_000;

/// A number's text split as `strtold` reads it.
struct ScannedNumber<'a> {
    /// Digits with at most one dot.
    mantissa: &'a [u8],
    /// The exponent after `e`/`p` (0 when absent), saturated.
    exponent: i64,
    /// Whether any mantissa digit is nonzero.
    nonzero: bool,
}

/// Check that `body` is exactly `digits [. digits] [marker [sign] decimal-digits]`
/// with at least one mantissa digit (hex digits and `p` when `hex`).
fn scan_number(body: &[u8], hex: bool) -> Option<ScannedNumber<'_>> {
    let is_digit = |c: u8| {
        if hex {
            c.is_ascii_hexdigit()
        } else {
            c.is_ascii_digit()
        }
    };
    let marker = if hex { b'p' } else { b'e' };
    let mut i = 0;
    let mut digits = 0usize;
    let mut nonzero = false;
    let mut dot = false;
    while i < body.len() {
        let c = body[i];
        if is_digit(c) {
            digits += 1;
            nonzero |= c != b'0';
        } else if c == b'.' && !dot {
            dot = true;
        } else {
            break;
        }
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    let mantissa = &body[..i];
    let mut exponent: i64 = 0;
    if i < body.len() {
        if body[i] | 0x20 != marker {
            return None;
        }
        let mut rest = &body[i + 1..];
        let negative = match rest.first() {
            Some(b'-') => {
                rest = &rest[1..];
                true
            }
            Some(b'+') => {
                rest = &rest[1..];
                false
            }
            _ => false,
        };
        if rest.is_empty() || !rest.iter().all(u8::is_ascii_digit) {
            // strtold would stop before the marker, leaving bytes unread.
            return None;
        }
        for &c in rest {
            exponent = exponent
                .saturating_mul(10)
                .saturating_add(i64::from(c - b'0'));
        }
        if negative {
            exponent = -exponent;
        }
    }
    Some(ScannedNumber {
        mantissa,
        exponent,
        nonzero,
    })
}

/// Decimal digits of `significand * 2^shift` (an integer of up to ~4933
/// digits), computed in base-10^9 limbs.
fn shifted_to_decimal(significand: u64, shift: u32) -> String {
    const BASE: u64 = 1_000_000_000;
    // Little-endian base-10^9 limbs.
    let mut limbs: Vec<u64> = Vec::with_capacity(8);
    let mut n = significand;
    while n > 0 {
        limbs.push(n % BASE);
        n /= BASE;
    }
    let mut left = shift;
    while left > 0 {
        // 10^9 * 2^29 < 2^64, so one step multiplies by up to 2^29 safely.
        let step = left.min(29);
        left -= step;
        let mut carry = 0u64;
        for limb in limbs.iter_mut() {
            let v = (*limb << step) + carry;
            *limb = v % BASE;
            carry = v / BASE;
        }
        while carry > 0 {
            limbs.push(carry % BASE);
            carry /= BASE;
        }
    }
    let mut out = String::with_capacity(limbs.len() * 9);
    let mut iter = limbs.iter().rev();
    if let Some(top) = iter.next() {
        out.push_str(itoa::Buffer::new().format(*top));
    }
    for limb in iter {
        out.push_str(&format!("{limb:09}"));
    }
    out
}

/// `printf("%.17f")` of `significand / 2^shift` with trailing fractional zeros
/// (and a bare dot) removed.
fn fixed17_of_fraction(significand: u64, shift: u32) -> String {
    const SCALE: u128 = 100_000_000_000_000_000; // 10^17
                                                 // < 2^64 * 2^57 = 2^121: the scaled value fits a u128 exactly.
    let scaled = u128::from(significand) * SCALE;
    let rounded = if shift >= 122 {
        // scaled < 2^121 <= 2^(shift-1): below half a unit, rounds to zero.
        0
    } else {
        let q = scaled >> shift;
        let r = scaled & ((1u128 << shift) - 1);
        let half = 1u128 << (shift - 1);
        if r > half || (r == half && q & 1 == 1) {
            q + 1
        } else {
            q
        }
    };
    let int_part = rounded / SCALE;
    let frac = rounded % SCALE;
    let mut out = int_part.to_string();
    if frac != 0 {
        let digits = format!("{frac:017}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_printf_g17() {
        let cases: &[(f64, &str)] = &[
            (1.5, "1.5"),
            (0.1, "0.10000000000000001"),
            (100.0, "100"),
            (1e17, "1e+17"),
            (1e16, "10000000000000000"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (0.0001, "0.0001"),
            (0.00001, "1.0000000000000001e-05"),
            (-2.5, "-2.5"),
            (-0.0, "-0"),
            (3.0e-300, "3.0000000000000002e-300"),
        ];
        for (d, want) in cases {
            assert_eq!(format_double(*d), *want, "{d}");
        }
    }
}

#[cfg(test)]
mod long_double_tests {
    use super::*;
    use proptest::prelude::*;

    /// SET k value; INCRBYFLOAT k incr, as Redis computes it (None: an error).
    fn incrbyfloat(value: &str, incr: &str) -> Option<String> {
        let a = LongDouble::parse(value.as_bytes())?;
        let b = LongDouble::parse(incr.as_bytes())?;
        let sum = a.add(b);
        sum.is_finite().then(|| sum.format_human())
    }

    /// Every line was recorded from redis-server 7.0.15.
    #[test]
    fn matches_recorded_redis_corpus() {
        let corpus = include_str!("../../tests/data/incrbyfloat_redis7.tsv");
        let mut n = 0;
        for line in corpus.lines().filter(|l| !l.starts_with('#')) {
            let mut parts = line.split('\t');
            let (value, incr, want) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            );
            assert_eq!(
                incrbyfloat(value, incr).as_deref(),
                Some(want),
                "{value} + {incr}"
            );
            n += 1;
        }
        assert!(n > 600, "corpus too small: {n}");
    }

    /// Hand-picked edge cases, each checked against redis-server 7.0.15.
    #[test]
    fn edge_cases_match_redis() {
        let ok: &[(&str, &str, &str)] = &[
            ("10.5", "0.1", "10.6"),
            ("10.6", "1e2", "110.6"),
            ("110.6", "+1", "111.6"),
            ("111.6", "0x10", "127.6"),
            ("127.6", "0x1p-2", "127.85"),
            ("127.85", "0x.8", "128.35000000000000001"),
            ("128.35000000000000001", "1.", "129.35000000000000001"),
            ("129.35000000000000001", ".5", "129.85000000000000001"),
            ("129.85000000000000001", "-.5", "129.35000000000000001"),
            ("129.35000000000000001", "1e-4940", "129.35000000000000001"),
            ("0x10", "0", "16"),
            ("5", "-5", "0"),
            ("0", "-0.0", "0"),
            ("-0.0", "0", "0"),
            ("-0.0", "-0.0", "0"),
            ("1.5", "0", "1.5"),
            (
                "3",
                "3.0000000000000000000000000000000000000000000000000000001",
                "6",
            ),
            ("6", "0.000003814697265625", "6.00000381469726562"),
            // Exact ties at the 18th digit round half to even.
            ("0", "0.000003814697265625", "0.00000381469726562"),
            ("0", "0.000011444091796875", "0.00001144409179688"),
            ("0", "1.000003814697265625", "1.00000381469726562"),
            ("0", "-0.000003814697265625", "-0.00000381469726562"),
            ("0", "0.000000000000000005", "0"),
            ("0", "0.000000000000000015", "0.00000000000000002"),
            ("0", "0.000000000000000001", "0"),
            ("0", "0.0000000000000000051", "0.00000000000000001"),
            ("0", "-0.000000000000000001", "0"),
            ("9223372036854775807", "0", "9223372036854775807"),
            ("-9223372036854775808", "-0.5", "-9223372036854775808"),
            ("0x1.8", "0", "1.5"),
            ("0x1.fffffffffffffffffp0", "0", "2"),
            ("3.6e-4951", "0", "0"),
            ("1.9e-4951", "0", "0"),
            ("0x1P-16445", "0", "0"),
            ("0e-99999999999999999999999", "0", "0"),
        ];
        for (v, i, want) in ok {
            assert_eq!(incrbyfloat(v, i).as_deref(), Some(*want), "{v} + {i}");
        }
        let invalid = [
            "",
            "nan",
            "NAN",
            "-nan",
            "nan(123)",
            " 1",
            "1 ",
            "\t1",
            "1\n",
            "1\0",
            "0x",
            "1e",
            "e5",
            "-",
            ".",
            "1e5x",
            "1,5",
            "0x.p1",
            "0x1p",
            "0x1p+",
            "0xg",
            "infin",
            "1e5000",
            "1e-5000",
            "1.8e-4951",
            "1.1e-4951",
            "0x1P-16446",
            "0x1P-16447",
            "0x1P16384",
            "1.18973149535723176509e+4932",
            "1e-99999999999999999999999",
            "0.0000000000000000000000000000000001e+99999999999999999999999",
            "--1",
            "+-1",
        ];
        for s in invalid {
            assert!(
                LongDouble::parse(s.as_bytes()).is_none(),
                "{s:?} should be invalid"
            );
        }
        // Infinite operands parse, and the sum is refused later.
        for s in ["inf", "-inf", "INF", "infinity", "InFiNiTy", "+inf"] {
            let v = LongDouble::parse(s.as_bytes()).expect(s);
            assert!(!v.is_finite());
        }
        let max = LongDouble::parse(b"1.18973149535723176502e+4932").unwrap();
        assert!(!max.add(max).is_finite());
        let text = max.format_human();
        assert_eq!(text.len(), 4933);
        assert!(text.starts_with("11897314953572317650212"));
        assert!(text.ends_with("6604419552086811989770240"));
        let top = LongDouble::parse(b"0x1P16383").unwrap().format_human();
        assert_eq!(top.len(), 4932);
        assert!(top.starts_with("5948657476786158825428796"));
        assert!(top.ends_with("6230223513645334982033408"));
    }

    /// Checked with ZADD/ZSCORE against redis-server 7.0.15.
    #[test]
    fn doubles_parse_as_redis_string2d() {
        assert_eq!(parse_double(b"0x10"), Some(16.0));
        assert_eq!(parse_double(b"inf"), Some(f64::INFINITY));
        assert_eq!(parse_double(b"-INFINITY"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_double(b"4e-324"), Some(5e-324));
        assert_eq!(parse_double(b"3e-324"), Some(5e-324));
        assert_eq!(parse_double(b"1."), Some(1.0));
        assert_eq!(parse_double(b".5"), Some(0.5));
        assert_eq!(parse_double(b"+5"), Some(5.0));
        assert_eq!(parse_double(b"0x1p-1074"), Some(5e-324));
        assert_eq!(parse_double(b"1.7976931348623158e308"), Some(f64::MAX));
        assert_eq!(parse_double(b"-0"), Some(-0.0));
        for bad in [
            " 1",
            "1e400",
            "1e-400",
            "2e-324",
            "nan",
            "0x1p-1075",
            "1.7976931348623159e308",
            "",
            "1 ",
            "1\0",
            "0x",
            "abc",
        ] {
            assert_eq!(parse_double(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn length_limit_is_5119_bytes() {
        let ok = format!("1.{}", "0".repeat(5117));
        let too_long = format!("1.{}", "0".repeat(5118));
        assert_eq!(
            LongDouble::parse(ok.as_bytes()),
            Some(LongDouble::from_i64(1))
        );
        assert!(LongDouble::parse(too_long.as_bytes()).is_none());
    }

    #[test]
    fn huge_values_print_every_integer_digit() {
        let v = LongDouble::parse(b"1e4000").unwrap();
        let text = v.format_human();
        assert_eq!(text.len(), 4000);
        assert!(text.starts_with("99999999999999999999654638730996237849324925835"));
        assert!(text.ends_with("206648276349901340672"));
    }

    /// Round `num / 2^shift` (num > 0) to a 64-bit significand, nearest-even,
    /// independently of the float library: an oracle for `add`.
    fn round_to_extended(num: i128, shift: u32) -> LongDouble {
        let negative = num < 0;
        let mut mag = num.unsigned_abs();
        let mut exp = -(shift as i32);
        let bits = 128 - mag.leading_zeros();
        if bits > 64 {
            let drop = bits - 64;
            let rem = mag & ((1u128 << drop) - 1);
            let half = 1u128 << (drop - 1);
            mag >>= drop;
            exp += drop as i32;
            if rem > half || (rem == half && mag & 1 == 1) {
                mag += 1;
                if mag >> 64 != 0 {
                    mag >>= 1;
                    exp += 1;
                }
            }
        }
        // Normalise so the explicit integer bit (bit 63) is set.
        let lz = (mag as u64).leading_zeros();
        let significand = (mag as u64) << lz;
        exp -= lz as i32;
        let biased = (exp + 63 + 16383) as u128;
        let sign = if negative { 1u128 << 79 } else { 0 };
        LongDouble::from_bits(sign | (biased << 64) | u128::from(significand))
    }

    proptest! {
        /// `%.17Lf` of a value that is also an f64 equals Rust's exact
        /// `{:.17}` of that f64 (Rust rounds exactly, half to even).
        #[test]
        fn formatting_matches_exact_f64_formatting(bits in any::<u64>()) {
            let d = f64::from_bits(bits);
            prop_assume!(d.is_finite() && d.abs() < 1e300);
            let mut want = format!("{d:.17}");
            if want.contains('.') {
                want = want.trim_end_matches('0').trim_end_matches('.').to_string();
            }
            if want == "-0" {
                want = "0".into();
            }
            prop_assert_eq!(LongDouble::from_f64(d).format_human(), want);
        }

        /// Parsing the exact decimal expansion of an f64 gives that f64 exactly.
        #[test]
        fn parsing_exact_decimals_is_exact(bits in any::<u64>()) {
            let d = f64::from_bits(bits);
            prop_assume!(d.is_finite() && d != 0.0);
            let text = format!("{d:.1100}");
            prop_assert_eq!(LongDouble::parse(text.as_bytes()), Some(LongDouble::from_f64(d)));
            prop_assert_eq!(parse_double(text.as_bytes()).map(f64::to_bits), Some(d.to_bits()));
            // Rust's shortest round-trip form must read back as the same double.
            prop_assert_eq!(parse_double(d.to_string().as_bytes()).map(f64::to_bits), Some(d.to_bits()));
        }

        /// Addition rounds the exact sum to nearest-even in 64 bits.
        #[test]
        fn addition_rounds_exact_sums(
            a in -(1i64 << 53)..(1i64 << 53),
            sa in 0u32..60,
            b in -(1i64 << 53)..(1i64 << 53),
            sb in 0u32..60,
        ) {
            let shift = sa.max(sb);
            let exact = (i128::from(a) << (shift - sa)) + (i128::from(b) << (shift - sb));
            prop_assume!(exact != 0);
            let x = LongDouble::from_f64(a as f64 / (1u64 << sa) as f64);
            let y = LongDouble::from_f64(b as f64 / (1u64 << sb) as f64);
            prop_assert_eq!(x.add(y), round_to_extended(exact, shift));
        }
    }
}
