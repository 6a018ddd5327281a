//! State machines inside SAM and CloudFormation templates.
