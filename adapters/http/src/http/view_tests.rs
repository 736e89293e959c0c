//! Table-driven tests of header lines and views (moved from the crate's
//! `tests/units.rs` when these types became private).

use cors_policy::CorsRequestHeader;
use http::header::{HeaderMap, HeaderValue, ORIGIN};

use super::{HeaderLines, HttpView};

#[test]
fn header_lines_and_their_clones() {
    for n in 0..4 {
        let mut map = HeaderMap::new();
        let values: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
        for v in &values {
            map.append(ORIGIN, HeaderValue::from_str(v).unwrap());
        }
        // Noise under other names is not read.
        map.append("x-origin", HeaderValue::from_static("no"));
        for skip in 0..=n {
            let mut lines = HeaderLines::new(&map, CorsRequestHeader::Origin);
            for _ in 0..skip {
                assert!(lines.next().is_some());
            }
            let rest: Vec<&[u8]> = values[skip..].iter().map(|v| v.as_bytes()).collect();
            assert_eq!(
                lines.clone().collect::<Vec<_>>(),
                rest,
                "{n} lines, {skip} read"
            );
            assert_eq!(lines.collect::<Vec<_>>(), rest, "{n} lines, {skip} read");
        }
    }
}

#[test]
fn deferred_lines_read_like_looked_up_ones() {
    for n in 0..4 {
        let mut map = HeaderMap::new();
        for i in 0..n {
            map.append(ORIGIN, HeaderValue::from_str(&format!("v{i}")).unwrap());
        }
        let now = HeaderLines::new(&map, CorsRequestHeader::Origin);
        let later = HeaderLines::deferred(&map, CorsRequestHeader::Origin);
        // A clone of deferred lines, and one taken after the first read.
        let mut read = later.clone();
        let first = read.next();
        assert_eq!(first, now.clone().next(), "{n} lines");
        assert_eq!(
            read.clone().collect::<Vec<_>>(),
            now.clone().skip(1).collect::<Vec<_>>(),
            "{n} lines"
        );
        assert_eq!(
            later.collect::<Vec<_>>(),
            now.collect::<Vec<_>>(),
            "{n} lines"
        );
    }
}

#[test]
fn view_finds_the_values_to_echo_kept_or_not() {
    let acrm = CorsRequestHeader::AccessControlRequestMethod;
    let acrh = CorsRequestHeader::AccessControlRequestHeaders;
    let origin = CorsRequestHeader::Origin;
    // (method, request headers, header asked for, bytes, found)
    type Case = (
        &'static str,
        &'static [(&'static str, &'static str)],
        CorsRequestHeader,
        &'static [u8],
        Option<&'static str>,
    );
    let cases: &[Case] = &[
        // Kept: one line, looked up when the view was made.
        (
            "GET",
            &[("origin", "https://a.example")],
            origin,
            b"https://a.example",
            Some("https://a.example"),
        ),
        (
            "OPTIONS",
            &[("access-control-request-method", "PUT")],
            acrm,
            b"PUT",
            Some("PUT"),
        ),
        (
            "OPTIONS",
            &[("access-control-request-headers", "x-a, x-b")],
            acrh,
            b"x-a, x-b",
            Some("x-a, x-b"),
        ),
        // A trimmed value is not the request's own.
        (
            "OPTIONS",
            &[("access-control-request-headers", "x-a, x-b")],
            acrh,
            b"x-a",
            None,
        ),
        (
            "GET",
            &[("origin", "https://a.example")],
            origin,
            b"https://a.exampl",
            None,
        ),
        // Not kept: deferred (not OPTIONS), or several lines.
        (
            "GET",
            &[("access-control-request-method", "PUT")],
            acrm,
            b"PUT",
            Some("PUT"),
        ),
        (
            "GET",
            &[
                ("origin", "https://a.example"),
                ("origin", "https://b.example"),
            ],
            origin,
            b"https://b.example",
            Some("https://b.example"),
        ),
        ("GET", &[], origin, b"https://a.example", None),
        (
            "OPTIONS",
            &[("access-control-request-private-network", "true")],
            CorsRequestHeader::AccessControlRequestPrivateNetwork,
            b"true",
            Some("true"),
        ),
    ];
    for (method, headers, h, bytes, want) in cases {
        let mut map = HeaderMap::new();
        for (n, v) in *headers {
            map.append(*n, HeaderValue::from_static(v));
        }
        let view = HttpView::new(method, &map);
        let got = view.value(*h, bytes).map(|v| v.to_str().unwrap());
        assert_eq!(got, *want, "{h:?} {bytes:?} in {headers:?} ({method})");
    }
}

#[test]
fn the_view_gives_every_header_whatever_the_method() {
    let mut map = HeaderMap::new();
    for (n, v) in [
        ("origin", "https://a.example"),
        ("access-control-request-method", "PUT"),
        ("access-control-request-headers", "x-a"),
        ("access-control-request-private-network", "true"),
        ("access-control-request-headers", "x-b"),
    ] {
        map.append(n, HeaderValue::from_static(v));
    }
    for method in ["GET", "OPTIONS", "PUT"] {
        let view = HttpView::new(method, &map);
        assert_eq!(view.request.method(), method.as_bytes());
        for h in CorsRequestHeader::ALL {
            let want: Vec<&[u8]> = map.get_all(h.name()).iter().map(|v| v.as_bytes()).collect();
            assert_eq!(
                view.request.lines(h).collect::<Vec<_>>(),
                want,
                "{h:?} on {method}"
            );
            let own: Vec<&[u8]> = view.values(h).map(|v| v.as_bytes()).collect();
            assert_eq!(own, want, "{h:?} on {method}");
        }
    }
}

/// Two words, as the core's `Request` (four of them) and `Decision` (one)
/// are moved several times per request: the box's case must keep fitting
/// in the spare tags of the `Copy` cases (issue 17; 72 bytes once cost the
/// tower preflight 156 instructions).
#[test]
fn header_lines_are_two_words() {
    assert_eq!(
        std::mem::size_of::<HeaderLines<'static>>(),
        2 * std::mem::size_of::<usize>()
    );
}
