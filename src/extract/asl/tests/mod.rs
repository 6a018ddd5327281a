//! ASL extractor tests: shared look-ups; real files in `corpus`, small inline files in `fixtures`, templates in `templates`.
