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

/// The `Access-Control-Allow-Origin` value of `decision`: the request's
/// own origin when echoed, `*` (static), or a new value.
#[inline]
fn origin_value<'r, S: Stack>(
    decision: &Decision<'_, 'r, S::Lines<'r>>,
    request: &S::View<'r>,
) -> Option<S::Value> {
    match decision.allow_origin() {
        Some(o) if decision.echoes_origin() => echo::<S>(request, CorsRequestHeader::Origin, o),
        Some(o) if o == S::value_bytes(&S::STAR) => Some(S::STAR),
        Some(o) => S::value(o),
        None => None,
    }
}

/// A decision's answer as header values: the values the request gives
/// (the request's own, cloned: a reference count, no copy) and whether
/// each header the policy fixes is sent. The fixed values themselves are
/// made once per policy ([`Fixed`], from [`Prepared`]), so an answer
/// written from a [`Stack::template`] never touches them.
///
/// Made by [`Answer::new`] from a decision, through the accessors the
/// core gives, without iterating [`Decision::headers`].
#[derive(Clone, Debug)]
pub struct Answer<V> {
    /// `Access-Control-Allow-Origin` (the request's origin, or `*`).
    pub origin: Option<V>,
    /// `Access-Control-Allow-Credentials: true`?
    pub credentials: bool,
    /// `Access-Control-Allow-Methods` (the requested method).
    pub methods: Option<V>,
    /// `Access-Control-Allow-Headers` (the one requested line).
    pub headers: Option<V>,
    /// `Access-Control-Max-Age` (the policy's)?
    pub max_age: bool,
    /// `Access-Control-Expose-Headers` (the policy's)?
    pub expose: bool,
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

/// The values of the headers a policy fixes, made once per policy.
#[derive(Debug)]
pub struct Fixed<'a, V> {
    /// `Access-Control-Max-Age`.
    pub max_age: Option<&'a V>,
    /// `Access-Control-Expose-Headers`.
    pub expose: Option<&'a V>,
}

impl<V> Clone for Fixed<'_, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V> Copy for Fixed<'_, V> {}

impl<V> Answer<V> {
    /// Which headers it holds, one bit each in [`ResponseHeader::ALL`]'s
    /// order, and bit 7 for a preflight: answers of one shape under one
    /// policy differ only in the values they echo.
    pub fn shape(&self) -> u8 {
        u8::from(self.origin.is_some())
            | u8::from(self.credentials) << 1
            | u8::from(self.methods.is_some()) << 2
            | u8::from(self.headers.is_some()) << 3
            | u8::from(self.max_age) << 4
            | u8::from(self.expose) << 5
            | u8::from(self.private_network) << 6
            | u8::from(self.preflight) << 7
    }

    /// The answer to `decision`, made on `request` (the view the decision
    /// was made on). `None` when it sends several
    /// `Access-Control-Allow-Headers` lines (a request that split its list
    /// over several lines): [`write_preflight`] writes those line by line.
    #[inline]
    pub fn new<'r, S: Stack<Value = V>>(
        decision: &Decision<'_, 'r, S::Lines<'r>>,
        request: &S::View<'r>,
    ) -> Option<Self>
    where
        V: Clone,
    {
        let (answer, several) = Self::parts::<S>(decision, request);
        (!several).then_some(answer)
    }

    /// [`new`](Self::new), and whether the decision sends several
    /// `Access-Control-Allow-Headers` lines (then the answer holds none).
    #[inline]
    fn parts<'r, S: Stack<Value = V>>(
        decision: &Decision<'_, 'r, S::Lines<'r>>,
        request: &S::View<'r>,
    ) -> (Self, bool)
    where
        V: Clone,
    {
        let preflight = decision.is_preflight();
        let (headers, several) = if preflight {
            let mut lines = decision.allow_headers();
            match (lines.next(), lines.next()) {
                (None, _) => (None, false),
                (Some(line), None) => (
                    echo::<S>(
                        request,
                        CorsRequestHeader::AccessControlRequestHeaders,
                        line,
                    ),
                    false,
                ),
                (Some(_), Some(_)) => (None, true),
            }
        } else {
            (None, false)
        };
        let answer = Answer {
            origin: origin_value::<S>(decision, request),
            credentials: decision.allows_credentials(),
            methods: decision
                .allow_methods()
                .and_then(|m| echo::<S>(request, CorsRequestHeader::AccessControlRequestMethod, m)),
            headers,
            max_age: decision.max_age().is_some(),
            expose: decision.expose_headers().is_some(),
            private_network: decision.allows_private_network(),
            preflight,
            vary: decision.vary(),
            vary_value: decision.vary_value(),
        };
        (answer, several)
    }
}

