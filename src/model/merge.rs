//! Folding the attributes of several facts about one node into one set.

use crate::extract::NodeAttrs;

/// Folds one fact's attributes into a node's: the first value of a single field wins
/// (facts arrive sorted by source), lists are concatenated.
pub(super) fn merge(into: &mut NodeAttrs, from: &NodeAttrs) {
    // Destructured so that a new field cannot be forgotten here: the compiler names it.
    let NodeAttrs {
        description: _,
        function: _,
        owner: _,
        service: _,
        workflow: _,
        side_effects: _,
        idempotent: _,
        retries: _,
        timeouts: _,
        deadline: _,
        alerts: _,
        dashboard: _,
        runbook: _,
        failure_modes: _,
        recovery: _,
        health_checks: _,
        restart: _,
        image: _,
        http_calls: _,
        activity: _,
        waits: _,
        error_handling: _,
        duration_ms: _,
        heartbeat_ms: _,
        pod_labels: _,
        selector: _,
        handwritten: _,
    } = from;
    fn first<T: Clone>(a: &mut Option<T>, b: &Option<T>) {
        if a.is_none() {
            a.clone_from(b);
        }
    }
    fn all<T: Clone + PartialEq>(a: &mut Vec<T>, b: &[T]) {
        for x in b {
            if !a.contains(x) {
                a.push(x.clone());
            }
        }
    }
    first(&mut into.description, &from.description);
    first(&mut into.function, &from.function);
    first(&mut into.owner, &from.owner);
    first(&mut into.service, &from.service);
    first(&mut into.workflow, &from.workflow);
    all(&mut into.side_effects, &from.side_effects);
    first(&mut into.idempotent, &from.idempotent);
    all(&mut into.retries, &from.retries);
    all(&mut into.timeouts, &from.timeouts);
    first(&mut into.deadline, &from.deadline);
    all(&mut into.alerts, &from.alerts);
    first(&mut into.dashboard, &from.dashboard);
    first(&mut into.runbook, &from.runbook);
    all(&mut into.failure_modes, &from.failure_modes);
    all(&mut into.recovery, &from.recovery);
    all(&mut into.health_checks, &from.health_checks);
    first(&mut into.restart, &from.restart);
    first(&mut into.image, &from.image);
    all(&mut into.http_calls, &from.http_calls);
    first(&mut into.activity, &from.activity);
    first(&mut into.waits, &from.waits);
    all(&mut into.error_handling, &from.error_handling);
    first(&mut into.duration_ms, &from.duration_ms);
    first(&mut into.heartbeat_ms, &from.heartbeat_ms);
    all(&mut into.pod_labels, &from.pod_labels);
    first(&mut into.selector, &from.selector);
    first(&mut into.handwritten, &from.handwritten);
}
