"""The team lead's side, without Qt: the lead PIN and session, masked exports and reports,
log bundles merged without duplicates, retention. docs/bundles.md describes the bundle file."""
