"""One module per CLI command; each exposes `register(subparsers)` and calls the library."""
