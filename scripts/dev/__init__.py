"""Development-only parts, kept apart from product code: launchers for the private slapd and
Dovecot, the demo province and its loader, and LDAP helpers for tests and benchmarks."""
