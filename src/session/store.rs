//! Result files: one JSON file per session, written atomically after every turn.

use super::SessionRecord;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Environment variable naming the results folder.
pub const RESULTS_ENV: &str = "PEILIAN_RESULTS";

/// `--results DIR`, else `$PEILIAN_RESULTS`, else the platform data directory
/// (`$XDG_DATA_HOME/peilian/results` or `~/.local/share/peilian/results` on Linux,
/// `~/Library/Application Support/peilian/results` on macOS, `%APPDATA%\peilian\results`
/// on Windows; from the `directories` crate), else a folder under the system's temporary
/// directory when no home directory is known.
pub fn results_dir(flag: Option<&Path>) -> PathBuf {
    if let Some(p) = flag {
        return p.to_path_buf();
    }
    if let Some(p) = std::env::var_os(RESULTS_ENV) {
        return PathBuf::from(p);
    }
    directories::BaseDirs::new()
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(std::env::temp_dir)
        .join("peilian")
        .join("results")
}

/// A file-name-safe version of a trainee's name: letters, digits and CJK kept, the rest `_`.
pub fn safe_name(name: &str) -> String {
    let s: String = name
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(32)
        .collect();
    let s = s.trim_matches('_').to_string();
    if s.is_empty() { "trainee".into() } else { s }
}

/// Temporary files older than this are left-overs of a killed process (a save takes well
/// under a second) and are removed when a results folder is opened.
pub const STALE_AFTER: Duration = Duration::from_secs(3600);

/// Is `name` one of our temporary files: `.<name>.<pid>.tmp` (a save) or `.<name>.<pid>.new`
/// (a new result file being claimed)?
fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && (name.ends_with(".tmp") || name.ends_with(".new"))
}

/// Remove this program's temporary files in `dir` last modified more than [`STALE_AFTER`]
/// ago; younger ones may belong to a process writing right now and are left alone.
/// Returns the files removed. Failures are ignored: the folder may be read-only.
pub fn remove_stale_temporaries(dir: &Path) -> Vec<PathBuf> {
    remove_temporaries_older_than(dir, STALE_AFTER)
}

fn remove_temporaries_older_than(dir: &Path, age: Duration) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let now = SystemTime::now();
    let mut removed = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name();
        if !is_temporary(&name.to_string_lossy()) {
            continue;
        }
        let Ok(meta) = e.metadata() else { continue };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|d| d > age);
        if meta.is_file() && old && fs::remove_file(e.path()).is_ok() {
            removed.push(e.path());
        }
    }
    removed.sort();
    removed
}

/// Where one session's result lives.
#[derive(Debug, Clone)]
pub struct ResultStore {
    pub path: PathBuf,
}

impl ResultStore {
    /// Claim a new, unique file in `dir` for this session (never overwrites another).
    pub fn create(dir: &Path, record: &SessionRecord) -> std::io::Result<ResultStore> {
        fs::create_dir_all(dir)?;
        remove_stale_temporaries(dir);
        let date = super::clock::date_in(record.started_at, &super::clock::zone());
        let base = format!(
            "{date}_{}_{}_{}",
            safe_name(&record.trainee),
            safe_name(&record.scenario.id),
            std::process::id()
        );
        for n in 0..10_000u32 {
            let name = if n == 0 {
                format!("{base}.json")
            } else {
                format!("{base}-{n}.json")
            };
            let path = dir.join(name);
            // Claim the name with the whole first version at once: write a temporary file,
            // then hard-link it into place (fails if the name is taken), so no reader ever
            // sees an empty result file.
            let tmp = dir.join(format!(".{base}-{n}.{}.new", std::process::id()));
            write_synced(&tmp, record).inspect_err(|_| {
                let _ = fs::remove_file(&tmp);
            })?;
            let linked = fs::hard_link(&tmp, &path);
            let _ = fs::remove_file(&tmp);
            match linked {
                Ok(()) => return Ok(ResultStore { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                // Filesystems without hard links: claim the name empty, then fill it.
                Err(_) => match OpenOptions::new().write(true).create_new(true).open(&path) {
                    Ok(_) => {
                        let store = ResultStore { path };
                        store.save(record)?;
                        return Ok(store);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                    Err(e) => return Err(e),
                },
            }
        }
        Err(std::io::Error::other(
            "could not find a free result file name",
        ))
    }

    /// Write the record: to a temporary file beside it, then rename over it.
    pub fn save(&self, record: &SessionRecord) -> std::io::Result<()> {
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = self
            .path
            .with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        write_synced(&tmp, record)
            .and_then(|_| fs::rename(&tmp, &self.path))
            .inspect_err(|_| {
                let _ = fs::remove_file(&tmp);
            })
    }
}

/// Prove `dir` takes files: create it if needed, then create, write, sync and remove a probe
/// file. The error says where and why.
pub fn probe_writable(dir: &Path) -> Result<(), String> {
    let fail = |what: &str, e: std::io::Error| {
        format!(
            "{}: the results folder cannot be written ({what}: {e})",
            dir.display()
        )
    };
    fs::create_dir_all(dir).map_err(|e| fail("cannot create it", e))?;
    let probe = dir.join(format!(".peilian-probe-{}.tmp", std::process::id()));
    let written = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .and_then(|mut f| {
            f.write_all(b"peilian\n")?;
            f.sync_all()
        });
    let removed = fs::remove_file(&probe);
    written.map_err(|e| fail("cannot write a test file", e))?;
    removed.map_err(|e| fail("cannot remove the test file", e))
}

/// Where a rescue copy goes when the results folder fails mid-session: `peilian-rescue/`
/// in the system temporary folder, else the current folder.
pub fn rescue_dirs() -> Vec<PathBuf> {
    vec![
        std::env::temp_dir().join("peilian-rescue"),
        PathBuf::from("peilian-rescue"),
    ]
}

/// Write `record` as a rescue copy named like `original`, to the first of [`rescue_dirs`]
/// that takes it. Returns where it went, or every reason it could not be written.
pub fn write_rescue(record: &SessionRecord, original: &Path) -> Result<PathBuf, String> {
    let name = original
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "session.json".into());
    let mut reasons = Vec::new();
    for dir in rescue_dirs() {
        let path = dir.join(&name);
        match fs::create_dir_all(&dir).and_then(|_| write_json(&path, record)) {
            Ok(()) => return Ok(path),
            Err(e) => reasons.push(format!("{}: {e}", path.display())),
        }
    }
    Err(reasons.join("; "))
}

/// Test-only fault injection: with `PEILIAN_FAIL_WRITE_AT=N`, the N-th result-file write of
/// this process fails as a full disk would. Honoured in debug builds only (the builds tests
/// run); release builds never look at the variable.
#[cfg(debug_assertions)]
fn injected_failure() -> std::io::Result<()> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let n = WRITES.fetch_add(1, Ordering::SeqCst) + 1;
    match std::env::var("PEILIAN_FAIL_WRITE_AT")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        Some(at) if at == n => Err(std::io::Error::new(
            std::io::ErrorKind::StorageFull,
            format!("No space left on device (injected: PEILIAN_FAIL_WRITE_AT={at})"),
        )),
        _ => Ok(()),
    }
}

