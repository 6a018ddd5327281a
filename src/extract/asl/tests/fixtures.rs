//! Small inline state machines: defaults, malformed definitions, templated values.
