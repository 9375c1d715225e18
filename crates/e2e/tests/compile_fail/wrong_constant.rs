// `event` allows one value, `task.updated`: the field's type is that constant, so no other
// string fits.
use taskboard_v2::chrono::{DateTime, Utc};
use taskboard_v2::types::{Task, TaskEvent};

fn renamed(task: Task, at: DateTime<Utc>) -> TaskEvent {
    let mut event = TaskEvent::new(task, at);
    event.event = "task.deleted";
    event
}

fn main() {
    let _ = renamed;
}
