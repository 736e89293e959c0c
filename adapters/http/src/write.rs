//! An answer written into a header map by a stack's primitives: the map's
//! own CORS headers are removed first (so a response never carries two
//! `Access-Control-Allow-Origin`), the answer's appended, `Vary` merged,
//! never overwritten (Fetch, "CORS protocol and HTTP caches").

use cors_policy::ResponseHeader;

use crate::answer::{Answer, Fixed};
use crate::backend::Backend;
use crate::vary::{self, Missing};

/// What one pass over a map's names found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct MapScan {
    /// A CORS response header (`access-control-*`).
    cors: bool,
    /// `Vary`.
    vary: bool,
}

/// One pass over `map`'s names (none for an empty map).
#[inline]
fn scan<M: Backend>(map: &M) -> MapScan {
    let mut found = MapScan::default();
    if map.is_empty() {
        return found;
    }
    for name in map.names() {
        if name == "vary" {
            found.vary = true;
        } else if name.starts_with("access-control-") {
            found.cors = true;
        }
    }
    found
}

/// Appends `vary` to an empty map's `Vary` (a value made at compile time
/// for the sets the core names, token by token otherwise).
#[inline]
pub(crate) fn append_vary<M: Backend>(map: &mut M, vary: &'static str) {
    match M::vary_value(vary) {
        Some(v) => map.append_vary(v),
        None => merge_vary(map, vary),
    }
}

/// Writes `answer` into `map`, the values the policy fixes from `fixed`.
/// The echoed values are taken out of `answer` (passed by reference: it is
/// large, and a move is a copy).
pub(crate) fn write_answer<M: Backend>(
    map: &mut M,
    answer: &mut Answer<M::Value>,
    fixed: Fixed<'_, M::Value>,
) {
    let max_age = fixed.max_age.filter(|_| answer.max_age).cloned();
    let expose = fixed.expose.filter(|_| answer.expose).cloned();
    write(map, answer, max_age, expose, std::iter::empty());
}

/// Writes `answer` into `map`, with the fixed values to send (`max_age`,
/// `expose`) and, for a preflight whose request split its header list
/// over several lines, the `Access-Control-Allow-Headers` lines (the
/// answer then holds none).
pub(crate) fn write<M: Backend>(
    map: &mut M,
    answer: &mut Answer<M::Value>,
    max_age: Option<M::Value>,
    expose: Option<M::Value>,
    header_lines: impl Iterator<Item = M::Value>,
) {
    let found = scan(map);
    if found.cors {
        for h in ResponseHeader::ALL {
            map.remove(h);
        }
    }
    // The names are absent now: `append` adds without replacing.
    if let Some(v) = answer.origin.take() {
        map.append(ResponseHeader::AllowOrigin, v);
    }
    if answer.credentials {
        map.append(ResponseHeader::AllowCredentials, M::TRUE);
    }
    if let Some(v) = answer.methods.take() {
        map.append(ResponseHeader::AllowMethods, v);
    }
    for v in answer.headers.take().into_iter().chain(header_lines) {
        map.append(ResponseHeader::AllowHeaders, v);
    }
    if let Some(v) = max_age {
        map.append(ResponseHeader::MaxAge, v);
    }
    if let Some(v) = expose {
        map.append(ResponseHeader::ExposeHeaders, v);
    }
    if answer.private_network {
        map.append(ResponseHeader::AllowPrivateNetwork, M::TRUE);
    }
    match M::vary_value(answer.vary) {
        Some(v) if !found.vary => map.append_vary(v),
        _ => merge_vary(map, answer.vary),
    }
}

/// Adds the tokens of `joined` to `map`'s `Vary`: appended to what is
/// there, without repeating a token already present (any case). A
/// response that varies on `*` is left alone. A map without `Vary` gets
/// the tokens as one line.
pub(crate) fn merge_vary<M: Backend>(map: &mut M, joined: &'static str) {
    if joined.is_empty() {
        return;
    }
    let missing = if map.vary_lines().next().is_none() {
        Missing::All
    } else {
        vary::missing(|| map.vary_lines(), joined)
    };
    let bits = match missing {
        Missing::Nothing => return,
        Missing::All => {
            if let Some(v) = M::vary_value(joined) {
                map.append_vary(v);
                return;
            }
            u64::MAX
        }
        Missing::Some(bits) => bits,
    };
    for (i, t) in vary::tokens(joined).enumerate() {
        if i >= 64 || bits & (1 << i) != 0 {
            map.append_vary(M::vary_token(t));
        }
    }
}
