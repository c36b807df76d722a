//! How a link report reads on a terminal: every relinking command (link, hooks,
//! link-project, unlink-project, new, refresh) prints it the same way.

use crate::reconcile::{Mode, Report};
use crate::ui::Ui;

/// Planned actions (dry run, check), problems on stderr, the summary. With `--quiet`,
/// nothing at all when nothing changed and nothing is wrong.
pub(crate) fn report(ui: &Ui, report: &Report) {
    if report.mode != Mode::Apply {
        for line in &report.planned {
            ui.out(line);
        }
    }
    problems(ui, report);
    if !ui.quiet || report.changed() || report.has_problems() {
        ui.out(&report.summary());
    }
}

/// Conflicts, duplicates and failures as `error:`, the rest as `warning:`.
pub(crate) fn problems(ui: &Ui, report: &Report) {
    for conflict in &report.verdict.conflicts {
        ui.error(&format!("conflict: {}", conflict.message));
    }
    for duplicate in &report.verdict.duplicates {
        ui.error(&duplicate.message());
    }
    for error in &report.applied.errors {
        ui.error(error);
    }
    for warning in &report.verdict.warnings {
        ui.warn(&warning.message);
    }
}
