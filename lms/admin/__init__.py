"""The admin's pages: the audit log (with its CSV export) and login lockouts. Above auth and audit,
so the audit log stays below the login that writes to it."""
