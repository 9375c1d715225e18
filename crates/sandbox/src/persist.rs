//! Optional persistence (`--data FILE`): every resource written through to an embedded
//! database, and read back when the sandbox starts, so that a shared development sandbox keeps
//! its data across restarts.
//!
//! The store is redb: pure Rust (no C toolchain, unlike SQLite through rusqlite's `bundled`
//! feature, and quick to build), ACID and crash-safe by default, with a stable file format
//! since 1.0 and active maintenance. The sandbox needs a key-value table, not SQL: one entry per
//! resource, keyed by major, organisation, table and id (ids count up, so key order is creation
//! order), whose value is the resource's JSON. Uploaded files' bytes are not kept.
//!
//! Writes go to a thread of their own, which commits whatever has queued up in one durable
//! transaction: a request never waits for the disk, and a burst of writes costs one sync.
//! Dropping the [`Database`] waits for the queue to be written.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;

use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use serde_json::Value;

use crate::resources::Scope;

const RESOURCES: TableDefinition<&str, &str> = TableDefinition::new("resources");

/// Separates the parts of a key; never in a base path, organisation, schema name or id that a
/// client could send (the sandbox's ids are its own).
const SEPARATOR: char = '\u{1f}';

/// The most writes committed in one transaction.
const BATCH: usize = 1024;

/// A saved resource: its scope, table and value.
pub type Saved = (Scope, String, Value);

enum Write {
    Put(String, String),
    Delete(String),
}

/// An open database of resources, written by its own thread.
pub struct Database {
    path: PathBuf,
    writes: Option<mpsc::Sender<Write>>,
    writer: Option<JoinHandle<()>>,
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

fn error(path: &Path, message: impl std::fmt::Display) -> crate::Error {
    crate::Error::Data {
        path: path.to_owned(),
        message: message.to_string(),
    }
}

/// Every resource saved in `database`, in key order: by scope, table, then creation.
fn load(path: &Path, database: &redb::Database) -> Result<Vec<Saved>, crate::Error> {
    let transaction = database.begin_read().map_err(|e| error(path, e))?;
    let table = match transaction.open_table(RESOURCES) {
        Ok(table) => table,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
        Err(e) => return Err(error(path, e)),
    };
    let mut resources = Vec::new();
    for entry in table.iter().map_err(|e| error(path, e))? {
        let (key, value) = entry.map_err(|e| error(path, e))?;
        let parts: Vec<&str> = key.value().split(SEPARATOR).collect();
        let [base, organization, table, _id] = parts.as_slice() else {
            return Err(error(
                path,
                format!("a key of unknown shape: {:?}", key.value()),
            ));
        };
        let value: Value = serde_json::from_str(value.value())
            .map_err(|e| error(path, format!("a resource is not JSON: {e}")))?;
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

/// Commits queued writes, a batch at a time, until every sender is gone.
fn write_all(path: &Path, database: &redb::Database, writes: &mpsc::Receiver<Write>) {
    while let Ok(first) = writes.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match writes.try_recv() {
                Ok(write) => batch.push(write),
                Err(_) => break,
            }
        }
        let result = (|| -> Result<(), redb::Error> {
            let transaction = database.begin_write()?;
            {
                let mut table = transaction.open_table(RESOURCES)?;
                for write in &batch {
                    match write {
                        Write::Put(key, value) => {
                            table.insert(key.as_str(), value.as_str())?;
                        }
                        Write::Delete(key) => {
                            table.remove(key.as_str())?;
                        }
                    }
                }
            }
            transaction.commit()?;
            Ok(())
        })();
        if let Err(e) = result {
            tracing::error!(path = %path.display(), error = %e, lost = batch.len(), "could not save resources");
        }
    }
}

impl Database {
    /// Opens `path` (creating it when it does not exist) and reads what it holds.
    pub fn open(path: &Path) -> Result<(Database, Vec<Saved>), crate::Error> {
        let database = redb::Database::create(path).map_err(|e| error(path, e))?;
        let saved = load(path, &database)?;
        let (sender, receiver) = mpsc::channel();
        let thread_path = path.to_owned();
        let writer = std::thread::Builder::new()
            .name("sandbox-data".to_owned())
            .spawn(move || write_all(&thread_path, &database, &receiver))
            .map_err(|e| error(path, e))?;
        Ok((
            Database {
                path: path.to_owned(),
                writes: Some(sender),
                writer: Some(writer),
            },
            saved,
        ))
    }

    fn send(&self, write: Write) {
        if let Some(writes) = &self.writes
            && writes.send(write).is_err()
        {
            tracing::error!(path = %self.path.display(), "the data file's writer has stopped");
        }
    }

    /// Saves a resource (created or changed).
    pub fn put(&self, scope: &Scope, table: &str, id: &str, value: &Value) {
        self.send(Write::Put(key(scope, table, id), value.to_string()));
    }

    /// Forgets a resource.
    pub fn delete(&self, scope: &Scope, table: &str, id: &str) {
        self.send(Write::Delete(key(scope, table, id)));
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        // Closing the queue ends the writer once it has written everything queued.
        self.writes.take();
        if let Some(writer) = self.writer.take()
            && writer.join().is_err()
        {
            tracing::error!(path = %self.path.display(), "the data file's writer panicked");
        }
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
            let (database, saved) = Database::open(&path).expect("opens");
            assert!(saved.is_empty());
            for id in ["a1", "a2", "a3"] {
                database.put(&scope, "Project", id, &serde_json::json!({ "id": id }));
            }
            database.put(
                &scope,
                "Project",
                "a2",
                &serde_json::json!({ "id": "a2", "name": "x" }),
            );
            database.delete(&scope, "Project", "a1");
            // Dropping waits for the writes.
        }
        let (_database, loaded) = Database::open(&path).expect("opens again");
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
