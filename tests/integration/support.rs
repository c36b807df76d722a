//! The one workspace builder every integration test uses: a temp folder holding the
//! platform and its sub-projects as real git repos, driven with the real `git` binary
//! and the real `mynatca` binary.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use tempfile::TempDir;

/// The Supabase config a fresh platform gets (the same as `../shared/bench/mkws.py`).
pub const CONFIG_TOML: &str = r#"[api]
schemas = ["public", "graphql_public"]

[db]
port = 54322
major_version = 15

[db.seed]
enabled = true
sql_paths = ["./seed.sql"]
"#;

/// Variables from the developer's shell that would steer the binary or git.
const SCRUBBED_ENV: &[&str] = &[
    "MYNATCA_PLATFORM",
    "MYNATCA_DB_URL",
    "MYNATCA_BIN",
    "MYNATCA_HOOKS",
    "MYNATCA_LOG",
    "MYNATCA_TEST_PAUSE_IN",
    "NO_COLOR",
    // In CI `check` leaves out the `hooks` rule; the tests say when they are in CI.
    "CI",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
];

pub struct Ws {
    tmp: TempDir,
    /// The workspace root: the platform's parent.
    pub root: PathBuf,
    home: PathBuf,
}

impl Ws {
    /// A workspace whose platform is a git repo on `main` with `supabase/migrations/`,
    /// `supabase/config.toml` and an empty registry, all committed.
    pub fn new() -> Ws {
        let ws = Ws::empty();
        ws.write("platform/supabase/config.toml", CONFIG_TOML)
            .write("platform/.linked-projects.json", "{\n  \"version\": 1,\n  \"projects\": []\n}\n")
            .mkdir("platform/supabase/migrations");
        ws.git_init("platform");
        ws.commit_all("platform", "platform baseline");
        ws
    }

    /// A temp folder with nothing in it (no platform).
    pub fn empty() -> Ws {
        let tmp = tempfile::Builder::new().prefix("mynatca-test-").tempdir().expect("temp dir");
        let root = tmp.path().join("mynatca");
        let home = tmp.path().join("home");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        Ws { tmp, root, home }
    }

    /// Adds a sub-project repo `../<name>` owning schema `<name>`, with a baseline
    /// migration (see [`Ws::add_project_repo`]) and a seed, committed on `main`, and registers it.
    pub fn with_project(self, name: &str) -> Ws {
        self.add_project_repo(name);
        self.register(name, &format!("../{name}"), name);
        self
    }

    /// The sub-project repo alone, not registered.
    /// Baseline versions are distinct per repo (2, 3, ... in creation order), as
    /// `supabase db reset` requires.
    pub fn add_project_repo(&self, name: &str) -> &Ws {
        let version = std::fs::read_dir(&self.root).unwrap().count() + 1;
        self.write(
            &format!("{name}/supabase/migrations/{version:014}_baseline_{name}_schema.sql"),
            &format!("create schema if not exists {name};\n"),
        )
        .write(&format!("{name}/supabase/seed.sql"), &format!("-- {name} seed\n"));
        self.git_init(name);
        self.commit_all(name, &format!("{name} baseline"));
        self
    }

