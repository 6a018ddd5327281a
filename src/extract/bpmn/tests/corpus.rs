//! Every BPMN file of the shared corpus, and spot checks against what the files say.

use super::*;
use crate::diag::Severity;
use crate::extract::bpmn::extract;

macro_rules! corpus {
    ($path:literal) => {
        ($path, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/", $path)))
    };
}

const FILES: [(&str, &str); 7] = [
    corpus!(
        "camunda-bpm-examples/spring-boot-starter/external-task-client/loan-granting-spring-boot-webapp/src/main/resources/bpmn/loan-granting.bpmn"
    ),
    corpus!("camunda-bpm-examples/usertask/task-form-embedded-bpmn-events/src/main/resources/invoicePayment.bpmn"),
    corpus!(
        "camunda-bpm-examples/servicetask/service-invocation-asynchronous/src/main/resources/asynchronousServiceInvocation.bpmn"
    ),
    corpus!(
        "camunda-bpm-examples/multi-tenancy/tenant-identifier-shared-definitions/src/main/resources/processes/default/mainProcess.bpmn"
    ),
    corpus!("camunda-bpm-examples/clients/java/order-handling/order-handling.bpmn"),
    corpus!(
        "camunda-bpm-examples/process-engine-plugin/failed-job-retry-profile/src/main/resources/retry-example.bpmn"
    ),
    corpus!("cibseven-get-started/src/main/resources/loanApproval.bpmn"),
];

fn file(suffix: &str) -> Extracted {
    let (path, text) = FILES.iter().find(|(p, _)| p.ends_with(suffix)).expect("corpus file");
    extract(path, text)
}

#[test]
fn dump() {
    for (path, text) in FILES {
        let x = extract(path, text);
        println!("=== {path}");
        for n in &x.facts.nodes {
            println!("{:?} {:?} @{} {:?}", n.kind, n.name, n.source.line, n.scope);
            println!("   {:?}", n.attrs);
        }
        for e in &x.facts.edges {
            println!(
                "{:?} {:?}/{:?} -> {:?}/{:?} @{} {:?} {:?}",
                e.kind, e.from.name, e.from.scope, e.to.name, e.to.scope, e.source.line, e.resolve, e.detail
            );
        }
        println!("{:#?}", x.diagnostics);
    }
}
