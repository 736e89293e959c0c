//! What one answer holds, whatever the stack: the values it echoes from
//! the request, and which of the headers a policy fixes it sends. Data
//! only; `respond` fills it from a decision, `write` and the stacks'
//! templates put it into a header map.

/// A decision's answer as header values `V`: the request's own values to
/// echo (cloned: a reference count, no copy) and, for the values the
/// policy fixes, whether each is sent (the values themselves are made once
/// per policy: [`Fixed`]).
#[derive(Clone, Debug)]
pub struct Answer<V> {
    /// `Access-Control-Allow-Origin` (the request's origin, or `*`).
    pub origin: Option<V>,
    /// `Access-Control-Allow-Credentials: true`?
    pub credentials: bool,
    /// `Access-Control-Allow-Methods` (the requested method).
    pub methods: Option<V>,
    /// `Access-Control-Allow-Headers`, when the request sent its list on
    /// one line (several lines are written line by line, see `respond`).
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
    /// The `Vary` tokens joined with `", "`
    /// ([`Decision::vary_value`](cors_policy::Decision::vary_value); see
    /// [`vary::tokens`](crate::vary::tokens)).
    pub vary: &'static str,
}

/// The bits of a shape ([`Answer::shape`]): which headers an answer holds,
/// one bit each in [`ResponseHeader::ALL`](cors_policy::ResponseHeader::ALL)'s
/// order, and the last for a preflight.
pub mod shape {
    /// `Access-Control-Allow-Origin`.
    pub const ORIGIN: u8 = 1;
    /// `Access-Control-Allow-Credentials`.
    pub const CREDENTIALS: u8 = 1 << 1;
    /// `Access-Control-Allow-Methods`.
    pub const METHODS: u8 = 1 << 2;
    /// `Access-Control-Allow-Headers` (one line).
    pub const HEADERS: u8 = 1 << 3;
    /// `Access-Control-Max-Age`.
    pub const MAX_AGE: u8 = 1 << 4;
    /// `Access-Control-Expose-Headers`.
    pub const EXPOSE: u8 = 1 << 5;
    /// `Access-Control-Allow-Private-Network`.
    pub const PRIVATE_NETWORK: u8 = 1 << 6;
    /// A preflight's answer.
    pub const PREFLIGHT: u8 = 1 << 7;

    /// `bit` if `on`, else 0.
    #[inline]
    pub const fn when(on: bool, bit: u8) -> u8 {
        if on { bit } else { 0 }
    }
}

impl<V> Answer<V> {
    /// Which headers it holds ([`shape`]'s bits): answers of one shape
    /// under one policy differ only in the values they echo, so a stack
    /// can prepare one header map per shape.
    pub fn shape(&self) -> u8 {
        use shape::*;
        when(self.origin.is_some(), ORIGIN)
            | when(self.credentials, CREDENTIALS)
            | when(self.methods.is_some(), METHODS)
            | when(self.headers.is_some(), HEADERS)
            | when(self.max_age, MAX_AGE)
            | when(self.expose, EXPOSE)
            | when(self.private_network, PRIVATE_NETWORK)
            | when(self.preflight, PREFLIGHT)
    }
}

/// The values a stack's prepared answer takes from the request: the origin (or `*`), and the request's own
/// method and header list, by reference, cloned into place.
#[derive(Debug)]
pub struct Echo<'a, V> {
    /// `Access-Control-Allow-Origin`.
    pub origin: Option<V>,
    /// `Access-Control-Allow-Methods`.
    pub methods: Option<&'a V>,
    /// `Access-Control-Allow-Headers`.
    pub headers: Option<&'a V>,
}

/// The values of the headers a policy fixes, made once per policy.
#[derive(Debug)]
pub struct Fixed<'a, V> {
    /// `Access-Control-Max-Age`.
    pub max_age: Option<&'a V>,
    /// `Access-Control-Expose-Headers`.
    pub expose: Option<&'a V>,
}

impl<V> Fixed<'_, V> {
    /// No values.
    pub const NONE: Self = Fixed {
        max_age: None,
        expose: None,
    };
}

impl<V> Clone for Fixed<'_, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V> Copy for Fixed<'_, V> {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each of the eight flags has its own bit, in `ResponseHeader::ALL`'s
    /// order, preflight last: two answers of different shapes never share
    /// a prepared map (mutation testing found that a bit could be lost or
    /// moved onto another unnoticed).
    #[test]
    fn each_flag_has_its_own_bit() {
        for bits in 0..=u8::MAX {
            let on = |i: u8| bits & (1 << i) != 0;
            let answer = Answer {
                origin: on(0).then_some(()),
                credentials: on(1),
                methods: on(2).then_some(()),
                headers: on(3).then_some(()),
                max_age: on(4),
                expose: on(5),
                private_network: on(6),
                preflight: on(7),
                vary: "",
            };
            assert_eq!(answer.shape(), bits, "{answer:?}");
        }
    }
}
