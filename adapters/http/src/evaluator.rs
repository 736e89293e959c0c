//! The embedding API's entry point: an [`Evaluator`] answers each request
//! in one pass, view → decide → respond, with the policy (fixed or
//! swappable), the run-time origin check, debug mode and the refusal hook.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use cors_policy::{Decision, Options, RequestKind};

use crate::backend::Backend;
use crate::handle::{Headers, Installed, PolicyHandle, Sealed};
use crate::http::{HeaderLines, HttpView};
use crate::policy::CorsPolicy;
use crate::refusal::{CorsRefusal, RefusalEvent};
use crate::respond::{ActualHeaders, HttpRespond, Preflight, Respond};

/// What [`Evaluator::respond`] reads from a request. Made from a
/// `&http::Request<B>` or `&http::request::Parts` with `.into()` (or
/// passed as they are); a stack with other request types fills it in.
///
/// ```
/// use cors_policy_http::RequestHead;
/// let req = http::Request::get("/items?page=2").body(()).unwrap();
/// let head = RequestHead::from(&req);
/// assert_eq!((head.method, head.path), ("GET", "/items"));
/// ```
#[derive(Debug)]
pub struct RequestHead<'r, M = http::HeaderMap> {
    /// The method, as sent (`"OPTIONS"` marks a possible preflight).
    pub method: &'r str,
    /// The path, for the refusal hook.
    pub path: &'r str,
    /// The request's headers.
    pub headers: &'r M,
}

impl<M> Clone for RequestHead<'_, M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M> Copy for RequestHead<'_, M> {}

impl<'r, B> From<&'r http::Request<B>> for RequestHead<'r> {
    #[inline]
    fn from(req: &'r http::Request<B>) -> Self {
        RequestHead {
            method: req.method().as_str(),
            path: req.uri().path(),
            headers: req.headers(),
        }
    }
}

impl<'r> From<&'r http::request::Parts> for RequestHead<'r> {
    #[inline]
    fn from(parts: &'r http::request::Parts) -> Self {
        RequestHead {
            method: parts.method.as_str(),
            path: parts.uri.path(),
            headers: &parts.headers,
        }
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
    #[inline]
    pub fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

type OriginCheck = Arc<dyn Fn(&[u8]) -> bool + Send + Sync + 'static>;
type RefusalHook = Arc<dyn Fn(&RefusalEvent<'_>) + Send + Sync + 'static>;

#[derive(Clone)]
enum Source {
    Fixed(Arc<Installed>),
    Swappable(PolicyHandle),
}

#[derive(Clone)]
struct Inner {
    source: Source,
    origin_check: Option<OriginCheck>,
    debug: DebugSwitch,
    on_refusal: Option<RefusalHook>,
}

/// A CORS policy ready to answer requests: one value per policy (or per
/// [`PolicyHandle`]), shared by every request, cheap to clone (one
/// reference count). See the crate docs for a whole server.
#[derive(Clone)]
#[must_use]
pub struct Evaluator {
    inner: Arc<Inner>,
}

impl fmt::Debug for Evaluator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &*self.inner;
        f.debug_struct("Evaluator")
            .field("swappable", &matches!(i.source, Source::Swappable(_)))
            .field("origin_check", &i.origin_check.is_some())
            .field("debug", &i.debug.get())
            .field("on_refusal", &i.on_refusal.is_some())
            .finish()
    }
}

impl Evaluator {
    /// An evaluator for a fixed policy: `&'static Policy<'static, N>`,
    /// `Policy<'static, N>`, an `OwnedPolicy`, or an `Arc` of one.
    pub fn new(policy: impl CorsPolicy) -> Self {
        Self::with_source(Source::Fixed(Arc::new(Installed::new(policy))))
    }

    /// An evaluator reading its policy from `handle` on every request, so
    /// [`PolicyHandle::store`] changes it while the server runs.
    pub fn swappable(handle: &PolicyHandle) -> Self {
        Self::with_source(Source::Swappable(handle.clone()))
    }

    fn with_source(source: Source) -> Self {
        Evaluator {
            inner: Arc::new(Inner {
                source,
                origin_check: None,
                debug: DebugSwitch::default(),
                on_refusal: None,
            }),
        }
    }

