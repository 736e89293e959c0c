//! The playground's HTTP side: the page origins (the page, its control
//! endpoints, the runner page) and the API origin (the policy in force,
//! recorded).

use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use cors_policy_browser::{Exposed, Response as SeenResponse};
use cors_policy_tower::CorsLayer;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use serde::{Deserialize, Serialize};
use tower::{Layer, ServiceExt};

use super::model::{self, Page, TryForm};
use super::record::{self, Exchange};
use super::{Format, MAX_POLICY_TEXT, Origins, Shared, copy, parse};
use crate::serve::say;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves data that is still
    // whole (each update is one assignment or push).
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const STYLE_CSS: &str = include_str!("assets/style.css");
const RUNNER_HTML: &str = include_str!("assets/runner.html");
const RUNNER_JS: &str = include_str!("assets/runner.js");

/// The embedded files, with the origins written in where needed.
pub struct Assets {
    runner_html: String,
    page_csp: String,
    runner_csp: String,
    second_index: String,
    page_authority: String,
    second_authority: String,
}

impl Assets {
    /// The assets for these origins.
    pub fn new(origins: &Origins) -> Assets {
        let authority = |o: &str| o.trim_start_matches("http://").to_string();
        Assets {
            runner_html: RUNNER_HTML.replace("{{PAGE_ORIGIN}}", &origins.page),
            page_csp: format!(
                "default-src 'self'; frame-src {} {}; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                origins.page, origins.second
            ),
            runner_csp: format!(
                "default-src 'none'; script-src 'self'; connect-src {}; base-uri 'none'; form-action 'none'; frame-ancestors {}",
                origins.api, origins.page
            ),
            second_index: format!(
                "<!doctype html><meta charset=\"utf-8\"><title>cors-policy playground: second page origin</title><p>This is the playground's second page origin. The playground is at <a href=\"{0}/\">{0}/</a>.</p>\n",
                origins.page
            ),
            page_authority: authority(&origins.page),
            second_authority: authority(&origins.second),
        }
    }
}

/// Which page origin a listener serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    /// The page and its control endpoints.
    Main,
    /// The second page origin: the runner page only.
    Second,
}

type Answer = Response<Full<Bytes>>;

