//! One try of the playground, before it is sent: the form checked as
//! `fetch()` would check it, what the browser will send (the preflight, if
//! one is needed, then the request), what the engine answers to each
//! (`cors-policy check`'s text), what the browser then does (the browser
//! model, with the console message it prints), and what to change in the
//! policy for the request to pass.

use cors_policy::{Options, Request, RequestKind, evaluate_with};
use cors_policy_browser::{
    Blocked, BrowserRequest, Response, Stage, check_preflight, cors_check, is_forbidden_method,
    is_forbidden_request_header, is_safelisted_method, normalize_method,
};
use cors_policy_config::{OwnedPolicy, PolicyConfig, StarOrList};
use serde::{Deserialize, Serialize};

use super::console;
use crate::check::{self, PairDecision};
use crate::load::RequestFile;

/// The body a string of this kind gets, as the page sends it.
pub const TEXT_BODY: &str = "hello";
/// The JSON body.
pub const JSON_BODY: &str = r#"{"hello":"playground"}"#;
/// The `URLSearchParams` body.
pub const FORM_BODY: &str = "hello=playground";

/// The status the application behind the CORS layer answers the tries
/// with (`serve`'s application, `crate::serve::app`, which the API origin
/// runs).
pub const APP_STATUS: u16 = 200;

/// What the page sends as the body of the `fetch()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    /// No body.
    #[default]
    None,
    /// The string [`TEXT_BODY`]: the browser adds
    /// `Content-Type: text/plain;charset=UTF-8` unless the script sets one.
    Text,
    /// The string [`JSON_BODY`] (the page adds `Content-Type:
    /// application/json` to the headers when JSON is chosen).
    Json,
    /// `new URLSearchParams("hello=playground")`: the browser adds
    /// `Content-Type: application/x-www-form-urlencoded;charset=UTF-8`.
    Form,
}

impl BodyKind {
    /// The body's text, if any.
    pub fn text(self) -> Option<&'static str> {
        match self {
            BodyKind::None => None,
            BodyKind::Text => Some(TEXT_BODY),
            BodyKind::Json => Some(JSON_BODY),
            BodyKind::Form => Some(FORM_BODY),
        }
    }

    /// The `Content-Type` the browser adds when the script sets none
    /// (Fetch, "extract a body").
    fn implicit_content_type(self) -> Option<&'static str> {
        match self {
            BodyKind::None => None,
            BodyKind::Text | BodyKind::Json => Some("text/plain;charset=UTF-8"),
            BodyKind::Form => Some("application/x-www-form-urlencoded;charset=UTF-8"),
        }
    }
}

/// Which of the two page origins runs the `fetch()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Page {
    /// The playground's own page (in the default policy).
    Main,
    /// The second page origin (in no default policy).
    Second,
}

/// The request form, as the page posts it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TryForm {
    /// The page that runs the `fetch()`.
    pub page: Page,
    /// The method, as typed.
    pub method: String,
    /// Request headers, one `Name: value` a line.
    #[serde(default)]
    pub headers: String,
    /// The body.
    #[serde(default)]
    pub body: BodyKind,
    /// `credentials: 'include'`.
    #[serde(default)]
    pub credentials: bool,
}

/// A mistake in the form, named by its field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FormError {
    /// `method`, `headers` or `body`.
    pub field: &'static str,
    /// What is wrong, and what `fetch()` would do with it.
    pub message: String,
}

/// The form, checked: what the page's script passes to `fetch()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    /// The page's origin.
    pub origin: String,
    /// The method, normalized as `fetch()` does.
    pub method: String,
    /// The headers the script sets, in order, values trimmed.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: BodyKind,
    /// `credentials: 'include'`.
    pub credentials: bool,
    /// Notes on what the browser does with the form (dropped headers, the
    /// `Content-Type` it adds, why a preflight is needed).
    pub notes: Vec<String>,
}

impl Checked {
    /// The headers the browser sends with the request itself (besides the
    /// ones it always adds, such as `Accept` and `User-Agent`): the
    /// script's, without the forbidden ones, and the `Content-Type` of a
    /// body when the script set none.
    pub fn sent_headers(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .headers
            .iter()
            .filter(|(n, v)| !is_forbidden_request_header(n.as_bytes(), v.as_bytes()))
            .cloned()
            .collect();
        let has_type = out
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
        if let (false, Some(t)) = (has_type, self.body.implicit_content_type()) {
            out.push(("Content-Type".into(), t.into()));
        }
        out
    }
}

