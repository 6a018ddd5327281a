//! docker-compose files: services, depends_on, health checks, restart policies.

use crate::extract::Extracted;

pub fn extract(_path: &str, _text: &str) -> Extracted {
    Extracted::default()
}
