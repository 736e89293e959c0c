//! Request-header names: the policy's list, the forbidden names, and the
//! bounded parsing of `Access-Control-Request-Headers`.

use crate::bytes::{self, eq, eq_ignore_case};
use crate::hash;
use crate::index::Index;
use crate::swar::{self, Case};

/// The most request-header names a policy may list. Real APIs allow a
/// handful; 128 leaves room for generated lists while keeping a
/// [`Policy`](crate::Policy) a few kilobytes.
pub const MAX_ALLOWED_HEADERS: usize = 128;

/// Fetch, "forbidden request-header": names a script can never set, so a
/// policy that allows them is mistaken.
const FORBIDDEN: [&[u8]; 21] = [
    b"accept-charset",
    b"accept-encoding",
    b"access-control-request-headers",
    b"access-control-request-method",
    b"connection",
    b"content-length",
    b"cookie",
    b"cookie2",
    b"date",
    b"dnt",
    b"expect",
    b"host",
    b"keep-alive",
    b"origin",
    b"referer",
    b"set-cookie",
    b"te",
    b"trailer",
    b"transfer-encoding",
    b"upgrade",
    b"via",
];

/// Does `s` start with `prefix`, ignoring ASCII case?
const fn starts_with_ignore_case(s: &[u8], prefix: &[u8]) -> bool {
    match s.split_at_checked(prefix.len()) {
        Some((head, _)) => eq_ignore_case(head, prefix),
        None => false,
    }
}

/// Is `name` a forbidden request-header name (any case)?
pub(crate) const fn is_forbidden(name: &[u8]) -> bool {
    if starts_with_ignore_case(name, b"proxy-") || starts_with_ignore_case(name, b"sec-") {
        return true;
    }
    let mut rest: &[&[u8]] = &FORBIDDEN;
    while let [f, tail @ ..] = rest {
        if eq_ignore_case(name, f) {
            return true;
        }
        rest = tail;
    }
    false
}

/// The request-header names a policy lists, indexed case-insensitively.
#[derive(Clone, Copy)]
pub(crate) struct HeaderSet {
    index: Index<MAX_ALLOWED_HEADERS>,
    /// The folded [`swar::split16`] words of each listed name of at most
    /// 16 bytes (most are) at its position plus one, compared with a
    /// request's name without reading the list. Entry 0 is no name.
    words: [[u64; 2]; MAX_ALLOWED_HEADERS + 1],
    /// The length of each listed name of at most 16 bytes, at its position
    /// plus one; entry 0 holds [`NO_LEN`], which no name has.
    lens: [u8; MAX_ALLOWED_HEADERS + 1],
    /// A direct-mapped table over those names: the top byte of a name's
    /// key picks a slot, which holds its position plus one ([`NO_NAME`]
    /// when no short name has that byte, [`SEVERAL`] when more than one
    /// has: those are looked up in `index`). Most requested names are then
    /// found with one load and one comparison, no chain walked.
    slots: [u8; 256],
    /// `*` is listed: any name but `authorization`.
    pub(crate) any: bool,
}

/// A slot of [`HeaderSet::slots`] no short name has.
const NO_NAME: u8 = 0;
/// A slot of [`HeaderSet::slots`] several short names have.
const SEVERAL: u8 = u8::MAX;
const _: () = assert!(MAX_ALLOWED_HEADERS < SEVERAL as usize);
/// The shortest rest of a line [`HeaderSet::skip_allowed`] reads in two
/// walks.
const TWO_WALKS: usize = 64;
/// The length of entry [`NO_NAME`] of [`HeaderSet::lens`]: more than any
/// short name's, so that entry never matches.
const NO_LEN: u8 = u8::MAX;

/// A name of at most 16 bytes as the index reads it: its length and its
/// [`swar::split16`] words, as the request spells them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Short {
    len: usize,
    words: [u64; 2],
}

impl Short {
    #[inline(always)]
    const fn of(name: &[u8]) -> Self {
        let (a, b) = swar::split16(name);
        Short {
            len: name.len(),
            words: [a, b],
        }
    }

    /// The words with ASCII letters lower-cased.
    #[inline(always)]
    const fn folded(&self) -> [u64; 2] {
        let [a, b] = self.words;
        [swar::fold(a), swar::fold(b)]
    }

    /// The index key: the same for names equal but for case. Setting bit
    /// 0x20 of every byte maps each letter to its lower case (and a few
    /// other bytes together, which the comparison that follows tells
    /// apart): cheaper than folding.
    #[inline(always)]
    const fn key(&self) -> u64 {
        let [a, b] = self.words;
        const CASE: u64 = 0x2020_2020_2020_2020;
        hash::key16(a | CASE, b | CASE, self.len)
    }

