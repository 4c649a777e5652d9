"""The query language: the one tokenizer, preparing and running a query read-only and offline, time limits, results, and the catalog of stored queries."""
