"""What the last build knew, so the next one redoes only what changed."""
