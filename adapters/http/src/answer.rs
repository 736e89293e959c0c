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

impl<V> Answer<V> {
    /// Which headers it holds, one bit each in
    /// [`ResponseHeader::ALL`](cors_policy::ResponseHeader::ALL)'s order,
    /// and bit 7 for a preflight: answers of one shape under one policy
    /// differ only in the values they echo, so a stack can prepare one
    /// header map per shape.
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
