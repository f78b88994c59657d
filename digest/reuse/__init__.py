"""What one build keeps for the next, so that a change costs what it touches, not the site.

- cache: the build cache's SQLite store (entry rows, stored plans, what each output tree holds);
- cached_entry: an entry as the store holds it, its parse unpickled only when used;
- fingerprint: the hash of what a page or feed shows (and of digest's own code);
- plan_patch: the stored plan of every page and feed, patched after an edit of bodies only;
- entry_rows: load.py's reuse: entry files parsed anew only when their bytes changed, the rows
  stored by the parsing workers; which rows are published; the key of a set of entries;
- trees: the live and spare output trees as recorded: what a build's tree will hold, the search's
  files brought in, stray files swept, the spare caught up in idle time.

Nothing here is a stage: the stages (pipeline.py) never import this package (import-linter's
contracts in pyproject.toml); build.Builder coordinates the two.
"""
