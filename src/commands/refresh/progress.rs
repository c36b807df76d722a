//! A refresh's progress as it runs: a bar on a terminal, one line per file otherwise.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::report;
use crate::db::{Event, Target};
use crate::diagnostic::{Code, Diagnostic};
use crate::ui::Ui;
use crate::workspace::Workspace;

/// A bar on a terminal, one line per file otherwise; nothing with `--quiet` or `--json`.
pub(super) struct Progressing<'a> {
    ui: &'a Ui,
    target: String,
    json: bool,
    bar: Option<ProgressBar>,
    ws: &'a Workspace,
    /// The extensions left out, for `--json`'s warnings.
    pub(super) skipped: Vec<Diagnostic>,
}

impl<'a> Progressing<'a> {
    pub(super) fn new(ui: &'a Ui, ws: &'a Workspace, target: &Target, total: usize, json: bool) -> Self {
        let target = target.describe();
        if json || ui.quiet || !std::io::stderr().is_terminal() {
            return Progressing { ui, target, json, bar: None, ws, skipped: Vec::new() };
        }
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} [{elapsed_precise}] [{bar:30}] {pos}/{len} {wide_msg}")
            .expect("the template is valid");
        bar.set_style(style);
        Progressing { ui, target, json, bar: Some(bar), ws, skipped: Vec::new() }
    }

    pub(super) fn event(&mut self, event: Event) {
        let line = match event {
            // Printed once connected, so a wrong URL or password says only that.
            Event::Connected => return self.say(&format!("resetting {}", self.target)),
            Event::Skipped(usage, script, why) => {
                let instead =
                    usage.schema.as_ref().map(|s| format!("; created schema {s} instead")).unwrap_or_default();
                let message =
                    format!("left out CREATE EXTENSION {} ({why}; --allow-missing-extensions){instead}", usage.name);
                self.ui.warn(&format!("{}:{} ({}): {message}", script.file.shown, usage.line, script.file.project));
                let file = report::own_path(self.ws, &script.file);
                let skipped = Diagnostic::new(Code::MissingExtension, file, usage.line, message);
                self.skipped.push(skipped.in_project(&script.file.project));
                return;
            }
            Event::Reset { from_cache } => {
                if let Some(bar) = &self.bar {
                    bar.inc(from_cache as u64);
                }
                return;
            }
            Event::Waiting => {
                return self.say(&format!("waiting for another refresh of {} (or its upkeep) to finish", self.target))
            }
            Event::Stranger(name) => {
                return self.ui.warn(&format!(
                    "database \"{name}\" has a name mynatca uses for {} but not its mark, so it is left alone; \
                     rename it if it is yours",
                    self.target
                ))
            }
            Event::SetAside { name, restore } => {
                return self.ui.warn(&format!(
                    "database \"{name}\" is {} as a refresh killed mid-way set it aside; to put it back: {restore}",
                    self.target
                ))
            }
            Event::Migration(script) => format!("applying {} ({})", script.file_name(), script.file.project),
            Event::Seed(script) => format!("seeding {} ({})", script.file.shown, script.file.project),
        };
        match &self.bar {
            // The position is the file being applied, 1-based.
            Some(bar) => {
                bar.inc(1);
                bar.set_message(line);
            }
            None => self.say(&line),
        }
    }

    /// A line on stdout, above the bar; none with `--json`.
    fn say(&self, line: &str) {
        match &self.bar {
            _ if self.json => {}
            Some(bar) => bar.suspend(|| self.ui.info(line)),
            None => self.ui.info(line),
        }
    }

    pub(super) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
