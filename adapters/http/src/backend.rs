//! What a stack gives the shared code: how it views a request for the core,
//! its header value type, and the few header-map operations writing an
//! answer needs. Implemented by `http.rs` (the `http` crate's
//! `HeaderMap`) and `actix.rs` (actix-web's); everything above is written
//! once over these primitives.
//!
//! The trait is public only so the sealed [`Headers`](crate::Headers) can
//! name it: this module is private, so nothing outside the crate can name,
//! implement or call it.

use std::fmt;

use cors_policy::{CorsRequestHeader, Request, ResponseHeader};

use crate::answer::{Answer, Echo, Fixed};

/// A stack, named by its header map type (`Self`).
pub trait Backend: Sized + Send + 'static {
    /// The field lines of one request header, borrowed from the request.
    type Lines<'r>: Iterator<Item = &'r [u8]> + Clone;
    /// A request viewed for the core, which also finds the request's own
    /// values to echo ([`own_value`](Self::own_value)).
    type View<'r>;
    /// The stack's header value type.
    type Value: Clone + fmt::Debug + Send + Sync + 'static;
    /// What the stack keeps per policy to write answers faster (see
    /// [`template`](Self::template)); `()` for none.
    type Cache: Default + Send + Sync + 'static;
    /// A prepared answer of one shape, cheap to clone; `()` for none.
    type Template: Clone + Send + Sync + 'static;

    /// `*`, the value of `Access-Control-Allow-Origin` for any origin.
    const STAR: Self::Value;
    /// `true`, the value of `Access-Control-Allow-Credentials` and
    /// `Access-Control-Allow-Private-Network`.
    const TRUE: Self::Value;

    // ---- the request side

    /// Views a request's method and headers, without copying.
    fn view<'r>(method: &'r str, headers: &'r Self) -> Self::View<'r>;

    /// The core's view of the request.
    fn request<'a, 'r>(view: &'a Self::View<'r>) -> &'a Request<'r, Self::Lines<'r>>;

    /// The request's own value of `header` whose bytes are `bytes`, if one
    /// is: what an answer echoes, cloning a reference count rather than
    /// copying the bytes.
    fn own_value<'r>(
        view: &Self::View<'r>,
        header: CorsRequestHeader,
        bytes: &[u8],
    ) -> Option<&'r Self::Value>;

    /// The request's own values of `header`, in order.
    fn own_values<'r>(
        view: &Self::View<'r>,
        header: CorsRequestHeader,
    ) -> impl Iterator<Item = &'r Self::Value>;

    // ---- values

    /// A new header value holding a copy of `bytes`: a value the policy
    /// fixes (made once per policy), or request bytes the core trimmed.
    /// `None` if the bytes cannot be a header value (never for a valid
    /// policy's values). Nothing is kept beyond the value itself: a copy
    /// made once per policy and shared by reference count costs less than
    /// 2% of any request (measured: `bash benches/callgrind.sh`), so the
    /// process-wide table that once made these values `'static` is gone.
    fn value(bytes: &[u8]) -> Option<Self::Value>;

    /// A header value's bytes.
    fn value_bytes(value: &Self::Value) -> &[u8];

    /// A decision's joined `Vary` value as a header value made at compile
    /// time, for each of [`vary::SETS`](crate::vary::SETS); `None` for any
    /// other.
    fn vary_value(joined: &str) -> Option<Self::Value>;

    /// A header value of a `Vary` token the core names.
    fn vary_token(token: &'static str) -> Self::Value;

    // ---- the response side

    /// Is the map empty (a new response's, with no `Vary` to merge with)?
    fn is_empty(&self) -> bool;

    /// The map's header names, lower case.
    fn names(&self) -> impl Iterator<Item = &str>;

    /// Removes every line of `header`.
    fn remove(&mut self, header: ResponseHeader);

    /// Appends `value` under the name of `header`, keeping what is there.
    fn append(&mut self, header: ResponseHeader, value: Self::Value);

    /// Appends `value` to `Vary`.
    fn append_vary(&mut self, value: Self::Value);

    /// The field lines of `Vary`, none if it has none.
    fn vary_lines(&self) -> impl Iterator<Item = &[u8]>;

    // ---- prepared answers (optional)

    /// Does the stack prepare answers ([`template`](Self::template))?
    /// Without, an answer is appended to a new map header by header.
    const PREPARES: bool = false;

    /// The prepared answer of `answer`'s shape ([`Answer::shape`]), made on
    /// first use with the values the policy fixes (`fixed`) and kept in
    /// `cache`, if the stack prepares answers. The default prepares none.
    #[inline]
    fn template<'c>(
        cache: &'c Self::Cache,
        answer: &Answer<Self::Value>,
        fixed: Fixed<'_, Self::Value>,
    ) -> Option<&'c Self::Template> {
        let _ = (cache, answer, fixed);
        None
    }

    /// The prepared answer of `shape` ([`Answer::shape`]) whose `Vary` is
    /// `vary`, if [`template`](Self::template) made it already: what an
    /// answer of the usual shapes is written from, without building an
    /// [`Answer`] first. The default prepares none.
    #[inline]
    fn made_template<'c>(
        cache: &'c Self::Cache,
        shape: u8,
        vary: &str,
    ) -> Option<&'c Self::Template> {
        let _ = (cache, shape, vary);
        None
    }

    /// Writes into this empty map the answer `template` prepares, with the
    /// values `echo` takes from the request. Only called with a template,
    /// so the default (for stacks without any) does nothing.
    #[inline]
    fn instantiate(&mut self, template: &Self::Template, echo: Echo<'_, Self::Value>) {
        let _ = (template, echo);
    }

    /// The values the policy fixes, as `template` holds them.
    #[inline]
    fn template_fixed(template: &Self::Template) -> Fixed<'_, Self::Value> {
        let _ = template;
        Fixed::NONE
    }
}

