//! What a layer holds: the policy (fixed or swappable), its precomputed
//! header values, the run-time origin check, debug mode and the refusal
//! hook. Shared by the tower and actix adapters.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use arc_swap::ArcSwap;
use cors_policy::{Check, Decision, Options, Refusal, Request, RequestKind};

use crate::answer::Fixed;
use crate::policy::CorsPolicy;
use crate::stack::Stack;

/// A policy with the header values it fixes made once, when it is
/// installed, so that answering a request only clones them (a reference
/// count, no allocation).
pub struct Prepared<S: Stack> {
    policy: Box<dyn CorsPolicy<S>>,
    expose: Option<S::Value>,
    max_age: Option<S::Value>,
    cache: S::Cache,
}

impl<S: Stack> Prepared<S> {
    /// Prepares `policy`.
    ///
    /// ```
    /// use cors_policy_config::PolicyConfig;
    /// use cors_policy_http::{HttpStack, Prepared};
    /// let owned = PolicyConfig::from_json_str(r#"{"allowed_origins": ["https://a.example"], "max_age": 60}"#)
    ///     .unwrap().build().unwrap();
    /// let prepared = Prepared::<HttpStack>::new(owned);
    /// assert_eq!(prepared.max_age().unwrap(), "60");
    /// ```
    pub fn new(policy: impl CorsPolicy<S>) -> Self {
        let expose = policy.expose_headers_value().and_then(S::value);
        let max_age = policy.max_age_value().and_then(S::value);
        Prepared {
            policy: Box::new(policy),
            expose,
            max_age,
            cache: S::Cache::default(),
        }
    }

    /// The policy.
    pub fn policy(&self) -> &dyn CorsPolicy<S> {
        &*self.policy
    }

    /// The `Access-Control-Expose-Headers` value, made once.
    pub fn expose(&self) -> Option<&S::Value> {
        self.expose.as_ref()
    }

    /// The `Access-Control-Max-Age` value, made once.
    pub fn max_age(&self) -> Option<&S::Value> {
        self.max_age.as_ref()
    }

    /// The values the policy fixes, made once.
    pub fn fixed(&self) -> Fixed<'_, S::Value> {
        Fixed {
            max_age: self.max_age.as_ref(),
            expose: self.expose.as_ref(),
        }
    }

    /// What the stack keeps for this policy to write answers faster
    /// ([`Stack::Cache`]).
    pub fn cache(&self) -> &S::Cache {
        &self.cache
    }
}

impl<S: Stack> fmt::Debug for Prepared<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prepared")
            .field("expose", &self.policy.expose_headers_value())
            .field("max_age", &self.policy.max_age_value())
            .finish_non_exhaustive()
    }
}

/// A policy that can be replaced while the server runs, without a restart
/// and without a lock on the request path (an [`ArcSwap`]: a request loads
/// the current policy with a few atomic operations; a request in flight
/// keeps the policy it started with).
///
/// Clones share the same slot: keep one to [`store`](Self::store) new
/// policies, give another to the layer.
///
/// ```
/// use cors_policy_config::PolicyConfig;
/// use cors_policy_http::{HttpStack, PolicyHandle};
/// let load = |json: &str| PolicyConfig::from_json_str(json).unwrap().build().unwrap();
/// let handle = PolicyHandle::<HttpStack>::new(load(r#"{"allowed_origins": ["https://a.example"]}"#));
/// handle.store(load(r#"{"allowed_origins": ["https://b.example"]}"#));
/// ```
pub struct PolicyHandle<S: Stack> {
    slot: Arc<ArcSwap<Prepared<S>>>,
}

impl<S: Stack> PolicyHandle<S> {
    /// A handle holding `policy`.
    pub fn new(policy: impl CorsPolicy<S>) -> Self {
        PolicyHandle {
            slot: Arc::new(ArcSwap::from_pointee(Prepared::new(policy))),
        }
    }

    /// Replaces the policy; requests that start afterwards use the new one.
    pub fn store(&self, policy: impl CorsPolicy<S>) {
        self.slot.store(Arc::new(Prepared::new(policy)));
    }

    /// The current policy (a reference-counted snapshot).
    pub fn load(&self) -> Arc<Prepared<S>> {
        self.slot.load_full()
    }
}

impl<S: Stack> Clone for PolicyHandle<S> {
    fn clone(&self) -> Self {
        PolicyHandle {
            slot: Arc::clone(&self.slot),
        }
    }
}

impl<S: Stack> fmt::Debug for PolicyHandle<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PolicyHandle")
            .field("current", &*self.slot.load())
            .finish()
    }
}

/// Debug mode, off by default and switchable while the server runs.
///
/// In debug mode a preflight from an allowed origin that is refused for its
/// method or a header is answered 204 with the headers computed so far, so
/// the browser's console names the method or header at fault (see
/// [`cors_policy::Options::debug`]). It tells allowed origins what passes:
/// keep it off in production. Refused origins still get nothing.
///
/// Clones share one flag.
///
/// ```
/// let switch = cors_policy_http::DebugSwitch::default();
/// assert!(!switch.get());
/// let handle = switch.clone();
/// handle.set(true);
/// assert!(switch.get());
/// ```
#[derive(Clone, Debug, Default)]
pub struct DebugSwitch(Arc<AtomicBool>);

