//! Process-wide `'static` copies of the values policies fix, so that the
//! header values made of them are static and cloning one costs no atomic
//! reference count. Only policy values come here (see
//! `Backend::policy_value`); request bytes never do.

use std::collections::BTreeSet;
use std::sync::Mutex;

/// The most bytes [`intern`] keeps for the whole process.
pub(crate) const BUDGET: usize = 64 * 1024;

/// A `'static` copy of `bytes`, made once per distinct value for the whole
/// process (later calls with equal bytes get the same copy), or `None` for
/// bytes that are not ASCII or once [`BUDGET`] bytes are kept. The budget
/// bounds what a process that installs many different policies keeps;
/// past it, values are reference-counted as usual.
pub(crate) fn intern(bytes: &[u8]) -> Option<&'static str> {
    static KEPT: Mutex<(BTreeSet<&'static str>, usize)> = Mutex::new((BTreeSet::new(), 0));
    if !bytes.is_ascii() {
        return None;
    }
    let s = std::str::from_utf8(bytes).ok()?;
    // A poisoned lock still holds a consistent set (insertions are single
    // calls): keep using it.
    let mut kept = KEPT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(k) = kept.0.get(s) {
        return Some(k);
    }
    if kept.1 + s.len() > BUDGET {
        return None;
    }
    let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
    kept.0.insert(leaked);
    kept.1 += s.len();
    Some(leaked)
}
