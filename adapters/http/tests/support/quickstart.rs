//! The README's quick start programs (`examples/axum_quickstart.rs`,
//! `examples/actix_quickstart.rs`): each must be, byte for byte, a code
//! block of the README, and is run the three ways the README shows (the
//! static policy, `CORS_*` variables, a policy file) with a real client.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::channel;
use std::time::Duration;

use crate::routed::{APP, EVIL, Trace, VARY_PREFLIGHT, case, preflight, req, run};

const CORS_VARS: [&str; 7] = [
    "CORS_ALLOWED_ORIGINS",
    "CORS_ALLOW_CREDENTIALS",
    "CORS_ALLOWED_METHODS",
    "CORS_ALLOWED_HEADERS",
    "CORS_EXPOSE_HEADERS",
    "CORS_MAX_AGE",
    "CORS_ALLOW_PRIVATE_NETWORK",
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The fenced code blocks of the README, without their fences.
fn readme_blocks() -> Vec<String> {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.split_inclusive('\n') {
        if line.starts_with("```") {
            match current.take() {
                Some(block) => blocks.push(block),
                None => current = Some(String::new()),
            }
        } else if let Some(block) = current.as_mut() {
            block.push_str(line);
        }
    }
    blocks
}

/// `source` (a path from the repository's root) is one of the README's
/// code blocks, exactly.
pub fn in_readme(source: &str) {
    let text = std::fs::read_to_string(repo().join(source)).expect("the example's source");
    assert!(
        readme_blocks().contains(&text),
        "README.md has no code block equal to {source}: copy the file into the README's block \
         (or the block into the file) so that what users copy is what CI runs"
    );
}

/// A running example; killed when dropped.
struct Running {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The example's binary, as `cargo test` builds it; it must exist and be
/// newer than its source (`cargo test --test ..` alone does not build
/// examples).
fn binary(name: &str, source: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>")
        .join("examples")
        .join(name);
    let built = std::fs::metadata(&bin).and_then(|m| m.modified());
    let written = std::fs::metadata(repo().join(source)).and_then(|m| m.modified());
    match (built, written) {
        (Ok(b), Ok(w)) if b >= w => bin,
        _ => panic!(
            "{} is missing or older than {source}: run `cargo test` without --test, or \
             `cargo build --example {name}` first",
            bin.display()
        ),
    }
}

fn command(bin: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(bin);
    cmd.args(args).env("PORT", "0");
    for var in CORS_VARS {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn start(bin: &Path, args: &[&str], env: &[(&str, &str)]) -> Running {
    let mut child = command(bin, args, env)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the example");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        if let Some(Ok(line)) = lines.next() {
            let _ = tx.send(line);
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the example prints where it listens");
    let addr = line
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("first line {line:?}"))
        .parse()
        .expect("an address");
    Running { child, addr }
}

/// Runs `name` (built from `source`) the three ways, checking each over
/// real HTTP, and once with a policy that cannot be built.
pub async fn check(name: &str, source: &str) {
    let bin = binary(name, source);
    let trace = Trace::default(); // another process: nothing is recorded

    // 1. The static policy of the program.
    let server = start(&bin, &[], &[]);
    let cases = [
        case("preflight POST", preflight("/items", APP, "POST"), 204)
            .acao(APP)
            .cors("access-control-allow-methods", "POST")
            .vary(VARY_PREFLIGHT)
            .body(""),
        case(
            "preflight from the dev server",
            preflight("/items", "http://localhost:5173", "POST")
                .header("access-control-request-headers", "content-type"),
            204,
        )
        .acao("http://localhost:5173")
        .cors("access-control-allow-methods", "POST")
        .cors("access-control-allow-headers", "content-type")
        .vary(VARY_PREFLIGHT),
        case(
            "preflight PUT (not listed)",
            preflight("/items", APP, "PUT"),
            403,
        )
        .vary(VARY_PREFLIGHT),
        case("GET", req("GET", "/items").origin(APP), 200)
            .acao(APP)
            .vary("Origin")
            .body("[]"),
        case(
            "GET from a refused origin",
            req("GET", "/items").origin(EVIL),
            200,
        )
        .vary("Origin")
        .body("[]"),
    ];
    run(
        &format!("{name}, static policy"),
        server.addr,
        &trace,
        &cases,
    )
    .await;
    drop(server);

    // 2. The `CORS_*` variables.
    let env = [
        (
            "CORS_ALLOWED_ORIGINS",
            "https://env.example, https://*.env.example",
        ),
        ("CORS_ALLOW_CREDENTIALS", "true"),
        ("CORS_ALLOWED_METHODS", "GET,POST,PUT"),
    ];
    let server = start(&bin, &["--env"], &env);
    let cases = [
        case(
            "preflight PUT",
            preflight("/items", "https://eu.env.example", "PUT"),
            204,
        )
        .acao("https://eu.env.example")
        .cors("access-control-allow-credentials", "true")
        .cors("access-control-allow-methods", "PUT")
        .vary(VARY_PREFLIGHT),
        case(
            "preflight from the static policy's origin",
            preflight("/items", APP, "PUT"),
            403,
        )
        .vary(VARY_PREFLIGHT),
        case(
            "GET",
            req("GET", "/items").origin("https://env.example"),
            200,
        )
        .acao("https://env.example")
        .cors("access-control-allow-credentials", "true")
        .vary("Origin")
        .body("[]"),
    ];
    run(
        &format!("{name}, CORS_* variables"),
        server.addr,
        &trace,
        &cases,
    )
    .await;
    drop(server);

    // 3. A file (TOML here; JSON by its extension likewise).
    let file = std::env::temp_dir().join(format!(
        "cors-quickstart-{name}-{}.toml",
        std::process::id()
    ));
    std::fs::write(
        &file,
        "allowed_origins = [\"https://file.example\"]\nallowed_methods = [\"GET\", \"DELETE\"]\nmax_age = 600\n",
    )
    .unwrap();
    let server = start(&bin, &[file.to_str().unwrap()], &[]);
    let cases = [
        case(
            "preflight DELETE",
            preflight("/items", "https://file.example", "DELETE"),
            204,
        )
        .acao("https://file.example")
        .cors("access-control-allow-methods", "DELETE")
        .cors("access-control-max-age", "600")
        .vary(VARY_PREFLIGHT),
        case(
            "POST",
            req("POST", "/items").origin("https://file.example"),
            200,
        )
        .acao("https://file.example")
        .vary("Origin")
        .body("created"),
    ];
    run(&format!("{name}, policy file"), server.addr, &trace, &cases).await;
    drop(server);
    let _ = std::fs::remove_file(&file);

    // A policy that cannot be built (no variable set: no origin allowed)
    // stops the program with an error, before it listens.
    let mut child = command(&bin, &["--env"], &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = child.wait().unwrap();
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(!status.success(), "{name} --env without CORS_*: {status}");
    assert!(stdout.is_empty(), "{name} listened anyway: {stdout}");
    assert!(stderr.starts_with("Error: "), "{name}: {stderr}");
}