    /// The slot of [`HeaderSet::slots`] of a name whose key is `key`.
    #[inline(always)]
    const fn slot(key: u64) -> usize {
        (key >> 56) as usize
    }
}

impl HeaderSet {
    pub(crate) const fn build(list: &[&str]) -> Self {
        let mut set = HeaderSet {
            index: Index::new(),
            words: [[0; 2]; MAX_ALLOWED_HEADERS + 1],
            lens: [NO_LEN; MAX_ALLOWED_HEADERS + 1],
            slots: [NO_NAME; 256],
            any: false,
        };
        // Each name at its position `i` in the list.
        let (mut i, mut rest) = (0, list);
        while let [name, tail @ ..] = rest {
            let name = name.as_bytes();
            if eq(name, b"*") {
                set.any = true;
            } else if name.len() <= 16 {
                let short = Short::of(name);
                let key = short.key();
                set.index.insert(i, key);
                bytes::set(&mut set.words, i + 1, short.folded());
                bytes::set(&mut set.lens, i + 1, name.len() as u8);
                let slot = Short::slot(key);
                let taken = bytes::get_or(&set.slots, slot, NO_NAME);
                let mark = if taken == NO_NAME {
                    i as u8 + 1
                } else {
                    SEVERAL
                };
                bytes::set(&mut set.slots, slot, mark);
            } else {
                set.index.insert(i, hash::key(name, Case::Folded));
            }
            i += 1;
            rest = tail;
        }
        set
    }

    /// Fetch, "CORS-preflight fetch" step 7.3-7.5: is a requested name
    /// allowed? `*` covers every token except `authorization`, which must
    /// be listed by name (Fetch, "CORS non-wildcard request-header name").
    ///
    /// A name allowed here is a token: listed names are tokens (the builder
    /// checks), and a name equal to one but for the case of ASCII letters is
    /// one too. So the token check of the name is only needed for `*`, or
    /// once refused, to tell a malformed name from a refused one.
    #[inline(always)]
    pub(crate) fn allows(&self, list: &[&str], name: &[u8]) -> bool {
        if self.any && !swar::eq(name, b"authorization", Case::Folded) {
            return bytes::is_token(name);
        }
        if name.len() <= 16 {
            return self.allows_short(Short::of(name));
        }
        self.index
            .candidates(hash::key(name, Case::Folded))
            .any(|pos| {
                list.get(pos)
                    .is_some_and(|e| swar::eq(e.as_bytes(), name, Case::Folded))
            })
    }

    /// [`allows`](Self::allows) for a name read as `short`, when `*` is not
    /// listed.
    #[inline(always)]
    pub(crate) fn allows_short(&self, short: Short) -> bool {
        let key = short.key();
        // The one short name of this slot, if only one has it, as read.
        // Browsers send lower-case names, which need no folding. The table
        // holds positions plus one, entry 0 being no name, so the entry of
        // a slot with no name is read as any other and found unequal: no
        // branch on the slot before the comparison, and the rest out of
        // line. (Branching on the slot first, with the folded comparison
        // inline: 2,144 instructions instead of 1,872 on a preflight
        // asking for 20 headers, `case_core_preflight_20_headers`.)
        let slot = self.slots.get(Short::slot(key)).copied();
        let p = usize::from(slot.unwrap_or(NO_NAME));
        if let (Some(listed), Some(&len)) = (self.words.get(p), self.lens.get(p))
            && same_words(listed, &short.words)
            && usize::from(len) == short.len
        {
            return true;
        }
        // The words and length as values, each in a register: a `Short`
        // was stored to be passed, three stores a name (1,892 instructions
        // instead of 1,836 on a preflight asking for 20 headers).
        let [a, b] = short.words;
        self.allows_short_otherwise(a, b, short.len, p)
    }

    /// [`allows_short`](Self::allows_short) for a name that is not the
    /// slot's `p` as read: the slot's name but for case, or a slot several
    /// names share. (Through the index alone, a preflight asking for 20
    /// headers cost 12% more instructions, 2,739 against 2,446,
    /// `case_core_preflight_20_headers` in `bash benches/callgrind.sh`.)
    #[inline(never)]
    fn allows_short_otherwise(&self, a: u64, b: u64, len: usize, p: usize) -> bool {
        #[cfg(test)]
        tests::OTHERWISE.with(|n| n.set(n.get() + 1));
        let short = Short { len, words: [a, b] };
        let key = short.key();
        let listed = |entry: usize| {
            self.words.get(entry).is_some_and(|listed| {
                *listed == short.folded()
                    && self
                        .lens
                        .get(entry)
                        .is_some_and(|&l| usize::from(l) == short.len)
            })
        };
        match u8::try_from(p) {
            Ok(NO_NAME) => false,
            Ok(SEVERAL) => self.index.candidates(key).any(|pos| listed(pos + 1)),
            _ => listed(p),
        }
    }
}