fn respond(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Answer {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

fn json(status: StatusCode, value: &impl Serialize) -> Answer {
    let body = serde_json::to_vec(value).unwrap_or_default();
    respond(status, "application/json", body)
}

/// An error for the page: `{"error": "..."}`.
fn error(status: StatusCode, message: impl Into<String>) -> Answer {
    #[derive(Serialize)]
    struct Error {
        error: String,
    }
    json(
        status,
        &Error {
            error: message.into(),
        },
    )
}

fn with_csp(mut r: Answer, csp: &str) -> Answer {
    if let Ok(v) = HeaderValue::from_str(csp) {
        r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    r
}

/// The service of a page origin.
pub fn page_service(
    shared: Arc<Shared>,
    assets: Arc<Assets>,
    which: Which,
) -> impl hyper::service::Service<
    Request<Incoming>,
    Response = Answer,
    Error = Infallible,
    Future = impl Future<Output = Result<Answer, Infallible>> + Send + 'static,
> + Clone
+ Send
+ 'static {
    hyper::service::service_fn(move |request: Request<Incoming>| {
        let shared = Arc::clone(&shared);
        let assets = Arc::clone(&assets);
        async move { Ok::<_, Infallible>(page(&shared, &assets, which, request).await) }
    })
}

async fn page(
    shared: &Shared,
    assets: &Assets,
    which: Which,
    request: Request<Incoming>,
) -> Answer {
    let authority = match which {
        Which::Main => &assets.page_authority,
        Which::Second => &assets.second_authority,
    };
    // Another Host (localhost, a rebound DNS name) would be another
    // origin: send pages to the address the policy names, refuse the rest.
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    if host != Some(authority.as_str()) {
        if request.method() == Method::GET && !request.uri().path().starts_with("/api/") {
            let mut r = respond(
                StatusCode::TEMPORARY_REDIRECT,
                "text/plain; charset=utf-8",
                "the playground's origins use this address\n",
            );
            let target = format!("http://{authority}{}", request.uri().path());
            if let Ok(v) = HeaderValue::from_str(&target) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            return r;
        }
        return error(
            StatusCode::MISDIRECTED_REQUEST,
            format!("this server answers for http://{authority} only"),
        );
    }
    let path = request.uri().path().to_string();
    let method = request.method().clone();
    match (which, &method, path.as_str()) {
        (_, &Method::GET, "/runner.html") => with_csp(
            respond(
                StatusCode::OK,
                "text/html; charset=utf-8",
                assets.runner_html.clone(),
            ),
            &assets.runner_csp,
        ),
        (_, &Method::GET, "/runner.js") => {
            respond(StatusCode::OK, "text/javascript; charset=utf-8", RUNNER_JS)
        }
        (Which::Second, &Method::GET, "/") => respond(
            StatusCode::OK,
            "text/html; charset=utf-8",
            assets.second_index.clone(),
        ),
        (Which::Main, &Method::GET, "/" | "/index.html") => with_csp(
            respond(StatusCode::OK, "text/html; charset=utf-8", INDEX_HTML),
            &assets.page_csp,
        ),
        (Which::Main, &Method::GET, "/app.js") => {
            respond(StatusCode::OK, "text/javascript; charset=utf-8", APP_JS)
        }
        (Which::Main, &Method::GET, "/style.css") => {
            respond(StatusCode::OK, "text/css; charset=utf-8", STYLE_CSS)
        }
        (Which::Main, &Method::GET, "/api/state") => json(StatusCode::OK, &state(shared)),
        (Which::Main, &Method::GET, p) if p.starts_with("/api/record/") => {
            record_of(shared, p, request.uri().query())
        }
        (Which::Main, &Method::POST, "/api/policy" | "/api/try" | "/api/debug") => {
            match read_json_body(&shared.origins, request).await {
                Err(answer) => answer,
                Ok(body) => match path.as_str() {
                    "/api/policy" => set_policy(shared, &body),
                    "/api/debug" => set_debug(shared, &body),
                    _ => run_try(shared, &body),
                },
            }
        }
        (_, m, _) if m != Method::GET && m != Method::HEAD && path.starts_with("/api/") => error(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{m} {path}: not a control endpoint"),
        ),
        _ => error(StatusCode::NOT_FOUND, format!("{path}: not found")),
    }
}

/// Reads a control request's JSON body: only from the page's own origin
/// (a `Content-Type: application/json` that other origins cannot send
/// without a preflight this server never answers), at most
/// [`MAX_POLICY_TEXT`] and a little more.
async fn read_json_body(origins: &Origins, request: Request<Incoming>) -> Result<Bytes, Answer> {
    let headers = request.headers();
    if let Some(origin) = headers.get(header::ORIGIN)
        && origin.as_bytes() != origins.page.as_bytes()
    {
        return Err(error(
            StatusCode::FORBIDDEN,
            "control requests come from the playground's page only",
        ));
    }
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"));
    if !json_type {
        return Err(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send JSON with Content-Type: application/json",
        ));
    }
    let limit = MAX_POLICY_TEXT + 4096;
    match Limited::new(request.into_body(), limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(_) => Err(error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request is larger than {limit} bytes, or was cut off"),
        )),
    }
}

/// `GET /api/state`.
#[derive(Serialize)]
struct State<'a> {
    origins: &'a Origins,
    policy: PolicyView,
    debug: bool,
}

#[derive(Serialize)]
struct PolicyView {
    text: String,
    format: Format,
    version: u64,
}

fn state(shared: &Shared) -> State<'_> {
    let in_force = lock(&shared.in_force);
    State {
        origins: &shared.origins,
        policy: PolicyView {
            text: in_force.text.clone(),
            format: in_force.format,
            version: in_force.version,
        },
        debug: shared.debug.get(),
    }
}

