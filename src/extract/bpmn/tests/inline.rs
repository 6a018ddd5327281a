//! Small models written for the test: the shapes the corpus does not show, and broken files.

use super::*;
use crate::analyze::analyze;
use crate::config::Config;
use crate::diag::Severity;
use crate::extract::bpmn::extract;
use crate::extract::{Resolve, Value};
use crate::model;

/// A definitions element in the default namespace (no prefix), with Camunda as `camunda:`.
fn model(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" \
         xmlns:camunda=\"http://camunda.org/schema/1.0/bpmn\" id=\"d\">\n{body}\n</definitions>\n"
    )
}

fn read(body: &str) -> Extracted {
    extract("ship.bpmn", &model(body))
}

const TIMERS: &str = r#"<process id="ship" name="Ship order">
  <startEvent id="s" />
  <sequenceFlow id="f1" sourceRef="s" targetRef="charge" />
  <serviceTask id="charge" name="Charge card" camunda:asyncBefore="true" camunda:class="com.acme.Charge">
    <extensionElements><camunda:failedJobRetryTimeCycle>R3/PT10M</camunda:failedJobRetryTimeCycle></extensionElements>
  </serviceTask>
  <boundaryEvent id="t1" name="Too slow" attachedToRef="charge">
    <timerEventDefinition><timeDuration>PT30M</timeDuration></timerEventDefinition>
  </boundaryEvent>
  <sequenceFlow id="f2" sourceRef="t1" targetRef="alert" />
  <sendTask id="alert" name="Tell support" messageRef="m1" />
  <sequenceFlow id="f3" sourceRef="charge" targetRef="wait" />
  <intermediateCatchEvent id="wait" name="Cool down">
    <timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition>
  </intermediateCatchEvent>
  <sequenceFlow id="f4" sourceRef="wait" targetRef="approve" />
  <userTask id="approve" name="Approve" camunda:candidateGroups="ops" />
  <boundaryEvent id="t2" name="Remind" attachedToRef="approve" cancelActivity="false">
    <timerEventDefinition><timeDuration>P1D</timeDuration></timerEventDefinition>
  </boundaryEvent>
  <sequenceFlow id="f5" sourceRef="t2" targetRef="alert" />
  <sequenceFlow id="f6" sourceRef="approve" targetRef="e" />
  <endEvent id="e" />
</process>
<message id="m1" name="support-ticket" />"#;

#[test]
fn r3_pt10m_on_an_async_task_is_a_camunda_retry() {
    let x = read(TIMERS);
    assert!(x.diagnostics.is_empty(), "{:#?}", x.diagnostics);
    let charge = step(&x, "Charge card");
    assert_eq!(charge.attrs.activity.as_ref().unwrap().value, "service task (class com.acme.Charge)");
    let r = &charge.attrs.retries[0];
    assert_eq!(r.text, "R3/PT10M");
    assert_eq!(r.max_attempts, Value::Known(Some(3)));
    assert_eq!(r.initial_delay_ms, Value::Known(600_000));
    assert_eq!(r.source.line, 7);
}

#[test]
fn an_interrupting_timer_is_a_timeout_and_an_error_path() {
    let x = read(TIMERS);
    let charge = step(&x, "Charge card");
    let t = &charge.attrs.timeouts[0];
    assert_eq!(
        (t.library.as_str(), t.text.as_str(), t.ms.known()),
        ("bpmn timer boundary event", "PT30M", Some(1_800_000))
    );
    assert_eq!(charge.attrs.error_handling[0].value, "timer boundary event PT30M -> Tell support");
    let e = edges_of(&x, EdgeKind::OnError)[0];
    assert_eq!((e.from.name.as_str(), e.to.name.as_str()), ("Charge card", "Tell support"));
    assert_eq!(e.detail.as_deref(), Some("timeout PT30M"));
    // With a timeout, three attempts of at most 30 min and two 10-min delays bound the task;
    // the timer catch event adds its hour; the user task has no bound.
    let graph = model::build([&x.facts]);
    let a = analyze(&graph, &[], &Config::default());
    let id = &graph.nodes().find(|(_, n)| n.name == "Charge card").unwrap().1.id;
    assert_eq!(a.retry[id].worst_case_ms, Some(3 * 1_800_000 + 2 * 600_000));
    let ship = &a.workflows["workflow:ship-order"];
    assert_eq!(ship.worst_case_ms, None);
    assert_eq!(ship.known_ms, 3 * 1_800_000 + 2 * 600_000 + 3_600_000);
}