impl HeaderSet {
    /// From `pos`, past every element of `line` that is allowed as read:
    /// up to 16 bytes and listed as it is spelled, but for case (`*` not
    /// listed). Where it stops, at the first other element (or a comma, or
    /// white space), [`first_refused`] takes over. Nothing it skips is
    /// refused: a name found listed as read is a token (see
    /// [`allows`](Self::allows)).
    ///
    /// The usual element costs two loads, the comma's mask, the key, and
    /// the slot's words and length compared, with nothing trimmed, stored
    /// or branched on that a browser's list would take ([`step`](Self::step)):
    /// a preflight asking for 20 headers went from 2,506 to 2,144
    /// instructions (`case_core_preflight_20_headers` in `bash
    /// benches/callgrind.sh`).
    ///
    /// Where an element starts depends on the comma that ended the one
    /// before: a load, the comma's mask and its position, about 14 cycles
    /// a name that no other work can shorten. So when [`TWO_WALKS`] bytes
    /// or more follow the first two elements, the rest is read in two
    /// walks, one from there, one from the first element past the middle, each step of one beside a step of
    /// the other: the processor overlaps the two chains. On a preflight
    /// asking for 20 headers, about 120 ns instead of 140 (`cargo bench -p
    /// cors-policy --bench evaluate`, `evaluate/preflight_20_headers`,
    /// runs interleaved on the same build), for 2,005 instructions instead
    /// of 1,688 (the steps of a pair have fewer registers, and the first
    /// two elements are read alone).
    #[inline(always)]
    fn skip_allowed(&self, line: &[u8], mut pos: usize) -> usize {
        // Two elements alone first: a line that goes to the general path
        // at once or every other element (white space around its names,
        // empty elements, `adversarial_acrh_*`) pays for no second walk.
        // Measured (issue 17): with one element alone, a preflight asking
        // for 20 headers took 81 instructions less (1,996 to 1,915) but
        // `adversarial_acrh_150_elements` (every other element allowed as
        // read) 4.5% more and about 8% more time; with none, 94 less and
        // 35% more time.
        for _ in 0..2 {
            match self.step(line, pos) {
                Some(next) => pos = next,
                None => return pos,
            }
        }
        if let Some(meet) = meeting(line, pos) {
            // `pos` walks to `meet` while `second` walks on from there,
            // until it stops (`None`, at `stopped`).
            let mut second = Some(meet);
            let mut stopped = meet;
            while pos < meet {
                let Some(next) = self.step(line, pos) else {
                    return pos;
                };
                pos = next;
                if let Some(at) = second {
                    second = self.step(line, at);
                    stopped = at;
                }
            }
            // The first walk ends where the second began (each step ends at
            // the first comma, and `meet` follows one).
            pos = match second {
                Some(at) => at,
                None => stopped,
            };
        }
        while let Some(next) = self.step(line, pos) {
            pos = next;
        }
        pos
    }

    /// One step of [`skip_allowed`](Self::skip_allowed): where the element
    /// after the one at `pos` starts, if that one is allowed as read.
    #[inline(always)]
    fn step(&self, line: &[u8], pos: usize) -> Option<usize> {
        let rest = line.get(pos..)?;
        let short = match rest.first_chunk::<16>() {
            Some(c) => {
                let (a, b) = swar::split16(c);
                // White space first: the general path trims it. Told here,
                // before the key and the slot are read for nothing (that
                // cost 150 elements in mixed case with spaces and tabs a
                // third more time, `evaluate/adversarial_acrh_150_elements`).
                if a as u8 <= b' ' {
                    return None;
                }
                let in_a = swar::commas(a);
                if in_a != 0 {
                    Short {
                        len: swar::first_flagged(in_a),
                        words: [a & swar::before_first(in_a), 0],
                    }
                } else {
                    let in_b = swar::commas(b);
                    if in_b == 0 {
                        return None;
                    }
                    Short {
                        len: 8 + swar::first_flagged(in_b),
                        words: [a, b & swar::before_first(in_b)],
                    }
                }
            }
            // The last 15 bytes of the line.
            None if rest.is_empty() => return None,
            None => {
                let short = short_element(line, pos);
                // White space, as above. (Without it, the last name of
                // `content-type, x-request-id` was looked up from its
                // space, found unequal and looked up again folded before
                // the general path trimmed it; found by mutation testing's
                // count of those lookups, issue 21.)
                if short.words[0] as u8 <= b' ' {
                    return None;
                }
                short
            }
        };
        // An empty element (a comma at `pos`) has length 0, which no
        // listed name has: it stops here, as white space does.
        self.allows_short(short).then_some(pos + short.len + 1)
    }
}

