"""Tools for editors: the importer, `gkgen new`, and the canonical content writer."""
