//! `evaluate`: classification, then the checks of docs/behaviour.md §4 in
//! order, each citing the step of the Fetch standard it answers.

use crate::bytes::{is_tchar, is_token, trim_ows};
use crate::decision::{AllowOrigin, Cut, Decision, RequestKind, VarySet};
use crate::header::{Listed, first_refused};
use crate::method;
use crate::origin::exact_key;
use crate::policy::Policy;
use crate::refusal::{MethodDefect, OriginDefect, Refusal};
use crate::request::Request;
use crate::swar::{self, Case};

/// A run-time origin check borrowed for one call; see [`Options::origin_check`].
pub type DynOriginCheck<'c> = &'c dyn Fn(&[u8]) -> bool;

/// Per-call options of [`evaluate_with`], for what a policy cannot hold:
/// a run-time origin check (a closure over a table of tenants) and debug mode.
#[derive(Clone, Copy, Default)]
pub struct Options<'c> {
    /// Consulted, like [`PolicyBuilder::origin_check`](crate::PolicyBuilder::origin_check),
    /// only when neither a pattern nor the policy's own check allows the
    /// origin; it sees the trimmed origin alone. Ignored by `"*"` policies.
    pub origin_check: Option<DynOriginCheck<'c>>,
    /// Debug mode: a preflight from an allowed origin refused for its method
    /// or a header is answered 204 with the headers computed so far, so the
    /// browser's console names the exact method or header at fault.
    ///
    /// It reveals to allowed origins which methods and headers pass; leave
    /// it off in production. Refused origins still get nothing.
    pub debug: bool,
}

impl core::fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Options")
            .field("origin_check", &self.origin_check.is_some())
            .field("debug", &self.debug)
            .finish()
    }
}

/// Decides how to answer a request under a policy.
///
/// Never allocates, never panics; the work is linear in the bytes of the
/// CORS request headers and independent of the size of the policy's lists.
///
/// ```
/// use cors_policy::{evaluate, Policy, Request, RequestKind, ResponseHeader};
/// let policy = Policy::builder()
///     .allow_origins(&["https://app.example"])
///     .allow_methods(&["PUT"])
///     .allow_headers(&["content-type"])
///     .build()
///     .unwrap();
/// let headers = [
///     ("Origin", "https://app.example"),
///     ("Access-Control-Request-Method", "PUT"),
///     ("Access-Control-Request-Headers", "content-type"),
/// ];
/// let decision = evaluate(&policy, &Request::from_pairs(b"OPTIONS", &headers));
/// assert_eq!(decision.kind(), RequestKind::Preflight);
/// assert_eq!(decision.preflight_status(), Some(204));
/// let sent: Vec<_> = decision.headers().collect();
/// assert_eq!(sent[0], (ResponseHeader::AllowOrigin, &b"https://app.example"[..]));
/// ```
#[cfg_attr(feature = "no-panic", no_panic::no_panic)]
#[inline]
pub fn evaluate<'p, 'r, const N: usize, L>(
    policy: &'p Policy<'_, N>,
    request: &Request<'r, L>,
) -> Decision<'p, 'r, L>
where
    L: Iterator<Item = &'r [u8]> + Clone,
{
    decide(policy, request, &Options::default())
}

/// [`evaluate`] with [`Options`]: a run-time origin check and debug mode.
///
/// ```
/// use cors_policy::{evaluate_with, Options, Policy, Request};
/// let tenants = ["https://shop.tenant.example"];
/// let check = |o: &[u8]| tenants.iter().any(|t| t.as_bytes() == o);
/// let policy = Policy::builder().allow_origins(&["https://app.example"]).build().unwrap();
/// let options = Options { origin_check: Some(&check), debug: false };
/// let headers = [("Origin", "https://shop.tenant.example")];
/// let decision = evaluate_with(&policy, &Request::from_pairs(b"GET", &headers), &options);
/// assert_eq!(decision.allow_origin(), Some(&b"https://shop.tenant.example"[..]));
/// ```
#[cfg_attr(feature = "no-panic", no_panic::no_panic)]
pub fn evaluate_with<'p, 'r, const N: usize, L>(
    policy: &'p Policy<'_, N>,
    request: &Request<'r, L>,
    options: &Options<'_>,
) -> Decision<'p, 'r, L>
where
    L: Iterator<Item = &'r [u8]> + Clone,
{
    decide(policy, request, options)
}