    /// Appends `{"name", "path", "schema"}` to the registry.
    pub fn register(&self, name: &str, path: &str, schema: &str) -> &Ws {
        let mut registry = self.registry();
        registry["projects"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"name": name, "path": path, "schema": schema}));
        self.write_registry(&registry)
    }

    pub fn write_registry(&self, registry: &serde_json::Value) -> &Ws {
        self.write("platform/.linked-projects.json", &(serde_json::to_string_pretty(registry).unwrap() + "\n"))
    }

    pub fn registry(&self) -> serde_json::Value {
        serde_json::from_str(&self.read("platform/.linked-projects.json")).unwrap()
    }

    /// Writes a file (creating folders), relative to the workspace root.
    pub fn write(&self, rel: &str, content: &str) -> &Ws {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
        self
    }

    /// Writes a migration into a repo's `supabase/migrations/`.
    pub fn migration(&self, repo: &str, name: &str, sql: &str) -> &Ws {
        self.write(&format!("{repo}/supabase/migrations/{name}"), sql)
    }

    pub fn mkdir(&self, rel: &str) -> &Ws {
        std::fs::create_dir_all(self.path(rel)).unwrap();
        self
    }

    pub fn remove(&self, rel: &str) -> &Ws {
        let path = self.path(rel);
        if path.is_dir() && !path.is_symlink() {
            std::fs::remove_dir_all(path).unwrap();
        } else {
            std::fs::remove_file(path).unwrap();
        }
        self
    }

    pub fn symlink(&self, target: &str, rel: &str) -> &Ws {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, path).unwrap();
        self
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// The target of `platform/supabase/migrations/<name>`, if it is a symlink.
    pub fn link(&self, name: &str) -> Option<PathBuf> {
        std::fs::read_link(self.path(&format!("platform/supabase/migrations/{name}"))).ok()
    }

    /// Every symlink in `platform/supabase/migrations`, sorted by name.
    pub fn links(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.path("platform/supabase/migrations"))
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().unwrap().is_symlink())
            .map(|e| e.file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    /// Every entry of a folder, sorted (to catch stray temp files).
    pub fn entries(&self, rel: &str) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(self.path(rel)).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        names
    }

    /// `git init -b main` with an identity, no signing and no global config.
    pub fn git_init(&self, repo: &str) -> &Ws {
        self.mkdir(repo);
        self.git(repo, &["init", "-q", "-b", "main"]);
        self.git(repo, &["config", "user.email", "dev@example.com"]);
        self.git(repo, &["config", "user.name", "Dev"]);
        self.git(repo, &["config", "commit.gpgsign", "false"]);
        self
    }

    pub fn commit_all(&self, repo: &str, message: &str) -> &Ws {
        self.git(repo, &["add", "-A"]);
        self.git(repo, &["commit", "-q", "--allow-empty", "-m", message]);
        self
    }

    /// Runs git in `repo` (relative to the root) and asserts it succeeded.
    pub fn git(&self, repo: &str, args: &[&str]) -> Output {
        let output = self.git_cmd(repo, args).output().expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?} in {repo} failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// A git command in `repo`, isolated from the developer's config, not yet run.
    pub fn git_cmd(&self, repo: &str, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new("git");
        cmd.args(args).current_dir(self.path(repo));
        self.isolate(&mut cmd);
        cmd
    }

    /// `git` output as text, trimmed.
    pub fn git_stdout(&self, repo: &str, args: &[&str]) -> String {
        String::from_utf8(self.git(repo, args).stdout).unwrap().trim().to_string()
    }

    /// The mynatca binary, run in `dir` (relative to the root), with a clean environment.
    pub fn mynatca(&self, dir: &str) -> Command {
        Command::from_std(self.mynatca_std(dir))
    }

    /// The same as a plain std command, for spawning in the background.
    pub fn mynatca_std(&self, dir: &str) -> std::process::Command {
        self.command(&bin(), dir)
    }

    fn isolate(&self, cmd: &mut std::process::Command) {
        for var in SCRUBBED_ENV {
            cmd.env_remove(var);
        }
        cmd.env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            // The hooks' database hint asks whatever listens on the local stack's port:
            // off, but in the tests of the hint itself.
            .env("MYNATCA_DB_HINT", "0");
    }

    pub fn tmp(&self) -> &Path {
        self.tmp.path()
    }

    /// Any program (a copy of the binary, say) run in `dir` with the same clean environment.
    pub fn command(&self, program: &Path, dir: &str) -> std::process::Command {
        let mut cmd = std::process::Command::new(program);
        cmd.current_dir(self.path(dir));
        self.isolate(&mut cmd);
        cmd
    }
}

