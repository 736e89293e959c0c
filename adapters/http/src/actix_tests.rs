//! Table-driven tests of actix header lines and views (moved from
//! cors-policy-actix's `tests/lines.rs` when these types moved here).

use actix_http::header::{HeaderMap, HeaderValue, ORIGIN};
use cors_policy::CorsRequestHeader;

use super::{ActixLines, ActixView};
use crate::backend::Backend;

#[test]
fn deferred_lines_read_like_looked_up_ones() {
    for n in 0..4 {
        let mut map = HeaderMap::new();
        for i in 0..n {
            map.append(ORIGIN, HeaderValue::from_str(&format!("v{i}")).unwrap());
        }
        let now = ActixLines::new(&map, CorsRequestHeader::Origin);
        let later = ActixLines::deferred(&map, CorsRequestHeader::Origin);
        let mut read = later.clone();
        assert_eq!(read.next(), now.clone().next(), "{n} lines");
        assert_eq!(
            read.collect::<Vec<_>>(),
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
fn the_view_finds_the_requests_own_values() {
    let mut one = HeaderMap::new();
    one.append(ORIGIN, HeaderValue::from_static("https://a.example"));
    let mut two = one.clone();
    two.append(ORIGIN, HeaderValue::from_static("https://b.example"));
    let empty = HeaderMap::new();
    // (map, bytes asked for, found)
    let cases: &[(&HeaderMap, &[u8], Option<&str>)] = &[
        (&one, b"https://a.example", Some("https://a.example")),
        (&one, b"https://a.exampl", None),
        (&two, b"https://b.example", Some("https://b.example")),
        (&two, b"https://c.example", None),
        (&empty, b"https://a.example", None),
    ];
    for (map, bytes, want) in cases {
        for method in ["GET", "OPTIONS"] {
            let view = ActixView::new(method, map);
            // Reading the lines does not lose the values.
            let read: Vec<_> = view.request.lines(CorsRequestHeader::Origin).collect();
            assert_eq!(read.len(), map.get_all(ORIGIN).count());
            let got = HeaderMap::own_value(&view, CorsRequestHeader::Origin, bytes)
                .map(|v| v.to_str().unwrap());
            assert_eq!(got, *want, "{bytes:?} ({method})");
        }
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
        map.append(
            actix_http::header::HeaderName::from_static(n),
            HeaderValue::from_static(v),
        );
    }
    for method in ["GET", "OPTIONS", "PUT"] {
        let view = ActixView::new(method, &map);
        assert_eq!(view.request.method(), method.as_bytes());
        for h in CorsRequestHeader::ALL {
            let want: Vec<&[u8]> = map.get_all(h.name()).map(HeaderValue::as_bytes).collect();
            assert_eq!(
                view.request.lines(h).collect::<Vec<_>>(),
                want,
                "{h:?} on {method}"
            );
            let own: Vec<&[u8]> = HeaderMap::own_values(&view, h)
                .map(HeaderValue::as_bytes)
                .collect();
            assert_eq!(own, want, "{h:?} on {method}");
        }
    }
}
