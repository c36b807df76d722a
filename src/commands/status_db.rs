//! `mynatca status --db`: every migration of the workspace and of the database's history,
//! with its state, read in a read-only transaction.

use serde_json::json;

use super::render::{render_table, Cell};
use crate::commands::Context;
use crate::db::history::{self, State};
use crate::db::{self, Target};
use crate::workspace::Workspace;

const HEADER: [&str; 4] = ["VERSION", "PROJECT", "FILE", "STATE"];
const RIGHT_ALIGNED: [bool; 4] = [false; 4];

/// One version's row.
pub(super) struct Line {
    version: String,
    project: Option<String>,
    file: Option<String>,
    state: State,
    /// For a version missing here: the repo and branch that has it.
    elsewhere: Option<String>,
}

/// What the database holds against the workspace.
pub(super) struct Database {
    target: String,
    lines: Vec<Line>,
    /// mynatca's own databases on the server.
    owned: Vec<crate::db::marks::Owned>,
}

impl Database {
    pub(super) fn needs_attention(&self) -> bool {
        self.lines.iter().any(|line| line.state.needs_attention())
    }

    fn count(&self, wanted: impl Fn(&State) -> bool) -> usize {
        self.lines.iter().filter(|line| wanted(&line.state)).count()
    }

    fn summary(&self) -> String {
        let pending = self.count(|s| matches!(s, State::Pending { .. }));
        let out_of_order = self.count(|s| *s == State::Pending { out_of_order: true });
        let order = if out_of_order > 0 { format!(" ({out_of_order} out of order)") } else { String::new() };
        format!(
            "{}: {} applied, {pending} pending{order}, {} applied but missing here, {} edited since applied",
            self.target,
            self.count(|s| *s == State::Applied),
            self.count(|s| *s == State::Missing),
            self.count(|s| matches!(s, State::Edited { .. })),
        )
    }

    pub(super) fn to_json(&self) -> serde_json::Value {
        let migrations: Vec<serde_json::Value> = self
            .lines
            .iter()
            .map(|line| {
                json!({"version": line.version, "project": line.project, "path": line.file,
                       "state": line.state.describe(), "elsewhere": line.elsewhere})
            })
            .collect();
        let owned: Vec<serde_json::Value> = self
            .owned
            .iter()
            .map(|db| json!({"name": db.name, "kind": db.kind, "target": db.target, "bytes": db.bytes}))
            .collect();
        json!({"target": self.target, "migrations": migrations, "summary": self.summary(),
               "up_to_date": !self.needs_attention(), "mynatca_databases": owned})
    }
}

/// Reads the history (read-only) and compares it with the workspace's files.
pub(super) fn look(ctx: &Context, ws: &Workspace) -> anyhow::Result<Database> {
    let resolved = ctx.database(ws)?;
    let target = Target::parse(&resolved.url)?;
    let local = super::up::local_migrations(ws)?;
    let applied = db::read_history(&target)?;
    let lines = history::compare(&local, &applied)
        .into_iter()
        .map(|row| Line {
            elsewhere: (row.state == State::Missing).then(|| crate::branches::holding(ws, &row.version)).flatten(),
            version: row.version,
            project: row.local.map(|s| s.file.project.clone()),
            file: row.local.map(|s| s.file.shown.clone()),
            state: row.state,
        })
        .collect();
    let owned = db::server_databases(&target)?;
    Ok(Database { target: target.describe(), lines, owned })
}

pub(super) fn print(ctx: &Context, database: &Database) {
    let rows: Vec<Vec<Cell>> = database
        .lines
        .iter()
        .map(|line| {
            let state = match &line.elsewhere {
                Some(elsewhere) => format!("{} ({elsewhere})", line.state.describe()),
                None => line.state.describe().to_string(),
            };
            let style = line.state.needs_attention().then_some("33");
            vec![
                Cell::plain(line.version.clone()),
                Cell::plain(line.project.clone().unwrap_or_else(|| "-".to_string())),
                Cell::plain(line.file.clone().unwrap_or_else(|| "-".to_string())),
                Cell { text: crate::ui::escape(&state).into_owned(), style },
            ]
        })
        .collect();
    ctx.ui.out("");
    let paint = |text: &str, style: &str| ctx.ui.paint(text, style, ctx.ui.color_stdout());
    for line in render_table(&HEADER, &RIGHT_ALIGNED, &rows, paint) {
        ctx.ui.out_painted(&line);
    }
    ctx.ui.out(&database.summary());
    if database.owned.is_empty() {
        return;
    }
    let total: i64 = database.owned.iter().map(|db| db.bytes).sum();
    ctx.ui.out("");
    ctx.ui.out(&format!(
        "mynatca's databases on this server ({}; `mynatca refresh --drop-caches --db-url URL` drops a target's):",
        size(total)
    ));
    let rows: Vec<Vec<Cell>> = database
        .owned
        .iter()
        .map(|db| [db.name.clone(), db.kind.clone(), db.target.clone(), size(db.bytes)].map(Cell::plain).into())
        .collect();
    for line in
        render_table(&["NAME", "KIND", "TARGET", "SIZE"], &[false, false, false, true], &rows, |t, _| t.to_string())
    {
        ctx.ui.out(&line);
    }
}

/// `8.1 MB`.
fn size(bytes: i64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_048_576.0)
}
