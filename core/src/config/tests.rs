//! Loader tests: config-file syntax, includes, the command line, errors.
