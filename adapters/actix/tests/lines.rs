//! Table-driven tests of actix header lines: looked up at once or on
//! demand, they read the same, and they find the request's own values to
//! echo.

use actix_web::http::Method;
use actix_web::http::header::{HeaderMap, HeaderValue, ORIGIN};
use actix_web::test::TestRequest;
use cors_policy::CorsRequestHeader;
use cors_policy_actix::{ActixLines, request_view};

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
fn lines_find_the_requests_own_value() {
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
        for lines in [
            ActixLines::new(map, CorsRequestHeader::Origin),
            ActixLines::deferred(map, CorsRequestHeader::Origin),
        ] {
            let mut read = lines.clone();
            // Reading the lines does not lose the values.
            while read.next().is_some() {}
            for l in [&lines, &read] {
                let got = l.value(bytes).map(|v| v.to_str().unwrap());
                assert_eq!(got, *want, "{bytes:?}");
            }
        }
    }
}

#[test]
fn request_view_gives_every_header_whatever_the_method() {
    for method in [Method::GET, Method::OPTIONS, Method::PUT] {
        let req = TestRequest::default()
            .method(method.clone())
            .insert_header(("origin", "https://a.example"))
            .insert_header(("access-control-request-method", "PUT"))
            .insert_header(("access-control-request-headers", "x-a"))
            .insert_header(("access-control-request-private-network", "true"))
            .to_srv_request();
        let view = request_view(&req);
        for h in CorsRequestHeader::ALL {
            let got: Vec<&[u8]> = view.lines(h).collect();
            let want: Vec<&[u8]> = req
                .headers()
                .get_all(h.name())
                .map(HeaderValue::as_bytes)
                .collect();
            assert_eq!(got, want, "{h:?} on {method}");
            assert_eq!(got.len(), 1);
        }
    }
}
