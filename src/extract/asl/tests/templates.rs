//! State machines inside SAM and CloudFormation templates.

use super::*;
use crate::extract::{Resolve, Value};

fn warnings(x: &Extracted) -> Vec<(u32, &str)> {
    x.diagnostics
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .map(|d| (d.source.line, d.message.as_str()))
        .collect()
}

#[test]
fn a_definition_uri_names_the_workflow_after_the_asl_file() {
    let x = corpus("sam/app-order-management/template.yaml");
    assert!(x.diagnostics.is_empty(), "{:#?}", x.diagnostics);
    assert_eq!(x.workflow_names(), ["ship-order"]);
    assert!(x.facts.edges.is_empty());
    let wf = workflow(&x, "ship-order");
    assert_eq!((wf.source.line, wf.source.column), (58, 3));
    let note = wf.attrs.description.as_deref().unwrap();
    assert!(note.starts_with("Deployed by `template.yaml` as `StateMachineShipOrder`"), "{note}");
    assert!(note.contains("named `Ship-Orders`, type STANDARD, tracing on"), "{note}");
    assert!(note.contains("`${LambdaGetCustomerStatus}`, `${LambdaReserveProduct}`"), "{note}");
    // The ASL file's own workflow has the same name: the two merge into one node.
    let asl = corpus("sam/app-order-management/statemachines/ship-order.asl.json");
    assert_eq!(asl.workflow_names()[0], "ship-order");
}

#[test]
fn a_name_built_with_an_intrinsic_is_not_a_literal() {
    let x = corpus("sam/app-meeting-summarization/template.yaml");
    assert_eq!(
        x.workflow_names(),
        ["transcribe_file", "summarize_transcription", "aquire-lock", "release-lock", "clean-locks-on-failure"]
    );
    let note = workflow(&x, "aquire-lock").attrs.description.clone().unwrap();
    assert!(!note.contains("named"), "{note}");
    assert!(note.contains("type EXPRESS"), "{note}");
}

const SAM_INLINE: &str = "AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  MachineName:
    Type: String
Resources:
  RefundMachine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: !Ref MachineName
      Definition:
        StartAt: Refund
        States:
          Refund:
            Type: Task
            Resource: !Sub arn:aws:states:::lambda:invoke
            Parameters:
              FunctionName: !GetAtt RefundFunction.Arn
            TimeoutSeconds: 30
            End: true
  RefundFunction:
    Type: AWS::Serverless::Function
";

#[test]
fn an_inline_sam_definition_with_short_tags() {
    let x = extract("infra/template.yaml", SAM_INLINE);
    assert!(x.diagnostics.is_empty(), "{:#?}", x.diagnostics);
    // `Name: !Ref MachineName` names a parameter, not the machine: the logical id is used.
    assert_eq!(x.workflow_names(), ["RefundMachine"]);
    let s = step(&x, "RefundMachine", "Refund");
    assert_eq!((s.source.line, s.source.column), (14, 11));
    assert_eq!(s.attrs.timeouts[0].ms, Value::Known(30_000));
    assert_eq!(s.attrs.timeouts[0].source.line, 19);
    // The tag is dropped by the YAML reader; its argument stays.
    let dep = edge(&x, EdgeKind::DependsOn, "Refund", "lambda RefundFunction.Arn");
    assert_eq!((dep.resolve, dep.source.line), (Resolve::External, 18));
    assert_eq!(edge(&x, EdgeKind::Next, "RefundMachine", "Refund").source.line, 12);
}

const CFN_BLOCK: &str = "Resources:
  Orders:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineName: orders-flow
      DefinitionString: !Sub |
        {
          \"StartAt\": \"Save\",
          \"States\": {
            \"Save\": {
              \"Type\": \"Task\",
              \"Resource\": \"arn:aws:states:::dynamodb:putItem\",
              \"Parameters\": {\"TableName\": \"${OrdersTable}\"},
              \"Next\": \"Gone\"
            }
          }
        }
";

#[test]
fn a_cloudformation_definition_string_in_a_block_keeps_its_lines() {
    let x = extract("cfn/stack.yaml", CFN_BLOCK);
    assert!(x.diagnostics.is_empty(), "{:#?}", x.diagnostics);
    assert_eq!(x.workflow_names(), ["orders-flow"]);
    let s = step(&x, "orders-flow", "Save");
    assert_eq!((s.source.line, s.source.column), (10, 13));
    assert_eq!(s.attrs.side_effects[0].value, "writes an item to dynamodb ${OrdersTable}");
    let dangling = edge(&x, EdgeKind::Next, "Save", "Gone");
    assert_eq!((dangling.resolve, dangling.source.line), (Resolve::Required, 14));
    assert!(workflow(&x, "orders-flow").attrs.description.as_deref().unwrap().contains("named `orders-flow`"));
}

#[test]
fn a_quoted_definition_string_points_at_its_key() {
    let text = r#"{
  "Resources": {
    "Flow": {
      "Type": "AWS::StepFunctions::StateMachine",
      "Properties": {
        "DefinitionString": {"Fn::Sub": ["{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Wait\", \"Seconds\": 5, \"End\": true}}}", {}]}
      }
    },
    "Joined": {
      "Type": "AWS::StepFunctions::StateMachine",
      "Properties": {
        "DefinitionString": {"Fn::Join": ["", ["{\"StartAt\": ", {"Ref": "First"}, "}"]]}
      }
    }
  }
}"#;
    let x = extract("cfn/stack.json", text);
    assert_eq!(x.workflow_names(), ["Flow"]);
    let a = step(&x, "Flow", "A");
    assert_eq!((a.source.line, a.source.column), (6, 9));
    assert_eq!(a.attrs.duration_ms.as_ref().map(|d| d.value.clone()), Some(Value::Known(5_000)));
    let w = warnings(&x);
    assert_eq!(w.len(), 1, "{w:#?}");
    assert_eq!(w[0].0, 12);
    assert!(w[0].1.contains("cannot be read before deployment"), "{}", w[0].1);
}

#[test]
fn a_broken_definition_string_is_a_parse_error_at_its_line() {
    let text = CFN_BLOCK.replace("\"Next\": \"Gone\"", "\"Next\" \"Gone\"");
    let x = extract("cfn/stack.yaml", &text);
    let d = &x.diagnostics[0];
    assert_eq!((d.code.as_str(), d.severity), ("parse-error", Severity::Error));
    assert!(d.message.starts_with("invalid ASL in `DefinitionString`"), "{}", d.message);
    assert!((13..=14).contains(&d.source.line), "{d:?}");
}

#[test]
fn a_definition_in_s3_cannot_be_read() {
    let text = "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      DefinitionS3Location:\n        Bucket: b\n        Key: k\n";
    let x = extract("cfn/s3.yaml", text);
    assert_eq!(warnings(&x), [(5, "the definition of `M` is in S3 and cannot be read from the repository")]);
    assert!(x.facts.nodes.is_empty());
}

#[test]
fn a_sub_with_variables_in_yaml_is_read_and_a_join_is_not() {
    let text = "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      DefinitionString: !Sub\n        - '{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Succeed\"}}}'\n        - Table: !Ref T\n  J:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      DefinitionString: !Join ['', ['{', '}']]\n";
    let x = extract("cfn/sub.yaml", text);
    assert_eq!(x.workflow_names(), ["M"]);
    assert_eq!(step(&x, "M", "A").source.line, 5);
    assert_eq!(warnings(&x).len(), 1, "{:#?}", x.diagnostics);
    assert_eq!(warnings(&x)[0].0, 11);
}
