//! Hot reload: watch a policy file and hand each valid new version to the
//! server, without a restart (feature `watch`).
//!
//! Operators change a fleet's allowed origins by rolling a file (a
//! Kubernetes ConfigMap, a configuration-management push). A
//! [`PolicyWatcher`] follows the file and calls your function with each
//! new version that builds into a valid policy; a version that cannot be
//! read or is invalid is refused, its errors reported (logged through
//! `tracing` at `warn` unless you pass [`WatchBuilder::on_error`]), and
//! the policy in force keeps serving.
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use std::time::{Duration, Instant};
//! use cors_policy_config::{OwnedPolicy, PolicyConfig};
//! use cors_policy_config::watch::PolicyWatcher;
//!
//! let dir = std::env::temp_dir().join(format!("cors-policy-watch-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let file = dir.join("policy.json");
//! std::fs::write(&file, r#"{"allowed_origins": ["https://a.example"]}"#)?;
//!
//! // Load once at start (a server refuses to start on an invalid file)...
//! let first = PolicyConfig::from_path(&file)?.build()?;
//! // ...keep it where requests read it (in a server: a `PolicyHandle`,
//! // and the function below is `move |p| handle.store(p)`)...
//! let current = Arc::new(Mutex::new(first));
//! let slot = Arc::clone(&current);
//! let baseline = current.lock().unwrap().config().clone();
//! let watcher = PolicyWatcher::new(&file)
//!     .loaded(baseline)
//!     .start(move |policy: OwnedPolicy| *slot.lock().unwrap() = policy)?;
//!
//! // ...and roll the file: the new version is swapped in.
//! std::fs::write(&file, r#"{"allowed_origins": ["https://b.example"]}"#)?;
//! let deadline = Instant::now() + Duration::from_secs(20);
//! while !current.lock().unwrap().policy().allows_origin(b"https://b.example") {
//!     assert!(Instant::now() < deadline, "not reloaded");
//!     std::thread::sleep(Duration::from_millis(20));
//! }
//! drop(watcher); // stops watching
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What is followed
//!
//! The watcher watches the directory holding the file as named, and the
//! directory of the file it resolves to when the name is a symbolic link,
//! not the file itself, so it follows:
//! - edits in place and editors' write-then-rename saves;
//! - the file deleted and created again (the watcher reports the missing
//!   file, keeps the policy, and loads the file when it is back);
//! - the ConfigMap layout, where `policy.json` is a link to
//!   `..data/policy.json` and `..data` a link that the kubelet replaces
//!   atomically with a new timestamped directory.
//!
//! Events are gathered until the directory has been quiet for
//! [`DEFAULT_DEBOUNCE`] (so a save in several steps is read once,
//! complete), then the file is read; a version equal to the one in force,
//! or to the last one refused, is not handed over or reported again. A
//! version that fails is reported only once the file has stayed unchanged
//! for [`SETTLE`] after it, so a write that stalls half-way (truncated,
//! then written) is read again, not reported.
//! Events of other files in the same directories only cost a read of the
//! policy file. The directory itself must stay.
//!
//! # Why a function and not a `PolicyHandle`
//!
//! `PolicyHandle` lives in `cors-policy-http`, which depends on this crate;
//! taking a function keeps this crate free of it (no dependency cycle) and
//! lets any server store the policy its own way.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::{RecommendedWatcher, RecursiveMode, Watcher};

use crate::{ConfigError, InvalidPolicy, OwnedPolicy, PolicyConfig};

/// How long the watched directories must stay quiet before the file is
/// read again.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(100);

/// The longest a burst of events can delay a read: a directory that never
/// stays quiet is read at least this often.
pub const MAX_DEBOUNCE_DELAY: Duration = Duration::from_secs(1);

/// How long a file that failed to load or validate must stay unchanged
/// before the failure is reported: a later event within it means the file
/// was still being written, and it is read again instead.
pub const SETTLE: Duration = Duration::from_millis(500);