/// The mynatca binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_mynatca"))
}

/// stdout of a finished assert_cmd run as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `text` with every 14-digit run (a migration version) that `rewrite` maps replaced.
pub fn rewrite_versions(text: &str, mut rewrite: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        let digits = rest[start..].find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len() - start);
        let run = &rest[start..start + digits];
        out.push_str(&rest[..start]);
        match (digits == 14).then(|| rewrite(run)).flatten() {
            Some(new) => out.push_str(&new),
            None => out.push_str(run),
        }
        rest = &rest[start + digits..];
    }
    out + rest
}

/// The inode of a path, without following links: "rewrote nothing" means unchanged inodes.
pub fn inode(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(path).unwrap().ino()
}

/// How long any one run may take before the test kills it and fails: no test hangs.
pub const RUN_LIMIT: Duration = Duration::from_secs(120);

/// What a run must show, in the style of just's `Test`: the exit status, the whole stdout
/// and the whole stderr. The defaults are exit 0 and nothing on either stream, so a test
/// states everything it expects. Before comparing, the workspace root becomes `$WS` and the
/// temp folder around it `$TMP` (as given and canonical), then any `subst`/`filter` applies.
#[must_use]
pub struct Test<'a> {
    ws: &'a Ws,
    cmd: std::process::Command,
    status: i32,
    stdout: Stdout,
    stderr: String,
    filters: Vec<Filter<'a>>,
}

/// A rewrite of an output stream before it is compared.
type Filter<'a> = Box<dyn Fn(&str) -> String + 'a>;

enum Stdout {
    Text(String),
    /// Exactly one JSON document, compared in full after substitution.
    Json(serde_json::Value),
}

/// A finished run that met its expectations: the raw streams, for what comes next.
pub struct Done {
    pub stdout: String,
    pub stderr: String,
}

impl Ws {
    /// `mynatca ARGS` run in `dir` (relative to the root), to be checked with [`Test`].
    pub fn run<I, S>(&self, dir: &str, args: I) -> Test<'_>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.mynatca_std(dir);
        cmd.args(args);
        self.test(cmd)
    }

    /// `git ARGS` run in `repo`, whose hooks run mynatca, to be checked with [`Test`].
    pub fn run_git(&self, repo: &str, args: &[&str]) -> Test<'_> {
        self.test(self.git_cmd(repo, args))
    }

    /// Any prepared command (from [`Ws::command`], say), to be checked with [`Test`].
    pub fn test(&self, cmd: std::process::Command) -> Test<'_> {
        Test { ws: self, cmd, status: 0, stdout: Stdout::Text(String::new()), stderr: String::new(), filters: vec![] }
    }

    /// Replaces the workspace root with `$WS`, then the temp folder with `$TMP`.
    pub fn redact(&self, text: &str) -> String {
        let mut pairs = vec![];
        for (path, name) in [(&self.root, "$WS"), (&self.tmp.path().to_path_buf(), "$TMP")] {
            pairs.push((path.display().to_string(), name));
            if let Ok(canonical) = std::fs::canonicalize(path) {
                pairs.push((canonical.display().to_string(), name));
            }
        }
        // Longest first: the root lies inside the temp folder.
        pairs.sort_by_key(|(path, _)| std::cmp::Reverse(path.len()));
        pairs.iter().fold(text.to_string(), |text, (path, name)| text.replace(path.as_str(), name))
    }
}

