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

/// A table cell: its text (escaped) and an ANSI style applied only when colour is on.
pub(crate) struct Cell {
    pub(crate) text: String,
    /// An ANSI style, applied only when colour is on.
    pub(crate) style: Option<&'static str>,
}

impl Cell {
    pub(crate) fn plain(text: String) -> Self {
        Cell { text: crate::ui::escape(&text).into_owned(), style: None }
    }
}

/// Aligned columns separated by two spaces, no trailing blanks. Padding is computed on
/// the plain text so colour never shifts a column.
pub(crate) fn render_table(
    header: &[&str],
    right_aligned: &[bool],
    rows: &[Vec<Cell>],
    paint: impl Fn(&str, &str) -> String,
) -> Vec<String> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.text.chars().count());
        }
    }
    let header: Vec<Cell> = header.iter().map(|h| Cell::plain(h.to_string())).collect();
    std::iter::once(&header)
        .chain(rows)
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(i, cell)| {
                    let pad = " ".repeat(widths[i] - cell.text.chars().count());
                    let text = cell.style.map_or_else(|| cell.text.clone(), |style| paint(&cell.text, style));
                    if right_aligned[i] {
                        format!("{pad}{text}")
                    } else {
                        format!("{text}{pad}")
                    }
                })
                .collect();
            cells.join("  ").trim_end().to_string()
        })
        .collect()
}