/// Why a version of the watched file was not swapped in, or why watching
/// failed. In every case the policy in force keeps serving.
#[derive(Debug)]
#[non_exhaustive]
pub enum WatchError {
    /// The file is missing, unreadable or malformed.
    Read(ConfigError),
    /// The file was read, but the policy is invalid.
    Invalid {
        /// The watched file.
        path: PathBuf,
        /// Every problem found.
        errors: InvalidPolicy,
    },
    /// The operating system's watch failed.
    Watch(notify::Error),
}

impl fmt::Display for WatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WatchError::Read(e) => write!(f, "policy not reloaded, the current one stays: {e}"),
            WatchError::Invalid { path, errors } => write!(
                f,
                "policy not reloaded, the current one stays: {}: {errors}",
                path.display()
            ),
            WatchError::Watch(e) => write!(f, "watching the policy file: {e}"),
        }
    }
}

impl std::error::Error for WatchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WatchError::Read(e) => Some(e),
            WatchError::Invalid { errors, .. } => Some(errors),
            WatchError::Watch(e) => Some(e),
        }
    }
}

type ErrorHook = Box<dyn Fn(&WatchError) + Send + 'static>;

/// Logs a refused version through `tracing` (`warn`, target
/// `cors_policy::watch`).
fn log_error(error: &WatchError) {
    tracing::warn!(target: "cors_policy::watch", error = %error, "CORS policy file");
}

/// Watches a policy file; see the [module docs](self). Dropping it stops
/// the watch (and joins its thread).
pub struct PolicyWatcher {
    stop: Sender<Message>,
    thread: Option<JoinHandle<()>>,
}

/// Sets up a [`PolicyWatcher`]; made by [`PolicyWatcher::new`].
#[must_use = "a builder watches nothing until it is started"]
pub struct WatchBuilder {
    path: PathBuf,
    loaded: Option<PolicyConfig>,
    on_error: ErrorHook,
    debounce: Duration,
}

enum Message {
    Fs(notify::Result<notify::Event>),
    Stop,
}

impl PolicyWatcher {
    /// Starts describing a watch of the file at `path` (`.json` or
    /// `.toml`).
    #[allow(clippy::new_ret_no_self)]
    pub fn new(path: impl Into<PathBuf>) -> WatchBuilder {
        WatchBuilder {
            path: path.into(),
            loaded: None,
            on_error: Box::new(log_error),
            debounce: DEFAULT_DEBOUNCE,
        }
    }
}

impl WatchBuilder {
    /// The configuration already in force (read from the file at start):
    /// the watcher's first read hands the policy over only if the file
    /// differs from it. Without it, the first read always hands it over.
    pub fn loaded(mut self, config: PolicyConfig) -> Self {
        self.loaded = Some(config);
        self
    }

    /// Calls `hook` for each refused version and each watch error, instead
    /// of logging it through `tracing` at `warn`.
    pub fn on_error(mut self, hook: impl Fn(&WatchError) + Send + 'static) -> Self {
        self.on_error = Box::new(hook);
        self
    }

    /// How long the directories must stay quiet before a read
    /// ([`DEFAULT_DEBOUNCE`] unless set).
    pub fn debounce(mut self, quiet: Duration) -> Self {
        self.debounce = quiet;
        self
    }

