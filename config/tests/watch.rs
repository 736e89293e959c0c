//! Hot reload (`watch::PolicyWatcher`): a valid new version is swapped in;
//! an invalid one is refused and reported while the old policy stays; a
//! file deleted and created again, and a ConfigMap's `..data` link swapped
//! atomically, are followed. Every wait is bounded polling, never a fixed
//! sleep.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cors_policy_config::watch::{PolicyWatcher, WatchError};
use cors_policy_config::{OwnedPolicy, PolicyConfig};

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "cors-policy-watch-test-{}-{}",
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

fn policy_text(origin: &str) -> String {
    format!(r#"{{"allowed_origins": ["{origin}"], "max_age": 60}}"#)
}

/// Writes `text` as a whole new file renamed over `path`, as editors and
/// deployment tools do.
fn replace(path: &Path, text: &str) {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// What the watcher handed over and reported.
#[derive(Default)]
struct Seen {
    policies: Mutex<Vec<OwnedPolicy>>,
    errors: Mutex<Vec<String>>,
}

impl Seen {
    fn current_allows(&self, origin: &str) -> bool {
        self.policies
            .lock()
            .unwrap()
            .last()
            .is_some_and(|p| p.policy().allows_origin(origin.as_bytes()))
    }

    fn swaps(&self) -> usize {
        self.policies.lock().unwrap().len()
    }

    fn errors(&self) -> Vec<String> {
        self.errors.lock().unwrap().clone()
    }
}

/// Starts a watcher on `path`, whose current content is in force.
fn watch(path: &Path) -> (PolicyWatcher, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let loaded = PolicyConfig::from_path(path).unwrap();
    let (policies, errors) = (Arc::clone(&seen), Arc::clone(&seen));
    let watcher = PolicyWatcher::new(path)
        .loaded(loaded)
        .on_error(move |e: &WatchError| errors.errors.lock().unwrap().push(e.to_string()))
        .start(move |p| policies.policies.lock().unwrap().push(p))
        .unwrap();
    (watcher, seen)
}

/// Polls `done` every 10 ms for at most 20 s.
fn wait_for(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_valid_edit_is_swapped_in() {
    let dir = TempDir::new();
    let file = dir.0.join("policy.json");
    std::fs::write(&file, policy_text("https://a.example")).unwrap();
    let (_watcher, seen) = watch(&file);

    // Written in place (truncate, then write), as `echo > file` does.
    std::fs::write(&file, policy_text("https://b.example")).unwrap();
    wait_for("b allowed", || seen.current_allows("https://b.example"));
    // Replaced by a rename, as editors and deployment tools do.
    replace(&file, &policy_text("https://c.example"));
    wait_for("c allowed", || seen.current_allows("https://c.example"));
    assert!(seen.errors().is_empty(), "{:?}", seen.errors());
}

#[test]
fn an_invalid_edit_is_refused_and_reported_and_the_old_policy_stays() {
    let dir = TempDir::new();
    let file = dir.0.join("policy.json");
    std::fs::write(&file, policy_text("https://a.example")).unwrap();
    let (_watcher, seen) = watch(&file);

    // Invalid: `*` with credentials.
    replace(
        &file,
        r#"{"allowed_origins": "*", "allow_credentials": true}"#,
    );
    wait_for("the invalid version reported", || !seen.errors().is_empty());
    let errors = seen.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("the current one stays")
            && errors[0].contains("policy.json")
            && errors[0].contains("allow_credentials"),
        "{errors:?}"
    );
    assert_eq!(seen.swaps(), 0, "an invalid version was handed over");

    // Malformed: reported with the position, still nothing handed over.
    replace(&file, r#"{"allowed_origins": ["#);
    wait_for("the malformed version reported", || {
        seen.errors().len() == 2
    });
    assert!(
        seen.errors()[1].contains("policy.json:1:"),
        "{:?}",
        seen.errors()
    );
    assert_eq!(seen.swaps(), 0);

    // Fixed: swapped in.
    replace(&file, &policy_text("https://fixed.example"));
    wait_for("the fixed version", || {
        seen.current_allows("https://fixed.example")
    });
    assert_eq!(seen.swaps(), 1);
    assert_eq!(seen.errors().len(), 2);
}

#[test]
fn a_deleted_then_recreated_file_is_followed() {
    let dir = TempDir::new();
    let file = dir.0.join("policy.toml");
    std::fs::write(&file, "allowed_origins = [\"https://a.example\"]\n").unwrap();
    let (_watcher, seen) = watch(&file);

    std::fs::remove_file(&file).unwrap();
    wait_for("the missing file reported", || !seen.errors().is_empty());
    assert!(
        seen.errors()[0].contains("cannot read"),
        "{:?}",
        seen.errors()
    );
    assert_eq!(seen.swaps(), 0, "a missing file must not drop the policy");

    std::fs::write(&file, "allowed_origins = [\"https://b.example\"]\n").unwrap();
    wait_for("the recreated file", || {
        seen.current_allows("https://b.example")
    });
    // And the watch goes on after that.
    std::fs::write(&file, "allowed_origins = [\"https://c.example\"]\n").unwrap();
    wait_for("a later edit", || seen.current_allows("https://c.example"));
}

/// One ConfigMap version directory, `..<name>/policy.json`.
fn configmap_version(dir: &Path, name: &str, origin: &str) -> PathBuf {
    let version = dir.join(format!("..{name}"));
    std::fs::create_dir(&version).unwrap();
    std::fs::write(version.join("policy.json"), policy_text(origin)).unwrap();
    version
}

/// Points `..data` at `version` atomically, as the kubelet does: a new link
/// `..data_tmp`, renamed over `..data`.
fn swap_data_link(dir: &Path, version: &Path) {
    let tmp = dir.join("..data_tmp");
    std::os::unix::fs::symlink(version.file_name().unwrap(), &tmp).unwrap();
    std::fs::rename(&tmp, dir.join("..data")).unwrap();
}

#[cfg(unix)]
#[test]
fn a_configmap_symlink_swap_is_followed() {
    let dir = TempDir::new();
    let v1 = configmap_version(&dir.0, "2026_01_01_00_00_00.1", "https://a.example");
    std::os::unix::fs::symlink(v1.file_name().unwrap(), dir.0.join("..data")).unwrap();
    let file = dir.0.join("policy.json");
    std::os::unix::fs::symlink("..data/policy.json", &file).unwrap();
    let (_watcher, seen) = watch(&file);

    let v2 = configmap_version(&dir.0, "2026_01_01_00_05_00.2", "https://b.example");
    swap_data_link(&dir.0, &v2);
    std::fs::remove_dir_all(&v1).unwrap();
    wait_for("the second version", || {
        seen.current_allows("https://b.example")
    });

    // The next roll is followed too (the old version's directory is gone).
    let v3 = configmap_version(&dir.0, "2026_01_01_00_10_00.3", "https://c.example");
    swap_data_link(&dir.0, &v3);
    std::fs::remove_dir_all(&v2).unwrap();
    wait_for("the third version", || {
        seen.current_allows("https://c.example")
    });
    assert!(seen.errors().is_empty(), "{:?}", seen.errors());
}

#[cfg(unix)]
#[test]
fn an_edit_of_a_linked_file_elsewhere_is_followed() {
    let dir = TempDir::new();
    let real_dir = dir.0.join("real");
    std::fs::create_dir(&real_dir).unwrap();
    let real = real_dir.join("cors.json");
    std::fs::write(&real, policy_text("https://a.example")).unwrap();
    let named_dir = dir.0.join("etc");
    std::fs::create_dir(&named_dir).unwrap();
    let file = named_dir.join("policy.json");
    std::os::unix::fs::symlink(&real, &file).unwrap();
    let (_watcher, seen) = watch(&file);

    // Only the real file's directory sees this edit.
    std::fs::write(&real, policy_text("https://b.example")).unwrap();
    wait_for("the edited target", || {
        seen.current_allows("https://b.example")
    });
}

#[test]
fn the_same_content_is_not_handed_over_again() {
    let dir = TempDir::new();
    let file = dir.0.join("policy.json");
    std::fs::write(&file, policy_text("https://a.example")).unwrap();
    let (_watcher, seen) = watch(&file);

    // Rewritten with the same policy (other spacing), then a real change:
    // only the change is handed over.
    replace(
        &file,
        "{\n  \"allowed_origins\": [\"https://a.example\"],\n  \"max_age\": 60\n}\n",
    );
    std::fs::write(dir.0.join("unrelated.txt"), "noise").unwrap();
    replace(&file, &policy_text("https://b.example"));
    wait_for("b allowed", || seen.current_allows("https://b.example"));
    assert_eq!(seen.swaps(), 1);
}

#[test]
fn dropping_the_watcher_stops_it() {
    let dir = TempDir::new();
    let file = dir.0.join("policy.json");
    std::fs::write(&file, policy_text("https://a.example")).unwrap();
    let (watcher, seen) = watch(&file);
    replace(&file, &policy_text("https://b.example"));
    wait_for("b allowed", || seen.current_allows("https://b.example"));
    assert_eq!(Arc::strong_count(&seen), 3, "the two hooks hold the others");
    drop(watcher);
    // Dropping joined the watcher's thread, which dropped both hooks.
    assert_eq!(Arc::strong_count(&seen), 1);
    replace(&file, &policy_text("https://c.example"));
    assert_eq!(seen.swaps(), 1);
}

#[test]
fn a_missing_directory_cannot_be_watched() {
    let err = PolicyWatcher::new("/nonexistent-cors-policy-dir/policy.json")
        .start(|_| {})
        .unwrap_err();
    assert!(matches!(err, WatchError::Watch(_)), "{err}");
}
