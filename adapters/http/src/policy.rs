//! The policies a layer can hold, and a policy prepared for one stack: the
//! header values it fixes made once, and the stack's per-policy cache.

use std::fmt;
use std::sync::Arc;

use cors_policy::{Decision, Options, Policy, Request, evaluate_with};
use cors_policy_config::OwnedPolicy;

use crate::answer::Fixed;
use crate::backend::Backend;

/// A policy an [`Evaluator`](crate::Evaluator) can hold: built in a
/// `static` or leaked (`Policy<'static, N>` by value or as
/// `&'static Policy<'static, N>`), loaded from a file or the environment
/// ([`OwnedPolicy`]), or an `Arc` or `Box` of any of them.
///
/// Sealed: implemented for those types only.
///
/// ```
/// use cors_policy::{Policy, PolicyBuilder};
/// use cors_policy_config::PolicyConfig;
/// use cors_policy_http::Evaluator;
///
/// static POLICY: Policy<'static> = match PolicyBuilder::new()
///     .allow_origins(&["https://app.example"])
///     .build()
/// {
///     Ok(p) => p,
///     Err(_) => panic!("invalid policy"),
/// };
/// let load = || {
///     PolicyConfig::from_json_str(r#"{"allowed_origins": ["https://app.example"]}"#)
///         .unwrap()
///         .build()
///         .unwrap()
/// };
/// let _ = [
///     Evaluator::new(&POLICY),
///     Evaluator::new(load()),
///     Evaluator::new(std::sync::Arc::new(load())),
/// ];
/// ```
pub trait CorsPolicy: Send + Sync + 'static + Sealed {}

/// What a [`CorsPolicy`] does; not nameable outside the crate.
pub trait Sealed {
    /// [`cors_policy::evaluate_with`] under this policy.
    fn evaluate<'p, 'r, L>(
        &'p self,
        request: &Request<'r, L>,
        options: &Options<'_>,
    ) -> Decision<'p, 'r, L>
    where
        L: Iterator<Item = &'r [u8]> + Clone;

    /// The `Access-Control-Expose-Headers` value, if any.
    fn expose_headers_value(&self) -> Option<&[u8]>;

    /// The `Access-Control-Max-Age` value, if any.
    fn max_age_value(&self) -> Option<&[u8]>;
}

/// Implements [`CorsPolicy`] for a type whose policy `$get` reaches.
macro_rules! policy {
    ($(impl[$($g:tt)*] $ty:ty => |$p:ident| $get:expr;)*) => {$(
        impl<$($g)*> Sealed for $ty {
            #[inline]
            fn evaluate<'p, 'r, L>(
                &'p self,
                request: &Request<'r, L>,
                options: &Options<'_>,
            ) -> Decision<'p, 'r, L>
            where
                L: Iterator<Item = &'r [u8]> + Clone,
            {
                let $p = self;
                evaluate_with($get, request, options)
            }

            fn expose_headers_value(&self) -> Option<&[u8]> {
                let $p = self;
                $get.expose_headers_value()
            }

            fn max_age_value(&self) -> Option<&[u8]> {
                let $p = self;
                $get.max_age_value()
            }
        }

        impl<$($g)*> CorsPolicy for $ty {}
    )*};
}

policy! {
    impl[const N: usize] Policy<'static, N> => |p| p;
    impl[const N: usize] &'static Policy<'static, N> => |p| *p;
    impl[] OwnedPolicy => |p| p.policy();
}

/// Forwards [`CorsPolicy`] through a smart pointer.
macro_rules! forward {
    ($($ptr:ident),*) => {$(
        impl<P: CorsPolicy> Sealed for $ptr<P> {
            #[inline]
            fn evaluate<'p, 'r, L>(
                &'p self,
                request: &Request<'r, L>,
                options: &Options<'_>,
            ) -> Decision<'p, 'r, L>
            where
                L: Iterator<Item = &'r [u8]> + Clone,
            {
                (**self).evaluate(request, options)
            }

            fn expose_headers_value(&self) -> Option<&[u8]> {
                (**self).expose_headers_value()
            }

            fn max_age_value(&self) -> Option<&[u8]> {
                (**self).max_age_value()
            }
        }

        impl<P: CorsPolicy> CorsPolicy for $ptr<P> {}
    )*};
}

forward!(Arc, Box);

/// A policy evaluating requests viewed by one stack `M`: what
/// [`CorsPolicy`] becomes behind a pointer, whatever its type.
pub trait Evaluate<M: Backend>: Send + Sync {
    /// [`cors_policy::evaluate_with`] under this policy.
    fn evaluate<'p, 'r>(
        &'p self,
        request: &Request<'r, M::Lines<'r>>,
        options: &Options<'_>,
    ) -> Decision<'p, 'r, M::Lines<'r>>;
}

impl<M: Backend, P: CorsPolicy> Evaluate<M> for P {
    #[inline]
    fn evaluate<'p, 'r>(
        &'p self,
        request: &Request<'r, M::Lines<'r>>,
        options: &Options<'_>,
    ) -> Decision<'p, 'r, M::Lines<'r>> {
        Sealed::evaluate(self, request, options)
    }
}

/// A policy prepared for stack `M`: the header values it fixes are made
/// once, when it is installed, so that answering a request only clones
/// them (no allocation), and the stack keeps its per-policy cache here.
pub struct Prepared<M: Backend> {
    policy: Arc<dyn Evaluate<M>>,
    /// `Access-Control-Expose-Headers`.
    pub(crate) expose: Option<M::Value>,
    /// `Access-Control-Max-Age`.
    pub(crate) max_age: Option<M::Value>,
    /// The stack's per-policy cache ([`Backend::Cache`]).
    pub(crate) cache: M::Cache,
}

impl<M: Backend> Prepared<M> {
    /// Prepares `policy` (shared with the other stacks' preparations).
    pub(crate) fn new<P: CorsPolicy>(policy: Arc<P>) -> Self {
        let expose = policy.expose_headers_value().and_then(M::value);
        let max_age = policy.max_age_value().and_then(M::value);
        Prepared {
            policy,
            expose,
            max_age,
            cache: M::Cache::default(),
        }
    }

    /// The values the policy fixes.
    #[inline]
    pub(crate) fn fixed(&self) -> Fixed<'_, M::Value> {
        Fixed {
            max_age: self.max_age.as_ref(),
            expose: self.expose.as_ref(),
        }
    }

    /// Evaluates `request` under the policy.
    #[inline]
    pub(crate) fn evaluate<'p, 'r>(
        &'p self,
        request: &Request<'r, M::Lines<'r>>,
        options: &Options<'_>,
    ) -> Decision<'p, 'r, M::Lines<'r>> {
        Evaluate::evaluate(&*self.policy, request, options)
    }
}

impl<M: Backend> fmt::Debug for Prepared<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prepared")
            .field("expose", &self.expose)
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}