    /// Starts watching, then reads the file once (so that a change made
    /// since it was loaded is not missed), and from then on calls
    /// `on_policy`, on the watcher's own thread, with every new valid
    /// version.
    ///
    /// # Errors
    ///
    /// [`WatchError::Watch`] when the directory cannot be watched (it does
    /// not exist, or the system's watch limit is reached).
    pub fn start(
        self,
        on_policy: impl FnMut(OwnedPolicy) + Send + 'static,
    ) -> Result<PolicyWatcher, WatchError> {
        let (tx, rx) = mpsc::channel();
        let events = tx.clone();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                // Opening and reading a file are events too (inotify's
                // IN_OPEN): left in, every read of the policy file, the
                // watcher's own included, would make it read the file again,
                // for ever. A write being closed still counts.
                use notify::event::{AccessKind, AccessMode};
                if let Ok(e) = &event
                    && let notify::EventKind::Access(kind) = e.kind
                    && !matches!(kind, AccessKind::Close(AccessMode::Write))
                {
                    return;
                }
                let _ = events.send(Message::Fs(event));
            })
            .map_err(WatchError::Watch)?;
        let mut dirs = Dirs::default();
        dirs.update(&mut watcher, &self.path)
            .map_err(WatchError::Watch)?;
        let mut state = State {
            path: self.path,
            last: match self.loaded {
                Some(config) => Seen::Config(config),
                None => Seen::Nothing,
            },
            on_policy,
            on_error: self.on_error,
        };
        let debounce = self.debounce;
        let thread = std::thread::Builder::new()
            .name("cors-policy-watch".into())
            .spawn(move || {
                let pending = state.reload();
                run(&rx, &mut watcher, &mut dirs, &mut state, debounce, pending);
            })
            .map_err(|e| WatchError::Watch(notify::Error::io(e)))?;
        Ok(PolicyWatcher {
            stop: tx,
            thread: Some(thread),
        })
    }
}

impl Drop for PolicyWatcher {
    fn drop(&mut self) {
        let _ = self.stop.send(Message::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl fmt::Debug for PolicyWatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PolicyWatcher").finish_non_exhaustive()
    }
}

impl fmt::Debug for WatchBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WatchBuilder")
            .field("path", &self.path)
            .field("debounce", &self.debounce)
            .finish_non_exhaustive()
    }
}

/// The directories watched: the file's own, and the one it resolves to.
#[derive(Default)]
struct Dirs {
    named: Option<PathBuf>,
    resolved: Option<PathBuf>,
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

impl Dirs {
    /// Watches the file's directory, and the directory of the file it
    /// resolves to now (which changes when a link is replaced).
    fn update(&mut self, watcher: &mut RecommendedWatcher, path: &Path) -> notify::Result<()> {
        if self.named.is_none() {
            let dir = parent_of(path);
            watcher.watch(&dir, RecursiveMode::NonRecursive)?;
            self.named = Some(dir);
        }
        let resolved = std::fs::canonicalize(path)
            .ok()
            .map(|p| parent_of(&p))
            .filter(|d| {
                std::fs::canonicalize(self.named.as_deref().unwrap_or(Path::new(".")))
                    .map_or(true, |named| &named != d)
            });
        if resolved != self.resolved {
            if let Some(old) = self.resolved.take() {
                // It may be gone already (a replaced ConfigMap version).
                let _ = watcher.unwatch(&old);
            }
            if let Some(dir) = resolved {
                // Best effort: the named directory's events still come.
                if watcher.watch(&dir, RecursiveMode::NonRecursive).is_ok() {
                    self.resolved = Some(dir);
                }
            }
        }
        Ok(())
    }
}

/// The last version read, to hand over or report each version once.
enum Seen {
    Nothing,
    Config(PolicyConfig),
    Refused(String),
}

struct State<F> {
    path: PathBuf,
    last: Seen,
    on_policy: F,
    on_error: ErrorHook,
}

impl<F: FnMut(OwnedPolicy)> State<F> {
    /// Reads the file; hands a new valid version over, returns a refused
    /// one (reported by [`run`] once the file has settled).
    fn reload(&mut self) -> Option<WatchError> {
        let config = match PolicyConfig::from_path(&self.path) {
            Ok(c) => c,
            Err(e) => return Some(WatchError::Read(e)),
        };
        if matches!(&self.last, Seen::Config(c) if *c == config) {
            return None;
        }
        match config.clone().build() {
            Ok(policy) => {
                tracing::info!(
                    target: "cors_policy::watch",
                    path = %self.path.display(),
                    "CORS policy reloaded"
                );
                (self.on_policy)(policy);
                self.last = Seen::Config(config);
                None
            }
            Err(errors) => Some(WatchError::Invalid {
                path: self.path.clone(),
                errors,
            }),
        }
    }