/// The characters of a header name (a token, RFC 9110 §5.6.2).
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Checks the form as `fetch()` would (its `TypeError`s become errors
/// naming the field) and notes what the browser does with it.
pub fn check_form(form: &TryForm, origin: &str) -> Result<Checked, Vec<FormError>> {
    let mut errors = Vec::new();
    let typed = form.method.trim();
    let method = normalize_method(typed).to_string();
    if typed.is_empty() {
        errors.push(FormError {
            field: "method",
            message: "the method is empty: type one, such as GET or PUT".into(),
        });
    } else if !is_token(typed) {
        errors.push(FormError {
            field: "method",
            message: format!(
                "\"{}\" is not a method: a method is a token (letters, digits and !#$%&'*+-.^_`|~), and fetch() throws a TypeError for it",
                typed.escape_debug()
            ),
        });
    } else if is_forbidden_method(typed.as_bytes()) {
        errors.push(FormError {
            field: "method",
            message: format!(
                "{typed} is a forbidden method (Fetch, \"forbidden method\": CONNECT, TRACE, TRACK): fetch() throws a TypeError and no policy can allow it"
            ),
        });
    }
    if form.body != BodyKind::None && matches!(method.as_str(), "GET" | "HEAD") {
        errors.push(FormError {
            field: "body",
            message: format!(
                "a {method} request cannot have a body: fetch() throws a TypeError; choose no body or another method"
            ),
        });
    }
    let mut headers = Vec::new();
    let mut notes = Vec::new();
    for (i, raw) in form.headers.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        match check::parse_header_arg(line.trim_start()) {
            Err(e) => errors.push(FormError {
                field: "headers",
                message: format!(
                    "line {}: {e}; write one header a line as 'Name: value' (a name is a token: letters, digits and !#$%&'*+-.^_`|~), or fetch() throws a TypeError",
                    i + 1
                ),
            }),
            Ok((name, value)) => {
                let value = value.trim_matches([' ', '\t']).to_string();
                if value.contains('\0') {
                    errors.push(FormError {
                        field: "headers",
                        message: format!(
                            "line {}: the value of {name} holds a NUL byte, which fetch() refuses with a TypeError",
                            i + 1
                        ),
                    });
                    continue;
                }
                if is_forbidden_request_header(name.as_bytes(), value.as_bytes()) {
                    notes.push(format!(
                        "{name} is a forbidden request header: fetch() leaves it out without an error, so it is not sent (Fetch, \"forbidden request-header\")."
                    ));
                }
                headers.push((name, value));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if method != typed {
        notes.push(format!(
            "fetch() upper-cases \"{typed}\" to {method} (Fetch, \"normalize a method\": only DELETE, GET, HEAD, OPTIONS, POST and PUT)."
        ));
    }
    let mut checked = Checked {
        origin: origin.to_string(),
        method,
        headers,
        body: form.body,
        credentials: form.credentials,
        notes,
    };
    let sent = checked.sent_headers();
    if let Some(t) = form.body.implicit_content_type()
        && sent.iter().any(|(n, v)| n == "Content-Type" && v == t)
        && !checked
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    {
        checked.notes.push(format!(
            "the body is {}: the browser adds Content-Type: {t}, which is CORS-safelisted.",
            if form.body == BodyKind::Form {
                "URLSearchParams"
            } else {
                "a string"
            }
        ));
    }
    let request = BrowserRequest::new(&checked.origin, &checked.method, &sent, checked.credentials);
    let mut why = Vec::new();
    if !is_safelisted_method(checked.method.as_bytes()) {
        why.push(format!(
            "{} is not a CORS-safelisted method (only GET, HEAD and POST are)",
            checked.method
        ));
    }
    for (name, value, verdict) in request.header_verdicts() {
        if let Err(reason) = verdict {
            why.push(format!(
                "{}: {} is not CORS-safelisted: {reason}",
                String::from_utf8_lossy(name),
                String::from_utf8_lossy(value)
            ));
        }
    }
    let preflight_note = if why.is_empty() {
        "a simple request (a safelisted method and only safelisted headers): the browser sends it without a preflight.".to_string()
    } else {
        format!(
            "the browser sends a preflight (OPTIONS) first, because {}.",
            why.join("; ")
        )
    };
    checked.notes.push(preflight_note);
    if checked.credentials {
        checked.notes.push("credentials: 'include': the browser sends cookies, and reads the answer only with Access-Control-Allow-Credentials: true and the page's exact origin (never *).".into());
    }
    Ok(checked)
}

/// One request the browser sends and the engine's answer to it.
#[derive(Clone, Debug, Serialize)]
pub struct Step {
    /// `preflight` or `request`.
    pub step: &'static str,
    /// The method on the wire.
    pub method: String,
    /// The request headers the engine reads (and `cors-policy check -H`
    /// gets): `Origin`, the preflight's, and the script's.
    pub headers: Vec<(String, String)>,
    /// The engine's classification (`preflight`, `actual`, `not_cors`).
    pub kind: &'static str,
    /// Did the engine allow it?
    pub allowed: bool,
    /// The status of the answer (the CORS layer's for a preflight, the
    /// application's otherwise).
    pub status: u16,
    /// The CORS headers the engine adds, then `Vary`.
    pub answer: Vec<(String, String)>,
    /// The refusal's stable code, when refused.
    pub refusal: Option<&'static str>,
    /// `cors-policy check`'s explanation of this request, word for word.
    pub explanation: String,
    /// What the browser does with the answer, in one sentence.
    pub browser: String,
}

/// What the browser does in the end, as the engine and the browser model
/// predict it.
#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    /// Can the page read the response?
    pub readable: bool,
    /// `preflight` or `response`: the answer the browser refused.
    pub stage: Option<&'static str>,
    /// The browser model's reason code (`missing_allow_origin`, ...).
    pub blocked: Option<&'static str>,
    /// Why the browser blocks, in plain words.
    pub why: Option<String>,
    /// What the server must send instead (the browser model's fix).
    pub browser_fix: Option<String>,
    /// The message Chromium prints in the console.
    pub chromium_message: Option<String>,
    /// The reason name Firefox gives (`CORSMissingAllowOrigin`, ...).
    pub firefox_reason: Option<String>,
    /// The engine's refusal behind it, if the engine refused.
    pub engine_refusal: Option<&'static str>,
    /// The engine's explanation of that refusal (`check`'s `Why:`).
    pub engine_why: Option<String>,
    /// The engine's fix (`check`'s `Fix:`).
    pub engine_fix: Option<String>,
}

/// A try, predicted: the steps and the verdict.
#[derive(Clone, Debug, Serialize)]
pub struct Prediction {
    /// The requests the browser sends, in order.
    pub steps: Vec<Step>,
    /// The outcome.
    pub verdict: Verdict,
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| ((*n).to_string(), (*v).to_string()))
        .collect()
}

/// The engine's answer to one request: status and headers (the CORS ones,
/// then `Vary`), with `check`'s text.
fn engine_step(
    step: &'static str,
    method: &str,
    headers: Vec<(String, String)>,
    policy: &OwnedPolicy,
    config: &PolicyConfig,
    debug: bool,
) -> (Step, Option<EngineReason>) {
    let file = RequestFile {
        method: method.to_string(),
        headers,
    };
    let request = Request::from_pairs(file.method.as_bytes(), &file.headers);
    let options = Options {
        origin_check: None,
        debug,
    };
    let decision: PairDecision<'_, '_> = evaluate_with(policy.policy(), &request, &options);
    let mut answer: Vec<(String, String)> = check::header_list(&decision)
        .into_iter()
        .map(|(n, v)| (n.to_string(), v))
        .collect();
    if !decision.vary().is_empty() {
        answer.push(("Vary".into(), decision.vary().join(", ")));
    }
    let status = match decision.kind() {
        RequestKind::Preflight => decision.preflight_status().unwrap_or(204),
        _ => APP_STATUS,
    };
    let refusal = decision.refusal();
    let reason = refusal.as_ref().map(|r| {
        let e = crate::explain::explain(r, config);
        EngineReason {
            code: r.code(),
            why: e.why,
            fix: e.fix,
        }
    });
    let explanation = check::human(&decision, &file, config, debug);
    let step = Step {
        step,
        method: file.method.clone(),
        kind: decision.kind().as_str(),
        allowed: decision.is_allowed(),
        status,
        answer,
        refusal: refusal.map(|r| r.code()),
        explanation,
        browser: String::new(),
        headers: file.headers.clone(),
    };
    (step, reason)
}

/// The engine's refusal of a step, as `check` explains it.
struct EngineReason {
    code: &'static str,
    why: String,
    fix: String,
}

/// Predicts the try: the preflight (if the browser sends one) and the
/// request, each through the engine under `policy`, then the browser
/// model's checks of the answers. `url` is the URL the page fetches, as
/// the browser serializes it.
pub fn predict(
    checked: &Checked,
    url: &str,
    policy: &OwnedPolicy,
    config: &PolicyConfig,
    debug: bool,
) -> Prediction {
    let sent = checked.sent_headers();
    let origin = checked.origin.as_str();
    let request = BrowserRequest::new(origin, &checked.method, &sent, checked.credentials);
    let mut steps = Vec::new();
    let mut verdict = Verdict {
        readable: false,
        stage: None,
        blocked: None,
        why: None,
        browser_fix: None,
        chromium_message: None,
        firefox_reason: None,
        engine_refusal: None,
        engine_why: None,
        engine_fix: None,
    };
    let mut engine_reason = None;
    if let Some(preflight) = request.preflight() {
        let mut headers = pairs(&[
            ("Origin", origin),
            ("Access-Control-Request-Method", preflight.method),
        ]);
        if let Some(names) = preflight.request_headers() {
            headers.push(("Access-Control-Request-Headers".into(), names.to_string()));
        }
        let (mut step, refusal) =
            engine_step("preflight", "OPTIONS", headers, policy, config, debug);
        engine_reason = refusal;
        let answer = step.answer.clone();
        let response = Response::new(step.status, &answer);
        match check_preflight(&request, &response) {
            Ok(_) => {
                step.browser = format!(
                    "accepted: {} passes the preflight, so the browser sends the request itself.",
                    checked.method
                );
                steps.push(step);
            }
            Err(blocked) => {
                step.browser = format!(
                    "refused: {blocked}. The browser does not send the request itself, and fetch() rejects with a TypeError."
                );
                steps.push(step);
                fill_blocked(
                    &mut verdict,
                    &blocked,
                    Stage::Preflight,
                    url,
                    origin,
                    &response,
                );
                fill_engine(&mut verdict, engine_reason);
                return Prediction { steps, verdict };
            }
        }
    }
    let mut headers = pairs(&[("Origin", origin)]);
    headers.extend(sent.iter().cloned());
    let (mut step, refusal) =
        engine_step("request", &checked.method, headers, policy, config, debug);
    if engine_reason.is_none() {
        engine_reason = refusal;
    }
    let answer = step.answer.clone();
    let response = Response::new(step.status, &answer);
    match cors_check(origin, checked.credentials, &response) {
        Ok(()) => {
            step.browser = "passes the CORS check: the page reads the response.".into();
            verdict.readable = true;
        }
        Err(blocked) => {
            step.browser = format!(
                "fails the CORS check: {blocked}. The server's answer reached the browser, which hides it: fetch() rejects with a TypeError."
            );
            fill_blocked(
                &mut verdict,
                &blocked,
                Stage::Response,
                url,
                origin,
                &response,
            );
            fill_engine(&mut verdict, engine_reason);
        }
    }
    steps.push(step);
    Prediction { steps, verdict }
}

fn fill_blocked<K: AsRef<[u8]>, V: AsRef<[u8]>>(
    verdict: &mut Verdict,
    blocked: &Blocked<'_>,
    stage: Stage,
    url: &str,
    origin: &str,
    response: &Response<'_, K, V>,
) {
    verdict.readable = false;
    verdict.stage = Some(match stage {
        Stage::Preflight => "preflight",
        Stage::Response => "response",
    });
    verdict.blocked = Some(blocked.code());
    verdict.why = Some(blocked.to_string());
    verdict.browser_fix = Some(blocked.fix().to_string());
    let words = console::words(blocked, url, origin, stage, response);
    verdict.chromium_message = words.chromium;
    verdict.firefox_reason = words.firefox;
}

fn fill_engine(verdict: &mut Verdict, reason: Option<EngineReason>) {
    if let Some(reason) = reason {
        verdict.engine_refusal = Some(reason.code);
        verdict.engine_why = Some(reason.why);
        verdict.engine_fix = Some(reason.fix);
    }
}

/// A change to the policy that lets the try through, with the policy it
/// gives.
#[derive(Clone, Debug, Serialize)]
pub struct Suggestion {
    /// Each change, in words: `allowed_methods: add "PUT"`.
    pub changes: Vec<String>,
    /// The changed policy, as JSON (fields left at their defaults omitted).
    pub policy: String,
    /// Does the changed policy let the page read the response? (`false`
    /// when some cause is not one a policy field fixes, such as a
    /// forbidden method.)
    pub complete: bool,
}

fn push_item(list: &mut StarOrList, item: &str) {
    let mut items: Vec<String> = list.items().into_iter().map(String::from).collect();
    items.push(item.to_string());
    *list = StarOrList::List(items);
}

/// What to change in `config` for `checked` to be readable by the page:
/// the engine's refusals and the browser's objections fixed one after the
/// other (at most a few rounds), each change the smallest one that fixes
/// that cause. `None` when the try already passes.
pub fn suggest(
    checked: &Checked,
    url: &str,
    config: &PolicyConfig,
    debug: bool,
) -> Option<Suggestion> {
    let mut config = config.clone();
    let mut changes = Vec::new();
    for _ in 0..6 {
        let Ok(policy) = config.clone().build() else {
            break;
        };
        let prediction = predict(checked, url, &policy, &config, debug);
        if prediction.verdict.readable {
            return (!changes.is_empty()).then(|| Suggestion {
                changes,
                policy: policy_json(&config),
                complete: true,
            });
        }
        let refused = prediction.steps.iter().find(|s| s.refusal.is_some());
        let change = match refused.and_then(|s| s.refusal) {
            Some("origin_not_allowed") => {
                push_item(&mut config.allowed_origins, &checked.origin);
                format!("allowed_origins: add \"{}\"", checked.origin)
            }
            Some("method_not_allowed") => {
                push_item(&mut config.allowed_methods, &checked.method);
                format!("allowed_methods: add \"{}\"", checked.method)
            }
            Some("header_not_allowed") => {
                let Some(name) = refused.and_then(|s| refused_header(s, &config)) else {
                    break;
                };
                push_item(&mut config.allowed_headers, &name);
                format!("allowed_headers: add \"{name}\"")
            }
            Some(_) => break,
            None => match prediction.verdict.blocked {
                Some("wildcard_origin_with_credentials") => {
                    config.allowed_origins = StarOrList::List(vec![checked.origin.clone()]);
                    config.allow_credentials = true;
                    format!(
                        "allowed_origins: \"{}\" instead of \"*\" (with credentials the browser needs the exact origin), and allow_credentials: true",
                        checked.origin
                    )
                }
                Some("missing_allow_credentials" | "allow_credentials_not_true") => {
                    config.allow_credentials = true;
                    "allow_credentials: true".to_string()
                }
                _ => break,
            },
        };
        changes.push(change);
    }
    (!changes.is_empty()).then(|| Suggestion {
        changes,
        policy: policy_json(&config),
        complete: false,
    })
}

/// The header a `header_not_allowed` preflight refused: the first name of
/// `Access-Control-Request-Headers` the policy does not list.
fn refused_header(step: &Step, config: &PolicyConfig) -> Option<String> {
    let requested = step
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("access-control-request-headers"))?;
    let listed = config.allowed_headers.items();
    requested
        .1
        .split(',')
        .map(str::trim)
        .find(|h| {
            let named = listed.iter().any(|l| l.eq_ignore_ascii_case(h));
            // `*` covers every name but authorization.
            let starred = listed.contains(&"*") && !h.eq_ignore_ascii_case("authorization");
            !(named || starred)
        })
        .map(str::to_ascii_lowercase)
}