/// `POST /api/policy`: `{"text", "format"}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyEdit {
    text: String,
    format: Format,
}

#[derive(Serialize)]
struct PolicyRefused {
    error: &'static str,
    errors: Vec<String>,
    policy: PolicyView,
}

fn set_policy(shared: &Shared, body: &[u8]) -> Answer {
    let edit: PolicyEdit = match serde_json::from_slice(body) {
        Ok(e) => e,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("bad request: {e}")),
    };
    if edit.text.len() > MAX_POLICY_TEXT {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the policy is longer than {MAX_POLICY_TEXT} bytes"),
        );
    }
    match parse(&edit.text, edit.format) {
        Err(errors) => {
            let in_force = lock(&shared.in_force);
            json(
                StatusCode::UNPROCESSABLE_ENTITY,
                &PolicyRefused {
                    error: "the policy was refused; the policy in force is unchanged",
                    errors,
                    policy: PolicyView {
                        text: in_force.text.clone(),
                        format: in_force.format,
                        version: in_force.version,
                    },
                },
            )
        }
        Ok((config, policy)) => {
            let policy = Arc::new(policy);
            let mut in_force = lock(&shared.in_force);
            shared.handle.store(Arc::clone(&policy));
            in_force.text = edit.text;
            in_force.format = edit.format;
            in_force.config = config;
            in_force.policy = policy;
            in_force.version += 1;
            let view = PolicyView {
                text: in_force.text.clone(),
                format: in_force.format,
                version: in_force.version,
            };
            drop(in_force);
            say(&format!("policy version {} in force", view.version));
            json(StatusCode::OK, &view)
        }
    }
}

/// `POST /api/debug`: `{"on": true}`.
fn set_debug(shared: &Shared, body: &[u8]) -> Answer {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Debug {
        on: bool,
    }
    match serde_json::from_slice::<Debug>(body) {
        Ok(d) => {
            shared.debug.set(d.on);
            json(StatusCode::OK, &state(shared))
        }
        Err(e) => error(StatusCode::BAD_REQUEST, format!("bad request: {e}")),
    }
}

/// What the page's script passes to `fetch()`.
#[derive(Serialize)]
struct FetchSpec<'a> {
    url: &'a str,
    method: &'a str,
    headers: &'a [(String, String)],
    body: model::BodyKind,
    body_text: Option<&'static str>,
    credentials: bool,
}

#[derive(Serialize)]
struct Copies {
    check: String,
    curl: String,
    rust: String,
}

#[derive(Serialize)]
struct Planned<'a> {
    id: u64,
    page: Page,
    origin: &'a str,
    fetch: FetchSpec<'a>,
    notes: &'a [String],
    steps: &'a [model::Step],
    verdict: &'a model::Verdict,
    suggestion: Option<model::Suggestion>,
    copy: Copies,
    policy_version: u64,
    debug: bool,
}

#[derive(Serialize)]
struct FormErrors {
    error: &'static str,
    errors: Vec<model::FormError>,
}