/// Writes `answer` into `map` by the stack's primitives, the values the
/// policy fixes from `fixed`: the map's own CORS headers are removed
/// first (an application's response), the answer's appended, `Vary`
/// merged.
pub fn write_answer<S: Stack>(
    map: &mut S::Map,
    answer: Answer<S::Value>,
    fixed: Fixed<'_, S::Value>,
) {
    let max_age = fixed.max_age.filter(|_| answer.max_age).cloned();
    let expose = fixed.expose.filter(|_| answer.expose).cloned();
    write_owned::<S>(map, answer, max_age, expose, std::iter::empty());
}

/// [`write_answer`] with the fixed values given (those to send only) and
/// the `Access-Control-Allow-Headers` lines of a request that split its
/// list over several lines (the answer then holds none).
fn write_owned<S: Stack>(
    map: &mut S::Map,
    answer: Answer<S::Value>,
    max_age: Option<S::Value>,
    expose: Option<S::Value>,
    header_lines: impl Iterator<Item = S::Value>,
) {
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
    for v in answer.headers.into_iter().chain(header_lines) {
        S::append(map, ResponseHeader::AllowHeaders, v);
    }
    if let Some(v) = max_age {
        S::append(map, ResponseHeader::MaxAge, v);
    }
    if let Some(v) = expose {
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
    let (answer, several) = Answer::parts::<S>(decision, request);
    let fixed = prepared.fixed();
    if several {
        // A request that split its header list over several lines: one
        // `Access-Control-Allow-Headers` line for each, header by header.
        let lines = decision.allow_headers().filter_map(|line| {
            echo::<S>(
                request,
                CorsRequestHeader::AccessControlRequestHeaders,
                line,
            )
        });
        let max_age = fixed.max_age.filter(|_| answer.max_age).cloned();
        let expose = fixed.expose.filter(|_| answer.expose).cloned();
        write_owned::<S>(out, answer, max_age, expose, lines);
        return;
    }
    match S::template(prepared.cache(), &answer, fixed) {
        Some(t) if S::is_empty(out) => S::instantiate(out, t, answer),
        _ => write_answer::<S>(out, answer, fixed),
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
    origin: Option<S::Value>,
    credentials: bool,
    /// Is `Access-Control-Expose-Headers` sent?
    expose: bool,
    /// The template of the answer's shape, which holds the policy's
    /// `Access-Control-Expose-Headers` value; when the stack has none,
    /// that value.
    template: Option<S::Template>,
    expose_value: Option<S::Value>,
    vary: &'static [&'static str],
    vary_value: &'static str,
}

impl<S: Stack> Clone for ActualHeaders<S> {
    fn clone(&self) -> Self {
        ActualHeaders {
            origin: self.origin.clone(),
            credentials: self.credentials,
            expose: self.expose,
            template: self.template.clone(),
            expose_value: self.expose_value.clone(),
            vary: self.vary,
            vary_value: self.vary_value,
        }
    }
}

impl<S: Stack> fmt::Debug for ActualHeaders<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActualHeaders")
            .field("origin", &self.origin)
            .field("credentials", &self.credentials)
            .field("expose", &self.expose)
            .field("template", &self.template.is_some())
            .field("vary_value", &self.vary_value)
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
        // docs/behaviour.md §3: actual responses get `Allow-Origin`,
        // `Allow-Credentials` and `Expose-Headers` only.
        let mut out = ActualHeaders {
            origin: origin_value::<S>(decision, request),
            credentials: decision.allows_credentials(),
            expose: decision.expose_headers().is_some(),
            template: None,
            expose_value: None,
            vary: decision.vary(),
            vary_value: decision.vary_value(),
        };
        let fixed = prepared.fixed();
        // A template is looked up with an answer of the same shape; the
        // echoed origin is not needed for that.
        let probe = Answer {
            origin: out.origin.is_some().then_some(S::STAR),
            ..out.answer(None)
        };
        out.template = S::template(prepared.cache(), &probe, fixed).cloned();
        if out.template.is_none() && out.expose {
            out.expose_value = fixed.expose.cloned();
        }
        out
    }

    /// The answer, with `origin` as its origin.
    #[inline]
    fn answer(&self, origin: Option<S::Value>) -> Answer<S::Value> {
        Answer {
            origin,
            credentials: self.credentials,
            methods: None,
            headers: None,
            max_age: false,
            expose: self.expose,
            private_network: false,
            preflight: false,
            vary: self.vary,
            vary_value: self.vary_value,
        }
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
    pub fn apply(mut self, map: &mut S::Map) {
        let origin = self.origin.take();
        let answer = self.answer(origin);
        match (self.template, self.expose_value) {
            (Some(t), _) if S::is_empty(map) => S::instantiate(map, &t, answer),
            (Some(t), _) => write_answer::<S>(map, answer, S::template_fixed(&t)),
            (None, expose) => write_owned::<S>(map, answer, None, expose, std::iter::empty()),
        }
    }
}
