//! A decision turned into response headers, once for every [`Stack`]: the
//! value of each header (fixed by the policy, or echoed from the request),
//! a preflight's answer, and what an actual response gets.

use std::fmt;

use cors_policy::{CorsRequestHeader, Decision, ResponseHeader};

use crate::engine::Prepared;
use crate::stack::Stack;
use crate::vary::{VaryMerge, joined_vary, vary_merge};

/// The request's own value of `header` whose bytes are `bytes` (a cheap
/// clone, found through the view), or a new value when the decision
/// trimmed it.
#[inline]
fn echo<S: Stack>(view: &S::View<'_>, header: CorsRequestHeader, bytes: &[u8]) -> Option<S::Value> {
    match S::own_value(view, header, bytes) {
        Some(v) => Some(v.clone()),
        None => S::value(bytes),
    }
}

/// The value to send for one of a decision's headers, `h` with the bytes
/// `bytes`: a clone of what the policy fixes (made once, in `prepared`),
/// the request's own value for what it echoes (`Origin` when
/// `echoes_origin`, the method, the header list), a new value otherwise.
fn header_value<S: Stack>(
    h: ResponseHeader,
    bytes: &[u8],
    echoes_origin: bool,
    view: &S::View<'_>,
    prepared: &Prepared<S>,
) -> Option<S::Value> {
    let fixed = |v: Option<&S::Value>| match v {
        Some(v) if S::value_bytes(v) == bytes => Some(v.clone()),
        _ => S::value(bytes),
    };
    match h {
        ResponseHeader::AllowOrigin if echoes_origin => {
            echo::<S>(view, CorsRequestHeader::Origin, bytes)
        }
        ResponseHeader::AllowOrigin => fixed(Some(&S::STAR)),
        ResponseHeader::AllowCredentials | ResponseHeader::AllowPrivateNetwork => {
            fixed(Some(&S::TRUE))
        }
        ResponseHeader::AllowMethods => {
            echo::<S>(view, CorsRequestHeader::AccessControlRequestMethod, bytes)
        }
        ResponseHeader::AllowHeaders => {
            echo::<S>(view, CorsRequestHeader::AccessControlRequestHeaders, bytes)
        }
        ResponseHeader::MaxAge => fixed(prepared.max_age()),
        ResponseHeader::ExposeHeaders => fixed(prepared.expose()),
        _ => S::value(bytes),
    }
}

/// Adds `tokens` to `map`'s `Vary`: appended to what is there, never
/// overwriting it, and without repeating a token already present (any
/// case). A response that varies on `*` is left alone. A map without
/// `Vary` gets the tokens as one line, with no parsing. The stacks'
/// `merge_vary` functions are this one.
///
/// ```
/// use cors_policy_http::{HttpStack, merge_vary_tokens};
/// use http::{HeaderMap, HeaderValue, header::VARY};
/// let mut map = HeaderMap::new();
/// map.insert(VARY, HeaderValue::from_static("origin"));
/// merge_vary_tokens::<HttpStack>(&mut map, &["Origin", "Access-Control-Request-Method"]);
/// let all: Vec<_> = map.get_all(VARY).iter().collect();
/// assert_eq!(all, ["origin", "Access-Control-Request-Method"]);
/// ```
pub fn merge_vary_tokens<S: Stack>(map: &mut S::Map, tokens: &'static [&'static str]) {
    if tokens.is_empty() {
        return;
    }
    let merge = if S::vary_lines(map).next().is_none() {
        VaryMerge::All
    } else {
        vary_merge(|| S::vary_lines(map), tokens)
    };
    let missing = match merge {
        VaryMerge::Nothing => return,
        VaryMerge::All => {
            if let Some(joined) = joined_vary(tokens).and_then(S::vary_header) {
                S::append_vary(map, joined);
                return;
            }
            u64::MAX
        }
        VaryMerge::Some(bits) => bits,
    };
    for (i, t) in tokens.iter().enumerate() {
        if i >= 64 || missing & (1 << i) != 0 {
            S::append_vary(map, S::vary_token(t));
        }
    }
}

/// Writes a preflight decision's headers and `Vary` into `out` (a new
/// response's map). Echoed values are the request's own, found through
/// `request`, the view the decision was made on. The status is the
/// decision's [`preflight_status`](Decision::preflight_status).
///
/// ```
/// use cors_policy::Policy;
/// use cors_policy_http::{HttpStack, HttpView, Prepared, write_preflight};
/// let policy: &'static Policy<'static> =
///     Box::leak(Box::new(Policy::builder().allow_origins(&["https://a.example"]).build().unwrap()));
/// let prepared = Prepared::<HttpStack>::new(policy);
/// let req = http::Request::options("/")
///     .header("origin", "https://a.example")
///     .header("access-control-request-method", "GET")
///     .body(())
///     .unwrap();
/// let view = HttpView::new(req.method(), req.headers());
/// let decision = prepared.policy().evaluate(view.request(), &Default::default());
/// let mut out = http::HeaderMap::new();
/// write_preflight(&decision, &view, &prepared, &mut out);
/// assert_eq!(out["access-control-allow-origin"], "https://a.example");
/// assert_eq!(out["access-control-allow-methods"], "GET");
/// assert_eq!(out["vary"], "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
/// ```
pub fn write_preflight<'r, S: Stack>(
    decision: &Decision<'_, 'r, S::Lines<'r>>,
    request: &S::View<'r>,
    prepared: &Prepared<S>,
    out: &mut S::Map,
) {
    // A new response's map has no `Vary` to merge with.
    let fresh = S::is_empty(out);
    let echoes = decision.echoes_origin();
    for (h, bytes) in decision.headers() {
        if let Some(value) = header_value(h, bytes, echoes, request, prepared) {
            S::append(out, h, value);
        }
    }
    match S::vary_header(decision.vary_value()) {
        Some(v) if fresh => S::append_vary(out, v),
        _ => merge_vary_tokens::<S>(out, decision.vary()),
    }
}

