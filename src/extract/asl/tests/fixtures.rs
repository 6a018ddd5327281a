//! Small inline state machines: defaults, malformed definitions, templated values.

use super::*;
use crate::extract::{Idempotency, Jitter, Resolve, Value};

fn asl(text: &str) -> Extracted {
    extract("sm/orders.asl.json", text)
}

fn warnings(x: &Extracted) -> Vec<(u32, &str)> {
    x.diagnostics.iter().filter(|d| d.code == "invalid-value").map(|d| (d.source.line, d.message.as_str())).collect()
}

const RETRY_DEFAULTS: &str = r#"{
  "StartAt": "Charge",
  "States": {
    "Charge": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": { "FunctionName": "arn:aws:lambda:eu-west-1:123456789012:function:ProcessPayment:live" },
      "Retry": [ { "ErrorEquals": ["States.ALL"] } ],
      "End": true
    }
  }
}"#;

#[test]
fn a_retrier_with_no_fields_has_asl_defaults() {
    let x = asl(RETRY_DEFAULTS);
    assert!(x.diagnostics.is_empty(), "{:#?}", x.diagnostics);
    assert_eq!(x.workflow_names(), ["orders"]);
    let r = retry(&x, "orders", "Charge", 0);
    assert_eq!(r.max_attempts, Value::Known(Some(4)));
    assert_eq!(r.limit_text.as_deref(), Some("MaxAttempts 3 (default)"));
    assert_eq!((r.initial_delay_ms.clone(), r.factor.clone()), (Value::Known(1_000), Value::Known(2.0)));
    assert_eq!((r.max_delay_ms.clone(), r.jitter.clone()), (Value::Known(None), Jitter::None));
    assert_eq!(schedule(r), [1_000, 2_000, 4_000]);
    assert_eq!(r.text, "ErrorEquals [States.ALL]");
    assert_eq!((r.source.line, r.source.column), (8, 18));
    edge(&x, EdgeKind::DependsOn, "Charge", "lambda ProcessPayment");
    let contains = edge(&x, EdgeKind::Contains, "orders", "Charge");
    assert_eq!((contains.resolve, contains.source.line), (Resolve::Required, 4));
}

#[test]
fn max_attempts_zero_is_one_attempt_and_max_delay_with_full_jitter() {
    let x = asl(r#"{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
      "Parameters": {"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo", "MessageBody.$": "$",
                     "MessageDeduplicationId.$": "$.orderId"},
      "Retry": [
        {"ErrorEquals": ["SQS.ThrottlingException"], "MaxAttempts": 0},
        {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3, "BackoffRate": 3, "MaxAttempts": 5,
         "MaxDelaySeconds": 20, "JitterStrategy": "FULL"}],
      "End": true}}}"#);
    assert!(x.diagnostics.is_empty(), "{:#?}", x.diagnostics);
    let never = retry(&x, "orders", "A", 0);
    assert_eq!((never.max_attempts.clone(), schedule(never)), (Value::Known(Some(1)), vec![]));
    let capped = retry(&x, "orders", "A", 1);
    assert_eq!(schedule(capped), [3_000, 9_000, 20_000, 20_000, 20_000]);
    assert_eq!(capped.jitter, Jitter::Full);
    assert_eq!(capped.limit_text.as_deref(), Some("MaxAttempts 5"));
    let a = step(&x, "orders", "A");
    assert_eq!(a.attrs.side_effects[0].value, "sends a message to sqs orders.fifo");
    assert_eq!(
        a.attrs.idempotent.as_ref().map(|i| &i.value),
        Some(&Idempotency::Key("MessageDeduplicationId $.orderId".into()))
    );
}

#[test]
fn a_next_to_nowhere_is_a_required_edge_with_its_line() {
    let x = asl(
        "{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\"Type\": \"Pass\",\n      \"Next\": \"Nowhere\"}\n  }\n}",
    );
    assert!(x.diagnostics.is_empty(), "{:#?}", x.diagnostics);
    let e = edge(&x, EdgeKind::Next, "A", "Nowhere");
    assert_eq!(
        (e.resolve, e.to.scope.as_deref(), e.to.kind),
        (Resolve::Required, Some("orders"), Some(NodeKind::Step))
    );
    assert_eq!((e.source.line, e.source.column), (5, 15));
    assert!(step(&x, "orders", "A").attrs.activity.is_none());
}

#[test]
fn a_missing_start_at_is_a_warning_and_the_states_are_still_read() {
    let x = asl("{\n  \"States\": {\n    \"A\": {\"Type\": \"Succeed\"}\n  }\n}");
    assert_eq!(warnings(&x), [(1, "`orders` needs `StartAt` naming its first state")]);
    assert_eq!(x.step_names("orders"), ["A"]);
    let x = asl("{\"StartAt\": \"B\",\n \"States\": {\"A\": {\"Type\": \"Succeed\"}}}");
    assert_eq!(warnings(&x), [(1, "`StartAt` must name a state of `orders`; there is no state `B`")]);
    assert!(edges_from(&x, EdgeKind::Next, "orders").is_empty());
}

