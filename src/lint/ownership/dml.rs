//! Row writes: INSERT, UPDATE, DELETE, MERGE, TRUNCATE, COPY ... FROM, SELECT ... INTO,
//! REFRESH MATERIALIZED VIEW, and data-modifying CTEs.

use pg_query::protobuf;
use pg_query::NodeEnum;

use super::{Analyzer, ObjectKind, Verb};

impl Analyzer {
    /// Records the tables a DML statement writes; false if `node` is not one.
    pub(super) fn dml(&mut self, node: &NodeEnum) -> bool {
        use NodeEnum as N;
        use ObjectKind as K;
        match node {
            N::RefreshMatViewStmt(s) => self.relation(Verb::Refresh, K::MaterializedView, s.relation.as_ref()),
            N::InsertStmt(s) => {
                self.with(s.with_clause.as_ref());
                self.relation(Verb::Insert, K::Table, s.relation.as_ref());
                self.nested(s.select_stmt.as_deref());
            }
            N::UpdateStmt(s) => {
                self.with(s.with_clause.as_ref());
                self.relation(Verb::Update, K::Table, s.relation.as_ref());
            }
            N::DeleteStmt(s) => {
                self.with(s.with_clause.as_ref());
                self.relation(Verb::Delete, K::Table, s.relation.as_ref());
            }
            N::MergeStmt(s) => {
                self.with(s.with_clause.as_ref());
                self.relation(Verb::Merge, K::Table, s.relation.as_ref());
            }
            N::TruncateStmt(s) => {
                for rel in &s.relations {
                    if let Some(NodeEnum::RangeVar(rel)) = &rel.node {
                        self.relation(Verb::Truncate, K::Table, Some(rel));
                    }
                }
            }
            N::CopyStmt(s) => {
                if s.is_from {
                    self.relation(Verb::CopyInto, K::Table, s.relation.as_ref());
                }
                // COPY (INSERT ... RETURNING ...) TO runs the insert.
                self.nested(s.query.as_deref());
            }
            N::SelectStmt(s) => self.select(s),
            N::ExplainStmt(s) => self.nested(s.query.as_deref()),
            // PREPARE ... AS INSERT ...: the write runs on EXECUTE, in this same migration.
            N::PrepareStmt(s) => self.nested(s.query.as_deref()),
            _ => return false,
        }
        true
    }

    /// Data-modifying CTEs: `WITH x AS (INSERT ...)`.
    fn with(&mut self, with: Option<&protobuf::WithClause>) {
        for cte in with.into_iter().flat_map(|w| &w.ctes) {
            if let Some(NodeEnum::CommonTableExpr(cte)) = &cte.node {
                self.nested(cte.ctequery.as_deref());
            }
        }
    }

    fn select(&mut self, s: &protobuf::SelectStmt) {
        self.with(s.with_clause.as_ref());
        // SELECT ... INTO creates a table.
        if let Some(rel) = s.into_clause.as_ref().and_then(|into| into.rel.as_ref()) {
            self.relation(Verb::Create, ObjectKind::Table, Some(rel));
        }
        for side in [&s.larg, &s.rarg].into_iter().flatten() {
            self.select(side);
        }
    }
}