/// The request's own values of the headers an answer echoes (`Origin`,
/// `Access-Control-Request-Method` and `-Headers`), kept by a view when
/// they have one line, so that echoing one costs a comparison rather than
/// a lookup.
pub struct Kept<'r, V> {
    slots: [Option<&'r V>; 3],
}

impl<V> Default for Kept<'_, V> {
    fn default() -> Self {
        Kept { slots: [None; 3] }
    }
}

impl<V> fmt::Debug for Kept<'_, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kept = self.slots.iter().filter(|s| s.is_some()).count();
        f.debug_struct("Kept").field("kept", &kept).finish()
    }
}

impl<'r, V> Kept<'r, V> {
    /// The slot of `header`, if an answer echoes it.
    #[inline]
    fn slot(header: CorsRequestHeader) -> Option<usize> {
        match header {
            CorsRequestHeader::Origin => Some(0),
            CorsRequestHeader::AccessControlRequestMethod => Some(1),
            CorsRequestHeader::AccessControlRequestHeaders => Some(2),
            _ => None,
        }
    }

    /// Keeps `value` (the header's only line), or forgets it (`None`).
    #[inline]
    pub fn set(&mut self, header: CorsRequestHeader, value: Option<&'r V>) {
        if let Some(s) = Self::slot(header).and_then(|i| self.slots.get_mut(i)) {
            *s = value;
        }
    }

    /// The kept value of `header`, if any.
    #[inline]
    pub fn get(&self, header: CorsRequestHeader) -> Option<&'r V> {
        Self::slot(header)
            .and_then(|i| self.slots.get(i))
            .copied()
            .flatten()
    }
}

/// Are `own`'s bytes `bytes`? The core hands back the request's own bytes
/// when it did not trim them: then the pointers match and nothing is
/// compared.
#[inline]
pub fn same_bytes(own: &[u8], bytes: &[u8]) -> bool {
    (own.as_ptr() == bytes.as_ptr() && own.len() == bytes.len()) || own == bytes
}

/// Do `bytes` lie inside `own` (a part of it the core cut out)?
#[inline]
pub fn inside(own: &[u8], bytes: &[u8]) -> bool {
    let (start, end) = (own.as_ptr() as usize, own.as_ptr() as usize + own.len());
    let at = bytes.as_ptr() as usize;
    start <= at && at + bytes.len() <= end
}
