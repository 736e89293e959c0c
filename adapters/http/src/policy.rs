//! Policies of every origin behind one object-safe trait, so a layer can
//! hold a `static` policy, one loaded from a file, or swap between them.

use std::sync::Arc;

use cors_policy::{Decision, Options, Policy, Request, evaluate_with};
use cors_policy_config::OwnedPolicy;

use crate::stack::Stack;

/// A policy the adapters can hold: evaluates a request viewed through a
/// [`Stack`]'s header lines and gives the values it fixes.
///
/// Implemented for `Policy<'static, N>` (built in a `static` or leaked),
/// `&'static Policy<'static, N>`, [`OwnedPolicy`] (from a file or the
/// environment), and `Arc`/`Box` of any of them. It is object-safe, so
/// policies of different capacities fit behind one `dyn CorsPolicy<S>`.
///
/// ```
/// use cors_policy::{Policy, PolicyBuilder};
/// use cors_policy_http::{CorsPolicy, HttpStack};
/// static POLICY: Policy<'static> = match PolicyBuilder::new()
///     .allow_origins(&["https://app.example"])
///     .max_age(600)
///     .build()
/// {
///     Ok(p) => p,
///     Err(_) => panic!("invalid policy"),
/// };
/// let p: &dyn CorsPolicy<HttpStack> = &&POLICY;
/// assert_eq!(p.max_age_value(), Some(&b"600"[..]));
/// ```
pub trait CorsPolicy<S: Stack>: Send + Sync + 'static {
    /// [`cors_policy::evaluate_with`] under this policy.
    fn evaluate<'p, 'r>(
        &'p self,
        request: &Request<'r, S::Lines<'r>>,
        options: &Options<'_>,
    ) -> Decision<'p, 'r, S::Lines<'r>>;

    /// The `Access-Control-Expose-Headers` value, if any.
    fn expose_headers_value(&self) -> Option<&[u8]>;

    /// The `Access-Control-Max-Age` value, if any.
    fn max_age_value(&self) -> Option<&[u8]>;
}

impl<S: Stack, const N: usize> CorsPolicy<S> for Policy<'static, N> {
    #[inline]
    fn evaluate<'p, 'r>(
        &'p self,
        request: &Request<'r, S::Lines<'r>>,
        options: &Options<'_>,
    ) -> Decision<'p, 'r, S::Lines<'r>> {
        evaluate_with(self, request, options)
    }

    fn expose_headers_value(&self) -> Option<&[u8]> {
        Policy::expose_headers_value(self)
    }

    fn max_age_value(&self) -> Option<&[u8]> {
        Policy::max_age_value(self)
    }
}

impl<S: Stack, const N: usize> CorsPolicy<S> for &'static Policy<'static, N> {
    #[inline]
    fn evaluate<'p, 'r>(
        &'p self,
        request: &Request<'r, S::Lines<'r>>,
        options: &Options<'_>,
    ) -> Decision<'p, 'r, S::Lines<'r>> {
        evaluate_with(*self, request, options)
    }

    fn expose_headers_value(&self) -> Option<&[u8]> {
        Policy::expose_headers_value(*self)
    }

    fn max_age_value(&self) -> Option<&[u8]> {
        Policy::max_age_value(*self)
    }
}

impl<S: Stack> CorsPolicy<S> for OwnedPolicy {
    #[inline]
    fn evaluate<'p, 'r>(
        &'p self,
        request: &Request<'r, S::Lines<'r>>,
        options: &Options<'_>,
    ) -> Decision<'p, 'r, S::Lines<'r>> {
        evaluate_with(self.policy(), request, options)
    }

    fn expose_headers_value(&self) -> Option<&[u8]> {
        self.policy().expose_headers_value()
    }

    fn max_age_value(&self) -> Option<&[u8]> {
        self.policy().max_age_value()
    }
}

macro_rules! forward {
    ($($ptr:ident),*) => {$(
        impl<S: Stack, P: CorsPolicy<S> + ?Sized> CorsPolicy<S> for $ptr<P> {
            #[inline]
            fn evaluate<'p, 'r>(
                &'p self,
                request: &Request<'r, S::Lines<'r>>,
                options: &Options<'_>,
            ) -> Decision<'p, 'r, S::Lines<'r>> {
                (**self).evaluate(request, options)
            }

            fn expose_headers_value(&self) -> Option<&[u8]> {
                (**self).expose_headers_value()
            }

            fn max_age_value(&self) -> Option<&[u8]> {
                (**self).max_age_value()
            }
        }
    )*};
}

forward!(Arc, Box);