/// The headers a decision adds to the application's response for a
/// request that is not a preflight, made before the request goes to the
/// application (the decision borrows the request) and applied to its
/// response afterwards. At most three values, held inline.
///
/// The type parameter is the [`Stack`]; it defaults to the `http` 1.x
/// crate's ([`HttpStack`](crate::HttpStack)).
pub struct ActualHeaders<S: Stack = crate::HttpStack> {
    allow_origin: Option<S::Value>,
    credentials: bool,
    expose: Option<S::Value>,
    vary: &'static [&'static str],
    vary_value: &'static str,
}

impl<S: Stack> Clone for ActualHeaders<S> {
    fn clone(&self) -> Self {
        ActualHeaders {
            allow_origin: self.allow_origin.clone(),
            credentials: self.credentials,
            expose: self.expose.clone(),
            vary: self.vary,
            vary_value: self.vary_value,
        }
    }
}

impl<S: Stack> fmt::Debug for ActualHeaders<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActualHeaders")
            .field("allow_origin", &self.allow_origin)
            .field("credentials", &self.credentials)
            .field("expose", &self.expose)
            .field("vary", &self.vary)
            .field("vary_value", &self.vary_value)
            .finish()
    }
}

impl<S: Stack> ActualHeaders<S> {
    /// Takes what `decision` adds, reusing the request's `Origin` value
    /// (kept by `request`, the view the decision was made on) and the
    /// policy's prepared values.
    pub fn new<'r>(
        decision: &Decision<'_, 'r, S::Lines<'r>>,
        request: &S::View<'r>,
        prepared: &Prepared<S>,
    ) -> Self {
        let echoes = decision.echoes_origin();
        let mut out = ActualHeaders {
            allow_origin: None,
            credentials: false,
            expose: None,
            vary: decision.vary(),
            vary_value: decision.vary_value(),
        };
        for (h, bytes) in decision.headers() {
            match h {
                ResponseHeader::AllowOrigin => {
                    out.allow_origin = header_value(h, bytes, echoes, request, prepared);
                }
                ResponseHeader::AllowCredentials => out.credentials = true,
                ResponseHeader::ExposeHeaders => {
                    out.expose = header_value(h, bytes, echoes, request, prepared);
                }
                // CONTRACT.md §3: no other CORS header on actual responses.
                _ => {}
            }
        }
        out
    }

    /// Writes them into the application's response headers: its own CORS
    /// headers are removed first, `Vary` is merged.
    ///
    /// ```
    /// use cors_policy::Policy;
    /// use cors_policy_http::{ActualHeaders, HttpStack, HttpView, Prepared};
    /// use http::{HeaderMap, HeaderValue};
    /// let policy: &'static Policy<'static> =
    ///     Box::leak(Box::new(Policy::builder().allow_origins(&["https://a.example"]).build().unwrap()));
    /// let prepared = Prepared::<HttpStack>::new(policy);
    /// let req = http::Request::get("/").header("origin", "https://a.example").body(()).unwrap();
    /// let view = HttpView::new(req.method(), req.headers());
    /// let decision = prepared.policy().evaluate(view.request(), &Default::default());
    /// let pending = ActualHeaders::new(&decision, &view, &prepared);
    /// let mut response = HeaderMap::new();
    /// response.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    /// pending.apply(&mut response);
    /// assert_eq!(response.get_all("access-control-allow-origin").iter().collect::<Vec<_>>(), ["https://a.example"]);
    /// assert_eq!(response["vary"], "Origin");
    /// ```
    pub fn apply(self, map: &mut S::Map) {
        // One pass over the application's header names (none, often):
        // are there CORS headers to remove, and a `Vary` to merge with?
        let (cors, vary) = S::scan(map);
        if cors {
            S::remove_cors(map);
        }
        // The names are absent now: `append` adds without replacing.
        if let Some(v) = self.allow_origin {
            S::append(map, ResponseHeader::AllowOrigin, v);
        }
        if self.credentials {
            S::append(map, ResponseHeader::AllowCredentials, S::TRUE);
        }
        if let Some(v) = self.expose {
            S::append(map, ResponseHeader::ExposeHeaders, v);
        }
        match S::vary_header(self.vary_value) {
            Some(v) if !vary => S::append_vary(map, v),
            _ => merge_vary_tokens::<S>(map, self.vary),
        }
    }
}