/// `POST /api/try`: checks the form and predicts the try; the page then
/// runs the `fetch()` and reads the wire record.
fn run_try(shared: &Shared, body: &[u8]) -> Answer {
    let form: TryForm = match serde_json::from_slice(body) {
        Ok(f) => f,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("bad request: {e}")),
    };
    let origin = match form.page {
        Page::Main => shared.origins.page.as_str(),
        Page::Second => shared.origins.second.as_str(),
    };
    let checked = match model::check_form(&form, origin) {
        Ok(c) => c,
        Err(errors) => {
            return json(
                StatusCode::BAD_REQUEST,
                &FormErrors {
                    error: "the request cannot be sent as written",
                    errors,
                },
            );
        }
    };
    let (text, format, config, policy, version) = {
        let f = lock(&shared.in_force);
        (
            f.text.clone(),
            f.format,
            f.config.clone(),
            Arc::clone(&f.policy),
            f.version,
        )
    };
    let debug = shared.debug.get();
    let id = shared.next_try.fetch_add(1, Ordering::Relaxed);
    let url = format!("{}/try/{id}", shared.origins.api);
    let prediction = model::predict(&checked, &url, &policy, &config, debug);
    let suggestion = model::suggest(&checked, &url, &config, debug);
    let copy = Copies {
        check: copy::check_commands(&text, format, &prediction.steps),
        curl: copy::curl_commands(&url, &checked, &prediction.steps),
        rust: copy::rust_snippet(&policy),
    };
    json(
        StatusCode::OK,
        &Planned {
            id,
            page: form.page,
            origin,
            fetch: FetchSpec {
                url: &url,
                method: &checked.method,
                headers: &checked.headers,
                body: checked.body,
                body_text: checked.body.text(),
                credentials: checked.credentials,
            },
            notes: &checked.notes,
            steps: &prediction.steps,
            verdict: &prediction.verdict,
            suggestion,
            copy,
            policy_version: version,
            debug,
        },
    )
}

/// `GET /api/record/<id>[?credentials=1]`: what the API received for try
/// `id`, and which response headers the browser model says the page can
/// read from the last answer that was not a preflight's.
fn record_of(shared: &Shared, path: &str, query: Option<&str>) -> Answer {
    #[derive(Serialize)]
    struct Record {
        exchanges: Vec<Exchange>,
        readable: Vec<String>,
    }
    let Some(id) = path
        .strip_prefix("/api/record/")
        .and_then(|s| s.parse::<u64>().ok())
    else {
        return error(StatusCode::NOT_FOUND, format!("{path}: no such try"));
    };
    let credentials = query.is_some_and(|q| q.split('&').any(|p| p == "credentials=1"));
    let exchanges = lock(&shared.records).get(id);
    let readable = exchanges
        .iter()
        .rev()
        .find(|e| !is_preflight(e))
        .map(|e| {
            let response = SeenResponse::new(e.status, &e.response);
            let exposed = Exposed::new(&response, credentials);
            e.response
                .iter()
                .map(|(n, _)| n.clone())
                .filter(|n| exposed.is_readable(n.as_bytes()))
                .collect()
        })
        .unwrap_or_default();
    json(
        StatusCode::OK,
        &Record {
            exchanges,
            readable,
        },
    )
}

fn is_preflight(e: &Exchange) -> bool {
    e.method == "OPTIONS"
        && e.request
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("access-control-request-method"))
}

/// The service of the API origin: `serve`'s application behind the policy
/// in force, each exchange under `/try/<id>` recorded.
pub fn api_service(
    shared: Arc<Shared>,
) -> impl hyper::service::Service<
    Request<Incoming>,
    Response = Answer,
    Error = Infallible,
    Future = impl Future<Output = Result<Answer, Infallible>> + Send + 'static,
> + Clone
+ Send
+ 'static {
    let cors = CorsLayer::swappable(&shared.handle)
        .debug_switch(&shared.debug)
        .layer(tower::service_fn(crate::serve::app));
    hyper::service::service_fn(move |request: Request<Incoming>| {
        let shared = Arc::clone(&shared);
        let cors = cors.clone();
        async move {
            let method = request.method().to_string();
            let path = request.uri().path().to_string();
            let target = request
                .uri()
                .path_and_query()
                .map_or_else(|| path.clone(), |p| p.as_str().to_string());
            let request_lines = record::lines(request.headers());
            let response = cors.oneshot(request).await?;
            let status = response.status().as_u16();
            if let Some(id) = record::try_id(&path) {
                lock(&shared.records).add(
                    id,
                    Exchange {
                        method: method.clone(),
                        target,
                        request: request_lines,
                        status,
                        response: record::lines(response.headers()),
                    },
                );
            }
            say(&format!("{method} {path} {status}"));
            Ok::<_, Infallible>(response)
        }
    })
}