/// The body of [`evaluate`] and [`evaluate_with`], inlined into each, so
/// that the no-panic proof of either sees all of it (a call between the
/// two would be one the optimiser may not prove free of unwinding).
///
/// Classification (docs/behaviour.md §1), then the checks of §4 in the
/// order a browser's preflight needs them, stopping at the first refusal.
#[inline(always)]
fn decide<'p, 'r, const N: usize, L>(
    policy: &'p Policy<'_, N>,
    request: &Request<'r, L>,
    options: &Options<'_>,
) -> Decision<'p, 'r, L>
where
    L: Iterator<Item = &'r [u8]> + Clone,
{
    let config = &policy.config;
    let mut origins = request.origin.clone();
    let Some(origin) = origins.next() else {
        return Decision::not_cors(config.any_origin, policy.expose_headers_value());
    };
    let mut acrm = request.acrm.clone();
    let Some(method) = preflight_method(request.method(), &mut acrm) else {
        let vary = VarySet::not_preflight(config.any_origin);
        return match check_origin(policy, origin, origins, options) {
            Ok(allow_origin) => {
                let expose = policy.expose_headers_value();
                Decision::actual(allow_origin, config.credentials, expose, vary)
            }
            Err(refusal) => Decision::refused(RequestKind::Actual, refusal, vary),
        };
    };

    let vary = VarySet::preflight(config.any_origin, config.private_network);
    let answer = match check_origin(policy, origin, origins, options) {
        Ok(allow_origin) => Decision::preflight(allow_origin, config.credentials, vary),
        Err(refusal) => return Decision::refused(RequestKind::Preflight, refusal, vary),
    };
    let answer = match check_method(policy, method, acrm) {
        Ok(method) => answer.allow_method(method),
        Err(refusal) => return answer.refuse(refusal, options.debug),
    };
    let acrh = request.acrh.clone();
    if let Err(refused) = check_headers(policy, acrh.clone()) {
        let answer = answer.echo_headers(acrh, Some(refused.cut));
        return answer.refuse(refused.refusal, options.debug);
    }
    let private_network = check_private_network(policy, request.acrpn.clone());
    answer
        .echo_headers(acrh, None)
        .allowed(policy.max_age_value(), private_network)
}

/// Classification: is this CORS request (it has an `Origin`,
/// <https://fetch.spec.whatwg.org/#cors-request>) a CORS-preflight request,
/// `OPTIONS`, byte for byte, with an `Access-Control-Request-Method` line
/// (<https://fetch.spec.whatwg.org/#cors-preflight-request>)? Returns that
/// line, the first of `acrm`.
///
/// ACRM is read only for `OPTIONS`, so adapters that look headers up
/// lazily pay nothing for it on other requests.
#[inline(always)]
fn preflight_method<'r, L: Iterator<Item = &'r [u8]>>(
    method: &[u8],
    acrm: &mut L,
) -> Option<&'r [u8]> {
    if swar::eq(method, b"OPTIONS", Case::Exact) {
        acrm.next()
    } else {
        None
    }
}

/// The origin (docs/behaviour.md §4.1): the `Access-Control-Allow-Origin`
/// that passes a browser's CORS check for it, or why there is none. A
/// browser accepts `*` or its own origin, byte for byte
/// (<https://fetch.spec.whatwg.org/#cors-check>, steps 3 and 4), and sends
/// that origin as the one `Origin` line
/// (<https://fetch.spec.whatwg.org/#origin-header>). A `"*"` policy answers
/// `*` whatever the origin looks like.
#[inline(always)]
fn check_origin<'r, const N: usize, L: Iterator<Item = &'r [u8]>>(
    policy: &Policy<'_, N>,
    first: &'r [u8],
    rest: L,
    options: &Options<'_>,
) -> Result<AllowOrigin<'r>, Refusal<'r>> {
    if policy.config.any_origin {
        Ok(AllowOrigin::Any)
    } else {
        listed_origin(policy, first, rest, options.origin_check)
    }
}

