"""Reading the archive: content/ files → validated, linked model values, every problem located."""
