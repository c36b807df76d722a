//! Where the database is, for the commands that work on it (`up`, `status --db`,
//! `repair`, the hook's hint), by the first rule that gives a URL: `--db-url`,
//! `$MYNATCA_DB_URL`, `MYNATCA_DB_URL` in the platform's `.env`, then the Supabase local
//! stack that `config.toml` describes (`[db] port`, user and password `postgres`,
//! database `postgres`, as `supabase status` prints it).

use std::path::{Path, PathBuf};

use crate::error::ConfigError;
use crate::workspace::Workspace;

/// The variable, in the environment or in `.env`.
pub(crate) const VARIABLE: &str = "MYNATCA_DB_URL";
/// The Supabase CLI's default `[db] port`.
const SUPABASE_PORT: u16 = 54322;

/// Which rule gave the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    Flag,
    Environment,
    /// `.env` of the platform, and whether git tracks that file.
    DotEnv {
        path: PathBuf,
        tracked: bool,
    },
    /// The local stack of `config.toml` (the port it gives, or Supabase's default).
    Config {
        path: PathBuf,
    },
}

impl Source {
    /// For `-v`: which rule it was.
    pub(crate) fn describe(&self) -> String {
        match self {
            Source::Flag => "--db-url".to_string(),
            Source::Environment => format!("${VARIABLE}"),
            Source::DotEnv { path, .. } => format!("{VARIABLE} in {}", path.display()),
            Source::Config { path } => format!("the Supabase local stack of {} ([db] port)", path.display()),
        }
    }
}

/// The URL and where it came from.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub(crate) url: String,
    pub(crate) source: Source,
}

/// The first rule that gives a URL; `flag` already holds `--db-url`, `environment` the variable.
pub(crate) fn resolve(
    flag: Option<&str>,
    environment: Option<String>,
    ws: &Workspace,
) -> Result<Resolved, ConfigError> {
    if let Some(url) = flag {
        if url.trim().is_empty() {
            return Err(ConfigError::new(
                "--db-url is empty; give the database's URL, or leave the flag out to use the usual rules",
            ));
        }
        return Ok(Resolved { url: url.to_string(), source: Source::Flag });
    }
    if let Some(url) = environment.filter(|url| !url.is_empty()) {
        return Ok(Resolved { url, source: Source::Environment });
    }
    let dotenv = ws.platform.join(".env");
    if let Some(url) = read_dotenv(&dotenv)? {
        let tracked = is_tracked(&ws.platform, Path::new(".env"));
        return Ok(Resolved { url, source: Source::DotEnv { path: dotenv, tracked } });
    }
    let config = ws.config_path();
    let port = config_port(&config)?;
    Ok(Resolved {
        url: format!("postgresql://postgres:postgres@127.0.0.1:{port}/postgres"),
        source: Source::Config { path: config },
    })
}

/// `MYNATCA_DB_URL=…` in a `.env` file (`export` allowed, quotes removed, `#` comments).
fn read_dotenv(path: &Path) -> Result<Option<String>, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => {
            return Err(ConfigError::new(format!("cannot read {} ({err}); fix its permissions", path.display())))
        }
    };
    Ok(text.lines().find_map(|line| {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let value = line.strip_prefix(VARIABLE)?.trim_start().strip_prefix('=')?.trim();
        let unquoted = [('"', '"'), ('\'', '\'')]
            .iter()
            .find_map(|(open, close)| value.strip_prefix(*open)?.strip_suffix(*close))
            .unwrap_or_else(|| value.split(" #").next().unwrap_or(value).trim());
        (!unquoted.is_empty()).then(|| unquoted.to_string())
    }))
}

/// Whether git tracks `file` (relative to the repo at `dir`): a password there is
/// everyone's.
fn is_tracked(dir: &Path, file: &Path) -> bool {
    let Ok(repo) = git2::Repository::open(dir) else { return false };
    let Ok(index) = repo.index() else { return false };
    let prefix = repo
        .workdir()
        .and_then(|top| dir.canonicalize().ok()?.strip_prefix(top.canonicalize().ok()?).ok().map(Path::to_path_buf));
    let path = prefix.unwrap_or_default().join(file);
    index.get_path(&path, 0).is_some()
}

/// `[db] port` of `config.toml`, or Supabase's default when it says none.
fn config_port(path: &Path) -> Result<u16, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(SUPABASE_PORT),
        Err(err) => return Err(ConfigError::new(format!("cannot read {} ({err})", path.display()))),
    };
    let doc: toml_edit::DocumentMut =
        text.parse().map_err(|err| ConfigError::new(format!("{}: not valid TOML ({err}); fix it", path.display())))?;
    match doc.get("db").and_then(|db| db.get("port")).and_then(|port| port.as_integer()) {
        None => Ok(SUPABASE_PORT),
        Some(port) => u16::try_from(port)
            .map_err(|_| ConfigError::new(format!("{}: [db] port = {port} is not a port; fix it", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_lines_are_read_as_shells_and_dotenv_libraries_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        for (text, want) in [
            ("MYNATCA_DB_URL=postgres://a@h/db\n", Some("postgres://a@h/db")),
            ("# c\nexport MYNATCA_DB_URL = \"postgres://b@h/db\"\n", Some("postgres://b@h/db")),
            ("MYNATCA_DB_URL='postgres://c@h/db'", Some("postgres://c@h/db")),
            ("MYNATCA_DB_URL=postgres://d@h/db # local\n", Some("postgres://d@h/db")),
            ("OTHER=1\nMYNATCA_DB_URLX=2\n", None),
            ("MYNATCA_DB_URL=\n", None),
        ] {
            std::fs::write(&path, text).unwrap();
            assert_eq!(read_dotenv(&path).unwrap().as_deref(), want, "{text:?}");
        }
    }

    #[test]
    fn the_config_port_or_supabases_default() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        assert_eq!(config_port(&path).unwrap(), SUPABASE_PORT);
        std::fs::write(&path, "[db]\nport = 55432\n").unwrap();
        assert_eq!(config_port(&path).unwrap(), 55432);
        std::fs::write(&path, "[api]\nport = 1\n").unwrap();
        assert_eq!(config_port(&path).unwrap(), SUPABASE_PORT);
        std::fs::write(&path, "[db]\nport = 99999\n").unwrap();
        assert!(config_port(&path).is_err());
    }
}
