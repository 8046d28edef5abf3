//! Import and export formats, pure like `model`: each format is a module with golden files and
//! round-trip tests, shared by the web app and the command-line tool.
