//! GitHub Actions workflows: jobs as steps, `needs` as edges, timeouts and reusable calls.

use crate::extract::Extracted;

pub fn extract(_path: &str, _text: &str) -> Extracted {
    Extracted::default()
}
