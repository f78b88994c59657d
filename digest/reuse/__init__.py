"""What one build keeps for the next, so that a change costs what it touches, not the site.

- cache: the build cache's SQLite store (entry rows, stored plans, what each output tree holds);
- cached_entry: an entry as the store holds it, its parse unpickled only when used;
- fingerprint: the hash of what a page or feed shows (and of digest's own code);
- plan_patch: the stored plan of every page and feed, patched after an edit of bodies only.

Nothing here is a stage: the stages (pipeline.py) never import this package (import-linter's
contracts in pyproject.toml); build.Builder coordinates the two.
"""
