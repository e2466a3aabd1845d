"""The lead's widgets: the PIN gate, export / import / retention flows, the audit log view."""
