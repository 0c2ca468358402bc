"""Digital certificates (next): personal and organisational requests per unit, approval through
provisioning.approvals, batches and dossiers for the government CA, issued certificates recorded
and published to the directory. Models, services, selectors, views and tasks go here."""