impl DebugSwitch {
    /// A switch, on or off.
    pub fn new(on: bool) -> Self {
        DebugSwitch(Arc::new(AtomicBool::new(on)))
    }

    /// Turns debug mode on or off.
    pub fn set(&self, on: bool) {
        self.0.store(on, Ordering::Relaxed);
    }

    /// Is debug mode on?
    pub fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// A refused request, as the refusal hook sees it. Nothing of it is sent to
/// the client.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct RefusalEvent<'a> {
    /// How the request was classified.
    pub kind: RequestKind,
    /// Why it was refused (Display gives a message; `code()` a metrics label).
    pub refusal: Refusal<'a>,
    /// The request method.
    pub method: &'a [u8],
    /// The request path.
    pub path: &'a str,
    /// Was it answered anyway, as debug mode answers preflights refused for
    /// a method or a header?
    pub debug: bool,
}

/// The `debug` event of a refused request (feature `tracing`, on by
/// default): target `cors_policy`, message `CORS request refused`, fields
/// `code` (the stable label, such as `origin_not_allowed`), `reason` (the
/// core's bounded, escaped message), `kind`, `method`, `path` (its first
/// 128 bytes) and `debug_answer` (answered anyway by debug mode). Enable
/// it with a subscriber filter such as `cors_policy=debug`; off, it costs
/// one relaxed atomic load per refused request.
#[cfg(feature = "tracing")]
fn trace_refusal(event: &RefusalEvent<'_>) {
    /// The longest prefix of `s` of at most 128 bytes that ends on a
    /// character boundary.
    fn bounded(s: &str) -> &str {
        let mut end = s.len().min(128);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        &s[..end]
    }
    tracing::debug!(
        target: "cors_policy",
        code = event.refusal.code(),
        reason = %event.refusal,
        kind = %event.kind,
        method = bounded(std::str::from_utf8(event.method).unwrap_or("(not UTF-8)")),
        path = bounded(event.path),
        debug_answer = event.debug,
        "CORS request refused"
    );
}

/// A refusal in owned form, put in the response's extensions when a layer
/// is asked to (`refusal_extension(true)`), for middleware further out
/// (logging, metrics). It is never written to the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CorsRefusal {
    /// How the request was classified.
    pub kind: RequestKind,
    /// The check of docs/behaviour.md §4 that refused it.
    pub check: Check,
    /// A stable label, such as `origin_not_allowed`.
    pub code: &'static str,
    /// The reason, as the core words it.
    pub message: String,
}

impl CorsRefusal {
    /// The owned form of a refusal.
    ///
    /// ```
    /// use cors_policy::{Refusal, RequestKind};
    /// let r = cors_policy_http::CorsRefusal::new(RequestKind::Preflight, &Refusal::MethodNotAllowed(b"PATCH"));
    /// assert_eq!(r.code, "method_not_allowed");
    /// assert_eq!(r.message, "method \"PATCH\" is not allowed");
    /// ```
    pub fn new(kind: RequestKind, refusal: &Refusal<'_>) -> Self {
        CorsRefusal {
            kind,
            check: refusal.check(),
            code: refusal.code(),
            message: refusal.to_string(),
        }
    }
}

impl fmt::Display for CorsRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CORS {} refused: {}", self.kind, self.message)
    }
}

impl std::error::Error for CorsRefusal {}

/// A run-time origin check; see [`Engine::origin_check`].
pub type DynOriginCheck = Arc<dyn Fn(&[u8]) -> bool + Send + Sync + 'static>;

/// A refusal hook; see [`Engine::on_refusal`].
pub type RefusalHook = Arc<dyn Fn(&RefusalEvent<'_>) + Send + Sync + 'static>;

enum Source<S: Stack> {
    Fixed(Arc<Prepared<S>>),
    Swappable(PolicyHandle<S>),
}

impl<S: Stack> Clone for Source<S> {
    fn clone(&self) -> Self {
        match self {
            Source::Fixed(p) => Source::Fixed(Arc::clone(p)),
            Source::Swappable(h) => Source::Swappable(h.clone()),
        }
    }
}

/// Everything a CORS layer holds, whatever the stack: evaluates requests
/// and hands the decision, with the prepared values, to the adapter.
pub struct Engine<S: Stack> {
    source: Source<S>,
    origin_check: Option<DynOriginCheck>,
    debug: DebugSwitch,
    on_refusal: Option<RefusalHook>,
    refusal_extension: bool,
}

impl<S: Stack> Clone for Engine<S> {
    fn clone(&self) -> Self {
        Engine {
            source: self.source.clone(),
            origin_check: self.origin_check.clone(),
            debug: self.debug.clone(),
            on_refusal: self.on_refusal.clone(),
            refusal_extension: self.refusal_extension,
        }
    }
}

impl<S: Stack> fmt::Debug for Engine<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("swappable", &matches!(self.source, Source::Swappable(_)))
            .field("origin_check", &self.origin_check.is_some())
            .field("debug", &self.debug.get())
            .field("on_refusal", &self.on_refusal.is_some())
            .field("refusal_extension", &self.refusal_extension)
            .finish()
    }
}