    fn refuse(&mut self, error: WatchError) {
        let message = error.to_string();
        if matches!(&self.last, Seen::Refused(m) if *m == message) {
            return;
        }
        (self.on_error)(&error);
        self.last = Seen::Refused(message);
    }
}

/// Takes the events of a burst (from `recv`, which waits at most the time
/// it is given) until none comes for `debounce`, or until `deadline`, so
/// that a directory that never stays quiet is still read; `false` when
/// told to stop.
fn settle(
    mut recv: impl FnMut(Duration) -> Result<Message, RecvTimeoutError>,
    debounce: Duration,
    deadline: Instant,
) -> bool {
    loop {
        let quiet = debounce.min(deadline.saturating_duration_since(Instant::now()));
        match recv(quiet) {
            Ok(Message::Fs(_)) if Instant::now() < deadline => {}
            Ok(Message::Fs(_)) | Err(RecvTimeoutError::Timeout) => return true,
            Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => return false,
        }
    }
}

/// The watcher's thread: gathers events until the directories are quiet,
/// then reads the file; stops on [`Message::Stop`].
fn run<F: FnMut(OwnedPolicy)>(
    rx: &Receiver<Message>,
    watcher: &mut RecommendedWatcher,
    dirs: &mut Dirs,
    state: &mut State<F>,
    debounce: Duration,
    mut pending: Option<WatchError>,
) {
    // A refused version waiting to be reported: a file written in place
    // (truncated, then written) can be read half-written when the writer
    // is descheduled for longer than the debounce, and the rest of the
    // write arrives as a new event. So a refusal is reported only once the
    // file has been quiet for `SETTLE` after it; a new event reads the
    // file again instead.
    loop {
        let message = match pending.take() {
            None => rx.recv(),
            Some(refused) => match rx.recv_timeout(SETTLE) {
                Ok(m) => Ok(m),
                Err(RecvTimeoutError::Timeout) => {
                    state.refuse(refused);
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return,
            },
        };
        match message {
            Ok(Message::Fs(Ok(_))) => {}
            Ok(Message::Fs(Err(e))) => {
                (state.on_error)(&WatchError::Watch(e));
                continue;
            }
            Ok(Message::Stop) | Err(_) => return,
        }
        let burst = Instant::now() + MAX_DEBOUNCE_DELAY;
        if !settle(|quiet| rx.recv_timeout(quiet), debounce, burst) {
            return;
        }
        if let Err(e) = dirs.update(watcher, &state.path) {
            (state.on_error)(&WatchError::Watch(e));
        }
        pending = state.reload();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A directory removed when dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> TempDir {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let dir = std::env::temp_dir().join(format!(
                "cors-policy-watch-unit-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn quiet_watcher() -> RecommendedWatcher {
        notify::recommended_watcher(|_: notify::Result<notify::Event>| {}).unwrap()
    }

    /// The directory watched for a file: its parent as written, `.` for a
    /// bare file name (a path with an empty parent cannot be watched).
    #[test]
    fn the_directory_of_a_file() {
        // (the file, the directory watched)
        let cases = [
            ("policy.json", "."),
            ("conf/policy.json", "conf"),
            ("/etc/cors/policy.json", "/etc/cors"),
            ("/policy.json", "/"),
            ("/", "."),
            ("", "."),
        ];
        for (file, dir) in cases {
            assert_eq!(parent_of(Path::new(file)), Path::new(dir), "{file}");
        }
    }

    /// The directories followed: the file's own, and, when the file is a
    /// link into another directory (a ConfigMap's `..data`), that one too,
    /// changed when the link is.
    #[cfg(unix)]
    #[test]
    fn a_link_into_another_directory_is_followed() {
        let root = TempDir::new();
        let named = root.0.join("named");
        let (one, two) = (root.0.join("one"), root.0.join("two"));
        for d in [&named, &one, &two] {
            std::fs::create_dir(d).unwrap();
            std::fs::write(d.join("policy.json"), "{}").unwrap();
        }
        let mut watcher = quiet_watcher();
        // A plain file: its own directory only.
        let mut dirs = Dirs::default();
        dirs.update(&mut watcher, &named.join("policy.json"))
            .unwrap();
        assert_eq!(dirs.named.as_deref(), Some(named.as_path()));
        assert_eq!(dirs.resolved, None);
        // A link: the directory it resolves to as well, followed when the
        // link is replaced.
        let link = named.join("link.json");
        std::os::unix::fs::symlink(one.join("policy.json"), &link).unwrap();
        let mut dirs = Dirs::default();
        dirs.update(&mut watcher, &link).unwrap();
        assert_eq!(dirs.named.as_deref(), Some(named.as_path()));
        let canonical = |d: &Path| std::fs::canonicalize(d).unwrap();
        assert_eq!(dirs.resolved, Some(canonical(&one)));
        std::fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink(two.join("policy.json"), &link).unwrap();
        dirs.update(&mut watcher, &link).unwrap();
        assert_eq!(dirs.resolved, Some(canonical(&two)));
        // A link within the same directory: nothing more.
        std::fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink(named.join("policy.json"), &link).unwrap();
        dirs.update(&mut watcher, &link).unwrap();
        assert_eq!(dirs.resolved, None);
    }

    /// A directory that never stays quiet is still read once
    /// [`MAX_DEBOUNCE_DELAY`] has passed since the burst began, and not
    /// before the directory is quiet or that delay has passed. Events are
    /// fed to the watcher's loop directly, every 20 ms for 3 s, with a
    /// debounce longer than the burst.
    #[test]
    fn a_burst_of_events_delays_a_read_by_at_most_the_bound() {
        let dir = TempDir::new();
        let path = dir.0.join("policy.json");
        std::fs::write(&path, r#"{"allowed_origins": ["https://a.example"]}"#).unwrap();
        let reads = Arc::new(Mutex::new(Vec::<Instant>::new()));
        let seen = Arc::clone(&reads);
        let mut state = State {
            path: path.clone(),
            last: Seen::Nothing,
            on_policy: move |_: OwnedPolicy| seen.lock().unwrap().push(Instant::now()),
            on_error: Box::new(|e: &WatchError| panic!("{e}")),
        };
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            let mut dirs = Dirs::default();
            let mut watcher = quiet_watcher();
            let debounce = Duration::from_secs(10);
            run(&rx, &mut watcher, &mut dirs, &mut state, debounce, None);
        });
        let event = || Message::Fs(Ok(notify::Event::new(notify::EventKind::Any)));
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(3) {
            tx.send(event()).unwrap();
            std::thread::sleep(Duration::from_millis(20));
        }
        tx.send(Message::Stop).unwrap();
        thread.join().unwrap();
        let after: Vec<Duration> = reads.lock().unwrap().iter().map(|t| *t - start).collect();
        assert_eq!(after.len(), 1, "one version, handed over once: {after:?}");
        assert!(
            after[0] >= MAX_DEBOUNCE_DELAY && after[0] < Duration::from_millis(2500),
            "read {:?} after the burst began, while events kept coming (bound {MAX_DEBOUNCE_DELAY:?})",
            after[0]
        );
    }

    /// A flood of events (a directory written without pause, the events
    /// always queued) ends the wait at the deadline; quiet ends it at
    /// once; a stop stops it.
    #[test]
    fn a_flood_of_events_ends_at_the_deadline() {
        let event = || Message::Fs(Ok(notify::Event::new(notify::EventKind::Any)));
        let bound = Duration::from_millis(50);
        // At most this many events (far more than the bound lets through).
        let flood = |calls: &mut usize| {
            *calls += 1;
            match *calls {
                ..50_000_000 => Ok(event()),
                _ => Err(RecvTimeoutError::Disconnected),
            }
        };
        let start = Instant::now();
        let mut calls = 0;
        let ended = settle(
            |_| flood(&mut calls),
            Duration::from_secs(10),
            start + bound,
        );
        let took = start.elapsed();
        assert!(
            ended,
            "the flood was read only when it ran out ({calls} events)"
        );
        assert!(took >= bound && took < Duration::from_secs(5), "{took:?}");
        // Quiet: at once, whatever the deadline. Stop: false.
        let deadline = Instant::now() + Duration::from_secs(60);
        let quiet = settle(|_| Err(RecvTimeoutError::Timeout), Duration::ZERO, deadline);
        assert!(quiet);
        let mut then_stop = [Ok(event()), Ok(Message::Stop)].into_iter();
        let stop = settle(
            |_| then_stop.next().unwrap(),
            Duration::from_secs(10),
            deadline,
        );
        assert!(!stop);
        assert!(!settle(
            |_| Err(RecvTimeoutError::Disconnected),
            Duration::ZERO,
            deadline
        ));
    }

    /// Each error wraps what caused it, and says the policy in force stays.
    #[test]
    fn errors_name_their_cause() {
        let read = WatchError::Read(PolicyConfig::from_json_str("[]").unwrap_err());
        let invalid = WatchError::Invalid {
            path: PathBuf::from("p.json"),
            errors: PolicyConfig::default().check().unwrap_err(),
        };
        let watch = WatchError::Watch(notify::Error::generic("no more watches"));
        // (the error, its text, its source's text)
        let cases = [
            (
                read,
                "policy not reloaded, the current one stays: <json>: a policy is one object with named fields (\"allowed_origins\", ...), not an array",
                "<json>: a policy is one object with named fields (\"allowed_origins\", ...), not an array",
            ),
            (
                invalid,
                "policy not reloaded, the current one stays: p.json: invalid CORS policy: allowed_origins is empty: no origin could ever be allowed",
                "invalid CORS policy: allowed_origins is empty: no origin could ever be allowed",
            ),
            (
                watch,
                "watching the policy file: no more watches",
                "no more watches",
            ),
        ];
        for (error, text, source) in cases {
            assert_eq!(error.to_string(), text);
            let cause = std::error::Error::source(&error).map(ToString::to_string);
            assert_eq!(cause.as_deref(), Some(source), "{error}");
        }
    }

    /// Without a hook, a refused version is logged at `warn`, target
    /// `cors_policy::watch`, with the error.
    #[test]
    fn refusals_are_logged_without_a_hook() {
        #[derive(Clone, Default)]
        struct Buffer(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Buffer {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .without_time()
            .finish();
        let error = WatchError::Watch(notify::Error::generic("no more watches"));
        tracing::subscriber::with_default(subscriber, || log_error(&error));
        let logged = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        assert_eq!(
            logged.trim(),
            "WARN cors_policy::watch: CORS policy file error=watching the policy file: no more watches"
        );
    }

    #[test]
    fn debug_shows_the_file_and_the_debounce() {
        let builder = PolicyWatcher::new("conf/policy.json").debounce(Duration::from_millis(250));
        assert_eq!(
            format!("{builder:?}"),
            "WatchBuilder { path: \"conf/policy.json\", debounce: 250ms, .. }"
        );
        let dir = TempDir::new();
        let watcher = PolicyWatcher::new(dir.0.join("policy.json"))
            .on_error(|_| {})
            .start(|_| {})
            .unwrap();
        assert_eq!(format!("{watcher:?}"), "PolicyWatcher { .. }");
    }
}
