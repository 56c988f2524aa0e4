"""The seed builder's parts: parsers (common), one reader per source, the merge, and the people."""
