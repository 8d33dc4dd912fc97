"""What the build writes: the atomic site writer, open data downloads and the search index."""
