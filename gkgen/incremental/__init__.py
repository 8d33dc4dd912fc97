"""What the last build knew (cache), and keeping or rendering each output given its inputs (reuse)."""
