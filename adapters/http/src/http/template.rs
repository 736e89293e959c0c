//! Prepared answers for the `http` crate's [`HeaderMap`]: one header map
//! per shape of answer, made on first use, so that writing an answer into
//! a new (or empty) map clones one (the two allocations any non-empty map
//! makes) and sets the echoed values in place, without hashing a name.

use std::fmt;
use std::sync::{Arc, OnceLock};

use http::header::{self, HeaderMap, HeaderValue};

use super::{ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, vary_value};
use crate::answer::{Answer, Echo, Fixed};
use crate::backend::Backend;

/// The templates of one policy, one slot per shape ([`Answer::shape`]);
/// 4 KiB of slots.
pub struct Templates {
    slots: Box<[OnceLock<Option<Template>>; 256]>,
}

impl Default for Templates {
    fn default() -> Self {
        Templates {
            slots: Box::new(std::array::from_fn(|_| OnceLock::new())),
        }
    }
}

impl fmt::Debug for Templates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Templates")
            .field("made", &self.made_count())
            .finish()
    }
}

impl Templates {
    /// How many shapes have a template made.
    pub(crate) fn made_count(&self) -> usize {
        self.slots.iter().filter(|s| s.get().is_some()).count()
    }

    /// The template of `answer`'s shape, made now (with the policy's
    /// `fixed` values) if it is the first of its shape. `None` when the
    /// answer's `Vary` is not one the core names as a whole (then it is
    /// written header by header).
    #[inline]
    pub(crate) fn get(
        &self,
        answer: &Answer<HeaderValue>,
        fixed: Fixed<'_, HeaderValue>,
    ) -> Option<&Template> {
        let slot = self.slots.get(usize::from(answer.shape()))?;
        let t = slot
            .get_or_init(|| Template::build(answer, fixed))
            .as_ref()?;
        t.fits(answer.vary).then_some(t)
    }

    /// The template of `shape`, if one was made, and its `Vary` is `vary`.
    #[inline]
    pub(crate) fn made(&self, shape: u8, vary: &str) -> Option<&Template> {
        let t = self.slots.get(usize::from(shape))?.get()?.as_ref()?;
        t.fits(vary).then_some(t)
    }
}

/// The header map of one shape of answer: every name in the order the
/// answer lists them, the values the policy fixes, and empty values
/// where the request's are echoed. Cloning it is a reference count.
#[derive(Clone, Debug)]
pub struct Template(Arc<TemplateMap>);

#[derive(Debug)]
struct TemplateMap {
    map: HeaderMap,
    /// Does it send `Access-Control-Allow-Credentials`?
    credentials: bool,
    vary: &'static str,
    max_age: Option<HeaderValue>,
    expose: Option<HeaderValue>,
}

impl Template {
    fn build(answer: &Answer<HeaderValue>, fixed: Fixed<'_, HeaderValue>) -> Option<Template> {
        const ECHOED: HeaderValue = HeaderValue::from_static("");
        let vary = match answer.vary {
            "" => None,
            joined => Some(vary_value(joined)?),
        };
        let max_age = fixed.max_age.filter(|_| answer.max_age).cloned();
        let expose = fixed.expose.filter(|_| answer.expose).cloned();
        if (answer.max_age && max_age.is_none()) || (answer.expose && expose.is_none()) {
            return None;
        }
        let present = |p: bool, v: &HeaderValue| p.then(|| v.clone());
        let truth = <HeaderMap as Backend>::TRUE;
        let entries = [
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                present(answer.origin.is_some(), &ECHOED),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                present(answer.credentials, &truth),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_METHODS,
                present(answer.methods.is_some(), &ECHOED),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                present(answer.headers.is_some(), &ECHOED),
            ),
            (header::ACCESS_CONTROL_MAX_AGE, max_age.clone()),
            (header::ACCESS_CONTROL_EXPOSE_HEADERS, expose.clone()),
            (
                ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK,
                present(answer.private_network, &truth),
            ),
            (header::VARY, vary),
        ];
        let mut map = HeaderMap::with_capacity(entries.iter().filter(|e| e.1.is_some()).count());
        for (name, value) in entries {
            if let Some(v) = value {
                map.append(name, v);
            }
        }
        Some(Template(Arc::new(TemplateMap {
            map,
            credentials: answer.credentials,
            vary: answer.vary,
            max_age,
            expose,
        })))
    }

    /// The values the policy fixes, as this template holds them.
    pub(crate) fn fixed(&self) -> Fixed<'_, HeaderValue> {
        Fixed {
            max_age: self.0.max_age.as_ref(),
            expose: self.0.expose.as_ref(),
        }
    }

    /// Was it made for answers with `Vary` `vary`? A policy's answers of
    /// one shape have one `Vary`; checked anyway.
    #[inline]
    fn fits(&self, vary: &str) -> bool {
        let a = self.0.vary;
        (a.as_ptr() == vary.as_ptr() && a.len() == vary.len()) || a == vary
    }

    /// Makes `map` hold this template's answer with the values `echo`
    /// takes from the request.
    ///
    /// Written in place (rather than returned, as it was) and done after
    /// the origin when nothing else is echoed (an actual request's
    /// answer): the tower actual request 2,484 to 2,453 instructions, the
    /// preflight 3,358 to 3,351 (`bash benches/callgrind.sh`).
    #[inline]
    pub(crate) fn instantiate(&self, map: &mut HeaderMap, echo: Echo<'_, HeaderValue>) {
        *map = self.0.map.clone();
        let mut slots = map.values_mut();
        // The echoed values, in the template's order; the others are the
        // policy's, already in place.
        if let Some(v) = echo.origin {
            put(slots.next(), v);
        }
        if echo.methods.is_none() && echo.headers.is_none() {
            return;
        }
        if self.0.credentials {
            slots.next();
        }
        if let Some(v) = echo.methods {
            put(slots.next(), v.clone());
        }
        if let Some(v) = echo.headers {
            put(slots.next(), v.clone());
        }
    }
}

/// Puts `value` in a template's placeholder (a static empty value, so
/// there is nothing to drop).
#[inline]
fn put(slot: Option<&mut HeaderValue>, value: HeaderValue) {
    if let Some(slot) = slot {
        *slot = value;
    }
}
