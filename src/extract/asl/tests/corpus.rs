//! The extractor on the real state machines and SAM templates of `shared/corpus/stepfunctions-examples`.

use super::*;
use crate::extract::{Idempotency, Jitter, Resolve, Value};

/// Every ASL file and template below the corpus folder, in a stable order.
fn corpus_files() -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(CORPUS)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if path.is_dir() {
                stack.push(path);
            } else if name.contains(".asl.") || name == "template.yaml" {
                files.push(path.to_string_lossy().trim_start_matches(CORPUS).to_string());
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_state_machine_in_the_corpus_extracts_without_problems() {
    let files = corpus_files();
    assert_eq!(files.len(), 31, "{files:#?}");
    let (mut machines, mut states) = (0, 0);
    for f in &files {
        let x = corpus(f);
        assert!(problems(&x).is_empty(), "{f}: {:#?}", problems(&x));
        assert!(!x.workflow_names().is_empty(), "{f}: no workflow");
        machines += x.workflow_names().len();
        states += step_count(&x);
        // Every transition, catcher and StartAt in the corpus names a state of its own scope.
        for e in x.facts.edges.iter().filter(|e| e.resolve == Resolve::Required) {
            let found =
                x.facts.nodes.iter().any(|n| n.name == e.to.name && n.scope == e.to.scope && Some(n.kind) == e.to.kind);
            assert!(found, "{f}: dangling {e:?}");
        }
    }
    assert_eq!((machines, states), (62, 232));
}

#[test]
fn per_file_workflow_and_state_counts() {
    let cases: [(&str, usize, usize); 8] = [
        ("sam/app-order-management/statemachines/ship-order.asl.json", 2, 18),
        ("sam/app-control-concurrency-with-dynamodb/statemachines/dynamodb-semaphore.asl.json", 3, 15),
        ("sam/app-meeting-summarization/statemachines/transcribe_file.asl.yaml", 1, 12),
        ("sam/app-kyc-with-eventbridge/statemachine/kyc.asl.yaml", 3, 11),
        ("sam/demo-distributed-map-data-processing/statemachines/copy-noaa-data-us-east-1.asl.json", 3, 7),
        ("usecases/genai-prompt-chaining-hitl/src/workflow.asl.json", 3, 15),
        ("sam/app-meeting-summarization/template.yaml", 5, 0),
        ("sam/app-decompose-for-parallelism/template.yaml", 4, 0),
    ];
    for (f, wfs, sts) in cases {
        let x = corpus(f);
        assert_eq!((x.workflow_names().len(), step_count(&x)), (wfs, sts), "{f}");
    }
}

#[test]
fn ship_order_retriers_show_their_schedules() {
    let x = corpus("sam/app-order-management/statemachines/ship-order.asl.json");
    assert_eq!(x.workflow_names(), ["ship-order", "ship-order › Reserve Products › iterator"]);
    assert_eq!(
        workflow(&x, "ship-order").attrs.description.as_deref(),
        Some("Handle new order events complete shipping.")
    );
    let start = edge(&x, EdgeKind::Next, "ship-order", "Validate Input");
    assert_eq!((start.source.line, start.to.scope.as_deref()), (3, Some("ship-order")));

    let s = step(&x, "ship-order", "Get Customer Status");
    assert_eq!((s.source.line, s.source.column), (34, 7));
    assert_eq!(activity(&x, "ship-order", "Get Customer Status"), Some("lambda invoke"));
    assert_eq!(s.attrs.retries.len(), 2);
    let r = retry(&x, "ship-order", "Get Customer Status", 0);
    assert_eq!(r.max_attempts, Value::Known(Some(7)));
    assert_eq!(r.limit_text.as_deref(), Some("MaxAttempts 6"));
    assert_eq!(r.initial_delay_ms, Value::Known(2_000));
    assert_eq!(schedule(r), [2_000, 4_000, 8_000, 16_000, 32_000, 64_000]);
    assert_eq!(r.on_errors, ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException"]);
    assert_eq!((r.library.as_str(), r.source.line), ("asl", 43));
    let r = retry(&x, "ship-order", "Get Customer Status", 1);
    assert_eq!((r.max_attempts.clone(), schedule(r)), (Value::Known(Some(6)), vec![1_000; 5]));
    assert_eq!(r.on_errors, ["States.ALL"]);

    let dep = edge(&x, EdgeKind::DependsOn, "Get Customer Status", "lambda ${LambdaGetCustomerStatus}");
    assert_eq!((dep.resolve, dep.to.kind, dep.source.line), (Resolve::External, Some(NodeKind::Resource), 39));
    // Lambda may or may not change something: nothing is claimed.
    assert!(s.attrs.side_effects.is_empty());
}

#[test]
fn ship_order_callback_task_waits_with_a_timeout_and_a_catch() {
    let x = corpus("sam/app-order-management/statemachines/ship-order.asl.json");
    let s = step(&x, "ship-order", "Initate Packaging and Shipping");
    assert_eq!(s.attrs.waits.as_ref().map(|w| w.value.as_str()), Some("task token (.waitForTaskToken)"));
    assert_eq!(s.attrs.activity.as_ref().unwrap().value, "sqs sendMessage (waits for a task token)");
    let t = &s.attrs.timeouts[0];
    assert_eq!(
        (t.ms.clone(), t.source.line, t.library.as_str()),
        (Value::Known(10_800_000), 188, "asl TimeoutSeconds")
    );
    assert_eq!(t.text, "TimeoutSeconds 10800");
    assert_eq!(s.attrs.side_effects[0].value, "sends a message to sqs ${PackageAndShipQueue}");
    assert_eq!(s.attrs.error_handling[0].value, "Catch States.TaskFailed -> Notify Packaging and Shipping Failed");
    let catch = edge(&x, EdgeKind::OnError, "Initate Packaging and Shipping", "Notify Packaging and Shipping Failed");
    assert_eq!((catch.source.line, catch.detail.as_deref()), (194, Some("States.TaskFailed")));
    assert_eq!(catch.to.scope.as_deref(), Some("ship-order"));
    let n = step(&x, "ship-order", "Notify New Order");
    assert_eq!(n.attrs.side_effects[0].value, "publishes a message to sns ${SnsNewOrderTopic}");
    let fail = step(&x, "ship-order", "Order Shipping Failed");
    assert!(fail.attrs.activity.is_none());
    assert_eq!(fail.attrs.description.as_deref(), Some("Fails the execution with `order_shipping_failed`."));
}

#[test]
fn ship_order_map_iterator_is_a_nested_workflow_with_a_wait() {
    let x = corpus("sam/app-order-management/statemachines/ship-order.asl.json");
    let inner = "ship-order › Reserve Products › iterator";
    assert_eq!(
        x.step_names(inner),
        ["Reserve Product", "Choice", "Reservation Successful", "Notify Delayed", "Wait for availability"]
    );
    assert_eq!(activity(&x, "ship-order", "Reserve Products"), Some("map"));
    let c = edge(&x, EdgeKind::Contains, "Reserve Products", inner);
    assert_eq!((c.from.scope.as_deref(), c.to.kind, c.source.line), (Some("ship-order"), Some(NodeKind::Workflow), 87));
    assert_eq!(edge(&x, EdgeKind::Next, inner, "Reserve Product").to.scope.as_deref(), Some(inner));
    let wait = step(&x, inner, "Wait for availability");
    assert!(wait.attrs.activity.is_none());
    assert_eq!(
        wait.attrs.duration_ms.as_ref().map(|d| (d.value.clone(), d.source.line)),
        Some((Value::Known(10_000), 149))
    );
    let choice = edge(&x, EdgeKind::Next, "Choice", "Notify Delayed");
    assert_eq!(choice.detail.as_deref(), Some("$.reservation_status StringEquals temporarily-unavailable"));
    assert_eq!(edge(&x, EdgeKind::Next, "Choice", "Reservation Successful").detail.as_deref(), Some("Default"));
}

#[test]
fn semaphore_conditional_writes_are_idempotent_and_max_attempts_zero_is_one_attempt() {
    let x = corpus("sam/app-control-concurrency-with-dynamodb/statemachines/dynamodb-semaphore.asl.json");
    let branch = "dynamodb-semaphore › Get Lock › branch 1";
    let s = step(&x, branch, "Acquire Lock");
    assert_eq!(s.attrs.side_effects[0].value, "updates an item in dynamodb ${TableSemaphore}");
    let key = s.attrs.idempotent.as_ref().unwrap();
    assert!(
        matches!(&key.value, Idempotency::Key(k) if k.starts_with("ConditionExpression currentlockcount <> :limit"))
    );
    let r = retry(&x, branch, "Acquire Lock", 0);
    assert_eq!((r.max_attempts.clone(), r.limit_text.as_deref()), (Value::Known(Some(1)), Some("MaxAttempts 0")));
    assert!(schedule(r).is_empty());
    // IntervalSeconds left out: 1 s.
    assert_eq!(schedule(retry(&x, branch, "Acquire Lock", 1)), [1_000, 2_000, 4_000, 8_000, 16_000, 32_000]);
    assert_eq!(s.attrs.error_handling.len(), 2);
    assert_eq!(
        edge(&x, EdgeKind::OnError, "Acquire Lock", "Get Current Lock Record").to.scope.as_deref(),
        Some(branch)
    );
    assert_eq!(activity(&x, "dynamodb-semaphore", "Get Lock"), Some("parallel"));
    assert!(step(&x, branch, "Get Current Lock Record").attrs.side_effects.is_empty());
}

#[test]
fn transcribe_file_yaml_jsonata_retries_are_capped_and_jittered() {
    let x = corpus("sam/app-meeting-summarization/statemachines/transcribe_file.asl.yaml");
    let r = retry(&x, "transcribe_file", "Write Transcription Job Summary", 0);
    assert_eq!(r.max_delay_ms, Value::Known(Some(300_000)));
    assert_eq!(r.jitter, Jitter::Full);
    assert_eq!(schedule(r).last(), Some(&300_000));
    assert_eq!(r.max_attempts, Value::Known(Some(11)));
    let lock = step(&x, "transcribe_file", "Aquire Lock");
    assert_eq!(lock.attrs.activity.as_ref().unwrap().value, "states startExecution (runs to completion)");
    edge(&x, EdgeKind::DependsOn, "Aquire Lock", "states ${StateMachineUtilAquireLock}");
    let done = edge(&x, EdgeKind::Next, "Is Job Completed?", "Write Transcription Job Summary");
    assert_eq!(done.detail.as_deref(), Some("$states.input.TranscriptionJob.TranscriptionJobStatus = 'COMPLETED'"));
    assert_eq!(done.source.line, 89);
    let wait = step(&x, "transcribe_file", "Wait");
    assert_eq!(wait.attrs.duration_ms.as_ref().map(|d| d.value.clone()), Some(Value::Known(15_000)));
    assert!(step(&x, "transcribe_file", "Prepare Configuration").attrs.activity.is_none());
}

#[test]
fn distributed_map_reads_and_writes_s3_around_its_item_processor() {
    let x = corpus("sam/demo-distributed-map-data-processing/statemachines/dmap-temperatures.asl.json");
    assert_eq!(x.workflow_names(), ["dmap-temperatures", "dmap-temperatures › DistributedMap › iterator"]);
    let m = step(&x, "dmap-temperatures", "DistributedMap");
    assert_eq!(m.attrs.activity.as_ref().unwrap().value, "map");
    assert_eq!(m.attrs.side_effects[0].value, "calls s3 putObject on s3 ${ResultsBucket}");
    edge(&x, EdgeKind::DependsOn, "DistributedMap", "s3 ${InputBucket}");
    assert_eq!(x.step_names("dmap-temperatures › DistributedMap › iterator"), ["Lambda Invoke"]);
}

#[test]
fn prompt_chaining_parallel_branches_and_an_unbounded_callback() {
    let x = corpus("usecases/genai-prompt-chaining-hitl/src/workflow.asl.json");
    assert_eq!(x.workflow_names(), ["workflow", "workflow › Parallel › branch 1", "workflow › Parallel › branch 2"]);
    let wait = step(&x, "workflow", "Wait for user feedback");
    assert!(wait.attrs.waits.is_some());
    assert!(wait.attrs.timeouts.is_empty() && wait.attrs.heartbeat_ms.is_none());
    let api = step(&x, "workflow › Parallel › branch 2", "Call third-party API");
    assert_eq!(api.attrs.side_effects[0].value, "calls POST http ${public_inference_endpoint}");
    let bedrock = edge(&x, EdgeKind::DependsOn, "Bedrock InvokeModel", "bedrock anthropic.claude-v2");
    assert_eq!(bedrock.from.scope.as_deref(), Some("workflow › Parallel › branch 1"));
    assert!(step(&x, "workflow › Parallel › branch 1", "Bedrock InvokeModel").attrs.side_effects.is_empty());
}

#[test]
fn runner_wait_from_a_path_is_unknown() {
    let x = corpus("sam/app-decompose-for-parallelism/statemachine/runner-simplewait.asl.json");
    let wait = x.facts.nodes.iter().find(|n| n.attrs.duration_ms.is_some()).expect("a Wait state");
    let d = wait.attrs.duration_ms.as_ref().unwrap();
    assert_eq!(d.value, Value::Unknown { expr: "SecondsPath $.test-input.delay-seconds".into() });
    assert_eq!(d.source.line, 35);
}

#[test]
fn a_mock_config_for_local_testing_is_not_claimed() {
    let rel = "sam/app-local-testing-mock-config/statemachine/test/MockConfigFile.json";
    let text = std::fs::read_to_string(format!("{CORPUS}{rel}")).unwrap();
    assert!(!claims(&text));
    // Templates and ASL files are claimed by their text too, for names that say nothing.
    for f in ["sam/app-order-management/template.yaml", "sam/app-kyc-with-eventbridge/statemachine/kyc.asl.yaml"] {
        assert!(claims(&std::fs::read_to_string(format!("{CORPUS}{f}")).unwrap()), "{f}");
    }
}
