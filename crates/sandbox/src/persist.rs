//! Optional persistence (`--data FILE`): every resource written through to an embedded
//! database, and read back when the sandbox starts, so that a shared development sandbox keeps
//! its data across restarts.
//!
//! The store is redb: pure Rust (no C toolchain, unlike SQLite through rusqlite's `bundled`
//! feature, and quick to build), ACID and crash-safe by default, with a stable file format
//! since 1.0 and active maintenance. The sandbox needs a key-value table, not SQL: one entry per
//! resource, keyed by major, organisation, table and id (ids count up, so key order is creation
//! order), whose value is the resource's JSON. Uploaded files' bytes are not kept.

use std::path::{Path, PathBuf};

use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use serde_json::Value;

use crate::resources::Scope;

const RESOURCES: TableDefinition<&str, &str> = TableDefinition::new("resources");

/// Separates the parts of a key; never in a base path, organisation, schema name or id that a
/// client could send (the sandbox's ids are its own).
const SEPARATOR: char = '\u{1f}';

/// An open database of resources.
pub struct Database {
    path: PathBuf,
    database: redb::Database,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("path", &self.path)
            .finish()
    }
}

fn key(scope: &Scope, table: &str, id: &str) -> String {
    [scope.base.as_str(), scope.organization.as_str(), table, id].join(&SEPARATOR.to_string())
}

impl Database {
    /// Opens `path`, creating it when it does not exist.
    pub fn open(path: &Path) -> Result<Database, crate::Error> {
        let error = |message: String| crate::Error::Data {
            path: path.to_owned(),
            message,
        };
        let database = redb::Database::create(path).map_err(|source| error(source.to_string()))?;
        Ok(Database {
            path: path.to_owned(),
            database,
        })
    }

    fn error(&self, source: impl std::fmt::Display) -> crate::Error {
        crate::Error::Data {
            path: self.path.clone(),
            message: source.to_string(),
        }
    }

    /// Every resource saved, in key order: by scope, table, then creation.
    pub fn load(&self) -> Result<Vec<(Scope, String, Value)>, crate::Error> {
        let transaction = self.database.begin_read().map_err(|e| self.error(e))?;
        let table = match transaction.open_table(RESOURCES) {
            Ok(table) => table,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(error) => return Err(self.error(error)),
        };
        let mut resources = Vec::new();
        for entry in table.iter().map_err(|e| self.error(e))? {
            let (key, value) = entry.map_err(|e| self.error(e))?;
            let parts: Vec<&str> = key.value().split(SEPARATOR).collect();
            let [base, organization, table, _id] = parts.as_slice() else {
                return Err(self.error(format!("a key of unknown shape: {:?}", key.value())));
            };
            let value: Value = serde_json::from_str(value.value())
                .map_err(|error| self.error(format!("a resource is not JSON: {error}")))?;
            resources.push((
                Scope {
                    base: (*base).to_owned(),
                    organization: (*organization).to_owned(),
                },
                (*table).to_owned(),
                value,
            ));
        }
        Ok(resources)
    }

    /// Saves a resource (created or changed).
    pub fn put(
        &self,
        scope: &Scope,
        table: &str,
        id: &str,
        value: &Value,
    ) -> Result<(), crate::Error> {
        let transaction = self.database.begin_write().map_err(|e| self.error(e))?;
        {
            let mut resources = transaction
                .open_table(RESOURCES)
                .map_err(|e| self.error(e))?;
            resources
                .insert(key(scope, table, id).as_str(), value.to_string().as_str())
                .map_err(|e| self.error(e))?;
        }
        transaction.commit().map_err(|e| self.error(e))
    }

    /// Forgets a resource.
    pub fn delete(&self, scope: &Scope, table: &str, id: &str) -> Result<(), crate::Error> {
        let transaction = self.database.begin_write().map_err(|e| self.error(e))?;
        {
            let mut resources = transaction
                .open_table(RESOURCES)
                .map_err(|e| self.error(e))?;
            resources
                .remove(key(scope, table, id).as_str())
                .map_err(|e| self.error(e))?;
        }
        transaction.commit().map_err(|e| self.error(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_saved_changed_deleted_and_loaded_in_order() {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let path = directory.path().join("sandbox.redb");
        let scope = Scope {
            base: "/v1".into(),
            organization: "acme".into(),
        };
        {
            let database = Database::open(&path).expect("opens");
            assert!(database.load().expect("loads").is_empty());
            for id in ["a1", "a2", "a3"] {
                database
                    .put(&scope, "Project", id, &serde_json::json!({ "id": id }))
                    .expect("saves");
            }
            database
                .put(
                    &scope,
                    "Project",
                    "a2",
                    &serde_json::json!({ "id": "a2", "name": "x" }),
                )
                .expect("changes");
            database.delete(&scope, "Project", "a1").expect("deletes");
        }
        let database = Database::open(&path).expect("opens again");
        let loaded = database.load().expect("loads");
        let values: Vec<&Value> = loaded.iter().map(|(_, _, value)| value).collect();
        assert_eq!(
            values,
            [
                &serde_json::json!({"id": "a2", "name": "x"}),
                &serde_json::json!({"id": "a3"})
            ]
        );
        assert_eq!(loaded[0].0, scope);
        assert_eq!(loaded[0].1, "Project");
    }

    #[test]
    fn a_file_that_is_not_a_database_is_a_clear_error() {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let path = directory.path().join("not-a-database");
        std::fs::write(&path, b"hello, this is text").expect("writes");
        let error = Database::open(&path).expect_err("not a database");
        assert!(
            error
                .to_string()
                .starts_with(&format!("the data file {}: ", path.display())),
            "{error}"
        );
    }
}