#[test]
fn a_non_interrupting_timer_is_no_timeout() {
    let x = read(TIMERS);
    let approve = step(&x, "Approve");
    assert!(approve.attrs.timeouts.is_empty());
    assert!(approve.attrs.error_handling.is_empty());
    assert!(approve.attrs.description.as_deref().unwrap().contains("non-interrupting timer"));
    assert_eq!(approve.attrs.waits.as_ref().unwrap().value, "a person: candidate groups ops");
    let next = edges_of(&x, EdgeKind::Next);
    let remind = next.iter().find(|e| e.from.name == "Approve" && e.to.name == "Tell support").unwrap();
    assert_eq!(remind.detail.as_deref(), Some("non-interrupting timer P1D"));
}

#[test]
fn timer_catch_waits_and_send_task_is_a_side_effect() {
    let x = read(TIMERS);
    let wait = step(&x, "Cool down");
    assert_eq!(wait.attrs.duration_ms.as_ref().unwrap().value, Value::Known(3_600_000));
    assert!(wait.attrs.activity.is_none());
    let alert = step(&x, "Tell support");
    assert_eq!(alert.attrs.side_effects[0].value, "sends message support-ticket");
    assert_eq!(alert.attrs.activity.as_ref().unwrap().value, "send task");
    // The workflow points at its start event.
    let starts: Vec<_> =
        edges_of(&x, EdgeKind::Next).into_iter().filter(|e| e.from.kind == Some(NodeKind::Workflow)).collect();
    assert_eq!(starts.len(), 1);
    assert_eq!(starts[0].to.name, "s");
}

#[test]
fn a_flow_to_a_missing_id_dangles_at_its_line() {
    let x = read(
        r#"<process id="p">
  <startEvent id="s" />
  <sequenceFlow id="f1" sourceRef="s" targetRef="nowhere" />
</process>"#,
    );
    let e = edges_of(&x, EdgeKind::Next).into_iter().find(|e| e.to.name == "nowhere").unwrap();
    assert_eq!((e.resolve, e.source.line, e.to.scope.as_deref()), (Resolve::Required, 5, Some("p")));
    let graph = model::build([&x.facts]);
    assert_eq!(graph.dangling.len(), 1);
    assert_eq!((graph.dangling[0].name.as_str(), graph.dangling[0].source.line), ("nowhere", 5));
}

#[test]
fn broken_xml_is_one_parse_error_at_its_line() {
    let x = extract("broken.bpmn", "<definitions>\n  <process id=\"p\">\n  </proc>\n</definitions>\n");
    assert_eq!(x.diagnostics.len(), 1);
    let d = &x.diagnostics[0];
    assert_eq!((d.code.as_str(), d.severity, d.source.line), ("parse-error", Severity::Error, 3));
    assert!(d.message.starts_with("invalid BPMN XML"), "{}", d.message);
    assert!(x.facts.nodes.is_empty());
}