/// The policy as JSON, the fields in their usual order, each one that
/// differs from the default (and `allowed_origins` always) kept.
pub fn policy_json(config: &PolicyConfig) -> String {
    let (Ok(mine), Ok(default)) = (ordered(config), ordered(&PolicyConfig::default())) else {
        return serde_json::to_string_pretty(config).unwrap_or_default();
    };
    let mut out = String::from("{\n");
    let kept: Vec<&(String, serde_json::Value)> = mine
        .iter()
        .filter(|(k, v)| k == "allowed_origins" || !default.contains(&(k.clone(), v.clone())))
        .collect();
    for (i, (k, v)) in kept.iter().enumerate() {
        let comma = if i + 1 < kept.len() { "," } else { "" };
        out.push_str(&format!(
            "  {}: {}{comma}\n",
            serde_json::Value::from(k.as_str()),
            v
        ));
    }
    out.push_str("}\n");
    out
}

/// The fields of `config` in the order it serializes them (a
/// `serde_json::Map` would sort them).
fn ordered(config: &PolicyConfig) -> Result<Vec<(String, serde_json::Value)>, serde_json::Error> {
    struct Fields(Vec<(String, serde_json::Value)>);
    impl<'de> Deserialize<'de> for Fields {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Visit;
            impl<'de> serde::de::Visitor<'de> for Visit {
                type Value = Fields;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Fields, A::Error> {
                    let mut fields = Vec::new();
                    while let Some(entry) = map.next_entry()? {
                        fields.push(entry);
                    }
                    Ok(Fields(fields))
                }
            }
            d.deserialize_map(Visit)
        }
    }
    let text = serde_json::to_string(config)?;
    Ok(serde_json::from_str::<Fields>(&text)?.0)
}
