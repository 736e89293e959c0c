//! What the API origin received and answered, kept per try so the page can
//! show the wire next to the prediction. Bounded: the last [`MAX_TRIES`]
//! tries, [`MAX_EXCHANGES`] exchanges each, values cut at
//! [`MAX_VALUE_LEN`] bytes.

use std::collections::VecDeque;

use http::HeaderMap;
use serde::Serialize;

/// Tries kept; older ones are dropped.
pub const MAX_TRIES: usize = 256;
/// Exchanges kept per try (a try makes one or two; `curl` adds more).
pub const MAX_EXCHANGES: usize = 16;
/// Bytes of a header value kept.
pub const MAX_VALUE_LEN: usize = 2048;

/// One request the API received and its answer.
#[derive(Clone, Debug, Serialize)]
pub struct Exchange {
    /// The method on the wire.
    pub method: String,
    /// The path and query.
    pub target: String,
    /// The request's header lines, in order.
    pub request: Vec<(String, String)>,
    /// The answer's status.
    pub status: u16,
    /// The answer's header lines, in order.
    pub response: Vec<(String, String)>,
}

/// The header lines of `map`, values made text (invalid UTF-8 replaced)
/// and cut at [`MAX_VALUE_LEN`].
pub fn lines(map: &HeaderMap) -> Vec<(String, String)> {
    map.iter()
        .map(|(n, v)| {
            let bytes = v.as_bytes();
            let cut = bytes.get(..MAX_VALUE_LEN).unwrap_or(bytes);
            let mut text = String::from_utf8_lossy(cut).into_owned();
            if cut.len() < bytes.len() {
                text.push_str(&format!("… ({} bytes)", bytes.len()));
            }
            (n.as_str().to_string(), text)
        })
        .collect()
}

/// The try a path belongs to: `/try/<id>` (and anything under it).
pub fn try_id(path: &str) -> Option<u64> {
    let rest = path.strip_prefix("/try/")?;
    let digits = rest.split('/').next()?;
    digits.parse().ok()
}

/// The exchanges of the last tries.
#[derive(Debug, Default)]
pub struct Records {
    tries: VecDeque<(u64, Vec<Exchange>)>,
}

impl Records {
    /// Keeps `exchange` under try `id`.
    pub fn add(&mut self, id: u64, exchange: Exchange) {
        if let Some((_, list)) = self.tries.iter_mut().find(|(i, _)| *i == id) {
            if list.len() < MAX_EXCHANGES {
                list.push(exchange);
            }
            return;
        }
        if self.tries.len() == MAX_TRIES {
            self.tries.pop_front();
        }
        self.tries.push_back((id, vec![exchange]));
    }

    /// The exchanges of try `id`, in the order they arrived.
    pub fn get(&self, id: u64) -> Vec<Exchange> {
        self.tries
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, l)| l.clone())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(method: &str) -> Exchange {
        Exchange {
            method: method.into(),
            target: "/try/1".into(),
            request: vec![],
            status: 200,
            response: vec![],
        }
    }

    #[test]
    fn paths_name_their_try() {
        assert_eq!(try_id("/try/42"), Some(42));
        assert_eq!(try_id("/try/42/error"), Some(42));
        assert_eq!(try_id("/try/x"), None);
        assert_eq!(try_id("/other/1"), None);
    }

    #[test]
    fn bounded() {
        let mut r = Records::default();
        for id in 0..(MAX_TRIES as u64 + 10) {
            r.add(id, exchange("GET"));
        }
        assert!(r.get(0).is_empty(), "the oldest tries are dropped");
        assert_eq!(r.get(MAX_TRIES as u64 + 9).len(), 1);
        for _ in 0..(MAX_EXCHANGES + 5) {
            r.add(7_000, exchange("OPTIONS"));
        }
        assert_eq!(r.get(7_000).len(), MAX_EXCHANGES);
    }
}