#[test]
fn a_file_without_a_process_says_nothing() {
    let x = read(r#"<collaboration id="c" />"#);
    assert_eq!(x, Extracted::default());
    let x = extract("other.bpmn", "<definitions xmlns=\"urn:not-bpmn\"><process id=\"p\"/></definitions>");
    assert_eq!(x, Extracted::default());
}

#[test]
fn duplicate_names_are_qualified_by_id() {
    let x = read(
        r#"<process id="p" name="Review">
  <userTask id="Task_1" name="Approve" />
  <userTask id="Task_2" name="Approve" />
  <sequenceFlow id="f" sourceRef="Task_1" targetRef="Task_2" />
</process>"#,
    );
    step(&x, "Approve");
    step(&x, "Approve (Task_2)");
    let e = edges_of(&x, EdgeKind::Next)[0];
    assert_eq!((e.from.name.as_str(), e.to.name.as_str()), ("Approve", "Approve (Task_2)"));
}

#[test]
fn malformed_elements_warn_and_the_rest_is_read() {
    let x = read(
        r#"<process id="p">
  <serviceTask id="a" camunda:asyncBefore="true">
    <extensionElements><camunda:failedJobRetryTimeCycle>three times</camunda:failedJobRetryTimeCycle></extensionElements>
  </serviceTask>
  <sequenceFlow id="f" targetRef="a" />
  <boundaryEvent id="b"><errorEventDefinition /></boundaryEvent>
  <intermediateCatchEvent id="w"><timerEventDefinition><timeDuration>soon</timeDuration></timerEventDefinition></intermediateCatchEvent>
</process>"#,
    );
    let lines: Vec<(u32, &str)> = x.diagnostics.iter().map(|d| (d.source.line, d.code.as_str())).collect();
    assert_eq!(lines, [(5, "invalid-value"), (9, "invalid-value"), (7, "invalid-value"), (8, "invalid-value")]);
    assert!(x.diagnostics.iter().all(|d| d.severity == Severity::Warning));
    assert!(step(&x, "a").attrs.retries.is_empty());
    assert_eq!(step(&x, "w").attrs.duration_ms.as_ref().unwrap().value, Value::Unknown { expr: "soon".into() });
}

#[test]
fn async_without_a_cycle_gets_the_engine_default() {
    let x = read(
        r#"<process id="p">
  <serviceTask id="a" name="Book" camunda:asyncAfter="true" camunda:delegateExpression="${booker}" />
  <serviceTask id="b" name="Sync">
    <extensionElements><camunda:failedJobRetryTimeCycle>PT1M,PT5M,PT10M</camunda:failedJobRetryTimeCycle></extensionElements>
  </serviceTask>
</process>"#,
    );
    let r = &step(&x, "Book").attrs.retries[0];
    assert_eq!((r.limit_text.as_deref(), r.max_attempts.clone()), (Some("default (3 tries)"), Value::Known(Some(3))));
    assert_eq!(r.initial_delay_ms, Value::Known(0));
    let sync = step(&x, "Sync");
    assert_eq!(sync.attrs.retries[0].max_attempts, Value::Known(Some(4)));
    assert!(sync.attrs.description.as_deref().unwrap().contains("applies to jobs only"));
}

#[test]
fn event_sub_process_and_compensation_are_error_handling() {
    let x = read(
        r#"<process id="p" name="Pay">
  <serviceTask id="debit" name="Debit" />
  <boundaryEvent id="c" attachedToRef="debit"><compensateEventDefinition /></boundaryEvent>
  <serviceTask id="refund" name="Refund" isForCompensation="true" />
  <association id="a" associationDirection="One" sourceRef="c" targetRef="refund" />
  <subProcess id="on_fail" name="Handle failure" triggeredByEvent="true">
    <startEvent id="fs"><errorEventDefinition errorRef="E" /></startEvent>
  </subProcess>
  <callActivity id="call" name="Notify" calledElement="notify" />
</process>
<process id="notify" name="Notify customer" />
<error id="E" errorCode="PAYMENT_FAILED" />"#,
    );
    let debit = step(&x, "Debit");
    assert_eq!(debit.attrs.error_handling[0].value, "compensation -> Refund");
    let e = edges_of(&x, EdgeKind::OnError)[0];
    assert_eq!((e.to.name.as_str(), e.detail.as_deref()), ("Refund", Some("compensation")));
    let pay = x.facts.nodes.iter().find(|n| n.name == "Pay").unwrap();
    assert_eq!(pay.attrs.error_handling[0].value, "error event sub-process PAYMENT_FAILED -> Pay › Handle failure");
    // A call to a process of the same file names that workflow.
    let call = edges_of(&x, EdgeKind::Calls)[0];
    assert_eq!(call.to.name, "Notify customer");
    assert_eq!(step(&x, "Notify").attrs.activity.as_ref().unwrap().value, "call activity Notify customer");
    let graph = model::build([&x.facts]);
    assert!(graph.dangling.is_empty(), "{:#?}", graph.dangling);
}

#[test]
fn deep_nesting_stops_with_a_warning() {
    let mut body = String::from("<process id=\"p\">");
    for i in 0..40 {
        body.push_str(&format!("<subProcess id=\"s{i}\">"));
    }
    body.push_str(&"</subProcess>".repeat(40));
    body.push_str("</process>");
    let x = read(&body);
    assert_eq!(x.diagnostics.len(), 1);
    assert_eq!(x.facts.nodes.iter().filter(|n| n.kind == NodeKind::Workflow).count(), super::super::MAX_DEPTH);
}

#[test]
fn a_process_without_a_name_takes_its_pool_name() {
    let x = read(
        r#"<collaboration id="c"><participant id="pool" name="Web shop" processRef="p1" /></collaboration>
<process id="p1"><startEvent id="s" /></process>"#,
    );
    assert_eq!(x.facts.nodes[0].name, "Web shop");
    assert_eq!(step(&x, "s").scope.as_deref(), Some("Web shop"));
}

#[test]
fn zeebe_job_types_retries_and_called_processes() {
    let x = extract(
        "c8.bpmn",
        r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="order" name="Order">
    <bpmn:serviceTask id="charge" name="Charge">
      <bpmn:extensionElements><zeebe:taskDefinition type="charge-card" retries="5" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:serviceTask id="ship" name="Ship">
      <bpmn:extensionElements><zeebe:taskDefinition type="ship" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:userTask id="ok" name="Check">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="sales" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:callActivity id="c" name="Invoice">
      <bpmn:extensionElements><zeebe:calledElement processId="invoice" /></bpmn:extensionElements>
    </bpmn:callActivity>
  </bpmn:process>
</bpmn:definitions>"#,
    );
    let charge = step(&x, "Charge");
    assert_eq!(charge.attrs.activity.as_ref().unwrap().value, "service task (job type \"charge-card\")");
    assert_eq!(charge.attrs.waits.as_ref().unwrap().value, "a job worker of type \"charge-card\"");
    let r = &charge.attrs.retries[0];
    assert_eq!((r.library.as_str(), r.max_attempts.clone()), ("zeebe", Value::Known(Some(5))));
    assert!(matches!(r.initial_delay_ms, Value::Unknown { .. }));
    assert_eq!(r.source.line, 5);
    assert_eq!(step(&x, "Ship").attrs.retries[0].limit_text.as_deref(), Some("default (3 tries)"));
    assert_eq!(step(&x, "Check").attrs.waits.as_ref().unwrap().value, "a person: candidate groups sales");
    let call = edges_of(&x, EdgeKind::Calls)[0];
    assert_eq!((call.to.name.as_str(), call.source.line), ("invoice", 14));
}

#[test]
fn pass_through_tasks_cannot_fail() {
    let x = read(
        r#"<process id="p">
  <task id="t" name="Think" />
  <manualTask id="m" name="Sign paper" />
  <scriptTask id="s" name="Score" scriptFormat="groovy"><script>1</script></scriptTask>
</process>"#,
    );
    assert!(step(&x, "Think").attrs.activity.is_none());
    assert!(step(&x, "Sign paper").attrs.activity.is_none());
    assert!(step(&x, "Sign paper").attrs.description.as_deref().unwrap().contains("outside the engine"));
    assert_eq!(step(&x, "Score").attrs.activity.as_ref().unwrap().value, "script task (groovy)");
}