impl<'a> Test<'a> {
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.cmd.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.cmd.env(key, value);
        self
    }

    pub fn status(mut self, code: i32) -> Self {
        self.status = code;
        self
    }

    pub fn stdout(mut self, text: impl Into<String>) -> Self {
        self.stdout = Stdout::Text(text.into());
        self
    }

    /// stdout is exactly this one JSON document (after substitution).
    pub fn stdout_json(mut self, doc: serde_json::Value) -> Self {
        self.stdout = Stdout::Json(doc);
        self
    }

    pub fn stderr(mut self, text: impl Into<String>) -> Self {
        self.stderr = text.into();
        self
    }

    /// Replaces `from` with `to` in both streams before comparing (a sha, say).
    pub fn subst(self, from: impl Into<String>, to: &'a str) -> Self {
        let from = from.into();
        self.filter(move |text| text.replace(&from, to))
    }

    /// Rewrites both streams before comparing, for what only the run decides (a clock's version).
    pub fn filter(mut self, filter: impl Fn(&str) -> String + 'a) -> Self {
        self.filters.push(Box::new(filter));
        self
    }

    /// Runs it (bounded by [`RUN_LIMIT`]) and fails the test on any difference.
    #[track_caller]
    pub fn go(mut self) -> Done {
        self.cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let child = spawn(&mut self.cmd);
        let output = finish(child, RUN_LIMIT);
        let done = Done { stdout: text(&output.stdout), stderr: text(&output.stderr) };
        let clean = |raw: &str| self.filters.iter().fold(self.ws.redact(raw), |text, filter| filter(&text));
        let (stdout, stderr) = (clean(&done.stdout), clean(&done.stderr));

        let mut wrong = vec![];
        if output.status.code() != Some(self.status) {
            wrong.push(format!("status: expected {}, got {}", self.status, output.status));
        }
        match &self.stdout {
            Stdout::Text(want) if *want != stdout => wrong.push(difference("stdout", want, &stdout)),
            Stdout::Json(want) => match serde_json::from_str::<serde_json::Value>(&stdout) {
                Ok(have) if have == *want => {}
                Ok(have) => wrong.push(difference("stdout (JSON)", &pretty(want), &pretty(&have))),
                Err(e) => wrong.push(format!("stdout is not one JSON document ({e}):\n{stdout}")),
            },
            Stdout::Text(_) => {}
        }
        if self.stderr != stderr {
            wrong.push(difference("stderr", &self.stderr, &stderr));
        }
        assert!(wrong.is_empty(), "{:?}\n{}", self.cmd, wrong.join("\n"));
        done
    }
}

/// Spawns, retrying while the program is "busy": a binary copied by a test can be
/// briefly held open for writing by a child another test thread forks meanwhile.
pub fn spawn(cmd: &mut std::process::Command) -> Child {
    const ETXTBSY: i32 = 26;
    let mut tries = 0;
    loop {
        match cmd.spawn() {
            Err(err) if err.raw_os_error() == Some(ETXTBSY) && tries < 100 => tries += 1,
            Err(err) => panic!("spawn {cmd:?}: {err}"),
            Ok(child) => return child,
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("output is UTF-8")
}

fn pretty(doc: &serde_json::Value) -> String {
    serde_json::to_string_pretty(doc).unwrap() + "\n"
}

fn difference(stream: &str, want: &str, have: &str) -> String {
    format!("{stream} differs.\n--- expected\n{want}--- got\n{have}--- (as strings: {want:?} vs {have:?})")
}

/// Waits for a child, its streams piped, killing it and failing past `limit`.
pub fn finish(mut child: Child, limit: Duration) -> Output {
    // Drain both pipes meanwhile, so a chatty child never blocks on a full one.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = vec![];
            if let Some(mut pipe) = pipe {
                pipe.read_to_end(&mut bytes).expect("read a pipe");
            }
            bytes
        })
    };
    let out = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let err = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let mut guard = Killer(Some(child));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = guard.child().try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "still running after {limit:?}: killed");
        std::thread::sleep(Duration::from_millis(5));
    };
    guard.0 = None;
    Output { status, stdout: out.join().unwrap(), stderr: err.join().unwrap() }
}

/// Kills its child when dropped (a failed assertion included), so no test leaves one behind.
pub struct Killer(pub Option<Child>);

impl Killer {
    pub fn child(&mut self) -> &mut Child {
        self.0.as_mut().expect("child not yet collected")
    }
}

impl Drop for Killer {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