impl<S: Stack> Engine<S> {
    /// An engine for a fixed policy.
    pub fn new(policy: impl CorsPolicy<S>) -> Self {
        Self::with_source(Source::Fixed(Arc::new(Prepared::new(policy))))
    }

    /// An engine reading its policy from `handle` on every request.
    pub fn swappable(handle: &PolicyHandle<S>) -> Self {
        Self::with_source(Source::Swappable(handle.clone()))
    }

    fn with_source(source: Source<S>) -> Self {
        Engine {
            source,
            origin_check: None,
            debug: DebugSwitch::default(),
            on_refusal: None,
            refusal_extension: false,
        }
    }

    /// Adds a run-time origin check, consulted only when no pattern (and
    /// not the policy's own check) allows the origin. It sees the trimmed
    /// origin alone, so `Vary: Origin` keeps caches right. `"*"` policies
    /// ignore it.
    pub fn origin_check(&mut self, check: impl Fn(&[u8]) -> bool + Send + Sync + 'static) {
        self.origin_check = Some(Arc::new(check));
    }

    /// Uses `switch` for debug mode (off unless switched on).
    pub fn debug_switch(&mut self, switch: &DebugSwitch) {
        self.debug = switch.clone();
    }

    /// The debug switch in use.
    pub fn debug(&self) -> &DebugSwitch {
        &self.debug
    }

    /// Calls `hook` for every refused request, before answering it.
    pub fn on_refusal(&mut self, hook: impl Fn(&RefusalEvent<'_>) + Send + Sync + 'static) {
        self.on_refusal = Some(Arc::new(hook));
    }

    /// Puts a [`CorsRefusal`] in the extensions of refused requests'
    /// responses (two allocations per refused request, the message and the
    /// box the adapters keep it in until the response exists; off by
    /// default).
    pub fn set_refusal_extension(&mut self, on: bool) {
        self.refusal_extension = on;
    }

    /// Does the adapter put a [`CorsRefusal`] in responses' extensions?
    pub fn refusal_extension(&self) -> bool {
        self.refusal_extension
    }

    /// Evaluates `request` under the current policy and passes the decision
    /// and the prepared values to `answer`. The refusal hook, if any, has
    /// been called by then.
    ///
    /// ```
    /// use cors_policy::{Policy, PolicyBuilder};
    /// use cors_policy_http::{Engine, HttpStack, request_view};
    /// static POLICY: Policy<'static> = match PolicyBuilder::new().allow_origins(&["https://a.example"]).build() {
    ///     Ok(p) => p,
    ///     Err(_) => panic!(),
    /// };
    /// let engine = Engine::<HttpStack>::new(&POLICY);
    /// let req = http::Request::get("/").header("origin", "https://a.example").body(()).unwrap();
    /// let view = request_view(req.method(), req.headers());
    /// let allowed = engine.decide(&view, req.uri().path(), |d, _| d.is_allowed());
    /// assert!(allowed);
    /// ```
    pub fn decide<'r, R>(
        &self,
        request: &Request<'r, S::Lines<'r>>,
        path: &str,
        answer: impl FnOnce(&Decision<'_, 'r, S::Lines<'r>>, &Prepared<S>) -> R,
    ) -> R {
        match &self.source {
            Source::Fixed(p) => self.run(p, request, path, answer),
            Source::Swappable(h) => {
                let guard = h.slot.load();
                self.run(&guard, request, path, answer)
            }
        }
    }

    #[inline]
    fn run<'r, R>(
        &self,
        prepared: &Prepared<S>,
        request: &Request<'r, S::Lines<'r>>,
        path: &str,
        answer: impl FnOnce(&Decision<'_, 'r, S::Lines<'r>>, &Prepared<S>) -> R,
    ) -> R {
        let debug = self.debug.get();
        let options = Options {
            origin_check: self
                .origin_check
                .as_deref()
                .map(|f| f as &dyn Fn(&[u8]) -> bool),
            debug,
        };
        let decision = prepared.policy.evaluate(request, &options);
        if let Some(refusal) = decision.refusal() {
            let event = RefusalEvent {
                kind: decision.kind(),
                refusal,
                method: request.method(),
                path,
                debug: debug && decision.preflight_status() == Some(204),
            };
            #[cfg(feature = "tracing")]
            trace_refusal(&event);
            if let Some(hook) = &self.on_refusal {
                hook(&event);
            }
        }
        answer(&decision, prepared)
    }
}