#[test]
fn a_non_numeric_max_attempts_is_a_warning_and_unknown() {
    let x = asl(
        "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::lambda:invoke\",\n  \"Retry\": [{\"ErrorEquals\": [\"States.ALL\"],\n    \"MaxAttempts\": \"lots\"}], \"End\": true}}}",
    );
    assert_eq!(warnings(&x), [(3, "`MaxAttempts` must be a whole number of retries (0 or more), found `lots`")]);
    let r = retry(&x, "orders", "A", 0);
    assert_eq!(r.max_attempts, Value::Unknown { expr: "lots".into() });
    assert_eq!(r.limit_text.as_deref(), Some("MaxAttempts lots"));
}

#[test]
fn a_state_without_type_is_a_warning_and_its_transitions_are_kept() {
    let x = asl("{\"StartAt\": \"A\", \"States\": {\n\"A\": {\"Next\": \"B\"},\n\"B\": {\"Type\": \"Succeed\"}}}");
    assert_eq!(warnings(&x).len(), 1);
    assert_eq!(warnings(&x)[0].0, 2);
    assert!(warnings(&x)[0].1.starts_with("state `A` needs a `Type`"));
    edge(&x, EdgeKind::Next, "A", "B");
}

#[test]
fn templated_values_are_kept_as_text() {
    let x = asl(r#"{"StartAt": "A", "TimeoutSeconds": 3600, "States": {"A": {"Type": "Task",
      "Resource": "${ProcessFunctionArn}", "TimeoutSeconds": "${TaskTimeout}", "HeartbeatSeconds": 60,
      "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": "${Retries}"}], "Next": "B"},
      "B": {"Type": "Task", "Resource": "arn:aws:states:${AWS::Region}:${AWS::AccountId}:activity:approve",
            "TimeoutSecondsPath": "$.timeout", "End": true}}}"#);
    assert!(x.diagnostics.is_empty(), "{:#?}", x.diagnostics);
    assert_eq!(workflow(&x, "orders").attrs.deadline.as_ref().map(|d| d.value.clone()), Some(Value::Known(3_600_000)));
    let a = step(&x, "orders", "A");
    assert_eq!(a.attrs.activity.as_ref().unwrap().value, "invoke ${ProcessFunctionArn}");
    edge(&x, EdgeKind::DependsOn, "A", "${ProcessFunctionArn}");
    assert_eq!(a.attrs.timeouts[0].ms, Value::Unknown { expr: "${TaskTimeout}".into() });
    assert_eq!(a.attrs.heartbeat_ms.as_ref().map(|h| h.value.clone()), Some(Value::Known(60_000)));
    assert_eq!(retry(&x, "orders", "A", 0).max_attempts, Value::Unknown { expr: "${Retries}".into() });
    let b = step(&x, "orders", "B");
    assert_eq!(b.attrs.waits.as_ref().unwrap().value, "activity worker approve");
    assert_eq!(b.attrs.timeouts[0].ms, Value::Unknown { expr: "$.timeout".into() });
    edge(&x, EdgeKind::DependsOn, "B", "activity approve");
}

#[test]
fn yaml_asl_with_jsonata() {
    let text = "QueryLanguage: JSONata\nStartAt: Check\nStates:\n  Check:\n    Type: Choice\n    Choices:\n      - Condition: \"{% $states.input.total > 100 %}\"\n        Next: Review\n    Default: Done\n  Review:\n    Type: Task\n    Resource: arn:aws:states:::dynamodb:putItem\n    Arguments:\n      TableName: reviews\n      ConditionExpression: attribute_not_exists(id)\n    TimeoutSeconds: \"{% $timeout %}\"\n    Catch:\n      - ErrorEquals: [States.ALL]\n        Next: Done\n    Next: Done\n  Done:\n    Type: Succeed\n";
    let x = extract("flows/review.asl.yaml", text);
    assert!(x.diagnostics.is_empty(), "{:#?}", x.diagnostics);
    assert_eq!(x.workflow_names(), ["review"]);
    let rule = edge(&x, EdgeKind::Next, "Check", "Review");
    assert_eq!((rule.detail.as_deref(), rule.source.line), (Some("$states.input.total > 100"), 8));
    let r = step(&x, "review", "Review");
    assert_eq!(r.attrs.timeouts[0].ms, Value::Unknown { expr: "{% $timeout %}".into() });
    assert_eq!(r.attrs.side_effects[0].value, "writes an item to dynamodb reviews");
    assert_eq!(
        r.attrs.idempotent.as_ref().map(|i| &i.value),
        Some(&Idempotency::Key("ConditionExpression attribute_not_exists(id)".into()))
    );
    assert_eq!(r.attrs.error_handling[0].value, "Catch States.ALL -> Done");
    assert_eq!(edge(&x, EdgeKind::OnError, "Review", "Done").source.line, 19);
}

#[test]
fn a_broken_json_file_is_one_parse_error_with_its_line() {
    let x = asl("{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\"Type\": \"Pass\" \"End\": true}\n  }\n}");
    assert_eq!(x.diagnostics.len(), 1, "{:#?}", x.diagnostics);
    let d = &x.diagnostics[0];
    assert_eq!((d.code.as_str(), d.severity, d.source.line), ("parse-error", Severity::Error, 4));
    assert!(d.message.starts_with("invalid ASL: "), "{}", d.message);
    assert!(x.facts.nodes.is_empty());
}