/// Where a second walk of [`HeaderSet::skip_allowed`] begins on `line`
/// from `pos`: past the first comma among the 16 bytes at the middle of the
/// rest, if the rest holds [`TWO_WALKS`] bytes and those 16 a comma. One
/// load: a search past them would be linear in the rest, and
/// `skip_allowed` is called once per element the general path reads.
#[inline(always)]
fn meeting(line: &[u8], pos: usize) -> Option<usize> {
    let rest = line.len().checked_sub(pos)?;
    if rest < TWO_WALKS {
        return None;
    }
    let mid = pos + rest / 2;
    let c = line.get(mid..)?.first_chunk::<16>()?;
    let (a, b) = swar::split16(c);
    let k = match (swar::comma_in(a), swar::comma_in(b)) {
        (Some(k), _) => k,
        (None, Some(k)) => 8 + k,
        (None, None) => return None,
    };
    Some(mid + k + 1)
}

/// One element of `Access-Control-Request-Headers` and where it was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Element<'r> {
    /// The trimmed element.
    pub(crate) name: &'r [u8],
    /// Which field line it is on.
    pub(crate) line: usize,
    /// Offset of its first byte in the untrimmed line.
    pub(crate) start: usize,
}

/// The element of `line` that starts at `pos` (`pos < line.len()`, where
/// [`first_refused`] has skipped the white space and commas before it):
/// the element trimmed of spaces and tabs at its end, and where the next
/// one starts (past the comma).
///
/// The comma is found eight bytes a step and only the end of the element
/// is trimmed byte by byte; nothing is stored, so splitting a line is
/// linear in its bytes, whatever they hold (docs/behaviour.md §5). (It
/// trimmed its start too, which never held white space: mutation testing,
/// issue 21, found that the offset it computed from it could be wrong
/// unnoticed.)
#[inline(always)]
fn element_at(line: &[u8], pos: usize) -> (&[u8], usize) {
    let rest = line.get(pos..).unwrap_or(&[]);
    let len = swar::find_or_len(rest, b',');
    let mut name = rest.get(..len).unwrap_or(&[]);
    while let [init @ .., b' ' | b'\t'] = name {
        name = init;
    }
    (name, pos + len + 1)
}

/// Are the two words equal? Compared as two integers: an array comparison
/// became one 16-byte load of words just stored as two 8-byte ones, which
/// the processor cannot forward (measured: a preflight asking for 20
/// headers took 40% longer with it, `evaluate/preflight_20_headers`).
#[inline(always)]
fn same_words(a: &[u64; 2], b: &[u64; 2]) -> bool {
    let [a0, a1] = *a;
    let [b0, b1] = *b;
    ((a0 ^ b0) | (a1 ^ b1)) == 0
}

/// Decides which elements [`first_refused`] lets through.
pub(crate) trait Judge<'r> {
    /// Is `e` allowed?
    fn allows(&mut self, e: &Element<'r>) -> bool;

    /// From `pos`, past the elements of `line` this judge allows at a
    /// glance (none by default).
    fn skip_allowed(&mut self, _line: &[u8], pos: usize) -> usize {
        pos
    }
}

/// A policy's request-header names, as a [`Judge`].
pub(crate) struct Listed<'a, 's> {
    pub(crate) set: &'a HeaderSet,
    pub(crate) list: &'a [&'s str],
}

impl<'r> Judge<'r> for Listed<'_, '_> {
    #[inline(always)]
    fn allows(&mut self, e: &Element<'r>) -> bool {
        self.set.allows(self.list, e.name)
    }

    #[inline(always)]
    fn skip_allowed(&mut self, line: &[u8], pos: usize) -> usize {
        if self.set.any {
            pos
        } else {
            self.set.skip_allowed(line, pos)
        }
    }
}

