"""The call center's PostgreSQL database (issue 17): schema and migrations, bundle import,
and the review's SQL dialect for it. No Qt. See docs/center.md."""
