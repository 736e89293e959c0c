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

/// A decision's answer as header values, one field per CORS response
/// header: what the policy fixes (clones of values made once, in
/// [`Prepared`]) and what the request gives (the request's own values,
/// cloned). [`Stack::write`] writes it into a response's map.
///
/// Made by [`Answer::new`] from a decision, through the accessors the
/// core gives, without iterating [`Decision::headers`].
pub struct Answer<V> {
    /// `Access-Control-Allow-Origin`.
    pub origin: Option<V>,
    /// `Access-Control-Allow-Credentials: true`?
    pub credentials: bool,
    /// `Access-Control-Allow-Methods`.
    pub methods: Option<V>,
    /// `Access-Control-Allow-Headers` (one line).
    pub headers: Option<V>,
    /// `Access-Control-Max-Age`.
    pub max_age: Option<V>,
    /// `Access-Control-Expose-Headers`.
    pub expose: Option<V>,
    /// `Access-Control-Allow-Private-Network: true`?
    pub private_network: bool,
    /// Is it a preflight's answer (a new response), rather than headers
    /// added to the application's response?
    pub preflight: bool,
    /// The `Vary` tokens ([`Decision::vary`]).
    pub vary: &'static [&'static str],
    /// The same joined ([`Decision::vary_value`]).
    pub vary_value: &'static str,
}

impl<V: Clone> Clone for Answer<V> {
    fn clone(&self) -> Self {
        Answer {
            origin: self.origin.clone(),
            credentials: self.credentials,
            methods: self.methods.clone(),
            headers: self.headers.clone(),
            max_age: self.max_age.clone(),
            expose: self.expose.clone(),
            private_network: self.private_network,
            preflight: self.preflight,
            vary: self.vary,
            vary_value: self.vary_value,
        }
    }
}

impl<V: fmt::Debug> fmt::Debug for Answer<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Answer")
            .field("origin", &self.origin)
            .field("credentials", &self.credentials)
            .field("methods", &self.methods)
            .field("headers", &self.headers)
            .field("max_age", &self.max_age)
            .field("expose", &self.expose)
            .field("private_network", &self.private_network)
            .field("preflight", &self.preflight)
            .field("vary_value", &self.vary_value)
            .finish()
    }
}

impl<V> Answer<V> {
    /// Which headers it holds, one bit each in [`ResponseHeader::ALL`]'s
    /// order, and bit 7 for a preflight: answers of one shape under one
    /// policy differ only in the values they echo.
    pub fn shape(&self) -> u8 {
        u8::from(self.origin.is_some())
            | u8::from(self.credentials) << 1
            | u8::from(self.methods.is_some()) << 2
            | u8::from(self.headers.is_some()) << 3
            | u8::from(self.max_age.is_some()) << 4
            | u8::from(self.expose.is_some()) << 5
            | u8::from(self.private_network) << 6
            | u8::from(self.preflight) << 7
    }
}

impl<V> Answer<V> {
    /// The answer to `decision`, made on `request` (the view the decision
    /// was made on) under `prepared`. `None` when it sends several
    /// `Access-Control-Allow-Headers` lines (a request that split its list
    /// over several lines): write those with [`write_preflight`].
    #[inline]
    pub fn new<'r, S: Stack<Value = V>>(
        decision: &Decision<'_, 'r, S::Lines<'r>>,
        request: &S::View<'r>,
        prepared: &Prepared<S>,
    ) -> Option<Self>
    where
        V: Clone,
    {
        let preflight = decision.is_preflight();
        let headers = if preflight {
            let mut lines = decision.allow_headers();
            match (lines.next(), lines.next()) {
                (None, _) => None,
                (Some(line), None) => echo::<S>(
                    request,
                    CorsRequestHeader::AccessControlRequestHeaders,
                    line,
                ),
                (Some(_), Some(_)) => return None,
            }
        } else {
            None
        };
        let origin = match decision.allow_origin() {
            Some(o) if decision.echoes_origin() => echo::<S>(request, CorsRequestHeader::Origin, o),
            Some(o) if o == S::value_bytes(&S::STAR) => Some(S::STAR),
            Some(o) => S::value(o),
            None => None,
        };
        let fixed = |bytes: Option<&[u8]>, made: Option<&S::Value>| match (bytes, made) {
            (Some(b), Some(v)) if S::value_bytes(v) == b => Some(v.clone()),
            (Some(b), _) => S::value(b),
            (None, _) => None,
        };
        Some(Answer {
            origin,
            credentials: decision.allows_credentials(),
            methods: decision
                .allow_methods()
                .and_then(|m| echo::<S>(request, CorsRequestHeader::AccessControlRequestMethod, m)),
            headers,
            max_age: fixed(decision.max_age(), prepared.max_age()),
            expose: fixed(decision.expose_headers(), prepared.expose()),
            private_network: decision.allows_private_network(),
            preflight,
            vary: decision.vary(),
            vary_value: decision.vary_value(),
        })
    }
}