/// The element of `line` that starts at `pos` (`pos < line.len()`, neither
/// a comma nor white space) in the line's last 15 bytes, read in at most
/// two words. White space at its end is kept: no listed name holds any, so
/// such an element is not allowed as read and [`first_refused`] reads it
/// again, trimmed. ([`HeaderSet::step`] reads an element with 16 bytes or
/// more at hand itself; this read them too, which no call reached:
/// mutation testing, issue 21.)
#[inline(always)]
fn short_element(line: &[u8], pos: usize) -> Short {
    let left = line.len() - pos;
    let a = swar::load_at(line, pos);
    let (len, a, b) = if let Some(k) = swar::comma_in(a) {
        (k, swar::low_bytes(a, k), 0)
    } else if left <= 8 {
        (left, a, 0)
    } else {
        let b = swar::load_at(line, pos + 8);
        match swar::comma_in(b) {
            Some(k) => (8 + k, a, swar::low_bytes(b, k)),
            None => (left, a, b),
        }
    };
    Short { len, words: [a, b] }
}

/// The first element of the field lines `lines` that `judge` refuses.
///
/// Every line is split on commas, each element trimmed of spaces and tabs,
/// and empty ones skipped (docs/behaviour.md §4.3; RFC 9110 §5.6.1).
///
/// Out of line (it was `#[inline]`): once `decide` was split into its checks
/// the optimiser inlined this loop into the adapters' callers, where each
/// requested line cost about 20 instructions more (callgrind's
/// `case_echo_*`, 250 lines: +3 to 4%).
#[cfg_attr(feature = "no-panic", no_panic::no_panic)]
#[inline(never)]
pub(crate) fn first_refused<'r, L: Iterator<Item = &'r [u8]>>(
    lines: L,
    mut judge: impl Judge<'r>,
) -> Option<Element<'r>> {
    for (line_no, line) in lines.enumerate() {
        let mut pos = 0;
        while let Some(&first) = line.get(pos) {
            // Empty elements and leading white space are skipped here, each
            // byte once.
            if first == b',' {
                pos += 1;
                continue;
            }
            if matches!(first, b' ' | b'\t') {
                while let Some(b' ' | b'\t') = line.get(pos) {
                    pos += 1;
                }
                continue;
            }
            // Elements allowed as read, from here on, in one loop; not
            // called on a comma or white space, which it would not pass
            // (called there, it cost 8 KiB of empty elements 3.5 times the
            // time, `evaluate/adversarial_acrh_8k_empty_elements`).
            let next = judge.skip_allowed(line, pos);
            if next != pos {
                pos = next;
                continue;
            }
            // Any other: trimmed, then judged.
            let (name, next) = element_at(line, pos);
            let element = Element {
                name,
                line: line_no,
                start: pos,
            };
            if !name.is_empty() && !judge.allows(&element) {
                return Some(element);
            }
            pos = next;
        }
    }
    None
}

/// Does a field line name at least one header (a non-empty element)?
#[cfg_attr(feature = "no-panic", no_panic::no_panic)]
pub(crate) fn names_something(line: &[u8]) -> bool {
    line.iter().any(|&b| !matches!(b, b',' | b' ' | b'\t'))
}

#[cfg(test)]
mod tests {
    extern crate std;

    std::thread_local! {
        /// Names this thread's tests sent to
        /// `HeaderSet::allows_short_otherwise`.
        pub(super) static OTHERWISE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }
    use super::*;
    use std::vec::Vec;

    fn names(lines: &[&[u8]]) -> Vec<(std::string::String, usize, usize)> {
        struct All(Vec<(std::string::String, usize, usize)>);
        impl<'r> Judge<'r> for &mut All {
            fn allows(&mut self, e: &Element<'r>) -> bool {
                let name = std::string::String::from_utf8_lossy(e.name).into_owned();
                self.0.push((name, e.line, e.start));
                true
            }
        }
        let mut all = All(Vec::new());
        assert_eq!(first_refused(lines.iter().copied(), &mut all), None);
        all.0
    }

    #[test]
    fn splitting() {
        assert_eq!(
            names(&[b" A ,, b\t,", b"", b"c"]),
            [("A".into(), 0, 1), ("b".into(), 0, 6), ("c".into(), 2, 0)]
        );
        assert!(names(&[b",,,", b" "]).is_empty());
        assert!(!names_something(b" , ,"));
        assert!(names_something(b" ,x"));
    }

    /// The first refused element as the contract states it: split on
    /// commas, trim spaces and tabs, skip empty elements, compare names
    /// ignoring ASCII case.
    fn naive_first_refused(lines: &[&[u8]], list: &[&str]) -> Option<(Vec<u8>, usize, usize)> {
        for (no, line) in lines.iter().enumerate() {
            let mut start = 0;
            for raw in line.split(|&b| b == b',') {
                let lead = raw.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
                let name = crate::bytes::trim_ows(raw);
                let listed = list.iter().any(|e| e.as_bytes().eq_ignore_ascii_case(name));
                if !name.is_empty() && !listed {
                    return Some((name.to_vec(), no, start + lead));
                }
                start += raw.len() + 1;
            }
        }
        None
    }

