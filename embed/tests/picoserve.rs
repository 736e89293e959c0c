//! picoserve with the `no_std` `Cors` layer (`src/lib.rs`,
//! `examples/picoserve_server.rs`) over real HTTP: every conformance
//! vector, each on its own path with its own policy; the fixed capacity's
//! bound; and the program as a user runs it.

#[path = "../../adapters/http/tests/support/client.rs"]
mod client;
mod common;
#[allow(dead_code)]
#[path = "../examples/picoserve_server.rs"]
mod example;
#[path = "../../adapters/http/tests/support/example.rs"]
mod example_bin;
#[path = "../../adapters/http/tests/support/scenarios.rs"]
mod scenarios;
#[path = "../../adapters/http/tests/support/vectors.rs"]
mod support;

use cors_policy::{Policy, PolicyBuilder};
use cors_policy_embed::{Cors, MAX_HEADERS};

/// Serves `cors` with the example's application on a thread of its own
/// (picoserve's futures are not `Send`); gives the base URL.
fn start<const N: usize>(cors: Cors<N>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            example::serve(listener, cors).await
        })
    });
    base
}

#[tokio::test]
async fn serves_every_vector() {
    let base = start(Cors::by_path(common::vector_policy));
    let vectors = support::vectors();
    scenarios::serves_every_vector("picoserve", &vectors, |i| format!("{base}/v/{i}")).await;
}

/// A preflight whose answer fits in the layer's fixed capacity gets it
/// whole; one that does not is refused with 431 and no CORS header,
/// never a truncated answer.
#[tokio::test]
async fn an_answer_past_the_fixed_capacity_is_refused_whole() {
    static POLICY: Policy<'static> = match PolicyBuilder::new()
        .allow_origins(&["https://app.example"])
        .allow_credentials(true)
        .allow_methods(&["PUT"])
        .allow_headers(&["x-a"])
        .max_age(600)
        .build()
    {
        Ok(p) => p,
        Err(_) => panic!("invalid policy"),
    };
    let base = start(Cors::new(&POLICY));
    let client = reqwest::Client::new();
    // Origin, credentials, method, max age and Vary take five entries.
    let fits = MAX_HEADERS - 5;
    for (lines, status) in [(fits, 204), (fits + 1, 431)] {
        let mut headers = vec![
            ("origin", "https://app.example"),
            ("access-control-request-method", "PUT"),
        ];
        headers.extend((0..lines).map(|_| ("access-control-request-headers", "x-a")));
        let o = client::send(&client, &format!("{base}/items"), "OPTIONS", &headers).await;
        assert_eq!(o.status, status, "{lines} lines");
        assert!(!o.handler_called);
        let answered = client::header(&o, "access-control-allow-headers").len();
        let origin = client::header(&o, "access-control-allow-origin");
        match status {
            204 => assert_eq!((answered, origin.len()), (lines, 1), "{lines} lines"),
            _ => assert_eq!((answered, origin.len()), (0, 0), "{lines} lines"),
        }
    }
}

#[tokio::test]
async fn the_demo_program() {
    common::check_demo_program("picoserve_server").await;
}
