// A required path parameter is an argument of the client's method.
fn fetch(client: &taskboard_v1::Client) -> taskboard_v1::builders::GetTask {
    client.get_task()
}

fn main() {
    let _ = fetch;
}
