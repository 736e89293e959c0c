//! `Vary`, independent of the header map type (Fetch, "CORS protocol and
//! HTTP caches", <https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches>):
//! the joined sets the core names, so a stack can make each a header value
//! at compile time, and which of a decision's tokens a response still
//! lacks.

/// The joined `Vary` values of the core's decisions
/// ([`Decision::vary_value`](cors_policy::Decision::vary_value)), in the
/// core's spelling (checked by a test): an answer that depends on the
/// origin alone, a preflight of a `"*"` policy, a preflight, and the two
/// preflights with Private Network Access.
pub const SETS: [&str; 5] = [
    "Origin",
    "Access-Control-Request-Method, Access-Control-Request-Headers",
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    "Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network",
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network",
];

/// `fn(&str) -> Option<$value>`: the joined `Vary` value of a decision as a
/// `$value` made at compile time, for each of [`SETS`]; `None` for any
/// other (then the tokens are written one by one). One expansion per
/// stack, since each has its own header value type.
macro_rules! vary_values {
    ($name:ident, $value:ty) => {
        #[inline]
        fn $name(joined: &str) -> Option<$value> {
            use $crate::vary::SETS;
            // Constants, so each arm returns a value made at compile time.
            const S0: &str = SETS[0];
            const S1: &str = SETS[1];
            const S2: &str = SETS[2];
            const S3: &str = SETS[3];
            const S4: &str = SETS[4];
            const V0: $value = <$value>::from_static(S0);
            const V1: $value = <$value>::from_static(S1);
            const V2: $value = <$value>::from_static(S2);
            const V3: $value = <$value>::from_static(S3);
            const V4: $value = <$value>::from_static(S4);
            Some(match joined {
                S0 => V0,
                S1 => V1,
                S2 => V2,
                S3 => V3,
                S4 => V4,
                _ => return None,
            })
        }
    };
}
pub(crate) use vary_values;

/// The tokens of a joined `Vary` value, as the core joins them (`", "`).
pub fn tokens(joined: &'static str) -> impl Iterator<Item = &'static str> {
    joined.split(", ").filter(|t| !t.is_empty())
}

/// Which of a decision's `Vary` tokens a response still lacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missing {
    /// Nothing to add: all present, or the response varies on `*`.
    Nothing,
    /// Every token is missing: add them all (as one joined line).
    All,
    /// Only some are missing: bit `i` set means `tokens[i]` is missing.
    Some(u64),
}

/// Compares the response's `Vary` lines (given by `existing`, called
/// once per token) with the tokens of `joined`, case-insensitively,
/// element by element (RFC 9110 §12.5.5: a list of field names, or `*`).
pub fn missing<'a, I>(existing: impl Fn() -> I, joined: &'static str) -> Missing
where
    I: Iterator<Item = &'a [u8]>,
{
    let elements = || {
        existing()
            .flat_map(|line| line.split(|&b| b == b','))
            .map(trim)
    };
    if elements().any(|e| e == b"*") {
        return Missing::Nothing;
    }
    let mut bits = 0u64;
    let mut count = 0usize;
    let mut all = 0usize;
    for (i, t) in tokens(joined).enumerate() {
        all += 1;
        if !elements().any(|e| e.eq_ignore_ascii_case(t.as_bytes())) {
            count += 1;
            if i < 64 {
                bits |= 1 << i;
            }
        }
    }
    if count == 0 {
        Missing::Nothing
    } else if count == all {
        Missing::All
    } else {
        Missing::Some(bits)
    }
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_are_the_cores_joined_values() {
        use cors_policy::{Policy, Request, evaluate};
        // (policy, request) pairs whose decisions name each set.
        let exact = Policy::builder()
            .allow_origins(&["https://a.example"])
            .build()
            .unwrap();
        let any = Policy::builder().allow_any_origin().build().unwrap();
        let exact_pna = Policy::builder()
            .allow_origins(&["https://a.example"])
            .allow_private_network(true)
            .build()
            .unwrap();
        let get = [("origin", "https://a.example")];
        let pre = [
            ("origin", "https://a.example"),
            ("access-control-request-method", "PUT"),
        ];
        let got = [
            evaluate(&exact, &Request::from_pairs(b"GET", &get)).vary_value(),
            evaluate(&any, &Request::from_pairs(b"OPTIONS", &pre)).vary_value(),
            evaluate(&exact, &Request::from_pairs(b"OPTIONS", &pre)).vary_value(),
            evaluate(&exact_pna, &Request::from_pairs(b"OPTIONS", &pre)).vary_value(),
        ];
        assert_eq!(got, [SETS[0], SETS[1], SETS[2], SETS[4]]);
        for set in SETS {
            assert_eq!(tokens(set).collect::<Vec<_>>().join(", "), set);
        }
        assert_eq!(tokens("").count(), 0);
        // A "*" policy cannot enable Private Network Access (a policy
        // error), so the core never gives this one; spelled as it would.
        assert_eq!(
            SETS[3],
            format!("{}, Access-Control-Request-Private-Network", SETS[1])
        );
    }

    #[test]
    fn missing_tokens() {
        let tokens = "Origin, Access-Control-Request-Method";
        // (the response's Vary lines, what is missing)
        let cases: &[(&[&[u8]], Missing)] = &[
            (&[], Missing::All),
            (&[b"accept-encoding"], Missing::All),
            (&[b"Accept-Encoding, origin"], Missing::Some(0b10)),
            (
                &[b" ORIGIN ,access-control-request-method"],
                Missing::Nothing,
            ),
            (&[b"a", b"b, *"], Missing::Nothing),
            // An element that only contains a token's name is another token.
            (&[b"X-Origin"], Missing::All),
        ];
        for (lines, want) in cases {
            assert_eq!(
                missing(|| lines.iter().copied(), tokens),
                *want,
                "{lines:?}"
            );
        }
    }

    /// Past 64 tokens there is no bit left to say which are missing: the
    /// first 64 are named by bit, later ones only counted, and none
    /// overflows the mask. The core's sets have at most four tokens; a
    /// longer value must still not panic.
    #[test]
    fn missing_past_sixty_four_tokens() {
        let joined: &'static str = (0..70)
            .map(|i| format!("T{i}"))
            .collect::<Vec<_>>()
            .join(", ")
            .leak();
        // (the response's Vary lines, what is missing)
        let cases: &[(&[&[u8]], Missing)] = &[
            (&[b"t0"], Missing::Some(!1)),
            (&[b"T63"], Missing::Some(!(1 << 63))),
            (
                &[b"T0, T1, T2, T3, T4, T5, T6, T7, T8, T9"],
                Missing::Some(!0x3ff),
            ),
            (&[b"T64, T69"], Missing::Some(u64::MAX)),
            (&[], Missing::All),
        ];
        for (lines, want) in cases {
            assert_eq!(
                missing(|| lines.iter().copied(), joined),
                *want,
                "{lines:?}"
            );
        }
        // Only a token past the 64th missing: no bit set, yet some.
        let all_but_the_last: Vec<String> = (0..69).map(|i| format!("T{i}")).collect();
        let line = all_but_the_last.join(",");
        assert_eq!(
            missing(|| [line.as_bytes()].into_iter(), joined),
            Missing::Some(0)
        );
    }
}