/// Writes `answer` into `map` by the stack's primitives: the map's own
/// CORS headers are removed first (an application's response), the
/// answer's appended, `Vary` merged. [`Stack::write`]'s default.
pub fn write_answer<S: Stack>(map: &mut S::Map, answer: Answer<S::Value>) {
    let (cors, vary) = if S::is_empty(map) {
        (false, false)
    } else {
        S::scan(map)
    };
    if cors {
        S::remove_cors(map);
    }
    // The names are absent now: `append` adds without replacing.
    if let Some(v) = answer.origin {
        S::append(map, ResponseHeader::AllowOrigin, v);
    }
    if answer.credentials {
        S::append(map, ResponseHeader::AllowCredentials, S::TRUE);
    }
    if let Some(v) = answer.methods {
        S::append(map, ResponseHeader::AllowMethods, v);
    }
    if let Some(v) = answer.headers {
        S::append(map, ResponseHeader::AllowHeaders, v);
    }
    if let Some(v) = answer.max_age {
        S::append(map, ResponseHeader::MaxAge, v);
    }
    if let Some(v) = answer.expose {
        S::append(map, ResponseHeader::ExposeHeaders, v);
    }
    if answer.private_network {
        S::append(map, ResponseHeader::AllowPrivateNetwork, S::TRUE);
    }
    match S::vary_header(answer.vary_value) {
        Some(v) if !vary => S::append_vary(map, v),
        _ => merge_vary_tokens::<S>(map, answer.vary),
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
    if let Some(answer) = Answer::new::<S>(decision, request, prepared) {
        let template = S::template(prepared.cache(), &answer);
        S::write(out, answer, template.as_ref());
        return;
    }
    // Several `Access-Control-Allow-Headers` lines: header by header.
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
/// response afterwards.
///
/// The type parameter is the [`Stack`]; it defaults to the `http` 1.x
/// crate's ([`HttpStack`](crate::HttpStack)).
pub struct ActualHeaders<S: Stack = crate::HttpStack> {
    answer: Answer<S::Value>,
    template: Option<S::Template>,
}

impl<S: Stack> Clone for ActualHeaders<S> {
    fn clone(&self) -> Self {
        ActualHeaders {
            answer: self.answer.clone(),
            template: self.template.clone(),
        }
    }
}

impl<S: Stack> fmt::Debug for ActualHeaders<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActualHeaders")
            .field("answer", &self.answer)
            .field("template", &self.template.is_some())
            .finish()
    }
}

impl<S: Stack> ActualHeaders<S> {
    /// Takes what `decision` adds, reusing the request's `Origin` value
    /// (kept by `request`, the view the decision was made on) and the
    /// policy's prepared values.
    #[inline]
    pub fn new<'r>(
        decision: &Decision<'_, 'r, S::Lines<'r>>,
        request: &S::View<'r>,
        prepared: &Prepared<S>,
    ) -> Self {
        // CONTRACT.md §3: actual responses get `Allow-Origin`,
        // `Allow-Credentials` and `Expose-Headers` only; `Answer::new`
        // fails only for several `Allow-Headers` lines, which no actual
        // request's decision has.
        let answer = Answer::new::<S>(decision, request, prepared).unwrap_or_else(|| Answer {
            origin: None,
            credentials: false,
            methods: None,
            headers: None,
            max_age: None,
            expose: None,
            private_network: false,
            preflight: false,
            vary: decision.vary(),
            vary_value: decision.vary_value(),
        });
        let template = S::template(prepared.cache(), &answer);
        ActualHeaders { answer, template }
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
        S::write(map, self.answer, self.template.as_ref());
    }
}