/// docs/behaviour.md §4.1 for a policy that lists origins: the line checks,
/// then the patterns, then the checks. An origin equal to an exact
/// pattern is well-formed, so its bytes are only checked when it is not.
#[cfg_attr(feature = "no-panic", no_panic::no_panic)]
#[inline(always)]
fn listed_origin<'r, const N: usize, L: Iterator<Item = &'r [u8]>>(
    policy: &Policy<'_, N>,
    first: &'r [u8],
    rest: L,
    extra: Option<DynOriginCheck<'_>>,
) -> Result<AllowOrigin<'r>, Refusal<'r>> {
    let o = one_origin(first, rest).map_err(Refusal::OriginMalformed)?;
    let list = policy.config.origins;
    // No exact pattern is longer than MAX_ORIGIN_PATTERN_LEN, so a longer
    // origin is not hashed for them (a 16 KiB origin: about 3 µs saved).
    if o.len() <= crate::MAX_ORIGIN_PATTERN_LEN
        && policy.origins.matches_exact(list, o, exact_key(o))
    {
        return Ok(AllowOrigin::Echo(o));
    }
    check_bytes(o).map_err(Refusal::OriginMalformed)?;
    if policy.origins.matches_inexact(list, o) || checks_allow(policy, o, extra) {
        Ok(AllowOrigin::Echo(o))
    } else {
        Err(Refusal::OriginNotAllowed(o))
    }
}

/// Checks the `Origin` lines (docs/behaviour.md §4.1) as far as one is
/// needed to look the origin up: one line, not empty once trimmed. Returns
/// the trimmed value.
#[cfg_attr(feature = "no-panic", no_panic::no_panic)]
#[inline(always)]
fn one_origin<'r, L: Iterator<Item = &'r [u8]>>(
    first: &'r [u8],
    mut rest: L,
) -> Result<&'r [u8], OriginDefect> {
    // A browser sends one `Origin` (https://fetch.spec.whatwg.org/#origin-header).
    if rest.next().is_some() {
        return Err(OriginDefect::MultipleLines);
    }
    let o = trim_ows(first);
    if o.is_empty() {
        return Err(OriginDefect::Empty);
    }
    Ok(o)
}

/// The rest of docs/behaviour.md §4.1 for a trimmed, non-empty origin:
/// visible ASCII without commas.
#[cfg_attr(feature = "no-panic", no_panic::no_panic)]
fn check_bytes(o: &[u8]) -> Result<(), OriginDefect> {
    if swar::visible_no_comma(o) {
        return Ok(());
    }
    // The first offending byte names the defect.
    match o
        .iter()
        .find(|&&b| b == b',' || !(0x21..=0x7e).contains(&b))
    {
        None => Ok(()),
        Some(b',') => Err(OriginDefect::List),
        Some(_) => Err(OriginDefect::NotVisibleAscii),
    }
}

/// Patterns first, then the policy's check, then the caller's.
pub(crate) fn origin_allowed<const N: usize>(
    policy: &Policy<'_, N>,
    origin: &[u8],
    extra: Option<DynOriginCheck<'_>>,
) -> bool {
    if policy.config.any_origin {
        return !origin.is_empty();
    }
    policy
        .origins
        .matches_keyed(policy.config.origins, origin, exact_key(origin))
        || checks_allow(policy, origin, extra)
}

/// The policy's check, then the caller's.
fn checks_allow<const N: usize>(
    policy: &Policy<'_, N>,
    origin: &[u8],
    extra: Option<DynOriginCheck<'_>>,
) -> bool {
    policy
        .config
        .origin_check
        .is_some_and(|f| call_check(&f, origin))
        || extra.is_some_and(|f| call_check(f, origin))
}

