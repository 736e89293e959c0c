//! A zero-copy view of the parts of a request that CORS reads.

/// The request headers CORS reads (Fetch, "CORS protocol" §3.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CorsRequestHeader {
    /// `Origin`.
    Origin,
    /// `Access-Control-Request-Method`.
    AccessControlRequestMethod,
    /// `Access-Control-Request-Headers`.
    AccessControlRequestHeaders,
    /// `Access-Control-Request-Private-Network` (Private Network Access).
    AccessControlRequestPrivateNetwork,
}

impl CorsRequestHeader {
    /// All four, in a fixed order.
    pub const ALL: [CorsRequestHeader; 4] = [
        CorsRequestHeader::Origin,
        CorsRequestHeader::AccessControlRequestMethod,
        CorsRequestHeader::AccessControlRequestHeaders,
        CorsRequestHeader::AccessControlRequestPrivateNetwork,
    ];

    /// The lower-case name, as `http::HeaderName` and HTTP/2 spell it.
    ///
    /// ```
    /// assert_eq!(cors_policy::CorsRequestHeader::Origin.name(), "origin");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            CorsRequestHeader::Origin => "origin",
            CorsRequestHeader::AccessControlRequestMethod => "access-control-request-method",
            CorsRequestHeader::AccessControlRequestHeaders => "access-control-request-headers",
            CorsRequestHeader::AccessControlRequestPrivateNetwork => {
                "access-control-request-private-network"
            }
        }
    }
}

/// What [`evaluate`](crate::evaluate()) reads of a request: its method and,
/// for each [`CorsRequestHeader`], every field line, borrowed.
///
/// `L` iterates over the values of one header's field lines, in order; it
/// is cloned to read them again (an `http::header::GetAll` iterator, a
/// filter over a parser's header slice), so nothing is copied.
///
/// ```
/// use cors_policy::{CorsRequestHeader, Request};
/// // Any header store works; here a slice of (name, value) pairs.
/// let raw: &[(&str, &[u8])] = &[("origin", b"https://app.example")];
/// let request = Request::from_fn(b"GET", |h: CorsRequestHeader| {
///     raw.iter()
///         .filter(move |(n, _)| n.eq_ignore_ascii_case(h.name()))
///         .map(|(_, v)| *v)
/// });
/// assert_eq!(request.method(), b"GET");
/// ```
#[derive(Clone, Debug)]
pub struct Request<'r, L> {
    method: &'r [u8],
    pub(crate) origin: L,
    pub(crate) acrm: L,
    pub(crate) acrh: L,
    pub(crate) acrpn: L,
}

impl<'r, L> Request<'r, L>
where
    L: Iterator<Item = &'r [u8]> + Clone,
{
    /// Views a request through `lines`, which gives the field lines of one
    /// header; it is called once for each [`CorsRequestHeader`].
    pub fn from_fn(method: &'r [u8], mut lines: impl FnMut(CorsRequestHeader) -> L) -> Self {
        Request {
            method,
            origin: lines(CorsRequestHeader::Origin),
            acrm: lines(CorsRequestHeader::AccessControlRequestMethod),
            acrh: lines(CorsRequestHeader::AccessControlRequestHeaders),
            acrpn: lines(CorsRequestHeader::AccessControlRequestPrivateNetwork),
        }
    }

    /// The request method, byte-exact.
    pub fn method(&self) -> &'r [u8] {
        self.method
    }

    /// The field lines of one header.
    pub fn lines(&self, header: CorsRequestHeader) -> L {
        match header {
            CorsRequestHeader::Origin => self.origin.clone(),
            CorsRequestHeader::AccessControlRequestMethod => self.acrm.clone(),
            CorsRequestHeader::AccessControlRequestHeaders => self.acrh.clone(),
            CorsRequestHeader::AccessControlRequestPrivateNetwork => self.acrpn.clone(),
        }
    }
}

impl<'r, K, V> Request<'r, PairLines<'r, K, V>>
where
    K: AsRef<[u8]>,
    V: AsRef<[u8]>,
{
    /// Views a slice of `(name, value)` pairs, one per field line, as a raw
    /// HTTP/1 parser yields them. Names match case-insensitively.
    ///
    /// ```
    /// use cors_policy::{evaluate, Policy, Request, RequestKind};
    /// let policy = Policy::builder().allow_any_origin().build().unwrap();
    /// let headers = [("Origin", "https://app.example"), ("Access-Control-Request-Method", "PUT")];
    /// let decision = evaluate(&policy, &Request::from_pairs(b"OPTIONS", &headers));
    /// assert_eq!(decision.kind(), RequestKind::Preflight);
    /// ```
    pub fn from_pairs(method: &'r [u8], pairs: &'r [(K, V)]) -> Self {
        Request::from_fn(method, |h| PairLines {
            pairs: pairs.iter(),
            name: h.name(),
        })
    }
}

/// The field lines of one header in a slice of `(name, value)` pairs; see
/// [`Request::from_pairs`].
#[derive(Debug)]
pub struct PairLines<'r, K, V> {
    pairs: core::slice::Iter<'r, (K, V)>,
    name: &'static str,
}

impl<K, V> Clone for PairLines<'_, K, V> {
    fn clone(&self) -> Self {
        PairLines {
            pairs: self.pairs.clone(),
            name: self.name,
        }
    }
}

impl<'r, K: AsRef<[u8]>, V: AsRef<[u8]>> Iterator for PairLines<'r, K, V> {
    type Item = &'r [u8];

    fn next(&mut self) -> Option<&'r [u8]> {
        let name = self.name.as_bytes();
        // The lengths first, in a tight loop: the four names differ in
        // length, so the comparison runs only for the header sought.
        for (n, v) in self.pairs.by_ref() {
            let n = n.as_ref();
            if n.len() == name.len() && same_name(n, name) {
                return Some(v.as_ref());
            }
        }
        None
    }
}

/// `n` equals the lower-case `name` but for ASCII case.
#[inline(never)]
fn same_name(n: &[u8], name: &[u8]) -> bool {
    crate::swar::eq_ignore_case_lower(n, name)
}
