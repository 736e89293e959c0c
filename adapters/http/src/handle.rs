//! A policy as it is installed (prepared once for every stack the crate
//! knows), the handle that replaces it while a server runs, and
//! [`Headers`], the stacks by their header map type.

use std::fmt;
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::backend::Backend;
use crate::policy::{CorsPolicy, Prepared};

/// A policy prepared for each stack: the values it fixes are made as each
/// stack's header values when it is installed, not per request.
pub struct Installed {
    http: Prepared<http::HeaderMap>,
    #[cfg(feature = "actix")]
    actix: Prepared<actix_http::header::HeaderMap>,
}

impl Installed {
    /// Prepares `policy` for every stack.
    pub(crate) fn new(policy: impl CorsPolicy) -> Self {
        let policy = Arc::new(policy);
        Installed {
            #[cfg(feature = "actix")]
            actix: Prepared::new(Arc::clone(&policy)),
            http: Prepared::new(policy),
        }
    }
}

impl fmt::Debug for Installed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The stacks' preparations hold the same values.
        fmt::Debug::fmt(&self.http, f)
    }
}

/// What [`Headers`] does; not nameable outside the crate: where a stack
/// finds its preparation of a policy.
pub trait Sealed: Backend {
    /// This stack's preparation of `installed`.
    fn prepared(installed: &Installed) -> &Prepared<Self>;
}

/// The header map of a stack, which [`Evaluator::respond`] reads a
/// request from and whose answers are written into one: the `http`
/// crate's [`HeaderMap`](http::HeaderMap) (tower, axum, hyper, and any
/// server on `http`'s types) and, with the `actix` feature, actix-web's.
///
/// Sealed: its operations are private to this crate. A stack of another
/// kind embeds the core itself (see the embedding guide,
/// `docs/embedding.md`).
///
/// [`Evaluator::respond`]: crate::Evaluator::respond
pub trait Headers: Sealed {}

impl Sealed for http::HeaderMap {
    #[inline]
    fn prepared(installed: &Installed) -> &Prepared<Self> {
        &installed.http
    }
}

impl Headers for http::HeaderMap {}

#[cfg(feature = "actix")]
impl Sealed for actix_http::header::HeaderMap {
    #[inline]
    fn prepared(installed: &Installed) -> &Prepared<Self> {
        &installed.actix
    }
}

#[cfg(feature = "actix")]
impl Headers for actix_http::header::HeaderMap {}

/// A policy that can be replaced while the server runs, without a restart
/// and without a lock on the request path (an [`ArcSwap`]: a request loads
/// the current policy with a few atomic operations; a request in flight
/// keeps the policy it started with).
///
/// Clones share the same slot: keep one to [`store`](Self::store) new
/// policies, give another to [`Evaluator::swappable`](crate::Evaluator::swappable)
/// (or a layer's `swappable`).
///
/// ```
/// use cors_policy_config::PolicyConfig;
/// use cors_policy_http::{Evaluator, PolicyHandle, Respond};
///
/// let load = |json: &str| PolicyConfig::from_json_str(json).unwrap().build().unwrap();
/// let handle = PolicyHandle::new(load(r#"{"allowed_origins": ["https://a.example"]}"#));
/// let cors = Evaluator::swappable(&handle);
/// let req = http::Request::get("/").header("origin", "https://b.example").body(()).unwrap();
/// let allowed = |cors: &Evaluator| matches!(cors.respond(&req), Respond::Forward { refusal: None, .. });
/// assert!(!allowed(&cors));
/// handle.store(load(r#"{"allowed_origins": ["https://b.example"]}"#));
/// assert!(allowed(&cors));
/// ```
#[derive(Clone)]
pub struct PolicyHandle {
    pub(crate) slot: Arc<ArcSwap<Installed>>,
}

impl PolicyHandle {
    /// A handle holding `policy`.
    pub fn new(policy: impl CorsPolicy) -> Self {
        PolicyHandle {
            slot: Arc::new(ArcSwap::from_pointee(Installed::new(policy))),
        }
    }

    /// Replaces the policy; requests that start afterwards use the new one.
    pub fn store(&self, policy: impl CorsPolicy) {
        self.slot.store(Arc::new(Installed::new(policy)));
    }
}

impl fmt::Debug for PolicyHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PolicyHandle")
            .field("current", &*self.slot.load())
            .finish()
    }
}