/// Calls a caller's origin check. Without the `no-panic` feature this is a
/// plain call. With it, the call goes through an `extern "C"` function,
/// which cannot unwind (a panic there aborts the process), so the link-time
/// proof covers the engine's own code rather than the caller's closures.
#[inline]
fn call_check(check: &dyn Fn(&[u8]) -> bool, origin: &[u8]) -> bool {
    #[cfg(feature = "no-panic")]
    {
        // Out of line, so that its abort-on-unwind landing pad stays in it
        // and its callers are seen not to unwind.
        #[inline(never)]
        extern "C" fn no_unwind(check: &&dyn Fn(&[u8]) -> bool, origin: &&[u8]) -> bool {
            check(origin)
        }
        no_unwind(&check, &origin)
    }
    #[cfg(not(feature = "no-panic"))]
    check(origin)
}

/// The method (docs/behaviour.md §4.2): a browser sends one ACRM line
/// holding the method (<https://fetch.spec.whatwg.org/#cors-preflight-fetch>,
/// step 3), and accepts an `Access-Control-Allow-Methods` that lists it
/// (step 7.5). `first` is the first ACRM line, `rest` the others.
#[inline(always)]
fn check_method<'r, const N: usize, L: Iterator<Item = &'r [u8]>>(
    policy: &Policy<'_, N>,
    first: &'r [u8],
    mut rest: L,
) -> Result<&'r [u8], Refusal<'r>> {
    if rest.next().is_some() {
        return Err(Refusal::MethodMalformed(MethodDefect::MultipleLines));
    }
    let m = trim_ows(first);
    if m.is_empty() {
        Err(Refusal::MethodMalformed(MethodDefect::Empty))
    } else if method::is_safelisted(m) || policy.methods.contains(policy.config.methods, m) {
        // Safelisted and listed methods are tokens and not forbidden (the
        // builder checks), so the checks below would pass: they are for the
        // other methods.
        Ok(m)
    } else if !m.iter().all(|&b| is_tchar(b)) {
        Err(Refusal::MethodMalformed(MethodDefect::NotAToken))
    } else if method::is_forbidden(m) {
        Err(Refusal::MethodForbidden(m))
    } else if policy.methods.any {
        Ok(m)
    } else {
        Err(Refusal::MethodNotAllowed(m))
    }
}

/// A requested header refused, and where debug mode cuts the echoed lines.
struct RefusedHeader<'r> {
    refusal: Refusal<'r>,
    cut: Cut,
}

/// The headers (docs/behaviour.md §4.3): a browser sends the names its
/// request will carry, joined with commas, in ACRH
/// (<https://fetch.spec.whatwg.org/#cors-preflight-fetch>, step 5), and
/// accepts an `Access-Control-Allow-Headers` that lists each, `*` never
/// standing for `authorization` (steps 7.6 and 7.7). Every element of every
/// line must be a token and allowed.
#[inline(always)]
fn check_headers<'r, const N: usize, L: Iterator<Item = &'r [u8]>>(
    policy: &Policy<'_, N>,
    acrh: L,
) -> Result<(), RefusedHeader<'r>> {
    let judge = Listed {
        set: &policy.headers,
        list: policy.config.headers,
    };
    let Some(element) = first_refused(acrh, judge) else {
        return Ok(());
    };
    // Allowed names are tokens (see `HeaderSet::allows`): the token check
    // is needed only to say why a name is refused.
    let refusal = if is_token(element.name) {
        Refusal::HeaderNotAllowed(element.name)
    } else {
        Refusal::HeaderMalformed(element.name)
    };
    let cut = Cut {
        line: element.line,
        end: element.start,
    };
    Err(RefusedHeader { refusal, cut })
}

/// Private network access (docs/behaviour.md §4.4), only when the policy
/// enables it and the preflight asks exactly: one ACRPN line, `true`
/// (<https://wicg.github.io/private-network-access/#headers>).
#[inline(always)]
fn check_private_network<'r, const N: usize, L: Iterator<Item = &'r [u8]>>(
    policy: &Policy<'_, N>,
    mut acrpn: L,
) -> bool {
    policy.config.private_network
        && matches!((acrpn.next(), acrpn.next()), (Some(v), None) if trim_ows(v) == b"true")
}