    /// Adds a run-time origin check, consulted only when no pattern of the
    /// policy allows the origin. It sees the trimmed origin alone, so
    /// `Vary: Origin` keeps caches right. `"*"` policies ignore it.
    pub fn origin_check(mut self, check: impl Fn(&[u8]) -> bool + Send + Sync + 'static) -> Self {
        Arc::make_mut(&mut self.inner).origin_check = Some(Arc::new(check));
        self
    }

    /// Uses `switch` for debug mode (off unless switched on); keep a clone
    /// to flip it while the server runs.
    pub fn debug_switch(mut self, switch: &DebugSwitch) -> Self {
        Arc::make_mut(&mut self.inner).debug = switch.clone();
        self
    }

    /// The debug switch in use.
    pub fn debug(&self) -> &DebugSwitch {
        &self.inner.debug
    }

    /// Calls `hook` for every refused request, before answering it, for
    /// metrics (or logs at another level). It runs on the request path:
    /// keep it short. Each refusal is logged anyway, as a `tracing` event
    /// at `debug` (target `cors_policy`, field `code`; default feature
    /// `tracing`).
    pub fn on_refusal(mut self, hook: impl Fn(&RefusalEvent<'_>) + Send + Sync + 'static) -> Self {
        Arc::make_mut(&mut self.inner).on_refusal = Some(Arc::new(hook));
        self
    }

    /// Decides on a request and says how to answer it: a preflight's whole
    /// answer, or the headers the application's response gets. The
    /// refusal hook, if any, has been called by then.
    ///
    /// `request` is a `&http::Request<B>`, a `&http::request::Parts`, or a
    /// [`RequestHead`]; nothing of it is copied.
    #[inline]
    pub fn respond<'r, M: Headers>(
        &self,
        request: impl Into<RequestHead<'r, M>>,
    ) -> Respond<'r, M> {
        // Its own body (what `run` does, without the closure), so that the
        // actix middleware's code stays as it was measured.
        let request = request.into();
        match &self.inner.source {
            Source::Fixed(installed) => self.respond_with(installed, request),
            Source::Swappable(handle) => self.respond_with(&handle.slot.load(), request),
        }
    }

    #[inline]
    fn respond_with<'r, M: Headers>(
        &self,
        installed: &Arc<Installed>,
        request: RequestHead<'r, M>,
    ) -> Respond<'r, M> {
        let prepared = M::prepared(installed);
        let view = M::view(request.method, request.headers);
        let debug = self.inner.debug.get();
        let decision = prepared.evaluate(M::request(&view), &self.options(debug));
        let refusal = decision.refusal();
        if refusal.is_some() {
            self.refused::<M>(&decision, request.method, request.path, debug);
        }
        if decision.kind() == RequestKind::Preflight {
            Respond::Preflight(Preflight::new(&decision, &view, installed))
        } else {
            Respond::Forward {
                headers: ActualHeaders::new(&decision, &view, installed),
                refusal,
            }
        }
    }

    /// The core's options: the run-time origin check and debug mode.
    #[inline]
    fn options(&self, debug: bool) -> Options<'_> {
        Options {
            origin_check: self
                .inner
                .origin_check
                .as_deref()
                .map(|f| f as &dyn Fn(&[u8]) -> bool),
            debug,
        }
    }

    /// Logs a refused request and calls the refusal hook.
    #[inline]
    fn refused<'r, M: Headers>(
        &self,
        decision: &Decision<'_, 'r, M::Lines<'r>>,
        method: &str,
        path: &str,
        debug: bool,
    ) {
        if let Some(refusal) = decision.refusal() {
            let event = RefusalEvent {
                kind: decision.kind(),
                refusal,
                method: method.as_bytes(),
                path,
                debug: debug && decision.preflight_status() == Some(204),
            };
            #[cfg(feature = "tracing")]
            crate::refusal::trace_refusal(&event);
            if let Some(hook) = &self.inner.on_refusal {
                hook(&event);
            }
        }
    }

    /// [`respond`](Self::respond) for a server on `http`'s types that
    /// answers a preflight with a new `http::Response` (what the tower
    /// layer does): the same decision, with the preflight's response made
    /// at once rather than handed back as a [`Preflight`], and the refusal,
    /// when `refusal_extension` asks for one, as a [`CorsRefusal`] (in the
    /// preflight's response extensions, or beside the headers).
    ///
    /// Nothing here decides more than `respond`; it moves less. Going
    /// through `respond` made the tower layer move a `Respond`, then a
    /// `Preflight` into its response, each a copy of 90 to 200 bytes, and
    /// call small functions whose frames cost more than their work (see
    /// `adapters/tower/src/lib.rs` for what it saved, measured).
    ///
    /// ```
    /// use cors_policy::{Policy, PolicyBuilder};
    /// use cors_policy_http::{Evaluator, HttpRespond};
    ///
    /// static POLICY: Policy<'static> = match PolicyBuilder::new()
    ///     .allow_origins(&["https://app.example"])
    ///     .build()
    /// {
    ///     Ok(p) => p,
    ///     Err(_) => panic!("invalid policy"),
    /// };
    /// let req = http::Request::options("/")
    ///     .header("origin", "https://evil.example")
    ///     .header("access-control-request-method", "GET")
    ///     .body(())
    ///     .unwrap();
    /// let HttpRespond::Preflight(response) = Evaluator::new(&POLICY).respond_http::<String, _>(&req, true)
    /// else { panic!() };
    /// assert_eq!(response.status(), 403);
    /// let refusal = response.extensions().get::<cors_policy_http::CorsRefusal>().unwrap();
    /// assert_eq!(refusal.code, "origin_not_allowed");
    /// ```
    #[inline]
    pub fn respond_http<B: Default, R>(
        &self,
        request: &http::Request<R>,
        refusal_extension: bool,
    ) -> HttpRespond<B> {
        self.run(request, |decision, view, installed| {
            let kind = decision.kind();
            let refusal = match decision.refusal() {
                Some(r) if refusal_extension => Some(CorsRefusal::new(kind, &r)),
                _ => None,
            };
            if kind == RequestKind::Preflight {
                let mut response = http::Response::new(B::default());
                Preflight::<http::HeaderMap>::new(decision, view, installed).fill(&mut response);
                if let Some(r) = refusal {
                    response.extensions_mut().insert(r);
                }
                HttpRespond::Preflight(response)
            } else {
                HttpRespond::Forward {
                    headers: ActualHeaders::new(decision, view, installed),
                    // Boxed: the value is kept small (it is moved into a
                    // response future); made only for refused requests when
                    // asked for, and it allocates anyway.
                    refusal: refusal.map(Box::new),
                }
            }
        })
    }

    /// View, decide, call the refusal hook, then `finish` with the
    /// decision, the view it was made on and the policy.
    ///
    /// The request's path is found only for a refused request, for the
    /// refusal hook: found for each (`RequestHead::from`), it cost the
    /// tower preflight 14 instructions and the actual request 16 (`bash
    /// benches/callgrind.sh`).
    ///
    /// Made whole into the caller (the tower layer's `call`), with
    /// `finish`: out of line, this body returned the answer through
    /// memory, which copied a preflight's response twice and an actual
    /// request's headers once more (three `memcpy`s of 29 instructions).
    /// `#[inline]` was not enough: the body was called once for each kind
    /// of source (hence the one `installed` here), too large to be copied
    /// into both. Measured with `bash benches/callgrind.sh` (issue 17):
    /// tower preflight 3,489 to 3,427 instructions, actual request 2,568
    /// to 2,522; the actix rows (which use `respond`) within 1.
    #[inline(always)]
    fn run<'r, R, T>(
        &self,
        request: &'r http::Request<R>,
        finish: impl FnOnce(&Decision<'_, 'r, HeaderLines<'r>>, &HttpView<'r>, &Arc<Installed>) -> T,
    ) -> T {
        type M = http::HeaderMap;
        let guard;
        let installed = match &self.inner.source {
            Source::Fixed(installed) => installed,
            Source::Swappable(handle) => {
                guard = handle.slot.load();
                &*guard
            }
        };
        let prepared = M::prepared(installed);
        let method = request.method().as_str();
        let view = M::view(method, request.headers());
        let debug = self.inner.debug.get();
        let decision = prepared.evaluate(M::request(&view), &self.options(debug));
        if decision.refusal().is_some() {
            self.refused::<M>(&decision, method, request.uri().path(), debug);
        }
        finish(&decision, &view, installed)
    }
}