#[cfg(not(debug_assertions))]
fn injected_failure() -> std::io::Result<()> {
    Ok(())
}

fn write_synced(path: &Path, record: &SessionRecord) -> std::io::Result<()> {
    injected_failure()?;
    write_json(path, record)
}

fn write_json(path: &Path, record: &SessionRecord) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(record).map_err(std::io::Error::other)?;
    let mut f = fs::File::create(path)?;
    f.write_all(&json)?;
    f.write_all(b"\n")?;
    f.sync_all()
}

/// Read every result file in `dir`. Files that are not valid results are reported by name
/// with the reason, and skipped.
/// Result files read, with their paths, and one message per file skipped.
pub type ReadResults = (Vec<(PathBuf, SessionRecord)>, Vec<String>);

pub fn read_dir(dir: &Path) -> std::io::Result<ReadResults> {
    remove_stale_temporaries(dir);
    let mut files: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for f in files {
        match fs::read(&f) {
            Err(e) => bad.push(format!("{}: cannot read: {e}", f.display())),
            Ok(bytes) => match serde_json::from_slice::<SessionRecord>(&bytes) {
                Ok(r) if super::READABLE_SCHEMAS.contains(&r.schema.as_str()) => ok.push((f, r)),
                Ok(r) => bad.push(format!("{}: unknown schema `{}`", f.display(), r.schema)),
                Err(e) => bad.push(format!(
                    "{}:{}:{}: not a peilian result file ({e}); skipped",
                    f.display(),
                    e.line(),
                    e.column()
                )),
            },
        }
    }
    Ok((ok, bad))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_temporaries_go_fresh_ones_stay() {
        let dir = std::env::temp_dir().join(format!("peilian-stale-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let two_hours_ago = SystemTime::now() - Duration::from_secs(7200);
        let stale = [".a.json.41.tmp", ".2026-03-02_x_y_41-0.41.new"];
        let fresh = [".b.json.42.tmp", ".2026-03-02_x_y_42-0.42.new"];
        let other = [".hidden-notes", "old.json.tmp", "r.json"];
        for n in stale.iter().chain(&fresh).chain(&other) {
            fs::write(dir.join(n), b"{").unwrap();
        }
        for n in stale.iter().chain(&other) {
            let f = fs::File::options().write(true).open(dir.join(n)).unwrap();
            f.set_modified(two_hours_ago).unwrap();
        }
        let removed = remove_stale_temporaries(&dir);
        assert_eq!(removed.len(), 2, "{removed:?}");
        for n in stale {
            assert!(!dir.join(n).exists(), "{n} should be removed");
        }
        for n in fresh.iter().chain(&other) {
            assert!(dir.join(n).exists(), "{n} should stay");
        }
        // Opening the folder to read results sweeps too.
        let f = fs::File::options()
            .write(true)
            .open(dir.join(fresh[0]))
            .unwrap();
        f.set_modified(two_hours_ago).unwrap();
        read_dir(&dir).unwrap();
        assert!(!dir.join(fresh[0]).exists());
        assert!(dir.join(fresh[1]).exists());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn names_are_safe() {
        assert_eq!(safe_name("../../etc/passwd"), "etc_passwd");
        assert_eq!(safe_name("小王 Wang"), "小王_Wang");
        assert_eq!(safe_name("\u{0}\u{7}"), "trainee");
        assert!(!safe_name("a/b\\c:d").contains(['/', '\\', ':']));
    }

    #[test]
    fn probe_passes_in_a_writable_folder_and_leaves_nothing() {
        let dir = std::env::temp_dir().join(format!("peilian-probe-ok-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        probe_writable(&dir).expect("a fresh temp folder is writable");
        assert_eq!(fs::read_dir(&dir).map(|d| d.count()).unwrap_or(99), 0);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn probe_names_the_folder_that_cannot_be_written() {
        // A folder under a regular file can never be created, even by root.
        let file = std::env::temp_dir().join(format!("peilian-probe-file-{}", std::process::id()));
        fs::write(&file, b"x").expect("temp file");
        let dir = file.join("results");
        let e = probe_writable(&dir).expect_err("a folder under a file is not writable");
        assert!(e.contains(&dir.display().to_string()), "{e}");
        assert!(e.contains("cannot create it"), "{e}");
        let _ = fs::remove_file(&file);
    }
}
