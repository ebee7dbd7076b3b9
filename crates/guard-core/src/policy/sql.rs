//! SQL handed to database clients, classified with a real SQL parser: `DROP`, `TRUNCATE`,
//! `DELETE`/`UPDATE` without `WHERE` are bulk-destructive, `SELECT` is not.

use sqlparser::ast::Statement;
use sqlparser::dialect::{ClickHouseDialect, Dialect, GenericDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

/// Statement classes, as rules name them.
pub(crate) const CLASSES: &[&str] = &[
    "drop",
    "truncate",
    "delete_all",
    "update_all",
    "delete",
    "update",
    "alter",
    "grant",
    "write",
    "read",
    "unparsed",
];

/// Classify SQL text for a client (`psql`, `mysql`, `sqlite3`, `clickhouse-client`, …).
/// For a client of a store that is not SQL, whether the commands given it drop the store
/// (`FLUSHALL` to redis-cli, `db.dropDatabase()` to mongosh); `None` for an SQL client.
fn non_sql_drop(client: &str, text: &str) -> Option<bool> {
    let words =
        |w: &str| text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').any(|t| t.eq_ignore_ascii_case(w));
    match client {
        "redis-cli" | "valkey-cli" | "keydb-cli" => Some(words("flushall") || words("flushdb")),
        "mongosh" | "mongo" => Some(text.contains("dropDatabase") || text.contains(".drop(")),
        _ => None,
    }
}

pub(crate) fn classify(client: &str, sql: &str) -> Vec<&'static str> {
    // Clients whose commands are not SQL: what of theirs destroys a whole store.
    if let Some(drops) = non_sql_drop(client, sql) {
        return if drops { vec!["drop"] } else { Vec::new() };
    }
    // Client meta-commands (`\dt`, `.tables`) are not SQL.
    let cleaned: String = sql
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            !(t.starts_with('\\') || (t.starts_with('.') && client.starts_with("sqlite")))
        })
        .collect::<Vec<_>>()
        .join("\n");
    if cleaned.trim().is_empty() {
        return Vec::new();
    }
    let dialect: Box<dyn Dialect> = match client {
        "psql" | "pgcli" | "cockroach" => Box::new(PostgreSqlDialect {}),
        "mysql" | "mariadb" | "mycli" => Box::new(MySqlDialect {}),
        c if c.starts_with("sqlite") => Box::new(SQLiteDialect {}),
        c if c.starts_with("clickhouse") => Box::new(ClickHouseDialect {}),
        _ => Box::new(GenericDialect {}),
    };
    let parsed =
        Parser::parse_sql(dialect.as_ref(), &cleaned).or_else(|_| Parser::parse_sql(&GenericDialect {}, &cleaned));
    let mut out = Vec::new();
    match parsed {
        Ok(stmts) => {
            for s in &stmts {
                let c = class_of(s);
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
        Err(_) => {
            out.push("unparsed");
            // Keep the obvious danger visible even when the parser gives up.
            for stmt in cleaned.split(';') {
                let upper = stmt.trim().to_ascii_uppercase();
                let c = if upper.starts_with("DROP ") {
                    "drop"
                } else if upper.starts_with("TRUNCATE") {
                    "truncate"
                } else if upper.starts_with("DELETE") && !upper.contains(" WHERE ") {
                    "delete_all"
                } else if upper.starts_with("UPDATE") && !upper.contains(" WHERE ") {
                    "update_all"
                } else {
                    continue;
                };
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
    }
    out
}

fn class_of(s: &Statement) -> &'static str {
    match s {
        Statement::Query(_)
        | Statement::ShowTables { .. }
        | Statement::ShowColumns { .. }
        | Statement::ShowDatabases { .. }
        | Statement::ShowSchemas { .. }
        | Statement::ShowVariable { .. }
        | Statement::ShowVariables { .. }
        | Statement::ShowCreate { .. }
        | Statement::ShowStatus { .. }
        | Statement::ShowViews { .. }
        | Statement::ShowFunctions { .. }
        | Statement::ShowCollation { .. }
        | Statement::Explain { .. }
        | Statement::ExplainTable { .. }
        | Statement::Use(_)
        | Statement::StartTransaction { .. }
        | Statement::Commit { .. }
        | Statement::Rollback { .. }
        | Statement::Set(_) => "read",
        Statement::Drop { .. }
        | Statement::DropFunction { .. }
        | Statement::DropDomain(_)
        | Statement::DropProcedure { .. }
        | Statement::DropSecret { .. }
        | Statement::DropPolicy { .. }
        | Statement::DropExtension { .. }
        | Statement::DropTrigger(_) => "drop",
        Statement::Truncate { .. } => "truncate",
        Statement::Delete(d) => {
            if d.selection.is_none() && d.limit.is_none() {
                "delete_all"
            } else {
                "delete"
            }
        }
        Statement::Update { selection, limit, .. } => {
            if selection.is_none() && limit.is_none() {
                "update_all"
            } else {
                "update"
            }
        }
        Statement::AlterTable { .. } | Statement::AlterIndex { .. } | Statement::AlterView { .. } => "alter",
        Statement::AlterRole { .. } | Statement::Grant { .. } | Statement::Revoke { .. } | Statement::CreateUser(_) => {
            "grant"
        }
        _ => "write",
    }
}

#[cfg(test)]
mod tests {
    use super::classify;

    #[test]
    fn classifies_statements() {
        assert_eq!(classify("psql", "SELECT * FROM users WHERE id = 1"), ["read"]);
        assert_eq!(classify("psql", "DROP TABLE users"), ["drop"]);
        assert_eq!(classify("psql", "drop database prod;"), ["drop"]);
        assert_eq!(classify("mysql", "DELETE FROM users"), ["delete_all"]);
        assert_eq!(classify("mysql", "DELETE FROM users WHERE id=3"), ["delete"]);
        assert_eq!(classify("sqlite3", "UPDATE t SET a=1"), ["update_all"]);
        assert_eq!(classify("psql", "TRUNCATE logs"), ["truncate"]);
        assert_eq!(classify("psql", "\\dt\nSELECT 1;"), ["read"]);
        assert!(classify("psql", "DROP TABLE ~~~ nonsense").contains(&"drop"));
    }
}