#[test]
fn nesting_is_bounded_without_panicking() {
    let mut text = String::from(r#"{"Type": "Succeed"}"#);
    for _ in 0..10 {
        text = format!(
            r#"{{"Type": "Parallel", "End": true, "Branches": [{{"StartAt": "P", "States": {{"P": {text}}}}}]}}"#
        );
    }
    let x = asl(&format!(r#"{{"StartAt": "P", "States": {{"P": {text}}}}}"#));
    assert_eq!(warnings(&x).len(), 1, "{:#?}", x.diagnostics);
    assert!(warnings(&x)[0].1.contains("nested deeper than 8"));
    assert_eq!(x.workflow_names().len(), 9);
}

#[test]
fn a_file_too_deep_to_parse_is_a_parse_error_at_its_line() {
    let text = format!("{{\"StartAt\": \"A\",\n \"States\": {}1{}}}", "[".repeat(500), "]".repeat(500));
    let x = asl(&text);
    assert_eq!(x.diagnostics.len(), 1);
    assert_eq!((x.diagnostics[0].code.as_str(), x.diagnostics[0].source.line), ("parse-error", 2));
}

#[test]
fn claims_state_machines_and_templates_only() {
    assert!(claims(RETRY_DEFAULTS));
    assert!(claims("Resources:\n  M:\n    Type: AWS::Serverless::StateMachine\n"));
    assert!(claims("{\"Type\": \"AWS::StepFunctions::StateMachine\"}"));
    assert!(!claims("services:\n  web:\n    image: nginx\n"));
    // Claimed by its words but not a state machine: a sniffed file says nothing.
    let x = extract("config/app.json", "{\"note\": \"StartAt and States are ASL words\"}");
    assert_eq!(x, Extracted::default());
}

#[test]
fn a_sniffed_state_machine_is_named_by_its_file() {
    let x = extract("machines/refund.json", RETRY_DEFAULTS);
    assert_eq!(x.workflow_names(), ["refund"]);
    assert_eq!(x.step_names("refund"), ["Charge"]);
}

#[test]
fn integrations_name_their_targets_and_only_writes_are_side_effects() {
    let x = asl(r#"{"StartAt": "Get", "States": {
      "Get": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
              "Parameters": {"ApiEndpoint": "https://erp.example.com/orders", "Method": "GET"}, "Next": "Drop"},
      "Drop": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:deleteItem",
               "Parameters": {"TableName": "arn:aws:dynamodb:eu-west-1:123456789012:table/carts"}, "Next": "Emit"},
      "Emit": {"Type": "Task", "Resource": "arn:aws:states:::events:putEvents",
               "Parameters": {"Entries": [{"Source": "shop", "DetailType": "Dropped"}]}, "Next": "Call"},
      "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
               "Parameters": {"FunctionName.$": "$.handler"}, "Next": "Child"},
      "Child": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": "arn:aws:states:eu-west-1:123456789012:stateMachine:refund",
                               "Name.$": "$.orderId"}, "Next": "Route"},
      "Route": {"Type": "Choice", "Choices": [
                  {"And": [{"Variable": "$.total", "NumericGreaterThan": 100}, {"Not": {"Variable": "$.vip", "BooleanEquals": true}}],
                   "Next": "Get"}],
                "Default": "Done"},
      "Done": {"Type": "Succeed"}}}"#);
    assert!(x.diagnostics.is_empty(), "{:#?}", x.diagnostics);
    let effects =
        |name: &str| step(&x, "orders", name).attrs.side_effects.iter().map(|e| e.value.clone()).collect::<Vec<_>>();
    edge(&x, EdgeKind::DependsOn, "Get", "http https://erp.example.com/orders");
    assert!(effects("Get").is_empty());
    edge(&x, EdgeKind::DependsOn, "Drop", "dynamodb carts");
    assert_eq!(effects("Drop"), ["deletes an item from dynamodb carts"]);
    edge(&x, EdgeKind::DependsOn, "Emit", "events default");
    assert_eq!(effects("Emit"), ["puts events on event bus default"]);
    // A function chosen at run time: the dependency is on Lambda itself.
    edge(&x, EdgeKind::DependsOn, "Call", "lambda");
    edge(&x, EdgeKind::DependsOn, "Child", "states refund");
    let child = step(&x, "orders", "Child");
    assert_eq!(child.attrs.activity.as_ref().unwrap().value, "states startExecution (runs to completion)");
    assert_eq!(
        child.attrs.idempotent.as_ref().map(|i| &i.value),
        Some(&Idempotency::Key("execution Name $.orderId".into()))
    );
    assert!(child.attrs.waits.is_none());
    let rule = edge(&x, EdgeKind::Next, "Route", "Get");
    assert_eq!(rule.detail.as_deref(), Some("($.total NumericGreaterThan 100 and not $.vip BooleanEquals true)"));
    assert!(step(&x, "orders", "Route").attrs.activity.is_none());
}