    #[test]
    fn two_word_reads_agree_with_the_contract() {
        // Names around the 8- and 16-byte boundaries, in both cases, with
        // look-alikes that differ in one byte or only past a boundary.
        let list = [
            "x",
            "content-type",
            "X-Custom-Header",
            "abcdefgh",
            "abcdefghi",
            "abcdefghijklmnop",
            "abcdefghijklmnopq",
            "a^b",
            "authorization",
        ];
        let set = HeaderSet::build(&list);
        let names: Vec<&[u8]> = std::vec![
            b"x",
            b"X",
            b"y",
            b"content-type",
            b"CONTENT-TYPE",
            b"content-typ",
            b"content-typee",
            b"x-custom-header",
            b"x-custom-headeR",
            b"x-custom-headers",
            b"abcdefgh",
            b"ABCDEFGH",
            b"abcdefgH",
            b"abcdefg",
            b"abcdefghi",
            b"abcdefghj",
            b"abcdefghijklmnop",
            b"abcdefghijklmnoP",
            b"abcdefghijklmno",
            b"abcdefghijklmnopq",
            b"abcdefghijklmnopQ",
            b"abcdefghijklmnopr",
            b"a^b",
            b"a~b",
            b"A^B",
            b"a\x00b",
            b"x\x00",
            b"caf\xc3\xa9",
            b"authorization",
            b"AUTHORIZATION",
        ];
        let seps: [&[u8]; 5] = [b",", b", ", b" ,\t", b",,", b" , "];
        let mut checked = 0;
        for (i, a) in names.iter().enumerate() {
            for b in &names {
                for (j, sep) in seps.iter().enumerate() {
                    let pad: &[u8] = [&b""[..], b" ", b"\t "][(i + j) % 3];
                    let line = [pad, a, sep, b, pad].concat();
                    let other: &[u8] = if j % 2 == 0 { b"x" } else { b"" };
                    let lines: [&[u8]; 2] = [&line, other];
                    let judge = Listed {
                        set: &set,
                        list: &list,
                    };
                    let got = first_refused(lines.iter().copied(), judge)
                        .map(|e| (e.name.to_vec(), e.line, e.start));
                    assert_eq!(got, naive_first_refused(&lines, &list), "{:?}", line);
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, names.len() * names.len() * seps.len());
    }

    /// Lines of several elements, so that the elements after the first
    /// are read where [`HeaderSet::skip_allowed`] reads them (16 bytes at
    /// hand, or fewer near the end): each name of the list above and its
    /// look-alikes at every place of a line of listed names, with commas,
    /// white space and empty elements around it.
    #[test]
    fn lines_of_many_names_agree_with_the_contract() {
        let list = [
            "x",
            "content-type",
            "X-Custom-Header",
            "abcdefgh",
            "abcdefghi",
            "abcdefghijklmno",
            "abcdefghijklmnop",
            "abcdefghijklmnopq",
            "a^b",
        ];
        let set = HeaderSet::build(&list);
        let odd: [&[u8]; 14] = [
            b"X",
            b"x-custom-header",
            b"abcdefghijklmnO",
            b"abcdefghijklmn",
            b"abcdefghijklmnoq",
            b"abcdefgh\x00",
            b"x\x00",
            b"a~b",
            b" x",
            b"x ",
            b"",
            b"y",
            b"content-type\t",
            b"abcdefghijklmnop ",
        ];
        let listed: Vec<&[u8]> = list.iter().map(|n| n.as_bytes()).collect();
        let mut checked = 0;
        for name in odd.iter().chain(&listed) {
            for at in 0..=listed.len() {
                for sep in [&b","[..], b", ", b",,"] {
                    let mut parts: Vec<&[u8]> = listed.clone();
                    parts.insert(at, name);
                    let line = parts.join(sep);
                    let lines: [&[u8]; 1] = [&line];
                    let judge = Listed {
                        set: &set,
                        list: &list,
                    };
                    let got = first_refused(lines.iter().copied(), judge)
                        .map(|e| (e.name.to_vec(), e.line, e.start));
                    assert_eq!(got, naive_first_refused(&lines, &list), "{:?}", line);
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, (odd.len() + list.len()) * (list.len() + 1) * 3);
    }

    /// The fast path is taken for what browsers send: short lower-case
    /// names separated by `,` or `, `, and upper-case ones too, are all
    /// passed by `skip_allowed`, and none is judged one by one. A name
    /// longer than 16 bytes is judged.
    /// (Mutation testing, issue 21: the fast path could give up and every
    /// answer stayed right, since the general path gives the same.)
    #[test]
    fn the_fast_path_is_taken() {
        struct Counting<'a, 's> {
            listed: Listed<'a, 's>,
            slow: usize,
        }
        impl<'r> Judge<'r> for &mut Counting<'_, '_> {
            fn allows(&mut self, e: &Element<'r>) -> bool {
                self.slow += 1;
                self.listed.allows(e)
            }
            fn skip_allowed(&mut self, line: &[u8], pos: usize) -> usize {
                self.listed.skip_allowed(line, pos)
            }
        }
        let list = [
            "content-type",
            "x-request-id",
            "abcdefgh",
            "abcdefghi",
            "x-sixteen-bytes!",
            "x-a-name-of-twenty-b",
            "ab",
        ];
        let set = HeaderSet::build(&list);
        let slow = |line: &[u8]| {
            let mut judge = Counting {
                listed: Listed {
                    set: &set,
                    list: &list,
                },
                slow: 0,
            };
            assert_eq!(first_refused([line].into_iter(), &mut judge), None);
            judge.slow
        };
        // Lower-case names are found as read, in their slot; upper-case
        // ones go on to `allows_short_otherwise` (the lines past the first
        // six below are lower case). (Mutation testing, issue 21: the slot's
        // comparison failing, its length's `==` as `!=` or `same_words`
        // giving `false`, went unnoticed: the rest finds the names too.)
        let otherwise = |line: &[u8]| {
            let before = OTHERWISE.with(std::cell::Cell::get);
            slow(line);
            OTHERWISE.with(std::cell::Cell::get) - before
        };
        // Each line: the names looked up again folded. No line goes to the
        // slow path (`slow`).
        for (line, folded) in [
            (&b"content-type"[..], 0),
            (b"content-type,x-request-id", 0),
            (b"content-type, x-request-id", 0),
            (b"x-request-id,content-type,abcdefgh,abcdefghi", 0),
            (b"abcdefgh,abcdefghi", 0),
            // Fewer than 16 bytes left, a name of 9 to 15 ending in a comma
            // (mutation testing, issue 21: its length read as `8 - k`
            // rather than `8 + k` went unnoticed).
            (b"abcdefghi,ab", 0),
            (b"x-request-id,ab", 0),
            // A name of under 8 bytes ending in a comma, 16 bytes or more
            // before the line's end (mutation testing, issue 21: its word
            // masked with `|` rather than `&` went unnoticed).
            (b"ab,abcdefgh,content-type", 0),
            // White space before the last name, a space or a tab, is not
            // looked up either.
            (b"content-type,\tx-request-id", 0),
            (b"Content-Type, X-Request-ID", 2),
        ] {
            let shown = std::string::String::from_utf8_lossy(line);
            assert_eq!(otherwise(line), folded, "{shown:?}");
            assert_eq!(slow(line), 0, "{shown:?}");
        }
        assert_eq!(slow(b"x-a-name-of-twenty-b,content-type"), 1);
    }

    /// A policy's names mostly have a slot each, so that a name is found
    /// with one comparison: of 19 usual header names of up to 16 bytes, at
    /// least 70% are the only name of their slot (all 19 in fact), and of
    /// 128 names at least 64 (93).
    /// (Mutation testing, issue 21: every name in slot 0, all behind
    /// `SEVERAL`, went unnoticed: the index finds them all the same.)
    #[test]
    fn names_mostly_have_a_slot_each() {
        use std::{format, string::String, vec::Vec};
        let alone = |list: &[&str]| {
            let set = HeaderSet::build(list);
            list.iter()
                .filter(|name| {
                    let slot = Short::slot(Short::of(name.as_bytes()).key());
                    set.slots
                        .get(slot)
                        .is_some_and(|&s| s != SEVERAL && s != NO_NAME)
                })
                .count()
        };
        let usual = [
            "accept",
            "accept-language",
            "authorization",
            "cache-control",
            "content-type",
            "if-match",
            "if-none-match",
            "range",
            "x-api-key",
            "x-request-id",
            "x-csrf-token",
            "x-requested-with",
            "traceparent",
            "tracestate",
            "baggage",
            "x-b3-traceid",
            "x-amz-date",
            "x-amz-content-sha256",
            "x-client-version",
            "sentry-trace",
        ];
        let short: Vec<&str> = usual.iter().copied().filter(|n| n.len() <= 16).collect();
        assert!(
            alone(&short) * 10 >= short.len() * 7,
            "{} of {}",
            alone(&short),
            short.len()
        );
        let many: Vec<String> = (0..128).map(|i| format!("x-h{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(alone(&many) >= 64, "{} of 128", alone(&many));
    }

    /// `same_words` is equality of both words, whatever bits they share or
    /// not. (Mutation testing, issue 21: `&` or `|` for either `^` went
    /// unnoticed through the public API: a name of 9 to 16 bytes compared
    /// unequal as read is compared again folded, which gives the same
    /// answer, only later.)
    #[test]
    fn same_words_is_equality() {
        let words = [
            0u64,
            1,
            0x21,
            0x5e,
            0x3030,
            0x4848,
            u64::MAX,
            0x2d61_7261_6e67_6f6d,
        ];
        for a0 in words {
            for a1 in words {
                for b0 in words {
                    for b1 in words {
                        assert_eq!(
                            same_words(&[a0, a1], &[b0, b1]),
                            a0 == b0 && a1 == b1,
                            "{a0:#x} {a1:#x} / {b0:#x} {b1:#x}"
                        );
                    }
                }
            }
        }
    }

    /// A second walk starts only on a rest of at least `TWO_WALKS` bytes,
    /// past the first comma of the 16 bytes at the rest's middle. (Mutation
    /// testing, issue 21: two walks on short lines too went unnoticed; the
    /// answers are the same, the time is not.)
    #[test]
    fn the_second_walk_starts_past_the_middle_comma() {
        use std::vec::Vec;
        let names = |n: usize| -> Vec<u8> {
            let mut line = Vec::new();
            for i in 0..n {
                if i > 0 {
                    line.push(b',');
                }
                line.extend_from_slice(b"x-name");
                line.push(b'a' + (i % 26) as u8);
            }
            line
        };
        for n in 1..20 {
            let line = names(n);
            // Every start, so that a rest of exactly `TWO_WALKS` bytes is
            // among them (mutation testing, issue 21: `<=` went unnoticed).
            for pos in 0..24 {
                let got = meeting(&line, pos);
                let rest = line.len().saturating_sub(pos);
                if rest < TWO_WALKS {
                    assert_eq!(got, None, "{n} names from {pos}");
                    continue;
                }
                let mid = pos + rest / 2;
                let comma = line.iter().skip(mid).position(|&b| b == b',');
                let want = comma.filter(|&k| k < 16).map(|k| mid + k + 1);
                assert_eq!(got, want, "{n} names from {pos}");
            }
        }
        assert!(names(19).len() >= TWO_WALKS + 16);
    }

    /// The index spreads: 1,000 distinct names, keyed as a policy's list
    /// keys them, make chains of a few at most in 1,024 buckets, and a
    /// full list of 128 names in its own index too. Every hit is compared
    /// with the name, so a poor key (a constant) would keep every answer
    /// right and only cost time: this is what notices it.
    #[test]
    fn the_index_spreads() {
        use std::{format, string::String};
        let key = |name: &[u8]| {
            if name.len() <= 16 {
                Short::of(name).key()
            } else {
                hash::key(name, Case::Folded)
            }
        };
        let names: Vec<String> = (0..1000)
            .map(|i| match i % 4 {
                0 => format!("x-custom-{i}"),
                1 => format!("X-Amz-Meta-{i}"),
                2 => format!("x-trace-{i}-id"),
                _ => format!("x-a-rather-long-header-name-{i}"),
            })
            .collect();
        let mut ix = Index::<1024>::new();
        for (i, name) in names.iter().enumerate() {
            ix.insert(i, key(name.as_bytes()));
        }
        assert!(ix.longest_chain() <= 8, "{}", ix.longest_chain());

        let list: Vec<&str> = names
            .iter()
            .take(MAX_ALLOWED_HEADERS)
            .map(String::as_str)
            .collect();
        let set = HeaderSet::build(&list);
        assert!(
            set.index.longest_chain() <= 6,
            "{}",
            set.index.longest_chain()
        );
        for name in &list {
            assert!(
                set.allows(&list, name.to_ascii_uppercase().as_bytes()),
                "{name}"
            );
        }
    }

    #[test]
    fn forbidden_names() {
        for f in [
            "Cookie",
            "HOST",
            "proxy-authorization",
            "Sec-Fetch-Mode",
            "via",
            "origin",
        ] {
            assert!(is_forbidden(f.as_bytes()), "{f}");
        }
        for ok in [
            "content-type",
            "authorization",
            "x-request-id",
            "viaduct",
            "proxy",
        ] {
            assert!(!is_forbidden(ok.as_bytes()), "{ok}");
        }
    }
}
