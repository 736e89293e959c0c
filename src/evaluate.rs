//! `evaluate`: classification, then the checks of docs/behaviour.md §4 in order.

use crate::bytes::{is_tchar, is_token, trim_ows};
use crate::decision::{
    AllowOrigin, Decision, MethodDefect, OriginDefect, Refusal, RequestKind, vary,
};
use crate::header::{Listed, first_refused};
use crate::method;
use crate::origin::exact_key;
use crate::policy::Policy;
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

/// Checks the `Origin` lines (docs/behaviour.md §4.1) as far as one is needed to
/// look the origin up: one line, not empty once trimmed. Returns the
/// trimmed value.
#[cfg_attr(feature = "no-panic", no_panic::no_panic)]
#[inline(always)]
fn one_origin<'r, L: Iterator<Item = &'r [u8]>>(
    first: &'r [u8],
    mut rest: L,
) -> Result<&'r [u8], OriginDefect> {
    // Fetch, "CORS protocol": a request has at most one `Origin`.
    if rest.next().is_some() {
        return Err(OriginDefect::MultipleLines);
    }
    let o = trim_ows(first);
    if o.is_empty() {
        return Err(OriginDefect::Empty);
    }
    Ok(o)
}

/// The rest of docs/behaviour.md §4.1 for a trimmed, non-empty origin: visible
/// ASCII without commas.
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
#[inline(always)]
fn decide<'p, 'r, const N: usize, L>(
    policy: &'p Policy<'_, N>,
    request: &Request<'r, L>,
    options: &Options<'_>,
) -> Decision<'p, 'r, L>
where
    L: Iterator<Item = &'r [u8]> + Clone,
{
    let any_origin = policy.config.any_origin;
    let mut origins = request.origin.clone();
    let expose = policy.expose_headers_value();
    let Some(first) = origins.next() else {
        // docs/behaviour.md §3: a `"*"` policy answers `*` to every response, so
        // shared caches need no `Vary` (Fetch, "CORS protocol and HTTP caches").
        return Decision {
            kind: RequestKind::NotCors,
            refusal: None,
            status: None,
            allow_origin: if any_origin {
                AllowOrigin::Any
            } else {
                AllowOrigin::None
            },
            credentials: false,
            methods: None,
            headers: None,
            max_age: None,
            expose: if any_origin { expose } else { None },
            private_network: false,
            vary: if any_origin { vary::NONE } else { vary::ORIGIN },
        };
    };
    // Fetch, "CORS-preflight request": `OPTIONS`, byte-exact, with ACRM.
    // ACRM is read only for OPTIONS, so adapters that look headers up
    // lazily pay nothing for it on other requests.
    let mut acrm = request.acrm.clone();
    let acrm_first = if swar::eq(request.method(), b"OPTIONS", Case::Exact) {
        acrm.next()
    } else {
        None
    };
    let kind = match acrm_first {
        Some(_) => RequestKind::Preflight,
        None => RequestKind::Actual,
    };

    // A `"*"` policy answers `*` whatever the origin looks like.
    let origin_result = if any_origin {
        Ok(AllowOrigin::Any)
    } else {
        listed_origin(policy, first, origins, options.origin_check)
    };
    let credentials = policy.config.credentials;

    if kind == RequestKind::Actual {
        let vary = if any_origin { vary::NONE } else { vary::ORIGIN };
        return match origin_result {
            Ok(allow_origin) => Decision {
                kind,
                refusal: None,
                status: None,
                allow_origin,
                credentials,
                methods: None,
                headers: None,
                max_age: None,
                expose,
                private_network: false,
                vary,
            },
            Err(refusal) => Decision::refused(kind, refusal, None, vary),
        };
    }

    let vary = match (any_origin, policy.config.private_network) {
        (true, false) => vary::PREFLIGHT,
        (false, false) => vary::PREFLIGHT_ORIGIN,
        (true, true) => vary::PREFLIGHT_PNA,
        (false, true) => vary::PREFLIGHT_ORIGIN_PNA,
    };
    let allow_origin = match origin_result {
        Ok(a) => a,
        Err(refusal) => return Decision::refused(kind, refusal, Some(403), vary),
    };
    // What debug mode answers: the origin (and credentials) so far.
    // (A macro rather than a closure: nothing is captured until a request
    // is refused.)
    macro_rules! partial {
        ($refusal:expr, $methods:expr, $headers:expr $(,)?) => {
            Decision {
                kind,
                refusal: Some($refusal),
                status: Some(if options.debug { 204 } else { 403 }),
                allow_origin: if options.debug {
                    allow_origin
                } else {
                    AllowOrigin::None
                },
                credentials: options.debug && credentials,
                methods: if options.debug { $methods } else { None },
                headers: if options.debug { $headers } else { None },
                max_age: None,
                expose: None,
                private_network: false,
                vary,
            }
        };
    }

    // §4.2: exactly one ACRM line holding one token.
    let method = match (acrm_first, acrm.next()) {
        (_, Some(_)) => Err(Refusal::MethodMalformed(MethodDefect::MultipleLines)),
        (Some(m), None) => {
            let m = trim_ows(m);
            if m.is_empty() {
                Err(Refusal::MethodMalformed(MethodDefect::Empty))
            } else if method::is_safelisted(m) || policy.methods.contains(policy.config.methods, m)
            {
                // Safelisted and listed methods are tokens and not
                // forbidden (the builder checks), so the checks below
                // would pass: they are for the other methods.
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
        (None, None) => Err(Refusal::MethodMalformed(MethodDefect::Empty)),
    };
    let method = match method {
        Ok(m) => m,
        Err(refusal) => return partial!(refusal, None, None),
    };

    // §4.3: every element of every ACRH line must be a token and allowed.
    // Fetch, "CORS-preflight fetch" step 7.5-7.6.
    let list = policy.config.headers;
    let judge = Listed {
        set: &policy.headers,
        list,
    };
    if let Some(element) = first_refused(request.acrh.clone(), judge) {
        // Allowed names are tokens (see `HeaderSet::allows`): the token
        // check is needed only to say why a name is refused.
        let refusal = if is_token(element.name) {
            Refusal::HeaderNotAllowed(element.name)
        } else {
            Refusal::HeaderMalformed(element.name)
        };
        return partial!(
            refusal,
            Some(method),
            Some((request.acrh.clone(), Some((element.line, element.start)))),
        );
    }

    // §4.4: Private Network Access, only when enabled and asked exactly.
    let mut pna = request.acrpn.clone();
    let private_network = policy.config.private_network
        && matches!((pna.next(), pna.next()), (Some(v), None) if trim_ows(v) == b"true");

    Decision {
        kind,
        refusal: None,
        status: Some(204),
        allow_origin,
        credentials,
        methods: Some(method),
        headers: Some((request.acrh.clone(), None)),
        max_age: policy.max_age_value(),
        expose: None,
        private_network,
        vary,
    }
}

impl<'p, 'r, L> Decision<'p, 'r, L> {
    fn refused(
        kind: RequestKind,
        refusal: Refusal<'r>,
        status: Option<u16>,
        vary: vary::Set,
    ) -> Self {
        Decision {
            kind,
            refusal: Some(refusal),
            status,
            allow_origin: AllowOrigin::None,
            credentials: false,
            methods: None,
            headers: None,
            max_age: None,
            expose: None,
            private_network: false,
            vary,
        }
    }
}
